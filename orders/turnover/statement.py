"""The rollup statements, composed with psycopg2.sql from the models' own table and column names.

A rollup of one local day is ONE statement: a materialised aggregate of the day's counted orders
(grouped by merchant, platform, buyer country and tier; money summed in whole fen as integers)
feeds, for each rollup table, the day's groups, set beside the stored rows in one full join; the
changed rows are updated, the new ones inserted and the gone ones deleted (``_upsert_and_prune``).
The day's changes are carried to the merchants' month in the same statement (``_month_delta``).

Names are ``sql.Identifier`` (tables from ``_meta.db_table``, columns from the fields), every
value a named placeholder (``%(day)s``, ``%(now)s`` ...) bound at execution; the only constants
written into the text are the tiers' ranks and the home country, as ``sql.Literal``.

What counts is ``orders.ordering.selectors.COUNTED_ORDERS_SQL`` (the one GMV definition):
net = gross - refunded; "overseas" is any buyer country but CN. An order's tier is the highest
product tier among its lines ('' without lines), so the tier rows of a day add up to its gross too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Model
from psycopg2 import sql

from livestreams.models import LiveStream
from merchants.models import Merchant

from ..models import (
    DailyBaseBreakdown,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    DailyTurnover,
    DailyTurnoverDetail,
    MonthlyMerchantTurnover,
    Order,
    OrderLine,
    Product,
)
from ..ordering.selectors import COUNTED_ORDERS_SQL

HOME_COUNTRY = "CN"
# An order's tier is its highest line's: the rank of each tier (any other tier ranks lowest).
TIER_RANKS = ((Product.Tier.HIGH_END, 3), (Product.Tier.MEDIUM, 2), (Product.Tier.DAILY, 1))

Ident = sql.Identifier
Param = sql.Placeholder


def table(model: type[Model]) -> sql.Identifier:
    return Ident(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    """The column of a field (``"merchant"`` or ``"merchant_id"`` -> ``merchant_id``)."""
    return model._meta.get_field(name).column


def _cols(alias: str | None, names) -> sql.Composed:
    return sql.SQL(", ").join(Ident(alias, n) if alias else Ident(n) for n in names)


def _cte(part: str, step: str) -> sql.Identifier:
    """A part's CTE (``merchant_day`` + ``diff`` -> ``merchant_day_diff``)."""
    return Ident("_".join((part, step)))


def _old(name: str) -> str:
    """The diff's column of a stored row's figure (``old_net_cny``)."""
    return "_".join(("old", name))


def _and(parts) -> sql.Composed:
    return sql.SQL(" AND ").join(parts)


# The figures every rollup table holds (TurnoverFigures), and the overseas ones besides.
FIGURES = tuple(
    column(DailyMerchantTurnover, n)
    for n in ("gross_cny", "refunded_cny", "net_cny", "orders", "units")
)
OVERSEAS = tuple(column(DailyMerchantTurnover, n) for n in ("overseas_cny", "overseas_orders"))
GROSS, REFUNDED, NET, ORDERS, UNITS = FIGURES
OVERSEAS_CNY, OVERSEAS_ORDERS = OVERSEAS
ROLLED_AT = column(DailyMerchantTurnover, "rolled_at")
DAY = column(DailyMerchantTurnover, "day")
MONTH = column(MonthlyMerchantTurnover, "month")
# The group keys, named as the rollup tables name them; the day's source rows (``src``) use the
# same names, so a table's key columns are read from it as they are.
BASE = column(DailyBaseBreakdown, "base")
MERCHANT = column(DailyTurnover, "merchant")
PLATFORM = column(DailyTurnover, "platform")
COUNTRY = column(DailyTurnoverDetail, "country")
TIER = column(DailyTurnoverDetail, "tier")
# The source's own measures: whole fen (bigint), then counts.
FEN_GROSS, FEN_REFUNDED, SRC_ORDERS, SRC_UNITS = "gross", "refunded", "orders", "units"


def _o(name: str) -> sql.Identifier:
    return Ident("o", column(Order, name))


