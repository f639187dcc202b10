"""The intake's write, in one SQL statement: the units taken, the orders, their lines and events.

``take_in`` decides everything first (prices, amounts, statuses, what stock and which flash deals
each order needs) and then hands the rows to ``write_orders``, which sends one statement composed
with ``psycopg2.sql``::

    WITH deal AS (UPDATE flash deals SET remaining = remaining - n WHERE remaining >= n ...),
         stock AS (UPDATE products SET stock = stock - n WHERE stock >= n ...),
         ok AS (every deal and every product above had enough),
         oid AS (the orders' ids, from their sequence), lid AS (the lines' ids),
         o AS (INSERT orders ... WHERE ok), l AS (INSERT lines ... WHERE ok),
         e AS (INSERT events ... WHERE ok), k AS (UPDATE the idempotency key ... WHERE ok)
    SELECT ok, the products and deals that had enough, the orders' ids, the lines' ids

One round trip instead of one per table, and no ORM compilation per order: on a single order
through the API this was the larger part of the service's own time (cProfile of
``bench/intake.py``). It keeps the rules of the separate statements it replaces:

* stock and a deal's remainder are taken by a conditional UPDATE (``>= n``), so they never go
  below zero, and nothing is inserted unless every one of them had enough;
* the products' rows are locked in id order (``ORDER BY id FOR UPDATE`` under the UPDATE), so two
  intakes of the same products never wait on each other in a cycle;
* the row locks of the hot rows (a flash deal's, a best seller's) are taken by the transaction's
  last statement but the milestones', so they are held for little more than the commit.

The values are prepared by the models' own fields (``pre_save`` and ``get_db_prep_save``, as
Django's INSERT does) and cast to their columns' types, so a row is stored exactly as
``bulk_create`` stored it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Model
from django.db.models.sql import InsertQuery
from psycopg2 import sql

from orders.models import FlashDeal, IdempotencyKey, Order, OrderEvent, OrderLine, Product


@dataclass
class Written:
    ok: bool
    products_taken: set[int] = field(default_factory=set)
    deals_taken: set[int] = field(default_factory=set)


def _columns(model: type[Model], *, skip: tuple[str, ...]) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in skip]


_COLUMNS: dict[tuple, list] = {}


def _fields(model: type[Model], skip: tuple[str, ...] = ()) -> list:
    if (model, skip) not in _COLUMNS:
        _COLUMNS[model, skip] = _columns(model, skip=skip)
    return _COLUMNS[model, skip]


def _values(model: type[Model], objs: list[Model], fields: list, keys: list[tuple]) -> tuple:
    """``VALUES (key..., CAST(%s AS type), ...), ...`` of ``objs`` and its parameters: each value
    prepared by its field as Django's INSERT prepares it."""
    compiler = InsertQuery(model).get_compiler(connection=connection)
    casts = [sql.SQL(f.db_type(connection)) for f in fields]
    row = sql.SQL("({})")
    rows, params = [], []
    for obj, key in zip(objs, keys, strict=True):
        cells = [sql.SQL("CAST({} AS bigint)").format(sql.Placeholder()) for _k in key]
        cells += [sql.SQL("CAST({} AS {})").format(sql.Placeholder(), cast) for cast in casts]
        rows.append(row.format(sql.SQL(", ").join(cells)))
        params += key
        params += [compiler.prepare_value(f, f.pre_save(obj, True)) for f in fields]
    return sql.SQL(", ").join(rows), params


def _taking(table: type[Model], column: str, need: dict[int, int], name: str, lock: bool):
    """A CTE ``name`` that takes ``need[id]`` from ``column`` of each row, only where enough is
    left, returning the ids of the rows it took from."""
    pairs = sql.SQL(", ").join(
        sql.SQL("(CAST({} AS bigint), CAST({} AS integer))").format(
            sql.Placeholder(), sql.Placeholder()
        )
        for _pk in need
    )
    params: list = []
    for pk in sorted(need):
        params += [pk, need[pk]]
    ids = sorted(need)
    tbl = sql.Identifier(table._meta.db_table)
    col = sql.Identifier(column)
    extra = sql.SQL(" AND NOT t.ended") if table is FlashDeal else sql.SQL("")
    locked = sql.SQL("")
    if lock:
        # Rows locked in id order first, so two intakes never wait on each other in a cycle.
        locked = sql.SQL(
            ", (SELECT id FROM {tbl} WHERE id = ANY({ids}) ORDER BY id FOR UPDATE) AS locked"
        ).format(tbl=tbl, ids=sql.Placeholder())
    statement = sql.SQL(
        "{name} AS (UPDATE {tbl} t SET {col} = t.{col} - n.need "
        "FROM (VALUES {pairs}) AS n(id, need){locked} "
        "WHERE t.id = n.id{on_locked} AND t.{col} >= n.need{extra} RETURNING t.id)"
    ).format(
        name=sql.Identifier(name),
        tbl=tbl,
        col=col,
        pairs=pairs,
        locked=locked,
        on_locked=sql.SQL(" AND t.id = locked.id") if lock else sql.SQL(""),
        extra=extra,
    )
    if lock:
        params.append(ids)
    return statement, params


