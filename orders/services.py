"""Every write of the catalogue and orders: plain functions, keyword-only arguments, one
transaction each. Views, the API, the CSV import and Celery tasks all come through here.

Every write of a merchant's things takes the caller's ``reach`` and decides itself whether it may
(``require_act``); views and viewsets keep no permission checks of their own. A merchant's things
out of the caller's reach answer 404, like any foreign object. System sweeps (expired holds, due
flash deals) act for no one and take no reach; the demo acts with its people's reaches.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Greatest, Now
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import MANAGER, Reach
from merchants.models import Merchant, User

from . import intake, lifecycle, photos, stock
from .models import (
    BreakageClaim,
    ExchangeRate,
    FlashDeal,
    IdempotencyKey,
    Order,
    OrderEvent,
    OrderLine,
    OrderPolicy,
    PlatformPrice,
    Product,
    ProductPhoto,
)

CENT = Decimal("0.01")
S = Order.Status

PRODUCT_FIELDS = (
    "name",
    "ware_type",
    "category",
    "technique",
    "kiln",
    "artisan",
    "tier",
    "length_mm",
    "width_mm",
    "height_mm",
    "weight_g",
    "price",
    "story",
    "is_active",
)


# --- who may -----------------------------------------------------------------------------------


def may_act(reach: Reach, merchant: Merchant) -> bool:
    """Whether ``reach`` may change this merchant's catalogue, orders and deals: the one answer
    pages show their buttons by, and every write below asks before it writes."""
    return reach.can_act_for_merchant(merchant.pk, merchant.base_id)


def require_act(reach: Reach, merchant: Merchant) -> None:
    """Refuse a write for a merchant out of the caller's reach with a 404, as for any foreign
    object (a missing object and a forbidden one look the same)."""
    if not may_act(reach, merchant):
        raise Http404


# --- catalogue ---------------------------------------------------------------------------------


def product_create(
    *, reach: Reach, merchant: Merchant, sku: str, stock: int = 0, photo_uploads=(), **fields
) -> Product:
    """Add a product, with its photos if given. Every photo is checked before anything is
    written: one bad photo refuses the whole product, and nothing is left half-written."""
    require_act(reach, merchant)
    sku = sku.strip()
    if not sku:
        raise DomainError(_("Give the product a SKU."), field="sku")
    if stock < 0:
        raise DomainError(_("Stock cannot be negative."), field="stock")
    if fields.get("price") is not None and fields["price"] < 0:
        raise DomainError(_("The price cannot be negative."), field="price")
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown product fields: {sorted(unknown)}")
    if Product.objects.filter(merchant=merchant, sku=sku).exists():
        raise Conflict(_("You already have a product with this SKU."), field="sku")
    checked = [photos.check_and_process(upload, field="photos") for upload in photo_uploads]
    stored: list[ProductPhoto] = []
    try:
        with transaction.atomic():
            product = Product.objects.create(merchant=merchant, sku=sku, stock=stock, **fields)
            for position, photo in enumerate(checked):
                stored.append(_store_photo(product, photo, position))
    except IntegrityError as exc:
        _delete_files(stored)
        raise Conflict(_("You already have a product with this SKU."), field="sku") from exc
    except Exception:
        _delete_files(stored)
        raise
    return product


def _store_photo(product: Product, checked, position: int) -> ProductPhoto:
    photo = ProductPhoto(
        product=product, width=checked.width, height=checked.height, position=position
    )
    photo.image.save(checked.image.name, checked.image, save=False)
    photo.thumbnail.save(checked.thumbnail.name, checked.thumbnail, save=False)
    photo.save()
    return photo


def _delete_files(stored: list[ProductPhoto]) -> None:
    for photo in stored:
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)


@transaction.atomic
def product_update(*, reach: Reach, product: Product, **fields) -> Product:
    """Change a product's description and price. Stock changes go through ``product_restock``
    (a relative change), so an edit never overwrites units that orders took meanwhile."""
    require_act(reach, product.merchant)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown product fields: {sorted(unknown)}")
    if fields.get("price") is not None and fields["price"] < 0:
        raise DomainError(_("The price cannot be negative."), field="price")
    for name, value in fields.items():
        setattr(product, name, value)
    if fields:
        product.save(update_fields=list(fields))
    return product


MAX_STOCK = 1_000_000


@transaction.atomic
def product_restock(*, reach: Reach, product: Product, change: int) -> Product:
    """Add units to stock (or remove them with a negative change, never below zero)."""
    require_act(reach, product.merchant)
    if change == 0:
        return product
    if change > 0:
        # Far below the column's limit, so racing restocks cannot overflow it either.
        if Product.objects.filter(pk=product.pk, stock__gt=MAX_STOCK - change).exists():
            raise DomainError(
                _("A product holds at most %(max)s units in stock.") % {"max": MAX_STOCK},
                field="change",
            )
        stock.give_back(product_id=product.pk, quantity=change)
    else:
        removed = Product.objects.filter(pk=product.pk, stock__gte=-change).update(
            stock=F("stock") + change
        )
        if not removed:
            raise Conflict(_("You cannot remove more units than are in stock."), field="stock")
    product.refresh_from_db(fields=["stock"])
    return product


def product_photo_add(*, reach: Reach, product: Product, upload) -> ProductPhoto:
    """Check the upload, strip its metadata, make the thumbnail and store both.

    The image work runs before the transaction opens; files written for a row that then fails
    to save are deleted again, so nothing is left half-written.
    """
    require_act(reach, product.merchant)
    checked = photos.check_and_process(upload)
    stored: list[ProductPhoto] = []
    try:
        with transaction.atomic():
            position = product.photos.count()
            stored.append(_store_photo(product, checked, position))
    except Exception:
        _delete_files(stored)
        raise
    return stored[0]


@transaction.atomic
def product_photo_delete(*, reach: Reach, photo: ProductPhoto) -> None:
    require_act(reach, photo.product.merchant)
    image, thumbnail = photo.image, photo.thumbnail
    photo.delete()
    transaction.on_commit(lambda: (image.delete(save=False), thumbnail.delete(save=False)))


@transaction.atomic
def platform_price_set(
    *, reach: Reach, product: Product, platform: str, price: Decimal | None
) -> None:
    """Set the product's price on one platform; ``None`` goes back to the product's price."""
    require_act(reach, product.merchant)
    if price is None:
        PlatformPrice.objects.filter(product=product, platform=platform).delete()
        return
    price = Decimal(price)
    if price < 0:
        raise DomainError(_("The price cannot be negative."), field="price")
    PlatformPrice.objects.update_or_create(
        product=product, platform=platform, defaults={"price": price}
    )


@transaction.atomic
def exchange_rate_set(
    *, reach: Reach, currency: str, cny_per_unit: Decimal, valid_from: dt.date
) -> ExchangeRate:
    """Set a rate of the caller's base; the base's managers keep its rates."""
    reach.require_role(MANAGER)
    base_id = reach.base_id
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise DomainError(_("A currency is a three-letter code such as EUR."), field="currency")
    if cny_per_unit <= 0:
        raise DomainError(_("A rate must be above zero."), field="cny_per_unit")
    rate, _created = ExchangeRate.objects.update_or_create(
        base_id=base_id,
        currency=currency,
        valid_from=valid_from,
        defaults={"cny_per_unit": cny_per_unit},
    )
    return rate


@transaction.atomic
def order_policy_set(
    *, reach: Reach, merchant: Merchant, live_payment_minutes: int, payment_minutes: int
) -> OrderPolicy:
    require_act(reach, merchant)
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


# --- money -------------------------------------------------------------------------------------


def cny_rate(*, base_id: int, currency: str, day: dt.date) -> Decimal:
    """CNY per unit of ``currency`` on ``day`` from the base's table; DomainError if unknown."""
    if currency == "CNY":
        return Decimal("1")
    rate = (
        ExchangeRate.objects.filter(base_id=base_id, currency=currency, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("cny_per_unit", flat=True)
        .first()
    )
    if rate is None:
        raise DomainError(
            _("The base has no exchange rate for %(currency)s on %(day)s.")
            % {"currency": currency, "day": day},
            field="currency",
        )
    return rate


def to_cny(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def price_on(*, product: Product, platform: str) -> Decimal:
    """The product's price on a platform: the merchant's platform price if set, else its own."""
    for platform_price in getattr(product, "_prefetched_objects_cache", {}).get(
        "platform_prices", []
    ):
        if platform_price.platform == platform:
            return platform_price.price
    found = (
        PlatformPrice.objects.filter(product=product, platform=platform)
        .values_list("price", flat=True)
        .first()
    )
    return product.price if found is None else found


# --- orders ------------------------------------------------------------------------------------


LineSpec = intake.LineIn


def _event(order: Order, *, before: str, actor: User | None, refund=Decimal("0"), note="") -> None:
    OrderEvent.objects.create(
        order=order,
        from_status=before,
        to_status=order.status,
        actor=actor,
        refund_cny=refund,
        note=note,
    )


def order_place(
    *,
    reach: Reach,
    merchant: Merchant,
    platform: str,
    lines: list[LineSpec],
    external_id: str = "",
    buyer_name: str = "",
    buyer_country: str = "CN",
    currency: str = "CNY",
    stream_id: int | None = None,
    placed_at: dt.datetime | None = None,
    actor: User | None = None,
) -> Order:
    """Take one order through the intake (``orders.intake``): hold its units (stock, or a flash
    deal's set-aside) until the payment deadline, fix its CNY amount at the day's rate, and
    record the first-order milestones."""
    require_act(reach, merchant)
    return intake.take_in(
        merchant=merchant,
        actor=actor,
        orders=[
            intake.OrderIn(
                platform=platform,
                lines=list(lines),
                external_id=external_id,
                buyer_name=buyer_name,
                buyer_country=buyer_country,
                currency=currency,
                stream_id=stream_id,
                placed_at=placed_at,
            )
        ],
    ).orders[0]


class IdempotencyKeyReused(DomainError):
    """The same ``Idempotency-Key`` came back with a different request body."""

    status_code = 422
    code = "idempotency_key_reused"


def order_place_idempotent(
    *, reach: Reach, merchant: Merchant, key: str, fingerprint: str = "", **order_kwargs
) -> tuple[Order, bool]:
    """``order_place`` once per (merchant, key): a repeat returns the first order and False.

    ``fingerprint`` (a digest of the request body) is stored with the key; a repeat whose
    fingerprint differs is another request under a reused key and answers 422.

    The key row is inserted first; a concurrent request with the same key waits on the unique
    index until the first commits, then finds its order. If the first fails, the key goes with it.
    """
    require_act(reach, merchant)
    key = key.strip()
    if not key or len(key) > 255:
        raise DomainError(_("The Idempotency-Key header must be 1 to 255 characters."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    merchant=merchant, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            record = IdempotencyKey.objects.select_related("order").get(merchant=merchant, key=key)
            if record.fingerprint and fingerprint and record.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    _("This Idempotency-Key was used for a different request."),
                    field="Idempotency-Key",
                ) from None
            return record.order, False
        order = order_place(reach=reach, merchant=merchant, **order_kwargs)
        IdempotencyKey.objects.filter(pk=record.pk).update(order=order)
        return order, True


def _locked(reach: Reach, order: Order) -> Order:
    """The order row, locked (its merchant read in the same query, not locked), once the caller
    may act for its merchant."""
    locked = (
        Order.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=order.pk)
    )
    require_act(reach, locked.merchant)
    return locked


def _move(locked: Order, *, action: str, actor: User | None, **extra) -> Order:
    move = lifecycle.check(action, locked.status)
    before = locked.status
    locked.status = move.target
    for name, value in extra.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "updated_at", *extra])
    _event(locked, before=before, actor=actor)
    if move.releases(before):
        stock.release(OrderLine.objects.filter(order_id=locked.pk))
    return locked