def _source(*, lines_extra: sql.Composable, orders_extra: sql.Composable) -> sql.Composed:
    """The day's counted orders at the finest grain every rollup table needs (``%(start)s`` ..
    ``%(end)s``); ``lines_extra`` / ``orders_extra`` narrow the line and order scans further."""
    rank_of_tier = sql.SQL("CASE {tier} {whens} ELSE 1 END").format(
        tier=Ident("p", column(Product, "tier")),
        whens=sql.SQL(" ").join(
            sql.SQL("WHEN {} THEN {}").format(sql.Literal(str(t)), sql.Literal(r))
            for t, r in TIER_RANKS
        ),
    )
    tier_of_rank = sql.SQL("COALESCE(CASE {rank} {whens} END, '')").format(
        rank=Ident("a", "rank"),
        whens=sql.SQL(" ").join(
            sql.SQL("WHEN {} THEN {}").format(sql.Literal(r), sql.Literal(str(t)))
            for t, r in TIER_RANKS
        ),
    )
    lo_placed = Ident("lo", column(Order, "placed_at"))
    return sql.SQL(
        """
    SELECT {m_base} AS {base}, a.{merchant}, a.{platform}, a.{country}, {tier_of_rank} AS {tier},
           (a.gross * 100)::bigint AS {fen_gross}, (a.refunded * 100)::bigint AS {fen_refunded},
           a.{orders}, a.{units}
    FROM (
        SELECT {o_merchant} AS {merchant}, {o_platform} AS {platform},
               {o_country} AS {country}, t.rank,
               SUM({o_amount}) AS gross, SUM({o_refunded}) AS refunded,
               COUNT(*)::int AS {orders}, SUM({o_units})::int AS {units}
        FROM {orders_table} o
        LEFT JOIN {streams_table} s ON {s_id} = {o_stream}
        LEFT JOIN (
            SELECT {l_order} AS order_id, MAX({rank_of_tier}) AS rank
            FROM {lines_table} l
            JOIN {products_table} p ON {p_id} = {l_product}
            JOIN {orders_table} lo ON {lo_id} = {l_order}
            WHERE {lo_placed} >= %(start)s AND {lo_placed} < %(end)s {lines_extra}
            GROUP BY {l_order}
        ) t ON t.order_id = {o_id}
        WHERE {o_placed} >= %(start)s AND {o_placed} < %(end)s
          AND {counted} {orders_extra}
        GROUP BY {o_merchant}, {o_platform}, {o_country}, t.rank
    ) a
    JOIN {merchants_table} m ON {m_id} = a.{merchant}
"""
    ).format(
        m_base=Ident("m", column(Merchant, "base")),
        base=Ident(BASE),
        merchant=Ident(MERCHANT),
        platform=Ident(PLATFORM),
        country=Ident(COUNTRY),
        tier=Ident(TIER),
        tier_of_rank=tier_of_rank,
        fen_gross=Ident(FEN_GROSS),
        fen_refunded=Ident(FEN_REFUNDED),
        orders=Ident(SRC_ORDERS),
        units=Ident(SRC_UNITS),
        o_merchant=_o("merchant"),
        o_platform=_o("platform"),
        o_country=_o("buyer_country"),
        o_amount=_o("amount_cny"),
        o_refunded=_o("refunded_cny"),
        o_units=_o("units"),
        o_stream=_o("stream"),
        o_id=_o("id"),
        o_placed=_o("placed_at"),
        orders_table=table(Order),
        streams_table=table(LiveStream),
        s_id=Ident("s", column(LiveStream, "id")),
        l_order=Ident("l", column(OrderLine, "order")),
        l_product=Ident("l", column(OrderLine, "product")),
        rank_of_tier=rank_of_tier,
        lines_table=table(OrderLine),
        products_table=table(Product),
        p_id=Ident("p", column(Product, "id")),
        lo_id=Ident("lo", column(Order, "id")),
        lo_placed=lo_placed,
        lines_extra=lines_extra,
        counted=sql.SQL(COUNTED_ORDERS_SQL),  # the one definition of what counts
        orders_extra=orders_extra,
        merchants_table=table(Merchant),
        m_id=Ident("m", column(Merchant, "id")),
    )


