"""Bulk actions on orders: mark many paid, or ship many at once with a carrier, a tracking number
and an insured value each.

All or nothing: every order is locked and checked against the lifecycle table first; if one
cannot make the move, nothing changes and the error names that order and why. The writes are
set-based (``services.move_many``, one INSERT of the shipments), so ten orders and fifty take
the same number of queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import Reach
from merchants.models import User
from orders.models import Order, Shipment
from orders.models.shipping import TRACKING_MAX_LENGTH, TRACKING_PATTERN
from orders.ordering import lifecycle, services
from orders.ordering.money import CENT
from orders.permissions import ORDERS_HANDLE, require_act

# The most orders one bulk action takes: two pages of the order list.
MAX_BULK_ORDERS = 100
_TRACKING = re.compile(TRACKING_PATTERN)


@dataclass(frozen=True)
class ShipmentIn:
    """One row of a bulk shipment, as the page or the API typed it."""

    order_id: int
    carrier: str
    tracking_number: str
    insured_value: Decimal | None = None


def _name(order: Order) -> str:
    return order.external_id or f"#{order.pk}"


def _locked_orders(reach: Reach, order_ids: list[int], *, field: str) -> list[Order]:
    """The orders, locked in id order (two bulk actions never wait on each other in a cycle),
    in the order they were given; one out of reach is not found (404), as any foreign id."""
    if not order_ids:
        raise DomainError(_("Choose at least one order."), field=field)
    if len(order_ids) > MAX_BULK_ORDERS:
        raise DomainError(
            _("At most %(max)s orders at once.") % {"max": MAX_BULK_ORDERS}, field=field
        )
    if len(set(order_ids)) != len(order_ids):
        raise DomainError(_("An order is named twice."), field=field)
    found = {
        order.pk: order
        for order in reach.scope(
            Order.objects.select_for_update(of=("self",)).select_related("merchant")
        )
        .filter(pk__in=order_ids)
        .order_by("pk")
    }
    if len(found) != len(order_ids):
        raise Http404
    orders = [found[pk] for pk in order_ids]
    for merchant in {order.merchant_id: order.merchant for order in orders}.values():
        require_act(reach, merchant, ORDERS_HANDLE)
    return orders


def _check(orders: list[Order], action: str, field) -> None:
    for index, order in enumerate(orders):
        try:
            lifecycle.check(action, order.status)
        except Conflict as exc:
            raise Conflict(
                _("Order %(order)s: %(reason)s") % {"order": _name(order), "reason": exc.message},
                field=field(index),
                code="invalid_transition",
            ) from None


@transaction.atomic
def orders_mark_paid_bulk(
    *, reach: Reach, order_ids: list[int], actor: User | None = None
) -> list[Order]:
    """Mark every order paid, or none: an order that is not pending, or whose payment deadline
    has passed, refuses the whole batch (409 naming it)."""
    orders = _locked_orders(reach, list(order_ids), field="orders")
    _check(orders, "pay", lambda index: f"orders.{index}")
    now = timezone.now()
    for index, order in enumerate(orders):
        if order.hold_until is not None and order.hold_until <= now:
            raise Conflict(
                _("Order %(order)s: the payment deadline has passed.") % {"order": _name(order)},
                field=f"orders.{index}",
                code="payment_deadline_passed",
            )
    services.move_many(orders, action="pay", actor=actor, hold_until=None)
    return orders


def _row_field(index: int, name: str) -> str:
    return f"shipments.{index}.{name}"


def _own_field(index: int, name: str) -> str:
    return "status" if name == "order" else name


def _clean_row(index: int, row: ShipmentIn, order: Order, name_field=_row_field) -> Shipment:
    """One shipment checked against its bounds, each error naming its row's field."""

    def field(name: str) -> str:
        return name_field(index, name)

    if row.carrier not in Shipment.Carrier.values:
        raise DomainError(_("Choose a carrier."), field=field("carrier"))
    tracking = bounds.check_text(
        (row.tracking_number or "").strip().upper().replace(" ", ""),
        field=field("tracking_number"),
        max_length=TRACKING_MAX_LENGTH,
    )
    if not _TRACKING.match(tracking):
        raise DomainError(
            _("Order %(order)s: a tracking number is 6 to 32 letters, digits or dashes.")
            % {"order": _name(order)},
            field=field("tracking_number"),
        )
    insured = Decimal("0") if row.insured_value is None else Decimal(row.insured_value)
    if not insured.is_finite() or insured < 0 or insured != insured.quantize(CENT):
        raise DomainError(
            _("Enter an amount in CNY of at least zero, to the fen."),
            field=field("insured_value"),
        )
    if insured > order.amount_cny:
        raise DomainError(
            _("Order %(order)s: the insured value is at most the order's %(total)s CNY.")
            % {"order": _name(order), "total": order.amount_cny},
            field=field("insured_value"),
        )
    return Shipment(
        order=order, carrier=row.carrier, tracking_number=tracking, insured_value=insured
    )