@transaction.atomic
def order_pay(*, reach: Reach, order: Order, actor: User | None = None) -> Order:
    """Payment turns the hold into a sale: the units stay out of stock, the deadline goes."""
    locked = _locked(reach, order)
    if (
        locked.status == S.PENDING
        and locked.hold_until is not None
        and locked.hold_until <= timezone.now()
    ):
        raise Conflict(
            _("The payment deadline has passed; the order is being cancelled."), field="status"
        )
    return _move(locked, action="pay", actor=actor, hold_until=None)


@transaction.atomic
def order_ship(*, reach: Reach, order: Order, actor: User | None = None) -> Order:
    return _move(_locked(reach, order), action="ship", actor=actor)


@transaction.atomic
def order_deliver(*, reach: Reach, order: Order, actor: User | None = None) -> Order:
    return _move(_locked(reach, order), action="deliver", actor=actor)


@transaction.atomic
def order_complete(*, reach: Reach, order: Order, actor: User | None = None) -> Order:
    return _move(_locked(reach, order), action="complete", actor=actor)


@transaction.atomic
def order_cancel(*, reach: Reach, order: Order, actor: User | None = None) -> Order:
    """Cancel an unpaid order; its held units go back."""
    return _move(_locked(reach, order), action="cancel", actor=actor, hold_until=None)


