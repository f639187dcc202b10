"""The intake's set-based writer for files: ``take_in_copy`` takes a chunk of an import (a few
thousand orders) by the same rules as ``take_in`` (this package's ``__init__``: the same shape
check, products read and locked in one query, price rule, lifecycle walk, stock rule, bounds,
hold deadlines and milestones) but writes with PostgreSQL COPY instead of ORM bulk inserts:

* the orders' ids are taken from their sequence in one query, so lines and events can name them;
* orders, lines and events are each streamed with one ``COPY ... FROM STDIN`` in the text
  format, each row one join of strings (the cells every row shares formatted once per chunk);
* the foreign keys of the COPY are checked once for the chunk, where the database allows it
  (``keys``: the merchant, import record and actor locked as the triggers would lock them, the
  products already locked, the orders written by the same COPY), instead of a trigger per row;
* stock is taken with one conditional UPDATE (``stock >= n`` for each product) for all the
  chunk's products, in id order, after the products were locked in id order.

No model instance is built per row: that, and the ORM's per-value preparation, was most of the
time of an import (cProfile on 20,000 rows). Orders with a live stream or a flash deal (never in
a platform's export) are handed to ``take_in`` itself.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2 import sql

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError
from merchants.models import Merchant, User
from orders.intake.specs import OrderIn, Refusal
from orders.intake.take_in import (
    BATCH,
    _check_shape,
    _hold_until,
    _is_duplicate_external_id,
    _milestones,
    _products,
    keys,
    take_in,
)
from orders.models import Order, OrderEvent, OrderLine, OrderPolicy, Product
from orders.ordering import lifecycle
from orders.ordering.money import Prices, Rates, from_cny, to_cny

S = Order.Status
ZERO = Decimal("0")
ONE = Decimal("1")


@dataclass
class CopyResult:
    orders: int = 0
    lines: int = 0
    rows_already: int = 0  # lines of orders left out as already stored (by ``ref``'s length)
    refused: list[Refusal] = field(default_factory=list)


@dataclass
class _Taken:
    """The milestones' view of a written order (``_milestones`` reads these two)."""

    placed_at: dt.datetime
    is_overseas: bool


