"""Flash deals: a deal price for a product during a live, its quantity set aside from stock
when the deal is made and given back when it ends; when a deal runs (``deal_window``,
``stream_live_at``, which the intake asks before it sells at the deal price)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import Reach
from livestreams.models import LiveStream
from orders.models import FlashDeal, Product
from orders.ordering import stock
from orders.permissions import FLASH_DEALS_RUN, require_selling, require_stream_act


def stream_live_at(stream, at: dt.datetime) -> bool:
    """Whether ``stream`` was (or is) live at ``at``: gone live by then and not yet ended."""
    if stream.status == LiveStream.Status.LIVE:
        # A live stream without a recorded start (written straight to the table) is live now.
        return stream.actual_start is None or at >= stream.actual_start
    if stream.actual_start is None or at < stream.actual_start:
        return False
    return (
        stream.status == LiveStream.Status.ENDED
        and stream.actual_end is not None
        and at < stream.actual_end
    )


def deal_window(deal: FlashDeal, stream) -> tuple[dt.datetime, dt.datetime] | None:
    """The deal's running window: its clock runs from the later of its own start and its stream's
    actual start, for its duration. None while the stream has not gone live."""
    if stream.actual_start is None and stream.status != LiveStream.Status.LIVE:
        return None
    start = max(deal.starts_at, stream.actual_start or deal.starts_at)
    return start, start + deal.duration


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
    require_stream_act(reach, stream, FLASH_DEALS_RUN)
    now = at or timezone.now()
    deal_price = Decimal(deal_price)
    if stream.merchant_id != product.merchant_id:
        raise DomainError(_("Choose one of your own products."), field="product")
    require_selling(stream.merchant)
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
    live = stream_live_at(stream, now)
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
        .select_related("product__merchant", "stream__merchant")
        .get(pk=deal_id)
    )
    require_stream_act(reach, deal.stream, FLASH_DEALS_RUN)
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