def write_orders(
    *,
    orders: list[Order],
    lines: list[list[OrderLine]],
    events: list[list[OrderEvent]],
    need: dict[int, int],
    deal_need: dict[int, int],
    idempotency_key_id: int | None = None,
) -> Written:
    """Take the units and insert ``orders`` with their ``lines`` and ``events`` (lists parallel
    to ``orders``) in one statement. Sets the ids on the objects. Returns whether every product
    and deal had enough (nothing is written otherwise) and which did."""
    ctes: list = []
    params: list = []
    if deal_need:
        statement, p = _taking(FlashDeal, "remaining", deal_need, "deal", lock=len(deal_need) > 1)
        ctes.append(statement)
        params += p
    if need:
        statement, p = _taking(Product, "stock", need, "stock", lock=len(need) > 1)
        ctes.append(statement)
        params += p
    checks = [sql.SQL("true")]
    if deal_need:
        count = sql.Literal(len(deal_need))
        checks.append(sql.SQL("(SELECT count(*) FROM deal) = {}").format(count))
    if need:
        checks.append(sql.SQL("(SELECT count(*) FROM stock) = {}").format(sql.Literal(len(need))))
    ctes.append(sql.SQL("ok AS (SELECT {} AS ok)").format(sql.SQL(" AND ").join(checks)))

    flat_lines = [(k, line) for k, group in enumerate(lines, 1) for line in group]
    flat_events = [(k, event) for k, group in enumerate(events, 1) for event in group]

    def ids_cte(name: str, model: type[Model], count: int) -> sql.Composable:
        return sql.SQL(
            "{name} AS MATERIALIZED (SELECT k, nextval(pg_get_serial_sequence({table}, 'id')) "
            "AS id FROM generate_series(1, {count}) AS k)"
        ).format(
            name=sql.Identifier(name),
            table=sql.Literal(model._meta.db_table),
            count=sql.Literal(count),
        )

    ctes.append(ids_cte("oid", Order, len(orders)))

    order_fields = _fields(Order)
    rows, p = _values(Order, orders, order_fields, [(k,) for k in range(1, len(orders) + 1)])
    names = sql.SQL(", ").join(sql.Identifier(f.column) for f in order_fields)
    aliases = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in range(len(order_fields)))
    ctes.append(
        sql.SQL(
            "o AS (INSERT INTO {tbl} (id, {names}) SELECT oid.id, {aliases} "
            "FROM (VALUES {rows}) AS v(k, {aliases}) JOIN oid USING (k) WHERE (SELECT ok FROM ok))"
        ).format(tbl=sql.Identifier(Order._meta.db_table), names=names, aliases=aliases, rows=rows)
    )
    params += p

    def child(name: str, model: type[Model], flat: list) -> None:
        # Ids from the sequence in the rows' order, so ids grow in the order given (an order's
        # events are read back in id order).
        ctes.append(ids_cte(f"{name}id", model, len(flat)))
        fields = _fields(model, skip=("order_id",))
        keys = [(j, k) for j, (k, _obj) in enumerate(flat, 1)]
        rows, p = _values(model, [obj for _k, obj in flat], fields, keys)
        names = sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
        aliases = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in range(len(fields)))
        statement = sql.SQL(
            "{name} AS (INSERT INTO {tbl} (id, order_id, {names}) "
            "SELECT {ids}.id, oid.id, {aliases} FROM (VALUES {rows}) AS v(j, k, {aliases}) "
            "JOIN oid USING (k) JOIN {ids} ON {ids}.k = v.j WHERE (SELECT ok FROM ok))"
        ).format(
            name=sql.Identifier(name),
            tbl=sql.Identifier(model._meta.db_table),
            ids=sql.Identifier(f"{name}id"),
            names=names,
            aliases=aliases,
            rows=rows,
        )
        ctes.append(statement)
        params.extend(p)

    child("l", OrderLine, flat_lines)
    child("e", OrderEvent, flat_events)
    if idempotency_key_id is not None:
        ctes.append(
            sql.SQL(
                "idem AS (UPDATE {tbl} SET order_id = (SELECT id FROM oid WHERE k = 1) "
                "WHERE id = {key} AND (SELECT ok FROM ok))"
            ).format(tbl=sql.Identifier(IdempotencyKey._meta.db_table), key=sql.Placeholder())
        )
        params.append(idempotency_key_id)
    taken = [
        sql.SQL("ARRAY(SELECT id FROM {})").format(sql.Identifier(name))
        if present
        else sql.SQL("ARRAY[]::bigint[]")
        for name, present in (("stock", need), ("deal", deal_need))
    ]
    statement = sql.SQL(
        "WITH {ctes} SELECT (SELECT ok FROM ok), {stock}, {deal}, "
        "ARRAY(SELECT id FROM oid ORDER BY k), ARRAY(SELECT id FROM lid ORDER BY k), "
        "ARRAY(SELECT id FROM eid ORDER BY k)"
    ).format(ctes=sql.SQL(", ").join(ctes), stock=taken[0], deal=taken[1])
    with connection.cursor() as cursor:
        # As text: pghistory's context injection (on in every request) reads the statement.
        cursor.execute(statement.as_string(cursor.connection), params)
        ok, stock_ids, deal_ids, order_ids, line_ids, event_ids = cursor.fetchone()
    written = Written(ok=ok, products_taken=set(stock_ids), deals_taken=set(deal_ids))
    if not ok:
        return written
    for order, pk in zip(orders, order_ids, strict=True):
        order.pk = pk
        order._state.adding = False
        order._state.db = connection.alias
    for (k, line), pk in zip(flat_lines, line_ids, strict=True):
        line.pk = pk
        line.order = orders[k - 1]
        line._state.adding = False
        line._state.db = connection.alias
    for (k, event), pk in zip(flat_events, event_ids, strict=True):
        event.pk = pk
        event.order = orders[k - 1]
        event._state.adding = False
        event._state.db = connection.alias
    return written