@transaction.atomic
def order_refund(
    *,
    reach: Reach,
    order: Order,
    amount_cny: Decimal | None = None,
    actor: User | None = None,
    note: str = "",
) -> Order:
    """Refund a paid order, whole (the default) or in part, in CNY.

    A whole refund marks the order refunded; before shipping it also gives the units back. A
    partial refund keeps the status and adds to ``refunded_cny``.
    """
    locked = _locked(reach, order)
    if locked.status not in lifecycle.transition("refund").sources:
        raise Conflict(
            _("Only a paid order can be refunded (cancel an unpaid one)."), field="status"
        )
    move = lifecycle.transition("refund")
    left = locked.amount_cny - locked.refunded_cny
    amount_cny = left if amount_cny is None else Decimal(amount_cny).quantize(CENT)
    if amount_cny <= 0 or amount_cny > left:
        raise DomainError(
            _("A refund is above zero and at most %(left)s CNY.") % {"left": left},
            field="amount_cny",
        )
    before = locked.status
    locked.refunded_cny = locked.refunded_cny + amount_cny
    whole = locked.refunded_cny == locked.amount_cny
    if whole:
        locked.status = S.REFUNDED
    locked.save(update_fields=["status", "refunded_cny", "updated_at"])
    _event(locked, before=before, actor=actor, refund=amount_cny, note=note[:200])
    if whole and move.releases(before):
        stock.release(OrderLine.objects.filter(order_id=locked.pk))
    return locked


