"""Breakage claims: porcelain broken in transit, filed with the buyer's photo and decided (a
refund through ``order_refund``, a reshipment or a rejection)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import Reach
from merchants.models import User
from orders.catalogue import photos
from orders.models import BreakageClaim, Order, OrderLine, Shipment
from orders.ordering import lifecycle
from orders.ordering.money import to_cny
from orders.ordering.services import order_refund
from orders.permissions import ORDERS_HANDLE, require_act


def claim_file(
    *,
    reach: Reach,
    order: Order,
    line_ids: list[int],
    photo,
    note: str = "",
    actor: User | None = None,
) -> BreakageClaim:
    """Record porcelain broken in transit, with the buyer's photo and the lines affected; the
    claim points to the order's shipment (its carrier and insured value) when there is one."""
    require_act(reach, order.merchant, ORDERS_HANDLE)
    if order.status not in lifecycle.CLAIMABLE:
        raise Conflict(_("Only a shipped order can have a breakage claim."), field="order")
    lines = list(OrderLine.objects.filter(order=order, pk__in=line_ids))
    if not lines or len(lines) != len(set(line_ids)):
        raise DomainError(_("Choose the lines that arrived broken."), field="lines")
    checked = photos.check_and_process(photo, field="photo")
    # Linked to the parcel the porcelain broke in, when the order's shipment was recorded.
    shipment = Shipment.objects.filter(order=order).first()
    claim = BreakageClaim(order=order, shipment=shipment, note=note[:300], filed_by=actor)
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
    require_act(reach, claim.order.merchant, ORDERS_HANDLE)
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
