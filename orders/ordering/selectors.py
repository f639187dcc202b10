"""Reads of orders, flash deals, exchange rates and payment deadlines shared by pages, API,
exports and tasks (always scoped by the reach; a role that may not read the orders app is
refused with 403 by ``orders.permissions.require_reader``), and GMV, defined once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from jingdezhen.core.tenancy import Reach
from orders.models import (
    BreakageClaim,
    ExchangeRate,
    FlashDeal,
    Order,
    OrderEvent,
    OrderLine,
    OrderPolicy,
)
from orders.permissions import require_orders_reader, require_reader


def order_list(
    *,
    reach: Reach,
    status: str = "",
    platform: str = "",
    merchant_id: int | None = None,
    q: str = "",
) -> QuerySet[Order]:
    require_orders_reader(reach)
    qs = reach.scope(Order.objects.select_related("merchant"))
    if status:
        qs = qs.filter(status=status)
    if platform:
        qs = qs.filter(platform=platform)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if q:
        qs = qs.filter(Q(external_id__icontains=q) | Q(buyer_name__icontains=q))
    return qs


def order_list_with_lines(**kwargs) -> QuerySet[Order]:
    return order_list(**kwargs).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id"))
    )


def order_lines_of(orders: QuerySet[Order]) -> QuerySet[OrderLine]:
    """The lines of ``orders`` (a queryset already scoped by a reach), in order of the orders."""
    return OrderLine.objects.filter(order__in=orders.order_by().values("pk")).order_by(
        "order__placed_at", "order_id", "id"
    )


def order_get(*, reach: Reach, pk: int) -> Order:
    require_orders_reader(reach)
    qs = reach.scope(
        Order.objects.select_related("merchant", "stream", "shipment")
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id")),
        Prefetch(
            "events", queryset=OrderEvent.objects.select_related("actor").order_by("at", "id")
        ),
        Prefetch("claims", queryset=BreakageClaim.objects.prefetch_related("lines__product")),
    )
    return get_object_or_404(qs, pk=pk)


def claim_list(*, reach: Reach) -> QuerySet[BreakageClaim]:
    """Breakage claims within reach, newest first, with the ids of the lines they name (a role
    that reads no orders, a host, is refused with 403, as for the claim itself)."""
    require_orders_reader(reach)
    return reach.scope(BreakageClaim.objects.prefetch_related("lines").order_by("-filed_at", "-id"))


def claim_get(*, reach: Reach, pk: int) -> BreakageClaim:
    require_orders_reader(reach)
    return get_object_or_404(reach.scope(BreakageClaim.objects.select_related("order")), pk=pk)


def order_policy_for(*, reach: Reach, merchant_id: int) -> OrderPolicy:
    require_orders_reader(reach)
    found = reach.scope(OrderPolicy.objects.filter(merchant_id=merchant_id)).first()
    return found or OrderPolicy(merchant_id=merchant_id)


def exchange_rate_list(*, reach: Reach) -> QuerySet[ExchangeRate]:
    require_reader(reach)
    return reach.scope(ExchangeRate.objects.all())


def flash_deal_list(*, reach: Reach) -> QuerySet[FlashDeal]:
    require_reader(reach)
    return reach.scope(FlashDeal.objects.select_related("product", "stream"))


def stream_flash_deals(*, reach: Reach, stream_id: int, running: bool = False):
    """The flash deals of one stream, newest first; ``running``: only those selling now."""
    qs = flash_deal_list(reach=reach).filter(stream_id=stream_id).select_related("product")
    if running:
        now = timezone.now()
        qs = qs.filter(ended=False, starts_at__lte=now, ends_at__gt=now)
    return qs.order_by("-starts_at", "-id")


def flash_deal_get(*, reach: Reach, pk: int) -> FlashDeal:
    return get_object_or_404(flash_deal_list(reach=reach), pk=pk)


def held_units(*, product_id: int) -> int:
    """Units of a product held by unpaid orders right now."""
    return (
        OrderLine.objects.filter(
            product_id=product_id, order__status=Order.Status.PENDING
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )


# --- GMV, defined once ------------------------------------------------------------------------
# GMV is the net CNY of the counted orders: orders whose status is in Order.COUNTED_STATUSES, not
# attributed to a rehearsal stream, summed as amount_cny - refunded_cny. The turnover rollups,
# the reconciliation, the stream report, the per-stream percentiles and the peers' GPM (read
# from the rollups) all take it from here.
GMV_SQL = "COALESCE(SUM(o.amount_cny - o.refunded_cny), 0)"
# The counted orders ``o`` (with their stream ``s`` left-joined), for raw SQL; the statuses are
# the parameter %(statuses)s (gmv_params()).
COUNTED_ORDERS_SQL = "o.status = ANY(%(statuses)s) AND (s.id IS NULL OR NOT s.is_rehearsal)"


def gmv_params() -> dict:
    return {"statuses": list(Order.COUNTED_STATUSES)}


def counted_orders(qs: QuerySet[Order]) -> QuerySet[Order]:
    """The orders of ``qs`` that count towards turnover and GMV."""
    return qs.filter(status__in=Order.COUNTED_STATUSES).exclude(stream__is_rehearsal=True)


def gmv_sum():
    """The aggregate of GMV over counted orders, in CNY (``counted_orders(qs).aggregate``)."""
    return Sum(
        F("amount_cny") - F("refunded_cny"),
        output_field=DecimalField(max_digits=20, decimal_places=2),
        default=Decimal("0"),
    )


def line_revenue_cny():
    """A line's revenue in CNY: its share (quantity x unit price, in the order's currency) of
    the order's CNY amount, so a USD order's lines are shown in CNY like its total."""
    money = DecimalField(max_digits=20, decimal_places=2)
    share = Case(
        When(
            order__amount__gt=0,
            then=ExpressionWrapper(
                F("quantity") * F("unit_price") * F("order__amount_cny") / F("order__amount"),
                output_field=money,
            ),
        ),
        default=ExpressionWrapper(F("quantity") * F("unit_price"), output_field=money),
        output_field=money,
    )
    return Sum(share, output_field=money)


# --- what needs doing (the merchant's home) ---------------------------------------------------

# An unpaid order whose hold ends within this many minutes is about to expire.
HOLD_WARNING_MINUTES = 30


def orders_to_ship(*, reach: Reach) -> QuerySet[Order]:
    """Paid orders not shipped yet, the longest waiting first."""
    return order_list(reach=reach, status=Order.Status.PAID).order_by("placed_at", "id")


def holds_expiring(*, reach: Reach, now: dt.datetime | None = None) -> QuerySet[Order]:
    """Unpaid orders whose hold (``hold_until``) ends within ``HOLD_WARNING_MINUTES``, the
    soonest first; the expired ones are the sweep's (``holds_release_expired``)."""
    now = now or timezone.now()
    return (
        order_list(reach=reach, status=Order.Status.PENDING)
        .filter(
            hold_until__gt=now, hold_until__lte=now + dt.timedelta(minutes=HOLD_WARNING_MINUTES)
        )
        .order_by("hold_until", "id")
    )