@transaction.atomic
def orders_ship_bulk(
    *, reach: Reach, shipments: list[ShipmentIn], actor: User | None = None
) -> list[Shipment]:
    """Ship every order with its carrier, tracking number and insured value, or none: an order
    that is not paid, a tracking number already used (with its carrier, here or before) or a
    value out of bounds refuses the whole batch, naming the order and the field."""
    return _ship(reach, list(shipments), actor, _row_field, "shipments")


@transaction.atomic
def order_ship(
    *,
    reach: Reach,
    order: Order,
    carrier: str,
    tracking_number: str,
    insured_value: Decimal | None = None,
    actor: User | None = None,
) -> Shipment:
    """Ship one order: the same checks and the same record (a ``Shipment`` with its carrier,
    tracking number and insured value) as a bulk shipment, the errors naming the plain fields
    (``carrier``, ``tracking_number``, ``insured_value``; ``status`` for an order not paid)."""
    row = ShipmentIn(order.pk, carrier, tracking_number, insured_value)
    return _ship(reach, [row], actor, _own_field, "order")[0]


def _ship(reach: Reach, rows: list[ShipmentIn], actor, name_field, list_field) -> list[Shipment]:
    orders = _locked_orders(reach, [row.order_id for row in rows], field=list_field)
    _check(orders, "ship", lambda index: name_field(index, "order"))
    pairs = enumerate(zip(rows, orders, strict=True))
    parcels = [_clean_row(index, row, order, name_field) for index, (row, order) in pairs]
    seen: dict[tuple[str, str], int] = {}
    for index, parcel in enumerate(parcels):
        key = (parcel.carrier, parcel.tracking_number)
        if key in seen:
            raise Conflict(
                _("Order %(order)s: this tracking number is already on order %(other)s.")
                % {"order": _name(orders[index]), "other": _name(orders[seen[key]])},
                field=name_field(index, "tracking_number"),
            )
        seen[key] = index
    _refuse_taken(parcels, orders, name_field, _taken(seen))
    now = timezone.now()
    for parcel in parcels:
        parcel.shipped_at = now
        parcel.shipped_by = actor
    services.move_many(orders, action="ship", actor=actor)
    try:
        return Shipment.objects.bulk_create(parcels)
    except IntegrityError as exc:
        # Another shipment with one of these tracking numbers committed after the check above
        # (the unique index waited for it): the same 409 as had it come first, naming the row
        # the server's message names; the caller's transaction is rolled back whole, so no
        # order is left shipped. (Read from the message: the aborted transaction takes no query.)
        detail = getattr(getattr(exc.__cause__, "diag", None), "message_detail", None) or ""
        named = {(m[1], m[2]) for m in _KEY_IN_DETAIL.finditer(detail)}
        if not named:
            raise
        _refuse_taken(parcels, orders, name_field, named)
        raise


# "Key (carrier, tracking_number)=(sf, SF1234567890) already exists." (the values part is the same
# in every language of the server's messages)
_KEY_IN_DETAIL = re.compile(r"=\(([a-z]+), ([A-Z0-9-]+)\)")


def _taken(seen: dict[tuple[str, str], int]) -> set[tuple[str, str]]:
    """The (carrier, tracking number) pairs among ``seen`` that stored shipments already use."""
    return set(
        Shipment.objects.filter(
            carrier__in={carrier for carrier, _number in seen},
            tracking_number__in={number for _carrier, number in seen},
        ).values_list("carrier", "tracking_number")
    )


def _refuse_taken(parcels: list[Shipment], orders: list[Order], name_field, taken: set) -> None:
    for index, parcel in enumerate(parcels):
        if (parcel.carrier, parcel.tracking_number) in taken:
            raise Conflict(
                _("Order %(order)s: this tracking number was used for another parcel.")
                % {"order": _name(orders[index])},
                field=name_field(index, "tracking_number"),
            )