def _yuan(fen: sql.Composable) -> sql.Composed:
    """A sum of whole fen (bigint, summed in 128-bit integers) back to CNY with two decimals."""
    return sql.SQL("({})::numeric(20, 0) / 100").format(fen)


def _sum(name: str) -> sql.Composed:
    return sql.SQL("SUM({})").format(Ident(name))


def _abroad(expr: sql.Composable) -> sql.Composed:
    return sql.SQL("COALESCE({} FILTER (WHERE {} <> {}), 0)").format(
        expr, Ident(COUNTRY), sql.Literal(HOME_COUNTRY)
    )


# The figures of a group, summed from the orders (``src``) or from rollup rows (by name).
FROM_ORDERS = {
    GROSS: _yuan(_sum(FEN_GROSS)),
    REFUNDED: _yuan(_sum(FEN_REFUNDED)),
    NET: _yuan(sql.SQL("{} - {}").format(_sum(FEN_GROSS), _sum(FEN_REFUNDED))),
    ORDERS: _sum(SRC_ORDERS),
    UNITS: _sum(SRC_UNITS),
}
FROM_ROWS = {name: _sum(name) for name in FIGURES}
OVERSEAS_FROM_ORDERS = {
    OVERSEAS_CNY: _yuan(_abroad(_sum(FEN_GROSS))),
    OVERSEAS_ORDERS: _abroad(_sum(SRC_ORDERS)),
}
OVERSEAS_FROM_ROWS = {name: _sum(name) for name in OVERSEAS}


@dataclass(frozen=True)
class Part:
    """One rollup table's part of a statement: CTEs ``{name}_new``, ``_diff``, ``_changed``,
    ``_added`` and ``_gone``; ``key`` the group's columns, ``exprs`` every written figure."""

    name: str
    model: type[Model]
    key: tuple[str, ...]
    exprs: dict = field(hash=False)
    source: str = "src"

    @property
    def group(self) -> tuple[str, ...]:
        return self.key if BASE in self.key else (BASE, *self.key)


MERCHANT_PLATFORM = Part(
    "merchant",
    DailyTurnover,
    (MERCHANT, PLATFORM),
    {**FROM_ORDERS, **OVERSEAS_FROM_ORDERS},
)
MERCHANT_DETAIL = Part("detail", DailyTurnoverDetail, (MERCHANT, COUNTRY, TIER), dict(FROM_ORDERS))
MERCHANT_DAY = Part(
    "merchant_day", DailyMerchantTurnover, (MERCHANT,), {**FROM_ORDERS, **OVERSEAS_FROM_ORDERS}
)
BASE_BREAKDOWN = Part(
    "breakdown", DailyBaseBreakdown, (BASE, PLATFORM, COUNTRY, TIER), dict(FROM_ORDERS)
)
# The base's day is summed from the merchants' days (1,400 rows, not 10,000).
BASE_DAY = Part(
    "base_day",
    DailyBaseTurnover,
    (BASE,),
    {
        **FROM_ROWS,
        **OVERSEAS_FROM_ROWS,
        column(DailyBaseTurnover, "merchants_selling"): sql.SQL("COUNT(*)"),
    },
    source="merchant_day_new",
)
MERCHANT_PARTS = (MERCHANT_PLATFORM, MERCHANT_DETAIL, MERCHANT_DAY)
BASE_PARTS = (BASE_BREAKDOWN, BASE_DAY)
DAY_PARTS = (*MERCHANT_PARTS, *BASE_PARTS)