@transaction.atomic
def holds_release_expired(*, now: dt.datetime | None = None, batch: int = 5000) -> int:
    """Cancel unpaid orders whose payment deadline passed and give their units back.

    Set-based: the due orders are locked (skipping any a payment is holding right now), their
    units released with one UPDATE per table, and all of them cancelled with one UPDATE. Safe to
    run any number of times. Returns how many orders it cancelled.
    """
    now = now or timezone.now()
    ids = list(
        Order.objects.select_for_update(skip_locked=True)
        .filter(status=S.PENDING, hold_until__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    if not ids:
        return 0
    stock.release(OrderLine.objects.filter(order_id__in=ids))
    Order.objects.filter(pk__in=ids).update(status=S.CANCELLED, hold_until=None, updated_at=Now())
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order_id=pk, from_status=S.PENDING, to_status=S.CANCELLED, at=now, note="hold expired"
        )
        for pk in ids
    )
    return len(ids)


# --- breakage claims ---------------------------------------------------------------------------


def claim_file(
    *,
    reach: Reach,
    order: Order,
    line_ids: list[int],
    photo,
    note: str = "",
    actor: User | None = None,
) -> BreakageClaim:
    """Record porcelain broken in transit, with the buyer's photo and the lines affected."""
    require_act(reach, order.merchant)
    if order.status not in lifecycle.CLAIMABLE:
        raise Conflict(_("Only a shipped order can have a breakage claim."), field="order")
    lines = list(OrderLine.objects.filter(order=order, pk__in=line_ids))
    if not lines or len(lines) != len(set(line_ids)):
        raise DomainError(_("Choose the lines that arrived broken."), field="lines")
    checked = photos.check_and_process(photo, field="photo")
    claim = BreakageClaim(order=order, note=note[:300], filed_by=actor)
    claim.photo.save(checked.image.name, checked.image, save=False)
    try:
        with transaction.atomic():
            claim.save()
            claim.lines.set(lines)
    except Exception:
        claim.photo.delete(save=False)
        raise
    return claim


