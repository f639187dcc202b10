"""The one way an order comes in, whatever the door: the API, the order form, a platform's CSV
export and the demo seed all hand ``take_in`` a list of ``OrderIn`` and it writes them set-based.

One transaction, whatever the number of orders: the products (and any flash deals) are read in
one query each; then one statement (``write.write_orders``) takes the stock with one conditional
UPDATE per product (``stock >= n``) and a deal's units likewise, and inserts the orders, lines and
events; the first-order milestones cost one query once reached.

The rules live here once:

* **Times.** ``placed_at`` lies between ``bounds.EARLIEST_DAY`` and ``bounds.CLOCK_SLACK`` after
  now, for every door alike.
* **Hold deadlines** are counted from one instant, the moment of intake (``now``): an order
  imported a day after it was placed still gets the merchant's whole payment window.
* **Prices.** A line's explicit unit price (the price the platform reports) is kept; otherwise the
  live price of the product featured in the order's stream, else the platform price, else the
  product's own price. A flash-deal line is at the deal price.
* **Statuses.** Every order starts pending and is walked through ``lifecycle`` to the status it
  comes in with; the units of a walk that gives them back (a cancel, a refund before shipping)
  are never taken, exactly as placing and then refunding in the app would leave stock.
* **Flash deals** are looked up among the merchant's own products only, and taken only while the
  deal runs and its stream is live.
* **Bounds.** Money per line at most ``bounds.MAX_LINE_CNY`` and per order ``bounds.MAX_ORDER_CNY``,
  quantities and line counts bounded, text without NUL bytes.
* An exited merchant takes no orders.

``now`` may be passed for recorded history (the demo replays past streams): the intake then acts
as at that instant, so a deal's stream must have been live then. Doors that serve users never pass
it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2 import sql

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError
from livestreams.models import FeaturedProduct, LiveStream
from merchants.models import Merchant, Milestone, User
from merchants.services import milestone_record
from orders.intake.specs import IntakeResult, OrderIn, Refusal, country_code
from orders.intake.take_in.write import write_orders
from orders.models import (
    FlashDeal,
    Order,
    OrderEvent,
    OrderLine,
    OrderPolicy,
    PlatformPrice,
    Product,
)
from orders.ordering import lifecycle
from orders.ordering.flash_deals import deal_window, stream_live_at
from orders.ordering.money import Prices, Rates, currency_code, from_cny, to_cny
from orders.permissions import require_selling

S = Order.Status
BATCH = 5000


def _check_shape(spec: OrderIn, *, now: dt.datetime, rates: Rates) -> None:
    """Everything about one order that needs no database: bounds, codes, status."""
    spec.external_id = bounds.check_text(
        (spec.external_id or "").strip(), field="external_id", max_length=64
    ) or (f"M-{uuid.uuid4().hex[:16].upper()}")
    spec.buyer_name = bounds.check_text(
        (spec.buyer_name or "").strip(), field="buyer_name", max_length=120
    )
    spec.buyer_country = country_code(spec.buyer_country or "CN")
    spec.currency = currency_code(spec.currency or "CNY")
    spec.placed_at = bounds.check_instant(spec.placed_at or now, field="placed_at", now=now)
    if spec.status not in lifecycle.PATHS:
        raise DomainError(_("Unknown order status."), field="status")
    if not spec.lines:
        raise DomainError(_("An order needs at least one line."), field="lines")
    if len(spec.lines) > bounds.MAX_LINES:
        raise DomainError(
            _("An order has at most %(max)s lines.") % {"max": bounds.MAX_LINES}, field="lines"
        )
    for line in spec.lines:
        bounds.check_quantity(line.quantity, field="quantity")
        if line.unit_price is not None:
            bounds.check_money(line.unit_price, field="unit_price", maximum=bounds.MAX_LINE_CNY)
    if spec.currency != "CNY":  # a yuan is a yuan on every day
        rates.require(spec.currency, timezone.localdate(spec.placed_at))


_PRODUCTS_SQL = """
SELECT p.*,
    (SELECT op.payment_minutes FROM {policy} op WHERE op.merchant_id = %(merchant)s) AS _minutes,
    (SELECT op.live_payment_minutes FROM {policy} op WHERE op.merchant_id = %(merchant)s)
        AS _live_minutes,
    EXISTS (SELECT 1 FROM {milestone} ms WHERE ms.merchant_id = %(merchant)s
        AND ms.kind = %(first_kind)s AND ms.reached_at <= %(first)s) AS _first_known,
    EXISTS (SELECT 1 FROM {milestone} ms WHERE ms.merchant_id = %(merchant)s
        AND ms.kind = %(abroad_kind)s AND ms.reached_at <= %(abroad)s) AS _abroad_known,
    (SELECT pp.price FROM {platform_price} pp
        WHERE pp.product_id = p.id AND pp.platform = %(platform)s LIMIT 1) AS _platform_price,
    (SELECT fp.live_price FROM {featured} fp
        WHERE fp.product_id = p.id AND fp.stream_id = %(stream)s LIMIT 1) AS _live_price