def _upsert_and_prune(
    part: Part, *, period: str = DAY, scope: sql.Composable | None = None
) -> sql.Composed:
    """One table's part of the statement (``period``: the date column, and the parameter, that
    the rows of one roll share; ``scope``: a further condition on the stored rows it may touch).

    ``{name}_new`` aggregates the day's groups; ``{name}_diff`` sets them beside the day's stored
    rows in one full join, which says of each group whether it is new, changed, unchanged or
    gone. Then a changed row is updated (found by its id), a new one inserted and a gone one
    deleted: re-rolling an unchanged day rewrites nothing, and the stored rows are read once.

    The three writes touch disjoint rows. No other run of the same day writes in between (the
    caller holds the day's advisory lock), so a plain INSERT is enough: no ON CONFLICT, whose
    speculative insertion costs more on a day rolled for the first time. The unique constraint
    still stands behind it."""
    name = part.name
    columns = [*part.group, *part.exprs]
    updated = [c for c in columns if c not in part.key]
    first = part.key[0]
    return sql.SQL(
        """
{new} AS MATERIALIZED (
    SELECT {group}, {exprs}
    FROM {source} GROUP BY {group}
),
{diff} AS MATERIALIZED (
    SELECT {o_id} AS stored_id, {n_first} IS NOT NULL AS present,
           ({o_updated}) IS DISTINCT FROM ({n_updated}) AS differs,
           COALESCE({n_first}, {o_first}) AS group_key,
           {n_columns},
           {old_exprs}
    FROM {new} n
    FULL JOIN (SELECT * FROM {table} WHERE {period} = {period_value} {scope}) o ON {same_key}
),
{changed} AS (
    UPDATE {table} AS o SET
        {rolled_at} = %(now)s,
        {sets}
    FROM {diff} d
    WHERE {o_period} = {period_value} AND {o_id} = d.stored_id AND d.present AND d.differs
    RETURNING 1
),
{added} AS (
    INSERT INTO {table} ({period}, {rolled_at}, {columns})
    SELECT {period_value}, %(now)s, {d_columns}
    FROM {diff} d
    WHERE d.stored_id IS NULL
    RETURNING 1
),
{gone} AS (
    DELETE FROM {table} AS o
    WHERE {o_period} = {period_value}
      AND {o_id} IN (SELECT stored_id FROM {diff} WHERE NOT present)
    RETURNING 1
)"""
    ).format(
        new=_cte(name, "new"),
        diff=_cte(name, "diff"),
        changed=_cte(name, "changed"),
        added=_cte(name, "added"),
        gone=_cte(name, "gone"),
        group=_cols(None, part.group),
        exprs=sql.SQL(", ").join(
            sql.SQL("{} AS {}").format(expr, Ident(col)) for col, expr in part.exprs.items()
        ),
        source=Ident(part.source),
        n_first=Ident("n", first),
        o_first=Ident("o", first),
        o_updated=_cols("o", updated),
        n_updated=_cols("n", updated),
        n_columns=_cols("n", columns),
        old_exprs=sql.SQL(", ").join(
            sql.SQL("{} AS {}").format(Ident("o", c), Ident(_old(c))) for c in part.exprs
        ),
        table=table(part.model),
        o_id=Ident("o", part.model._meta.pk.column),
        period=Ident(period),
        o_period=Ident("o", period),
        period_value=Param(period),
        scope=scope or sql.SQL(""),
        same_key=_and(sql.SQL("{} = {}").format(Ident("o", c), Ident("n", c)) for c in part.key),
        rolled_at=Ident(ROLLED_AT),
        sets=sql.SQL(", ").join(
            sql.SQL("{} = {}").format(Ident(c), Ident("d", c)) for c in updated
        ),
        columns=_cols(None, columns),
        d_columns=_cols("d", columns),
    )


# The day's changes carried to its month, in the same statement: each merchant whose day is new,
# changed or gone adds the difference (new figures less stored ones) to its month row, or starts
# the row. A month row is the sum of its merchant-day rows, and stays so: those rows change only
# here, and each change moves the month by as much. The caller holds the month's lock, so rolls
# of two days of one month take turns. The nightly sweep sums whole months again
# (WHOLE_MONTH_SQL), which would mend a month changed by hand; reconciliation compares months
# with their days.
MONTH_FIGURES = (*FIGURES, *OVERSEAS)


