"""Every write of an order after it is taken in: payment, shipping, delivery, completion,
cancelling, refunds and the sweep of expired holds, each checked against the lifecycle table
(``orders.ordering.lifecycle``). Placing an order goes through the one intake
(``orders.intake.take_in``); ``order_place`` and ``order_place_idempotent`` are its form and API
doors. Keyword-only arguments, one transaction each, the caller's reach checked inside."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2 import sql

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import Reach
from merchants.models import Merchant, User
from orders.intake.specs import LineIn, OrderIn
from orders.intake.take_in import take_in
from orders.models import IdempotencyKey, Order, OrderEvent, OrderLine
from orders.ordering import lifecycle, stock
from orders.ordering.money import CENT
from orders.permissions import ORDERS_HANDLE, require_act

S = Order.Status


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
    lines: list[LineIn],
    external_id: str = "",
    buyer_name: str = "",
    buyer_country: str = "CN",
    currency: str = "CNY",
    stream_id: int | None = None,
    placed_at: dt.datetime | None = None,
    actor: User | None = None,
) -> Order:
    """Take one order through the intake (``orders.intake.take_in``): hold its units (stock, or
    a flash deal's set-aside) until the payment deadline, fix its CNY amount at the day's rate,
    and record the first-order milestones."""
    require_act(reach, merchant, ORDERS_HANDLE)
    return _take_one(
        merchant=merchant,
        platform=platform,
        lines=lines,
        external_id=external_id,
        buyer_name=buyer_name,
        buyer_country=buyer_country,
        currency=currency,
        stream_id=stream_id,
        placed_at=placed_at,
        actor=actor,
    )


def _take_one(*, merchant, actor, lines, idempotency_key_id=None, **order) -> Order:
    return take_in(
        merchant=merchant,
        actor=actor,
        orders=[OrderIn(lines=list(lines), **order)],
        idempotency_key_id=idempotency_key_id,
        # Inside order_place_idempotent's transaction, which any error ends: no savepoint.
        savepoint=idempotency_key_id is None,
    ).orders[0]


class IdempotencyKeyReused(DomainError):
    """The same ``Idempotency-Key`` came back with a different request body."""

    status_code = 422
    code = "idempotency_key_reused"


_KEY_SQL = """INSERT INTO {table} (merchant_id, key, fingerprint, created_at)
VALUES (%s, %s, %s, now()) ON CONFLICT (merchant_id, key) DO NOTHING RETURNING id"""
_key_sql: list[str] = []


def _key_insert(*, merchant: Merchant, key: str, fingerprint: str) -> int | None:
    """The key's row, inserted unless it exists: its id, or None when it was there already. A
    concurrent request with the same key waits on the unique index until the first ends (one
    statement, no savepoint: ``ON CONFLICT DO NOTHING``)."""
    with connection.cursor() as cursor:
        if not _key_sql:
            table = sql.Identifier(IdempotencyKey._meta.db_table)
            _key_sql.append(sql.SQL(_KEY_SQL).format(table=table).as_string(cursor.connection))
        cursor.execute(_key_sql[0], [merchant.pk, key, fingerprint])
        row = cursor.fetchone()
    return row[0] if row else None


def order_place_idempotent(
    *, reach: Reach, merchant: Merchant, key: str, fingerprint: str = "", **order_kwargs
) -> tuple[Order, bool]:
    """``order_place`` once per (merchant, key): a repeat returns the first order and False.

    ``fingerprint`` (a digest of the request body) is stored with the key; a repeat whose
    fingerprint differs is another request under a reused key and answers 422.

    The key row is inserted first; a concurrent request with the same key waits on the unique
    index until the first commits, then finds its order. If the first fails, the key goes with it.
    The intake's write points the key at the new order in its own statement.
    """
    require_act(reach, merchant, ORDERS_HANDLE)
    key = key.strip()
    if not key or len(key) > 255:
        raise DomainError(_("The Idempotency-Key header must be 1 to 255 characters."))
    with transaction.atomic():
        key_id = _key_insert(merchant=merchant, key=key, fingerprint=fingerprint)
        if key_id is None:
            record = IdempotencyKey.objects.select_related("order").get(merchant=merchant, key=key)
            if record.fingerprint and fingerprint and record.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    _("This Idempotency-Key was used for a different request."),
                    field="Idempotency-Key",
                ) from None
            return record.order, False
        order = _take_one(merchant=merchant, idempotency_key_id=key_id, **order_kwargs)
        return order, True


def _locked(reach: Reach, order: Order) -> Order:
    """The order row, locked (its merchant read in the same query, not locked), once the caller
    may act for its merchant."""
    locked = (
        Order.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=order.pk)
    )
    require_act(reach, locked.merchant, ORDERS_HANDLE)
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


def move_many(locked: list[Order], *, action: str, actor: User | None, **extra) -> None:
    """``_move`` for many orders at once, set-based: one UPDATE of their status, one INSERT of
    their events, the units given back in one go where the table says so. The caller holds the
    rows locked and has checked every one against the table (``lifecycle.check``)."""
    move = lifecycle.transition(action)
    ids = [order.pk for order in locked]
    Order.objects.filter(pk__in=ids).update(status=move.target, updated_at=Now(), **extra)
    now = timezone.now()
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order_id=order.pk,
            from_status=order.status,
            to_status=move.target,
            actor=actor,
            at=now,
        )
        for order in locked
    )
    released = [order.pk for order in locked if move.releases(order.status)]
    if released:
        stock.release(OrderLine.objects.filter(order_id__in=released))


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


def order_ship(
    *,
    reach: Reach,
    order: Order,
    carrier: str,
    tracking_number: str,
    insured_value: Decimal | None = None,
    actor: User | None = None,
) -> Order:
    """Ship one paid order in its parcel: the bulk shipment's service (``bulk.order_ship``), so
    one order and a hundred are checked alike and both record a ``Shipment``."""
    from orders.ordering import bulk  # bulk builds on this module's moves

    bulk.order_ship(
        reach=reach,
        order=order,
        carrier=carrier,
        tracking_number=tracking_number,
        insured_value=insured_value,
        actor=actor,
    )
    order.refresh_from_db()
    return order


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