FROM {product} p
WHERE p.merchant_id = %(merchant)s AND p.id = ANY(%(ids)s)
ORDER BY p.id
"""
_products_sql: dict = {}
# The deals the orders name, of the merchant's own products; one advisory lock per (deal, buyer)
# taken in the same statement and held to the end of the transaction, buyers in one order.
_DEALS_SQL = """SELECT {deal}.*, (SELECT count(pg_advisory_xact_lock(hashtextextended(
    {deal}.id::text || ':' || buyers.name, 0)))
    FROM (SELECT unnest(%(buyers)s::text[]) AS name ORDER BY 1) AS buyers) AS _buyers_locked
FROM {deal} JOIN {product} p ON p.id = {deal}.product_id
WHERE {deal}.id = ANY(%(ids)s) AND p.merchant_id = %(merchant)s
ORDER BY {deal}.id"""
# What each buyer already holds of each deal (orders not cancelled).
_BOUGHT_SQL = """SELECT l.flash_deal_id, o.buyer_name, COALESCE(SUM(l.quantity), 0)
FROM {line} l JOIN {order} o ON o.id = l.order_id
WHERE l.flash_deal_id = ANY(%s) AND o.buyer_name = ANY(%s) AND o.status <> %s
GROUP BY l.flash_deal_id, o.buyer_name"""
_STREAMS_SQL = "SELECT * FROM {stream} WHERE id = ANY(%s) ORDER BY id"


def _composed(name: str, text: str, **tables: type) -> str:
    """``text`` composed once with ``psycopg2.sql`` from the models' table names, and kept: a
    single order pays no ORM compilation for its reads (the ORM's took a fifth of a worker's
    CPU in make load's flash sale, py-spy)."""
    if name not in _products_sql:
        composed = sql.SQL(text).format(
            **{key: sql.Identifier(model._meta.db_table) for key, model in tables.items()}
        )
        connection.ensure_connection()
        _products_sql[name] = composed.as_string(connection.connection)
    return _products_sql[name]


def _products_query(lock: bool) -> str:
    """The products read, composed once with ``psycopg2.sql`` from the models' table names."""
    if lock not in _products_sql:
        text = _PRODUCTS_SQL + (" FOR UPDATE OF p" if lock else "")
        composed = sql.SQL(text).format(
            policy=sql.Identifier(OrderPolicy._meta.db_table),
            milestone=sql.Identifier(Milestone._meta.db_table),
            platform_price=sql.Identifier(PlatformPrice._meta.db_table),
            featured=sql.Identifier(FeaturedProduct._meta.db_table),
            product=sql.Identifier(Product._meta.db_table),
        )
        connection.ensure_connection()
        _products_sql[lock] = composed.as_string(connection.connection)
    return _products_sql[lock]


def _products(merchant: Merchant, specs: list[OrderIn], *, lock: bool) -> dict[int, Product]:
    """The merchant's products the orders name, in one query (one SQL statement, so a single
    order pays no ORM compilation for it). With them come the merchant's payment windows,
    whether its first-order milestones are already reached, and the platform and live prices
    when the whole batch shares one platform and one stream (the API's and the form's case)."""
    ids = sorted({line.product_id for spec in specs for line in spec.lines})
    first = min(spec.placed_at for spec in specs)
    abroad = [spec.placed_at for spec in specs if spec.buyer_country != "CN"]
    platforms = {spec.platform for spec in specs}
    streams = {spec.stream_id for spec in specs}
    params = {
        "merchant": merchant.pk,
        "ids": ids,
        "first_kind": Milestone.Kind.FIRST_ORDER.value,
        "first": first,
        "abroad_kind": Milestone.Kind.FIRST_OVERSEAS_ORDER.value,
        "abroad": min(abroad) if abroad else first,
        "platform": next(iter(platforms)) if len(platforms) == 1 else None,
        "stream": next(iter(streams)) if len(streams) == 1 else None,
    }
    return {p.pk: p for p in Product.objects.raw(_products_query(lock), params)}


def _deals(
    merchant: Merchant, specs: list[OrderIn], *, lock: bool
) -> tuple[dict[int, FlashDeal], dict[tuple[int, str], int]]:
    """The merchant's flash deals the orders name, and what each of their buyers already holds
    of each deal.

    What must not race is one buyer's two orders against the limit, so each (deal, buyer) takes
    an advisory lock, in the deal's query, before the buyer's earlier orders are counted. A
    single order (``lock`` False: the API, the form) leaves the deal's row unlocked: the write's
    conditional UPDATE takes its units, so a sale's buyers queue on the row only for their last
    statement. A batch that allocates a deal's units row by row from what it read (``lock``
    True: an import, the demo) locks the row here, so units another door takes meanwhile are
    counted and only the rows beyond them are refused, instead of the write finding too few
    for the whole batch. Deals are read before the products, so every intake takes its locks
    in one order: buyers, deals, then products (the write's order too)."""
    deal_ids = {line.flash_deal_id for spec in specs for line in spec.lines} - {None}
    bought: dict[tuple[int, str], int] = defaultdict(int)
    if not deal_ids:
        return {}, bought
    buyers = sorted({spec.buyer_name for spec in specs})
    text = _composed(
        f"deals{lock}",
        _DEALS_SQL + (" FOR UPDATE OF {deal}" if lock else ""),
        deal=FlashDeal,
        product=Product,
    )
    params = {"buyers": buyers, "ids": sorted(deal_ids), "merchant": merchant.pk}
    deals = {d.pk: d for d in FlashDeal.objects.raw(text, params)}
    if not deals or not (lock or any(deal.remaining for deal in deals.values())):
        return deals, bought  # nothing left to sell: no holdings to count (_refuse_sold_out)
    with connection.cursor() as cursor:
        cursor.execute(
            _composed("bought", _BOUGHT_SQL, line=OrderLine, order=Order),
            [sorted(deals), buyers, S.CANCELLED.value],
        )
        for deal_id, buyer, n in cursor.fetchall():
            bought[deal_id, buyer] = n
    return deals, bought


def _refuse_sold_out(specs: list[OrderIn], deals: dict[int, FlashDeal]) -> None:
    """A single order (the API, the form) at a deal of its product that has too few units left
    is refused at once, before its other reads: in a flash sale most buyers come after the last
    unit, and each of them would otherwise pay the holdings, products and streams reads for the
    same 409. The units the write would take are the ones counted here; an order that fits goes
    on to every other check, and so does one asking more than a buyer may have, so that it gets
    the limit's own reason."""
    for spec in specs:
        if not lifecycle.keeps_units(spec.status):
            continue
        need: dict[int, int] = defaultdict(int)
        for line in spec.lines:
            deal = deals.get(line.flash_deal_id)
            if deal is not None and deal.product_id == line.product_id and not deal.ended:
                need[deal.pk] += line.quantity
        if any(n > deals[pk].per_buyer_limit for pk, n in need.items()):
            continue
        for pk, n in sorted(need.items()):
            if deals[pk].remaining < n:
                raise Conflict(
                    _("The flash deal has %(left)s left.") % {"left": deals[pk].remaining},
                    field="lines",
                    code="out_of_stock",
                )


def _streams(merchant: Merchant, specs: list[OrderIn], deals: dict[int, FlashDeal]) -> dict:
    """The merchant's streams the orders name (one precomposed query, together with the streams
    of the deals, which each deal gets as its ``stream``)."""
    stream_ids = {spec.stream_id for spec in specs} - {None}
    wanted = stream_ids | {deal.stream_id for deal in deals.values()}
    if not wanted:
        return {}
    found = {
        s.pk: s
        for s in LiveStream.objects.raw(
            _composed("streams", _STREAMS_SQL, stream=LiveStream), [sorted(wanted)]
        )
    }
    for deal in list(deals.values()):
        if deal.stream_id in found:
            deal.stream = found[deal.stream_id]
        else:  # its stream deleted (and the deal with it) since the deal was read
            del deals[deal.pk]
    return {
        pk: stream
        for pk, stream in found.items()
        if pk in stream_ids and stream.merchant_id == merchant.pk
    }


def take_in(*, savepoint: bool = True, **kwargs) -> IntakeResult:
    """Take orders in (``_take_in``), in one transaction. Called inside a caller's transaction
    that ends with any error it raises (``order_place_idempotent``), ``savepoint=False`` spares
    the savepoint's two round trips."""
    with transaction.atomic(savepoint=savepoint):
        return _take_in(**kwargs)


def _take_in(
    *,
    merchant: Merchant,
    orders: list[OrderIn],
    actor: User | None = None,
    partial: bool = False,
    import_batch=None,
    note: str = "placed",
    now: dt.datetime | None = None,
    idempotency_key_id: int | None = None,
) -> IntakeResult:
    """Take ``orders`` in for ``merchant``, set-based, in one transaction.

    ``idempotency_key_id`` (one order only): the key row the caller inserted for it, which the
    write points at the new order in the same statement.

    With ``partial`` False (the API, the form) the first problem raises its DomainError and
    nothing is written. With ``partial`` True (an import, the demo) an order with a problem is
    left out whole and reported in ``refused``; orders whose platform order id is already
    stored are left out silently (``IntakeResult.orders`` holds only the new ones).
    """
    require_selling(merchant)
    real_now = timezone.now()
    now = now or real_now
    result = IntakeResult()
    currencies = {(spec.currency or "CNY").strip().upper() for spec in orders}
    rates = Rates(merchant.base_id, currencies)

    def refuse(spec: OrderIn, error: DomainError) -> None:
        if not partial:
            raise error
        result.refused.append(Refusal(spec.ref, error))

    # 1. Shape: bounds and codes, no database.
    accepted: list[OrderIn] = []
    for spec in orders:
        try:
            _check_shape(spec, now=now, rates=rates)
        except DomainError as exc:
            refuse(spec, exc)
            continue
        accepted.append(spec)
    if partial and accepted:
        # Already stored (by an earlier file, the form or the API): skipped, not an error.
        keys = {(spec.platform, spec.external_id) for spec in accepted}
        existing: set[tuple[str, str]] = set()
        ids = sorted({external_id for _p, external_id in keys})
        for start in range(0, len(ids), BATCH):
            existing.update(
                Order.objects.filter(
                    merchant=merchant,
                    # All three columns of the unique index, so the merchant's orders are not
                    # all read for each batch.
                    platform__in={p for p, _id in keys},
                    external_id__in=ids[start : start + BATCH],
                ).values_list("platform", "external_id")
            )
        accepted = [s for s in accepted if (s.platform, s.external_id) not in existing]
    if not accepted:
        return result

    # 2. What the orders refer to: flash deals, products, streams (the merchant's own only).
    deals, bought = _deals(merchant, accepted, lock=partial)
    if deals and not partial:
        _refuse_sold_out(accepted, deals)
    products = _products(merchant, accepted, lock=partial)
    if products:
        any_product = next(iter(products.values()))
        default = OrderPolicy()
        merchant._intake_policy = OrderPolicy(
            payment_minutes=any_product._minutes or default.payment_minutes,
            live_payment_minutes=any_product._live_minutes or default.live_payment_minutes,
        )
    prices = Prices(products, accepted)
    streams = _streams(merchant, accepted, deals)
    stock_left = {pk: p.stock for pk, p in products.items()} if partial else None
    deal_left = {pk: d.remaining for pk, d in deals.items()}

    # 3. Each order: its lines, prices and amounts; units allocated in the order given.
    built: list[tuple[OrderIn, Order, list[OrderLine]]] = []
    need: dict[int, int] = defaultdict(int)
    deal_need: dict[int, int] = defaultdict(int)
    for spec in accepted:
        try:
            order, lines, units, deal_units = _build(
                merchant, spec, products, prices, streams, deals, bought, rates, now
            )
            keeps = lifecycle.keeps_units(spec.status)
            if keeps and stock_left is not None:
                for pk, n in units.items():
                    if stock_left[pk] < n:
                        raise Conflict(
                            _("Not enough stock of %(name)s: %(left)s left.")
                            % {"name": products[pk].name, "left": stock_left[pk]},
                            field="lines",
                            code="out_of_stock",
                        )
            if keeps:
                for pk, n in deal_units.items():
                    if deal_left[pk] < n:
                        raise Conflict(
                            _("The flash deal has %(left)s left.") % {"left": deal_left[pk]},
                            field="lines",
                            code="out_of_stock",
                        )
        except DomainError as exc:
            refuse(spec, exc)
            continue
        if keeps:
            for pk, n in units.items():
                need[pk] += n
                if stock_left is not None:
                    stock_left[pk] -= n
            for pk, n in deal_units.items():
                deal_need[pk] += n
                deal_left[pk] -= n
                bought[pk, spec.buyer_name] += n
        order.import_batch = import_batch
        order.hold_until = _hold_until(merchant, spec, now) if spec.status == S.PENDING else None
        built.append((spec, order, lines))
    if not built:
        return result

    # 4. The write, in one statement (``write.write_orders``): stock taken by one conditional
    # UPDATE per product (and per deal), products locked in id order, then the bulk inserts of
    # orders, lines and the events of each order's walk. Last but the milestones, so the locks
    # of hot rows (a flash deal, a best seller) are held for little more than the commit.
    new_orders = [order for _spec, order, _lines in built]
    all_events: list[list[OrderEvent]] = []
    for spec, order, _lines in built:
        walk = [
            OrderEvent(
                order=order, from_status="", to_status=S.PENDING, actor=actor, at=now, note=note
            )
        ]
        for move, source in lifecycle.path_to(spec.status):
            refund = order.amount_cny if move.action == "refund" else Decimal("0")
            walk.append(
                OrderEvent(
                    order=order,
                    from_status=source,
                    to_status=move.target,
                    actor=actor,
                    at=now,
                    refund_cny=refund,
                    note=note,
                )
            )
        all_events.append(walk)
    try:
        written = write_orders(
            orders=new_orders,
            lines=[lines for _spec, _order, lines in built],
            events=all_events,
            need=dict(need),
            deal_need=dict(deal_need),
            idempotency_key_id=idempotency_key_id,
        )
    except IntegrityError as exc:
        if not _is_duplicate_external_id(exc):
            raise  # any other constraint: a rule the checks above missed, not the caller's doing
        # The same platform order arrived meanwhile by another door (or, for the API, earlier).
        raise Conflict(
            _("An order with this platform order id already exists."), field="external_id"
        ) from exc
    if not written.ok:
        short_deal = sorted(set(deal_need) - written.deals_taken)
        if short_deal:
            left = FlashDeal.objects.filter(pk=short_deal[0]).values_list("remaining", flat=True)
            raise Conflict(
                _("The flash deal has %(left)s left.") % {"left": left.first() or 0},
                field="lines",
                code="out_of_stock",
            )
        pk = sorted(set(need) - written.products_taken)[0]
        left = Product.objects.filter(pk=pk).values_list("stock", flat=True).first() or 0
        raise Conflict(
            _("Not enough stock of %(name)s: %(left)s left.")
            % {"name": products[pk].name, "left": left},
            field="lines",
            code="out_of_stock",
        )
    for _spec, order, lines in built:
        order._prefetched_objects_cache = {"lines": lines}

    # 6. Milestones: one query once they are reached.
    taken_orders = [o for o in new_orders if o.status != S.CANCELLED]
    if taken_orders:
        _milestones(merchant, taken_orders, next(iter(products.values())))
    result.orders = new_orders
    return result


# The unique index of (merchant, platform, external_id): the only constraint the write can meet
# that a caller's request breaks (the rest are checked before it; foreign keys at commit).
EXTERNAL_ID_UNIQUE = "order_external_id_unique_per_platform"


def _is_duplicate_external_id(exc: IntegrityError) -> bool:
    """Whether the write's IntegrityError is the platform order id's unique index, as
    PostgreSQL names the violated constraint."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == EXTERNAL_ID_UNIQUE


def _build(merchant, spec, products, prices, streams, deals, bought, rates, now):
    if spec.stream_id is not None and spec.stream_id not in streams:
        raise DomainError(_("Choose one of your own live streams."), field="stream")
    rate = rates.require(spec.currency, timezone.localdate(spec.placed_at))
    lines: list[OrderLine] = []
    units: dict[int, int] = defaultdict(int)
    deal_units: dict[int, int] = defaultdict(int)
    for line in spec.lines:
        product = products.get(line.product_id)
        if product is None:
            raise DomainError(_("Choose one of your own products."), field="lines")
        if line.flash_deal_id is not None:
            deal = deals.get(line.flash_deal_id)
            if deal is None:
                raise DomainError(_("Choose one of your own flash deals."), field="flash_deal")
            if deal.product_id != product.pk:
                raise DomainError(_("The flash deal is for another product."), field="flash_deal")
            window = deal_window(deal, deal.stream)
            if (
                deal.ended
                or window is None
                or not stream_live_at(deal.stream, now)
                or not window[0] <= now < window[1]
            ):
                raise Conflict(
                    _("This flash deal is not running."), field="flash_deal", code="deal_closed"
                )
            if not spec.buyer_name:
                raise Conflict(_("A flash deal order needs the buyer's name."), field="buyer_name")
            already = bought[deal.pk, spec.buyer_name] + deal_units[deal.pk]
            if already + line.quantity > deal.per_buyer_limit:
                raise Conflict(
                    _("The deal allows %(limit)s per buyer.") % {"limit": deal.per_buyer_limit},
                    field="lines",
                    code="deal_limit",
                )
            deal_units[deal.pk] += line.quantity
            unit_price = from_cny(deal.deal_price, rate)
        else:
            if not product.is_active:
                raise DomainError(
                    _("%(name)s is not on sale.") % {"name": product.name}, field="lines"
                )
            units[product.pk] += line.quantity
            unit_price = line.unit_price
            if unit_price is None:
                unit_price = from_cny(prices.cny(product, spec), rate)
        bounds.check_money(
            to_cny(unit_price * line.quantity, rate), field="lines", maximum=bounds.MAX_LINE_CNY
        )
        lines.append(
            OrderLine(
                product=product,
                quantity=line.quantity,
                unit_price=unit_price,
                flash_deal_id=line.flash_deal_id,
            )
        )
    amount = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    amount_cny = to_cny(amount, rate)
    bounds.check_money(amount_cny, field="amount", maximum=bounds.MAX_ORDER_CNY)
    order = Order(
        merchant=merchant,
        platform=spec.platform,
        external_id=spec.external_id,
        stream_id=spec.stream_id,
        buyer_name=spec.buyer_name,
        buyer_country=spec.buyer_country,
        currency=spec.currency,
        amount=amount,
        amount_cny=amount_cny,
        refunded_cny=amount_cny if spec.status == S.REFUNDED else Decimal("0"),
        units=sum(line.quantity for line in lines),
        status=spec.status,
        placed_at=spec.placed_at,
    )
    return order, lines, units, deal_units


def _hold_until(merchant: Merchant, spec: OrderIn, now: dt.datetime) -> dt.datetime:
    """One rule: a pending order holds its units for the merchant's payment window, counted
    from the moment of intake."""
    policy = _policy(merchant)
    minutes = policy.live_payment_minutes if spec.stream_id else policy.payment_minutes
    return now + dt.timedelta(minutes=minutes)


def _policy(merchant: Merchant) -> OrderPolicy:
    cached = getattr(merchant, "_intake_policy", None)
    if cached is None:
        cached = OrderPolicy.objects.filter(merchant=merchant).first() or OrderPolicy()
        merchant._intake_policy = cached
    return cached


def _milestones(merchant: Merchant, orders: list[Order], known: Product) -> None:
    """First order and first overseas order: ``milestone_record`` is called only when the
    products query (``known``) found them not yet reached at or before these orders."""
    first = min(o.placed_at for o in orders)
    abroad = [o.placed_at for o in orders if o.is_overseas]
    if not known._first_known:
        milestone_record(merchant_id=merchant.pk, kind=Milestone.Kind.FIRST_ORDER, reached_at=first)
    if abroad and not known._abroad_known:
        milestone_record(
            merchant_id=merchant.pk,
            kind=Milestone.Kind.FIRST_OVERSEAS_ORDER,
            reached_at=min(abroad),
        )