@transaction.atomic
def take_in_copy(
    *,
    merchant: Merchant,
    orders: list[OrderIn],
    actor: User | None = None,
    import_batch=None,
    note: str = "imported",
) -> CopyResult:
    """Take ``orders`` in as ``take_in(partial=True)`` would: an order with a problem is left
    out whole and reported in ``refused``; one already stored is left out silently (counted in
    ``rows_already`` by the length of its ``ref``, an import's line numbers)."""
    from orders.permissions import require_selling

    require_selling(merchant)
    now = timezone.now()
    result = CopyResult()
    currencies = {(spec.currency or "CNY").strip().upper() for spec in orders}
    rates = Rates(merchant.base_id, currencies)

    # 1. Shape: the same check as every door; then the orders already stored are left out.
    accepted: list[OrderIn] = []
    for spec in orders:
        try:
            _check_shape(spec, now=now, rates=rates)
        except DomainError as exc:
            result.refused.append(Refusal(spec.ref, exc))
            continue
        accepted.append(spec)
    if accepted:
        existing = stored_ids(
            merchant, {spec.platform for spec in accepted}, [spec.external_id for spec in accepted]
        )
        if existing:
            result.rows_already = sum(
                len(spec.ref or ())
                for spec in accepted
                if (spec.platform, spec.external_id) in existing
            )
            accepted = [s for s in accepted if (s.platform, s.external_id) not in existing]
    if not accepted:
        return result
    if any(
        spec.stream_id is not None or any(line.flash_deal_id for line in spec.lines)
        for spec in accepted
    ):
        # Never in a platform's export: the ORM writer knows streams and flash deals.
        taken = take_in(
            merchant=merchant,
            orders=accepted,
            actor=actor,
            partial=True,
            import_batch=import_batch,
            note=note,
        )
        result.orders = len(taken.orders)
        result.lines = sum(len(o._prefetched_objects_cache["lines"]) for o in taken.orders)
        result.refused += taken.refused
        return result

    # 2. The products, locked in id order, with the merchant's payment windows.
    products = _products(merchant, accepted, lock=True)
    if products:
        any_product = next(iter(products.values()))
        default = OrderPolicy()
        merchant._intake_policy = OrderPolicy(
            payment_minutes=any_product._minutes or default.payment_minutes,
            live_payment_minutes=any_product._live_minutes or default.live_payment_minutes,
        )
    prices = Prices(products, accepted)
    stock_left = {pk: p.stock for pk, p in products.items()}

    # 3. Each order: lines, prices, amounts, bounds; units allocated in the order given.
    built: list[tuple[OrderIn, tuple, list[tuple]]] = []
    need: dict[int, int] = defaultdict(int)
    keeps_units = {status: lifecycle.keeps_units(status) for status in lifecycle.PATHS}
    for spec in accepted:
        try:
            order, lines, units = _build(spec, products, prices, rates)
            keeps = keeps_units[spec.status]
            if keeps:
                for pk, n in units.items():
                    if stock_left[pk] < n:
                        raise Conflict(
                            _("Not enough stock of %(name)s: %(left)s left.")
                            % {"name": products[pk].name, "left": stock_left[pk]},
                            field="lines",
                            code="out_of_stock",
                        )
        except DomainError as exc:
            result.refused.append(Refusal(spec.ref, exc))
            continue
        if keeps:
            for pk, n in units.items():
                need[pk] += n
                stock_left[pk] -= n
        built.append((spec, order, lines))
    if not built:
        return result

    # 4. Stock: one conditional UPDATE for every product of the chunk.
    if need:
        _take_stock(need, products)

    # 5. COPY: orders (ids from their sequence), lines, the events of each order's walk, as
    # COPY's text format built with one join per row (the constant cells formatted once).
    order_ids = _next_ids(Order, len(built))
    order_rows, line_rows, event_rows = [], [], []
    now_s = now.isoformat()
    head = f"\t{merchant.pk}\t"
    tail = f"\t{_cell(import_batch.pk if import_batch is not None else None)}\t"
    stamps = f"\t{now_s}\t{now_s}"
    walks = _walks(f"\t{_cell(actor.pk if actor else None)}\t{now_s}\t", f"\t{_cell(note)}")
    taken: list[_Taken] = []
    pending = S.PENDING
    for order_id, (spec, order, lines) in zip(order_ids, built, strict=True):
        amount, amount_cny, units_total = order
        hold = _cell(_hold_until(merchant, spec, now)) if spec.status == pending else "\\N"
        amount_cny_s = str(amount_cny)
        order_rows.append(
            "".join(
                (
                    str(order_id),
                    head,
                    spec.platform,
                    "\t",
                    _text(spec.external_id),
                    "\t\\N\t",
                    _text(spec.buyer_name),
                    "\t",
                    _text(spec.buyer_country),
                    "\t",
                    _text(spec.currency),
                    "\t",
                    str(amount),
                    "\t",
                    amount_cny_s,
                    "\t",
                    amount_cny_s if spec.status == S.REFUNDED else "0",
                    "\t",
                    str(units_total),
                    "\t",
                    hold,
                    tail,
                    spec.status,
                    "\t",
                    spec.placed_at.isoformat(),
                    stamps,
                )
            )
        )
        order_s = str(order_id)
        for product_id, quantity, unit_price in lines:
            line_rows.append(f"{order_s}\t{product_id}\t{quantity}\t{unit_price}\t\\N")
        for step, refunds in walks[spec.status]:
            event_rows.append(f"{order_s}{step}{amount_cny_s if refunds else '0'}{walks[None]}")
        if spec.status != S.CANCELLED:
            taken.append(_Taken(spec.placed_at, spec.buyer_country != "CN"))
        result.lines += len(lines)
    batch_id = import_batch.pk if import_batch is not None else None
    with keys.unchecked(merchant.pk, batch_id, actor.pk if actor else None):
        try:
            with transaction.atomic():
                _copy(Order, ORDER_COLUMNS, order_rows)
        except IntegrityError as exc:
            if not _is_duplicate_external_id(exc):
                raise  # another constraint: not a platform order that arrived by another door
            # The same platform order arrived meanwhile by another door.
            raise Conflict(
                _("An order with this platform order id already exists."), field="external_id"
            ) from exc
        _copy(OrderLine, LINE_COLUMNS, line_rows)
        _copy(OrderEvent, EVENT_COLUMNS, event_rows)

    # 6. Milestones: one query once they are reached.
    if taken:
        _milestones(merchant, taken, next(iter(products.values())))
    result.orders = len(built)
    return result