@transaction.atomic
def claim_decide(
    *,
    reach: Reach,
    claim: BreakageClaim,
    outcome: str,
    refund_cny: Decimal | None = None,
    actor: User | None = None,
) -> BreakageClaim:
    claim = (
        BreakageClaim.objects.select_for_update(of=("self",))
        .select_related("order__merchant")
        .get(pk=claim.pk)
    )
    require_act(reach, claim.order.merchant)
    if claim.outcome != BreakageClaim.Outcome.OPEN:
        raise Conflict(_("This claim is already decided."), field="outcome")
    if outcome not in BreakageClaim.Outcome.values or outcome == BreakageClaim.Outcome.OPEN:
        raise DomainError(_("Choose an outcome."), field="outcome")
    if outcome == BreakageClaim.Outcome.REFUNDED:
        if refund_cny is None:
            refund_cny = sum(
                (line.unit_price * line.quantity for line in claim.lines.all()), Decimal("0")
            )
            order = Order.objects.get(pk=claim.order_id)
            rate = order.amount_cny / order.amount if order.amount else Decimal("1")
            refund_cny = min(to_cny(refund_cny, rate), order.amount_cny - order.refunded_cny)
        order_refund(
            reach=reach,
            order=claim.order,
            amount_cny=refund_cny,
            actor=actor,
            note=f"breakage claim {claim.pk}",
        )
        claim.refund_cny = refund_cny
    claim.outcome = outcome
    claim.decided_at = timezone.now()
    claim.save(update_fields=["outcome", "refund_cny", "decided_at"])
    return claim


# --- flash deals -------------------------------------------------------------------------------


