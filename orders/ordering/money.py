"""Money: the base's exchange rates, the price rule of a product on a platform or in a live,
CNY conversion, and a merchant's payment deadlines (its order policy). Every door and every
service converts and prices through here, so each rule is written once."""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from jingdezhen.core.errors import DomainError
from jingdezhen.core.tenancy import MANAGER, Reach
from livestreams.models import FeaturedProduct
from merchants.models import Merchant
from orders.models import ExchangeRate, OrderPolicy, PlatformPrice, Product
from orders.permissions import CATALOGUE_EDIT, ORDERS_HANDLE, require_act

if TYPE_CHECKING:
    from orders.intake.specs import OrderIn

CENT = Decimal("0.01")


# --- exchange rates and conversion -------------------------------------------------------------


class Rates:
    """The base's exchange rates, read once per intake; looked up by currency and day."""

    def __init__(self, base_id: int, currencies: set[str] | None):
        """``currencies`` None reads every currency of the base."""
        self.table: dict[str, tuple[list, list]] = {}
        if currencies is not None and not currencies - {"CNY"}:
            return  # a yuan is a yuan: no query, not even a queryset built
        rows = ExchangeRate.objects.filter(base_id=base_id)
        if currencies is not None:
            rows = rows.filter(currency__in=currencies - {"CNY"})
        for currency, day, rate in rows.order_by("currency", "valid_from").values_list(
            "currency", "valid_from", "cny_per_unit"
        ):
            days, rates = self.table.setdefault(currency, ([], []))
            days.append(day)
            rates.append(rate)

    def get(self, currency: str, day: dt.date) -> Decimal | None:
        if currency == "CNY":
            return Decimal("1")
        days, rates = self.table.get(currency, ((), ()))
        i = bisect.bisect_right(days, day)
        return rates[i - 1] if i else None

    def require(self, currency: str, day: dt.date) -> Decimal:
        """The rate, or the refusal an order in that currency on that day gets."""
        rate = self.get(currency, day)
        if rate is None:
            raise no_rate(currency, day)
        return rate


def to_cny(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def currency_code(value: str) -> str:
    """A currency as stored (three letters, upper case), the same check at every door."""
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise DomainError(_("A currency is a three-letter code such as EUR."), field="currency")
    return code


def from_cny(amount_cny: Decimal, rate: Decimal) -> Decimal:
    """A CNY amount in a currency worth ``rate`` CNY a unit, to the cent."""
    return (amount_cny / rate).quantize(CENT, rounding=ROUND_HALF_UP)


def no_rate(currency: str, day: dt.date) -> DomainError:
    """The refusal of an amount in a currency the base has no rate for on that day."""
    return DomainError(
        _("The base has no exchange rate for %(currency)s on %(day)s.")
        % {"currency": currency, "day": day},
        field="currency",
    )


@transaction.atomic
def exchange_rate_set(
    *, reach: Reach, currency: str, cny_per_unit: Decimal, valid_from: dt.date
) -> ExchangeRate:
    """Set a rate of the caller's base; the base's managers keep its rates."""
    reach.require_role(MANAGER)
    base_id = reach.base_id
    currency = currency_code(currency)
    if cny_per_unit <= 0:
        raise DomainError(_("A rate must be above zero."), field="cny_per_unit")
    rate, _created = ExchangeRate.objects.update_or_create(
        base_id=base_id,
        currency=currency,
        valid_from=valid_from,
        defaults={"cny_per_unit": cny_per_unit},
    )
    return rate


# --- prices ------------------------------------------------------------------------------------


class Prices:
    """Price rule: live price in the order's stream, else platform price, else product price."""

    def __init__(self, products: dict[int, Product], specs: list[OrderIn]):
        self.platform: dict[tuple[int, str], Decimal] = {}
        self.live: dict[tuple[int, int], Decimal] = {}
        self.platforms = {spec.platform for spec in specs}
        self.streams = {spec.stream_id for spec in specs}
        if len(self.platforms) > 1 and products:
            for product_id, platform, price in PlatformPrice.objects.filter(
                product_id__in=products, platform__in=self.platforms
            ).values_list("product_id", "platform", "price"):
                self.platform[product_id, platform] = price
        stream_ids = self.streams - {None}
        if len(self.streams) > 1 and stream_ids and products:
            for stream_id, product_id, price in FeaturedProduct.objects.filter(
                stream_id__in=stream_ids, product_id__in=products, live_price__isnull=False
            ).values_list("stream_id", "product_id", "live_price"):
                self.live[stream_id, product_id] = price

    def cny(self, product: Product, spec: OrderIn) -> Decimal:
        if spec.stream_id is not None:
            if len(self.streams) == 1:
                live = getattr(product, "_live_price", None)
            else:
                live = self.live.get((spec.stream_id, product.pk))
            if live is not None:
                return live
        if len(self.platforms) == 1:
            price = getattr(product, "_platform_price", None)
        else:
            price = self.platform.get((product.pk, spec.platform))
        return product.price if price is None else price


@transaction.atomic
def platform_price_set(
    *, reach: Reach, product: Product, platform: str, price: Decimal | None
) -> None:
    """Set the product's price on one platform; ``None`` goes back to the product's price."""
    require_act(reach, product.merchant, CATALOGUE_EDIT)
    if price is None:
        PlatformPrice.objects.filter(product=product, platform=platform).delete()
        return
    price = Decimal(price)
    if price < 0:
        raise DomainError(_("The price cannot be negative."), field="price")
    PlatformPrice.objects.update_or_create(
        product=product, platform=platform, defaults={"price": price}
    )


# --- order policy ------------------------------------------------------------------------------


@transaction.atomic
def order_policy_set(
    *, reach: Reach, merchant: Merchant, live_payment_minutes: int, payment_minutes: int
) -> OrderPolicy:
    require_act(reach, merchant, ORDERS_HANDLE)
    if live_payment_minutes < 1 or payment_minutes < 1:
        raise DomainError(_("A payment deadline is at least one minute."))
    policy, _created = OrderPolicy.objects.update_or_create(
        merchant=merchant,
        defaults={
            "live_payment_minutes": live_payment_minutes,
            "payment_minutes": payment_minutes,
        },
    )
    return policy