def _walks(middle: str, end: str) -> dict:
    """Per status, the event rows of an order's walk to it from pending (the first event, from
    nothing to pending, included) as (cells between the order id and the refund, whether the
    step refunds the order); ``None`` holds the cells after the refund."""
    walks: dict = {None: end}
    for status in lifecycle.PATHS:
        steps = [(f"\t\t{S.PENDING}{middle}", False)]
        for move, source in lifecycle.path_to(status):
            steps.append((f"\t{source}\t{move.target}{middle}", move.action == "refund"))
        walks[status] = steps
    return walks


_STORED = (
    "SELECT platform, external_id FROM {order} WHERE merchant_id = %s AND platform = ANY(%s)"
    " AND external_id = ANY(%s)"
)


def stored_ids(
    merchant: Merchant, platforms: set[str], external_ids: list[str]
) -> set[tuple[str, str]]:
    """(platform, platform order id) of the merchant's stored orders among ``external_ids`` on
    ``platforms``: one query per ``BATCH`` ids, array parameters (the ORM's ``__in`` prepares
    every value), all three columns of the unique index given, so a merchant's millions of
    orders are never scanned (without the platform, each chunk of an import read them all)."""
    ids = sorted(set(external_ids))
    found: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        # As text: pghistory's context injection (on in every request) reads the statement.
        query = (
            sql.SQL(_STORED)
            .format(order=sql.Identifier(Order._meta.db_table))
            .as_string(cursor.connection)
        )
        for start in range(0, len(ids), BATCH):
            cursor.execute(query, [merchant.pk, sorted(platforms), ids[start : start + BATCH]])
            found.update(cursor.fetchall())
    return found


def _build(spec: OrderIn, products: dict[int, Product], prices: Prices, rates: Rates):
    """``take_in``'s ``_build`` for an order without stream or flash deal, as plain values:
    ((amount, amount_cny, units), [(product, quantity, unit price)], units per product)."""
    cny = spec.currency == "CNY"
    rate = ONE if cny else rates.require(spec.currency, timezone.localdate(spec.placed_at))
    lines: list[tuple] = []
    units: dict[int, int] = defaultdict(int)
    amount = ZERO
    for line in spec.lines:
        product_id = line.product_id
        product = products.get(product_id)
        if product is None:
            raise DomainError(_("Choose one of your own products."), field="lines")
        if not product.is_active:
            raise DomainError(_("%(name)s is not on sale.") % {"name": product.name}, field="lines")
        units[product_id] += line.quantity
        unit_price = line.unit_price
        if unit_price is None:
            unit_price = from_cny(prices.cny(product, spec), rate)
        total = unit_price * line.quantity
        # A yuan is a yuan: a price of whole cents times a whole quantity is already to the cent.
        bounds.check_money(
            total if cny else to_cny(total, rate), field="lines", maximum=bounds.MAX_LINE_CNY
        )
        lines.append((product_id, line.quantity, unit_price))
        amount += total
    amount_cny = amount if cny else to_cny(amount, rate)
    bounds.check_money(amount_cny, field="amount", maximum=bounds.MAX_ORDER_CNY)
    return (amount, amount_cny, sum(q for _p, q, _u in lines)), lines, units