@transaction.atomic
def flash_deal_create(
    *,
    reach: Reach,
    stream,
    product: Product,
    deal_price: Decimal,
    quantity: int,
    per_buyer_limit: int = 1,
    starts_at: dt.datetime | None = None,
    duration: dt.timedelta = dt.timedelta(minutes=10),
    at: dt.datetime | None = None,
) -> FlashDeal:
    """Set ``quantity`` units aside from stock for a deal during ``stream``.

    Whatever the door (page, API, demo), a deal is made only for a stream that is scheduled or
    live: never for an ended, missed or cancelled one. Its clock runs from the later of its own
    start and the stream's actual start, for ``duration`` (at most ``bounds.MAX_FLASH_DEAL``): a
    deal made for a stream that goes live late still runs its whole duration in the live, and
    ``ends_at`` follows when the stream goes live (``flash_deals_end_due`` re-anchors it).

    ``at`` is for recorded history only (the demo replays past streams): the deal is made as at
    that instant, so its stream must have been live then.
    """
    from livestreams.models import LiveStream

    require_act(reach, stream.merchant)
    now = at or timezone.now()
    deal_price = Decimal(deal_price)
    if stream.merchant_id != product.merchant_id:
        raise DomainError(_("Choose one of your own products."), field="product")
    intake.require_selling(stream.merchant)
    bounds.check_quantity(quantity, field="quantity")
    bounds.check_quantity(per_buyer_limit, field="per_buyer_limit")
    bounds.check_money(deal_price, field="deal_price", maximum=bounds.MAX_LINE_CNY)
    if not dt.timedelta(0) < duration <= bounds.MAX_FLASH_DEAL:
        raise DomainError(
            _("A deal lasts more than nothing and at most %(hours)s hours.")
            % {"hours": int(bounds.MAX_FLASH_DEAL.total_seconds() // 3600)},
            field="duration",
        )
    stream = LiveStream.objects.select_for_update().get(pk=stream.pk)
    live = intake.stream_live_at(stream, now)
    if not live and not (stream.status == LiveStream.Status.SCHEDULED and now < stream.planned_end):
        raise Conflict(
            _("A flash deal can only be made for a scheduled or live stream."),
            field="stream",
            code="stream_closed",
        )
    starts_at = starts_at or now
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if not bounds.earliest_instant() <= starts_at < stream.planned_end + bounds.MAX_FLASH_DEAL:
        raise DomainError(_("A deal starts during its stream."), field="starts_at")
    anchor = stream.actual_start if stream.actual_start is not None else stream.planned_start
    clock_from = max(starts_at, anchor)
    stock.take(product_id=product.pk, quantity=quantity)
    return FlashDeal.objects.create(
        stream=stream,
        product=product,
        deal_price=deal_price,
        quantity=quantity,
        remaining=quantity,
        per_buyer_limit=per_buyer_limit,
        starts_at=starts_at,
        duration=duration,
        ends_at=clock_from + duration,
    )


@transaction.atomic
def flash_deal_end(*, reach: Reach, deal_id: int) -> int:
    """End a deal now, for its merchant: its unsold set-aside units go back to stock.
    Idempotent; returns the units."""
    deal = (
        FlashDeal.objects.select_for_update(of=("self",))
        .select_related("product__merchant")
        .get(pk=deal_id)
    )
    require_act(reach, deal.product.merchant)
    return _end(deal)


@transaction.atomic
def flash_deal_expire(*, deal_id: int) -> int:
    """End a deal whose time is up: the system's sweep and task, acting for no one."""
    return _end(FlashDeal.objects.select_for_update().get(pk=deal_id))


def _end(deal: FlashDeal) -> int:
    if deal.ended:
        return 0
    left = deal.remaining
    if left:
        stock.give_back(product_id=deal.product_id, quantity=left)
    deal.remaining = 0
    deal.ended = True
    if deal.ends_at > timezone.now():
        deal.ends_at = timezone.now()
    deal.save(update_fields=["remaining", "ended", "ends_at"])
    return left


def flash_deals_end_due(*, now: dt.datetime | None = None) -> int:
    """End every deal whose time is up (each in its own short transaction).

    First, set-based, the open deals of live streams get ``ends_at`` from the later of their
    own start and the stream's actual start (the clock runs in the live, see
    ``flash_deal_create``). A deal whose stream has not gone live is not due, unless the stream
    was cancelled or missed; a deal whose stream ended is due from the stream's end.
    """
    from livestreams.models import LiveStream

    now = now or timezone.now()
    LS = LiveStream.Status
    started = LiveStream.objects.filter(pk=OuterRef("stream_id")).values("actual_start")[:1]
    FlashDeal.objects.filter(
        ended=False, stream__status=LS.LIVE, stream__actual_start__isnull=False
    ).update(
        ends_at=ExpressionWrapper(
            Greatest(F("starts_at"), Subquery(started)) + F("duration"),
            output_field=DateTimeField(),
        )
    )
    due = list(
        FlashDeal.objects.filter(ended=False)
        .filter(
            Q(ends_at__lte=now)
            & (Q(stream__actual_start__isnull=False) | Q(stream__status=LS.LIVE))
            | Q(stream__status__in=[LS.CANCELLED, LS.MISSED])
            | Q(stream__status=LS.ENDED, stream__actual_end__lte=now)
        )
        .values_list("pk", flat=True)
    )
    return sum(flash_deal_expire(deal_id=pk) for pk in due)