def _month_delta() -> sql.Composed:
    months = table(MonthlyMerchantTurnover)
    return sql.SQL(
        """,
month_delta AS MATERIALIZED (
    SELECT d.group_key AS {merchant}, {m_base} AS {base},
           {deltas}
    FROM merchant_day_diff d
    JOIN {merchants_table} m ON {m_id} = d.group_key
    WHERE d.stored_id IS NULL OR NOT d.present OR d.differs
),
month_moved AS (
    UPDATE {months} AS t SET
        {rolled_at} = %(now)s,
        {base} = {md_base},
        {moves}
    FROM month_delta md
    WHERE {t_month} = %(month)s AND {t_merchant} = {md_merchant}
    RETURNING 1
),
month_started AS (
    INSERT INTO {months}
        ({month}, {rolled_at}, {base}, {merchant}, {figures})
    SELECT %(month)s, %(now)s, {md_base}, {md_merchant}, {md_figures}
    FROM month_delta md
    WHERE NOT EXISTS (
        SELECT 1 FROM {months} t
        WHERE {t_month} = %(month)s AND {t_merchant} = {md_merchant}
    )
    RETURNING 1
)"""
    ).format(
        merchant=Ident(MERCHANT),
        base=Ident(BASE),
        m_base=Ident("m", column(Merchant, "base")),
        deltas=sql.SQL(", ").join(
            sql.SQL("COALESCE({}, 0) - COALESCE({}, 0) AS {}").format(
                Ident("d", c), Ident("d", _old(c)), Ident(c)
            )
            for c in MONTH_FIGURES
        ),
        merchants_table=table(Merchant),
        m_id=Ident("m", column(Merchant, "id")),
        months=months,
        rolled_at=Ident(ROLLED_AT),
        md_base=Ident("md", BASE),
        moves=sql.SQL(", ").join(
            sql.SQL("{c} = {t} + {md}").format(c=Ident(c), t=Ident("t", c), md=Ident("md", c))
            for c in MONTH_FIGURES
        ),
        t_month=Ident("t", MONTH),
        t_merchant=Ident("t", MERCHANT),
        md_merchant=Ident("md", MERCHANT),
        month=Ident(MONTH),
        figures=_cols(None, MONTH_FIGURES),
        md_figures=_cols("md", MONTH_FIGURES),
    )


def _counts(parts, *, month: bool) -> sql.Composed:
    """The statement's answer: rows written and deleted per part (then the month's written and
    the merchant days gone)."""
    counts = [
        sql.SQL(
            "(SELECT COUNT(*) FROM {}) + (SELECT COUNT(*) FROM {}), (SELECT COUNT(*) FROM {})"
        ).format(_cte(p.name, "changed"), _cte(p.name, "added"), _cte(p.name, "gone"))
        for p in parts
    ]
    if month:
        counts.append(
            sql.SQL(
                "(SELECT COUNT(*) FROM month_moved) + (SELECT COUNT(*) FROM month_started), "
                "(SELECT COUNT(*) FROM merchant_day_gone)"
            )
        )
    return sql.SQL("\nSELECT ") + sql.SQL(", ").join(counts)


def _with(source: sql.Composable, *rest: sql.Composable) -> sql.Composed:
    return sql.SQL("WITH src AS MATERIALIZED ({}),").format(source) + sql.Composed(list(rest))


EMPTY = sql.SQL("")
ONE_MERCHANT = sql.SQL("AND {} = %(merchant)s").format(Ident(MERCHANT))


def _not_skipped(alias: str | None) -> sql.Composed:
    merchant = Ident(alias, MERCHANT) if alias else Ident(MERCHANT)
    return sql.SQL("NOT ({} = ANY(%(skipped)s::bigint[]))").format(merchant)


# One statement: every rollup table of the day, upserted and pruned from one scan of the orders.
ROLLUP_DAY_SQL = _with(
    _source(lines_extra=EMPTY, orders_extra=EMPTY),
    sql.SQL(",").join(_upsert_and_prune(p) for p in DAY_PARTS),
    _month_delta(),
    _counts(DAY_PARTS, month=True),
)

