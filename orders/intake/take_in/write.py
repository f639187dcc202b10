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
``bulk_create`` stored it. The statement's text depends only on how many rows of each kind it
writes, so it is composed once per such shape (a single-line order has one) and kept.
"""

from __future__ import annotations

import functools
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


@functools.cache
def _fields(model: type[Model], skip: tuple[str, ...] = ()) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in skip]


def _values_sql(fields: list, count: int, keys: int) -> sql.Composable:
    """``(CAST(%s AS bigint) x keys, CAST(%s AS type) per field), ...`` for ``count`` rows."""
    cells = [sql.SQL("CAST({} AS bigint)").format(sql.Placeholder()) for _k in range(keys)]
    cells += [
        sql.SQL("CAST({} AS {})").format(sql.Placeholder(), sql.SQL(f.db_type(connection)))
        for f in fields
    ]
    row = sql.SQL("({})").format(sql.SQL(", ").join(cells))
    return sql.SQL(", ").join([row] * count)


def _values_params(model: type[Model], objs: list, fields: list, keys: list[tuple]) -> list:
    """Each row's keys and values, prepared by its fields as Django's INSERT prepares them."""
    compiler = InsertQuery(model).get_compiler(connection=connection)
    params: list = []
    for obj, key in zip(objs, keys, strict=True):
        params += key
        params += [compiler.prepare_value(f, f.pre_save(obj, True)) for f in fields]
    return params


def _taking_sql(table: type[Model], column: str, count: int, name: str) -> sql.Composable:
    """A CTE ``name`` that takes ``need`` from ``column`` of ``count`` rows, only where enough is
    left, returning the ids of the rows it took from. Several rows are locked in id order first,
    so two intakes never wait on each other in a cycle."""
    pairs = sql.SQL(", ").join([sql.SQL("(CAST(%s AS bigint), CAST(%s AS integer))")] * count)
    tbl = sql.Identifier(table._meta.db_table)
    lock = count > 1
    return sql.SQL(
        "{name} AS (UPDATE {tbl} t SET {col} = t.{col} - n.need "
        "FROM (VALUES {pairs}) AS n(id, need){locked} "
        "WHERE t.id = n.id{on_locked} AND t.{col} >= n.need{extra} RETURNING t.id)"
    ).format(
        name=sql.Identifier(name),
        tbl=tbl,
        col=sql.Identifier(column),
        pairs=pairs,
        locked=sql.SQL(
            ", (SELECT id FROM {tbl} WHERE id = ANY(%s) ORDER BY id FOR UPDATE) AS locked"
        ).format(tbl=tbl)
        if lock
        else sql.SQL(""),
        on_locked=sql.SQL(" AND t.id = locked.id") if lock else sql.SQL(""),
        extra=sql.SQL(" AND NOT t.ended") if table is FlashDeal else sql.SQL(""),
    )


def _taking_params(need: dict[int, int]) -> list:
    params: list = []
    for pk in sorted(need):
        params += [pk, need[pk]]
    if len(need) > 1:
        params.append(sorted(need))
    return params


def _ids_sql(name: str, model: type[Model], count: int) -> sql.Composable:
    return sql.SQL(
        "{name} AS MATERIALIZED (SELECT k, nextval(pg_get_serial_sequence({table}, 'id')) "
        "AS id FROM generate_series(1, {count}) AS k)"
    ).format(
        name=sql.Identifier(name),
        table=sql.Literal(model._meta.db_table),
        count=sql.Literal(count),
    )


def _child_sql(name: str, model: type[Model], count: int) -> sql.Composable:
    """Lines or events: ids from their sequence in the rows' order (an order's events are read
    back in id order), each row naming its order by its place ``k`` in the batch."""
    fields = _fields(model, ("order_id",))
    aliases = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in range(len(fields)))
    ids = sql.Identifier(f"{name}id")
    return sql.SQL(
        "{id_cte}, {name} AS (INSERT INTO {tbl} (id, order_id, {names}) "
        "SELECT {ids}.id, oid.id, {aliases} FROM (VALUES {rows}) AS v(j, k, {aliases}) "
        "JOIN oid USING (k) JOIN {ids} ON {ids}.k = v.j WHERE (SELECT ok FROM ok))"
    ).format(
        id_cte=_ids_sql(f"{name}id", model, count),
        name=sql.Identifier(name),
        tbl=sql.Identifier(model._meta.db_table),
        ids=ids,
        names=sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
        aliases=aliases,
        rows=_values_sql(fields, count, keys=2),
    )


# Shapes up to this many orders keep their text (the API's and the form's single order, a few
# buyers of a deal); a demo's or an import's batch of thousands is composed each time instead of
# holding megabytes of text.
KEPT_SHAPES_UP_TO = 8


@functools.lru_cache(maxsize=128)
def _kept_statement(*shape) -> str:
    return _compose(*shape)


def _statement(deals: int, products: int, orders: int, lines: int, events: int, key: bool) -> str:
    shape = (deals, products, orders, lines, events, key)
    return _kept_statement(*shape) if orders <= KEPT_SHAPES_UP_TO else _compose(*shape)


def _compose(deals: int, products: int, orders: int, lines: int, events: int, key: bool) -> str:
    """The text of the write for this many rows of each kind (see the module's docstring)."""
    ctes: list[sql.Composable] = []
    checks = [sql.SQL("true")]
    if deals:
        ctes.append(_taking_sql(FlashDeal, "remaining", deals, "deal"))
        checks.append(sql.SQL("(SELECT count(*) FROM deal) = {}").format(sql.Literal(deals)))
    if products:
        ctes.append(_taking_sql(Product, "stock", products, "stock"))
        checks.append(sql.SQL("(SELECT count(*) FROM stock) = {}").format(sql.Literal(products)))
    ctes.append(sql.SQL("ok AS (SELECT {} AS ok)").format(sql.SQL(" AND ").join(checks)))
    ctes.append(_ids_sql("oid", Order, orders))
    fields = _fields(Order)
    aliases = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in range(len(fields)))
    ctes.append(
        sql.SQL(
            "o AS (INSERT INTO {tbl} (id, {names}) SELECT oid.id, {aliases} "
            "FROM (VALUES {rows}) AS v(k, {aliases}) JOIN oid USING (k) WHERE (SELECT ok FROM ok))"
        ).format(
            tbl=sql.Identifier(Order._meta.db_table),
            names=sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
            aliases=aliases,
            rows=_values_sql(fields, orders, keys=1),
        )
    )
    ctes.append(_child_sql("l", OrderLine, lines))
    ctes.append(_child_sql("e", OrderEvent, events))
    if key:
        ctes.append(
            sql.SQL(
                "idem AS (UPDATE {tbl} SET order_id = (SELECT id FROM oid WHERE k = 1) "
                "WHERE id = %s AND (SELECT ok FROM ok))"
            ).format(tbl=sql.Identifier(IdempotencyKey._meta.db_table))
        )
    taken = [
        sql.SQL("ARRAY(SELECT id FROM {})").format(sql.Identifier(name))
        if present
        else sql.SQL("ARRAY[]::bigint[]")
        for name, present in (("stock", products), ("deal", deals))
    ]
    statement = sql.SQL(
        "WITH {ctes} SELECT (SELECT ok FROM ok), {stock}, {deal}, "
        "ARRAY(SELECT id FROM oid ORDER BY k), ARRAY(SELECT id FROM lid ORDER BY k), "
        "ARRAY(SELECT id FROM eid ORDER BY k)"
    ).format(ctes=sql.SQL(", ").join(ctes), stock=taken[0], deal=taken[1])
    connection.ensure_connection()
    # As text: pghistory's context injection (on in every request) reads the statement.
    return statement.as_string(connection.connection)


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
    flat_lines = [(k, line) for k, group in enumerate(lines, 1) for line in group]
    flat_events = [(k, event) for k, group in enumerate(events, 1) for event in group]
    params = _taking_params(deal_need) + _taking_params(need)
    params += _values_params(
        Order, orders, _fields(Order), [(k,) for k in range(1, len(orders) + 1)]
    )
    for model, flat in ((OrderLine, flat_lines), (OrderEvent, flat_events)):
        keys = [(j, k) for j, (k, _obj) in enumerate(flat, 1)]
        params += _values_params(
            model, [obj for _k, obj in flat], _fields(model, ("order_id",)), keys
        )
    if idempotency_key_id is not None:
        params.append(idempotency_key_id)
    text = _statement(
        len(deal_need),
        len(need),
        len(orders),
        len(flat_lines),
        len(flat_events),
        idempotency_key_id is not None,
    )
    with connection.cursor() as cursor:
        cursor.execute(text, params)
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