_STOCK = """
UPDATE {product} AS p SET stock = p.stock - v.n
FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::integer[]) AS n) AS v
WHERE p.id = v.id AND p.stock >= v.n
"""


def _take_stock(need: dict[int, int], products: dict[int, Product]) -> None:
    ids = sorted(need)
    with connection.cursor() as cursor:
        query = (
            sql.SQL(_STOCK)
            .format(product=sql.Identifier(Product._meta.db_table))
            .as_string(cursor.connection)
        )
        cursor.execute(query, [ids, [need[pk] for pk in ids]])
        if cursor.rowcount == len(ids):
            return
    # Not reached while the products are locked: the stock was read under the lock.
    short = Product.objects.filter(pk__in=ids).values_list("pk", "stock")
    for pk, left in short:
        if left < need[pk]:
            raise Conflict(
                _("Not enough stock of %(name)s: %(left)s left.")
                % {"name": products[pk].name, "left": left},
                field="lines",
                code="out_of_stock",
            )


def _next_ids(model: type[Model], n: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, n],
        )
        return [row[0] for row in cursor.fetchall()]


# The columns the writer fills, in the order of its tuples.
ORDER_COLUMNS = (
    "id",
    "merchant_id",
    "platform",
    "external_id",
    "stream_id",
    "buyer_name",
    "buyer_country",
    "currency",
    "amount",
    "amount_cny",
    "refunded_cny",
    "units",
    "hold_until",
    "import_batch_id",
    "status",
    "placed_at",
    "created_at",
    "updated_at",
)
LINE_COLUMNS = ("order_id", "product_id", "quantity", "unit_price", "flash_deal_id")
EVENT_COLUMNS = ("order_id", "from_status", "to_status", "actor_id", "at", "refund_cny", "note")

_layouts: dict[tuple, tuple[tuple, list[str], list[str]]] = {}


def _layout(model: type[Model], columns: tuple) -> tuple[tuple, list[str], list[str]]:
    """The constant values of the model's columns the writer does not fill (their fields'
    defaults, so a column added later with a default needs no change here), every column's
    name, and the nullable ones (an empty quoted cell is NULL there, COPY's FORCE_NULL)."""
    key = (model, columns)
    if key not in _layouts:
        fields = {f.column: f for f in model._meta.concrete_fields}
        extra, constants = [], []
        for name, f in fields.items():
            if name in columns or f.primary_key:
                continue
            if f.has_default():
                constants.append(f.get_db_prep_save(f.get_default(), connection))
            elif f.null:
                constants.append(None)
            else:
                raise RuntimeError(f"{model._meta.db_table}.{name} has no value and no default")
            extra.append(name)
        names = [*columns, *extra]
        nullable = [n for n in names if fields[n].null]
        _layouts[key] = (tuple(constants), names, nullable)
    return _layouts[key]


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    """A text cell in COPY's text format (NUL bytes were refused by the shape check)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _cell(value) -> str:
    """Any value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _text(value)
    return _text(str(value))


def _copy(model: type[Model], columns: tuple, rows: list[str]) -> None:
    """Stream ``rows`` (COPY text-format lines of ``columns``) into the model's table with one
    COPY; the columns the writer does not fill get their fields' defaults."""
    if not rows:
        return
    constants, names, _nullable = _layout(model, columns)
    end = "".join("\t" + _cell(value) for value in constants) + "\n"
    data = io.StringIO(end.join(rows) + end)
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
        table=sql.Identifier(model._meta.db_table),
        columns=sql.SQL(", ").join(sql.Identifier(n) for n in names),
    )
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(statement.as_string(cursor.connection), data, size=1 << 18)