# The same roll, merchant by merchant: the fallback when the base-wide statement fails (a
# merchant's rows that no column can hold, a figure out of range), so that one merchant's rows
# never stop the whole base's turnover. First each merchant's own tables (and its month) from
# its own orders, each in its savepoint; then the base's tables from the orders of the merchants
# that rolled and their merchant-day rows.
ROLLUP_MERCHANT_DAY_SQL = _with(
    _source(
        lines_extra=sql.SQL("AND {} = %(merchant)s").format(Ident("lo", column(Order, "merchant"))),
        orders_extra=sql.SQL("AND {} = %(merchant)s").format(_o("merchant")),
    ),
    sql.SQL(",").join(_upsert_and_prune(p, scope=ONE_MERCHANT) for p in MERCHANT_PARTS),
    _month_delta(),
    _counts(MERCHANT_PARTS, month=True),
)
ROLLUP_BASE_DAY_SQL = _with(
    _source(
        lines_extra=EMPTY,
        orders_extra=sql.SQL("AND ") + _not_skipped("o"),
    ),
    sql.SQL(
        """
merchant_day_new AS MATERIALIZED (
    SELECT {columns}
    FROM {days} WHERE {day} = %(day)s AND {not_skipped}
),"""
    ).format(
        columns=_cols(None, (BASE, MERCHANT, *MONTH_FIGURES)),
        days=table(DailyMerchantTurnover),
        day=Ident(DAY),
        not_skipped=_not_skipped(None),
    ),
    sql.SQL(",").join(_upsert_and_prune(p) for p in BASE_PARTS),
    _counts(BASE_PARTS, month=False),
)

# Every merchant a day's roll may write or prune rows of.
DAY_MERCHANTS_SQL = sql.SQL(
    """
SELECT {o_merchant} FROM {orders} WHERE {placed} >= %(start)s AND {placed} < %(end)s
UNION SELECT {merchant} FROM {merchant_days} WHERE {day} = %(day)s
UNION SELECT {merchant} FROM {platform_days} WHERE {day} = %(day)s
UNION SELECT {merchant} FROM {detail_days} WHERE {day} = %(day)s
ORDER BY 1
"""
).format(
    o_merchant=Ident(column(Order, "merchant")),
    orders=table(Order),
    placed=Ident(column(Order, "placed_at")),
    merchant=Ident(MERCHANT),
    merchant_days=table(DailyMerchantTurnover),
    platform_days=table(DailyTurnover),
    detail_days=table(DailyTurnoverDetail),
    day=Ident(DAY),
)

# A month row whose every day went (no counted order left in the month) is removed after.
MONTH_EMPTIED_SQL = sql.SQL("DELETE FROM {} WHERE {} = %(month)s AND {} = 0").format(
    table(MonthlyMerchantTurnover), Ident(MONTH), Ident(ORDERS)
)


# A whole month, summed again from its merchant-day rows for every merchant (the nightly sweep,
# back-fills, and anyone mending a month), under the month's advisory lock. The base is the
# merchant's own, so a merchant has one row a month even if it moved bases.
WHOLE_MONTH_SQL = (
    sql.SQL(
        """WITH month_days AS MATERIALIZED (
    SELECT {m_base} AS {base}, {d_columns}
    FROM {days} d
    JOIN {merchants_table} m ON {m_id} = {d_merchant}
    WHERE {d_day} >= %(month)s AND {d_day} < %(next_month)s
),"""
    ).format(
        m_base=Ident("m", column(Merchant, "base")),
        base=Ident(BASE),
        d_columns=_cols("d", (MERCHANT, *MONTH_FIGURES)),
        days=table(DailyMerchantTurnover),
        merchants_table=table(Merchant),
        m_id=Ident("m", column(Merchant, "id")),
        d_merchant=Ident("d", MERCHANT),
        d_day=Ident("d", DAY),
    )
    + _upsert_and_prune(
        Part(
            "month",
            MonthlyMerchantTurnover,
            (MERCHANT,),
            {**FROM_ROWS, **OVERSEAS_FROM_ROWS},
            source="month_days",
        ),
        period=MONTH,
    )
    + sql.SQL(
        "\nSELECT (SELECT COUNT(*) FROM month_changed) + (SELECT COUNT(*) FROM month_added),"
        "\n       (SELECT COUNT(*) FROM month_gone)"
    )
)
