"""Daily turnover rollups: set-based SQL that turns a day's orders into rollup rows.

A rollup of one local day is ONE statement: a materialised aggregate of the day's counted orders
(grouped by merchant, platform, buyer country and tier; money summed in whole fen as integers)
feeds, for each rollup table, the day's groups, set beside the stored rows in one full join; the
changed rows are updated, the new ones inserted and the gone ones deleted. It runs in one
transaction holding a per-day advisory lock, so re-running a day, two runs at once, or a retry
after a crash all leave the same rows. The rooms' booked time for the day is a second statement
in the same transaction.

What counts: orders whose status is in ``Order.COUNTED_STATUSES``, placed in the local day
(``settings.TIME_ZONE``, Asia/Shanghai), not attributed to a rehearsal stream. Gross is the sum of
``amount_cny``, refunded the sum of ``refunded_cny``, net = gross - refunded; "overseas" is any
buyer country but CN. An order's tier is the highest product tier among its lines ('' without
lines), so the tier rows of a day add up to its gross too.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from jingdezhen.core.days import day_bounds, local_zone, month_bounds
from livestreams.selectors import room_day_usage_params, room_day_usage_sql
from merchants.models import Milestone
from merchants.services import milestone_record

from .models import DailyMerchantTurnover, Order, TurnoverDirtyDay, TurnoverWatermark
from .ordering.selectors import COUNTED_ORDERS_SQL

logger = logging.getLogger(__name__)

# Key spaces of pg_advisory_xact_lock(int, int): a day's (with its ordinal) and a month's (with
# year * 12 + month). A roll takes its day's lock, then its month's: always in that order.
LOCK_CLASS = 61_000
MONTH_LOCK_CLASS = 61_001
MILESTONE_MARKS = (
    (Decimal("10000"), Milestone.Kind.FIRST_10K_DAY),
    (Decimal("50000"), Milestone.Kind.FIRST_50K_DAY),
)
# How far before the stored watermark a changed-orders scan starts: a transaction that stamped
# updated_at before the watermark was taken may commit after it; re-rolling a day twice is free.
WATERMARK_OVERLAP = dt.timedelta(minutes=10)
WATERMARK_NAME = "orders"

_TIER_RANK = "CASE p.tier WHEN 'high_end' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END"

# The day's counted orders, aggregated at the finest grain every rollup table needs.
_SOURCE = f"""
    SELECT m.base_id, a.merchant_id, a.platform, a.country,
           COALESCE(CASE a.rank WHEN 3 THEN 'high_end' WHEN 2 THEN 'medium'
                                WHEN 1 THEN 'daily' END, '') AS tier,
           (a.gross * 100)::bigint AS gross, (a.refunded * 100)::bigint AS refunded,
           a.orders, a.units
    FROM (
        SELECT o.merchant_id, o.platform, o.buyer_country AS country, t.rank,
               SUM(o.amount_cny) AS gross, SUM(o.refunded_cny) AS refunded,
               COUNT(*)::int AS orders, SUM(o.units)::int AS units
        FROM orders_order o
        LEFT JOIN livestreams_livestream s ON s.id = o.stream_id
        LEFT JOIN (
            SELECT l.order_id, MAX({_TIER_RANK}) AS rank
            FROM orders_orderline l
            JOIN orders_product p ON p.id = l.product_id
            JOIN orders_order lo ON lo.id = l.order_id
            WHERE lo.placed_at >= %(start)s AND lo.placed_at < %(end)s /*lo*/
            GROUP BY l.order_id
        ) t ON t.order_id = o.id
        WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s
          AND {COUNTED_ORDERS_SQL} /*o*/
        GROUP BY o.merchant_id, o.platform, o.buyer_country, t.rank
    ) a
    JOIN merchants_merchant m ON m.id = a.merchant_id
"""  # noqa: S608 - built from constants; every value is a bound parameter

_FIGURES = ("gross_cny", "refunded_cny", "net_cny", "orders", "units")


def _yuan(cents: str) -> str:
    """A sum of whole fen (bigint, summed in 128-bit integers) back to CNY with two decimals."""
    return f"({cents})::numeric(20, 0) / 100"


_OVERSEAS = {
    "overseas_cny": _yuan("COALESCE(SUM(gross) FILTER (WHERE country <> 'CN'), 0)"),
    "overseas_orders": "COALESCE(SUM(orders) FILTER (WHERE country <> 'CN'), 0)",
}

MERCHANT_DAY_SPEC = (
    "merchant_day",
    "orders_dailymerchantturnover",
    ("merchant_id",),
    _OVERSEAS,
    "src",
)
# (CTE name, table, the group's key columns, columns written besides the figures, the CTE it is
# aggregated from). The base's day is summed from the merchants' days (1,400 rows, not 10,000).
_TABLES = [
    ("merchant", "orders_dailyturnover", ("merchant_id", "platform"), _OVERSEAS, "src"),
    ("detail", "orders_dailyturnoverdetail", ("merchant_id", "country", "tier"), {}, "src"),
    MERCHANT_DAY_SPEC,
    (
        "breakdown",
        "orders_dailybasebreakdown",
        ("base_id", "platform", "country", "tier"),
        {},
        "src",
    ),
    (
        "base_day",
        "orders_dailybaseturnover",
        ("base_id",),
        {
            "overseas_cny": "SUM(overseas_cny)",
            "overseas_orders": "SUM(overseas_orders)",
            "merchants_selling": "COUNT(*)",
        },
        "merchant_day_new",
    ),
]
_SUM_FROM = {
    # the figures of a group, summed from src (orders) or from merchant_day_new (merchant days)
    "src": {
        "gross_cny": _yuan("SUM(gross)"),
        "refunded_cny": _yuan("SUM(refunded)"),
        "net_cny": _yuan("SUM(gross) - SUM(refunded)"),
        "orders": "SUM(orders)",
        "units": "SUM(units)",
    },
    "merchant_day_new": {c: f"SUM({c})" for c in _FIGURES},
    "month_days": {c: f"SUM({c})" for c in _FIGURES},
}


def _upsert_and_prune(
    name: str,
    table: str,
    key: tuple,
    extra: dict,
    source: str,
    period: str = "day",
    scope: str = "",
) -> str:
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
    group = key if "base_id" in key else ("base_id", *key)
    exprs = {**_SUM_FROM[source], **extra}
    columns = [*group, *exprs]
    updated = [c for c in columns if c not in key]
    same_key = " AND ".join(f"o.{c} = n.{c}" for c in key)
    return f"""
{name}_new AS MATERIALIZED (
    SELECT {", ".join(group)}, {", ".join(f"{expr} AS {col}" for col, expr in exprs.items())}
    FROM {source} GROUP BY {", ".join(group)}
),
{name}_diff AS MATERIALIZED (
    SELECT o.id AS stored_id, n.{key[0]} IS NOT NULL AS present,
           ({", ".join(f"o.{c}" for c in updated)})
               IS DISTINCT FROM ({", ".join(f"n.{c}" for c in updated)}) AS differs,
           COALESCE(n.{key[0]}, o.{key[0]}) AS group_key,
           {", ".join(f"n.{c}" for c in columns)},
           {", ".join(f"o.{c} AS old_{c}" for c in exprs)}
    FROM {name}_new n
    FULL JOIN (SELECT * FROM {table} WHERE {period} = %({period})s {scope}) o ON {same_key}
),
{name}_changed AS (
    UPDATE {table} AS o SET
        rolled_at = %(now)s,
        {", ".join(f"{c} = d.{c}" for c in updated)}
    FROM {name}_diff d
    WHERE o.{period} = %({period})s AND o.id = d.stored_id AND d.present AND d.differs
    RETURNING 1
),
{name}_added AS (
    INSERT INTO {table} ({period}, rolled_at, {", ".join(columns)})
    SELECT %({period})s, %(now)s, {", ".join(f"d.{c}" for c in columns)}
    FROM {name}_diff d
    WHERE d.stored_id IS NULL
    RETURNING 1
),
{name}_gone AS (
    DELETE FROM {table} AS o
    WHERE o.{period} = %({period})s
      AND o.id IN (SELECT stored_id FROM {name}_diff WHERE NOT present)
    RETURNING 1
)"""  # noqa: S608 - identifiers from _TABLES; every value is a bound parameter


# The day's changes carried to its month, in the same statement: each merchant whose day is new,
# changed or gone adds the difference (new figures less stored ones) to its month row, or starts
# the row. A month row is the sum of its merchant-day rows, and stays so: those rows change only
# here, and each change moves the month by as much. The caller holds the month's lock, so rolls
# of two days of one month take turns. The nightly sweep sums whole months again
# (WHOLE_MONTH_SQL), which would mend a month changed by hand; reconciliation compares months
# with their days.
_MONTH_FIGURES = (*_FIGURES, "overseas_cny", "overseas_orders")
_MONTH_DELTA = f""",
month_delta AS MATERIALIZED (
    SELECT d.group_key AS merchant_id, m.base_id,
           {
    ", ".join(f"COALESCE(d.{c}, 0) - COALESCE(d.old_{c}, 0) AS {c}" for c in _MONTH_FIGURES)
}
    FROM merchant_day_diff d
    JOIN merchants_merchant m ON m.id = d.group_key
    WHERE d.stored_id IS NULL OR NOT d.present OR d.differs
),
month_moved AS (
    UPDATE orders_monthlymerchantturnover AS t SET
        rolled_at = %(now)s,
        base_id = md.base_id,
        {", ".join(f"{c} = t.{c} + md.{c}" for c in _MONTH_FIGURES)}
    FROM month_delta md
    WHERE t.month = %(month)s AND t.merchant_id = md.merchant_id
    RETURNING 1
),
month_started AS (
    INSERT INTO orders_monthlymerchantturnover
        (month, rolled_at, base_id, merchant_id, {", ".join(_MONTH_FIGURES)})
    SELECT %(month)s, %(now)s, md.base_id, md.merchant_id,
           {", ".join(f"md.{c}" for c in _MONTH_FIGURES)}
    FROM month_delta md
    WHERE NOT EXISTS (
        SELECT 1 FROM orders_monthlymerchantturnover t
        WHERE t.month = %(month)s AND t.merchant_id = md.merchant_id
    )
    RETURNING 1
)"""  # noqa: S608 - constants only; every value is a bound parameter

# A month row whose every day went (no counted order left in the month) is removed after.
MONTH_EMPTIED_SQL = (
    "DELETE FROM orders_monthlymerchantturnover WHERE month = %(month)s AND orders = 0"
)


# One statement: every rollup table of the day, upserted and pruned from one scan of the orders.
ROLLUP_DAY_SQL = (
    f"WITH src AS MATERIALIZED ({_SOURCE}),"  # noqa: S608 - constants only
    + ",".join(_upsert_and_prune(*spec) for spec in _TABLES)
    + _MONTH_DELTA
    + "\nSELECT "
    + ", ".join(
        f"(SELECT COUNT(*) FROM {name}_changed) + (SELECT COUNT(*) FROM {name}_added), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {name}_gone)"
        for name, *_ in _TABLES
    )
    + ", (SELECT COUNT(*) FROM month_moved) + (SELECT COUNT(*) FROM month_started)"
    + ", (SELECT COUNT(*) FROM merchant_day_gone)"
)


# The same roll, merchant by merchant: the fallback when the base-wide statement fails (a
# merchant's rows that no column can hold, a figure out of range), so that one merchant's rows
# never stop the whole base's turnover. First each merchant's own tables (and its month) from
# its own orders, each in its savepoint; then the base's tables from the orders of the merchants
# that rolled and their merchant-day rows. A merchant that fails keeps its stored rows and is
# reported (RollupResult.skipped_merchants, and the log).
def _counts(names) -> str:
    return ", ".join(
        f"(SELECT COUNT(*) FROM {name}_changed) + (SELECT COUNT(*) FROM {name}_added), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {name}_gone)"
        for name in names
    )


_MERCHANT_TABLES = _TABLES[:3]
_BASE_TABLES = _TABLES[3:]
_ONE_MERCHANT = "AND merchant_id = %(merchant)s"
ROLLUP_MERCHANT_DAY_SQL = (
    "WITH src AS MATERIALIZED ("  # noqa: S608 - constants only
    + _SOURCE.replace("/*lo*/", "AND lo.merchant_id = %(merchant)s").replace(
        "/*o*/", "AND o.merchant_id = %(merchant)s"
    )
    + "),"
    + ",".join(_upsert_and_prune(*spec, scope=_ONE_MERCHANT) for spec in _MERCHANT_TABLES)
    + _MONTH_DELTA
    + "\nSELECT "
    + _counts(name for name, *_ in _MERCHANT_TABLES)
    + ", (SELECT COUNT(*) FROM month_moved) + (SELECT COUNT(*) FROM month_started)"
    + ", (SELECT COUNT(*) FROM merchant_day_gone)"
)
_NOT_SKIPPED = "NOT (merchant_id = ANY(%(skipped)s::bigint[]))"
ROLLUP_BASE_DAY_SQL = (
    "WITH src AS MATERIALIZED ("  # noqa: S608 - constants only
    + _SOURCE.replace("/*lo*/", "").replace(
        "/*o*/", "AND " + _NOT_SKIPPED.replace("merchant_id", "o.merchant_id")
    )
    + """),
merchant_day_new AS MATERIALIZED (
    SELECT base_id, merchant_id, gross_cny, refunded_cny, net_cny, orders, units, overseas_cny,
           overseas_orders
    FROM orders_dailymerchantturnover WHERE day = %(day)s AND """
    + _NOT_SKIPPED
    + "),"
    + ",".join(_upsert_and_prune(*spec) for spec in _BASE_TABLES)
    + "\nSELECT "
    + _counts(name for name, *_ in _BASE_TABLES)
)
# Every merchant a day's roll may write or prune rows of.
DAY_MERCHANTS_SQL = """
SELECT merchant_id FROM orders_order WHERE placed_at >= %(start)s AND placed_at < %(end)s
UNION SELECT merchant_id FROM orders_dailymerchantturnover WHERE day = %(day)s
UNION SELECT merchant_id FROM orders_dailyturnover WHERE day = %(day)s
UNION SELECT merchant_id FROM orders_dailyturnoverdetail WHERE day = %(day)s
ORDER BY 1
"""


# A whole month, summed again from its merchant-day rows for every merchant (the nightly sweep,
# back-fills, and anyone mending a month), under the month's advisory lock. The base is the
# merchant's own, so a merchant has one row a month even if it moved bases.
def _month_sql() -> str:
    only = ""
    days = f"""WITH month_days AS MATERIALIZED (
    SELECT m.base_id, d.merchant_id, d.gross_cny, d.refunded_cny, d.net_cny, d.orders, d.units,
           d.overseas_cny, d.overseas_orders
    FROM orders_dailymerchantturnover d
    JOIN merchants_merchant m ON m.id = d.merchant_id
    WHERE d.day >= %(month)s AND d.day < %(next_month)s {only}
),"""  # noqa: S608 - constants only; every value is a bound parameter
    part = _upsert_and_prune(
        "month",
        "orders_monthlymerchantturnover",
        ("merchant_id",),
        {"overseas_cny": "SUM(overseas_cny)", "overseas_orders": "SUM(overseas_orders)"},
        "month_days",
        period="month",
    )
    counts = """
SELECT (SELECT COUNT(*) FROM month_changed) + (SELECT COUNT(*) FROM month_added),
       (SELECT COUNT(*) FROM month_gone)"""
    return days + part + counts


WHOLE_MONTH_SQL = _month_sql()


# Booked and open room time of the day per base, by the one utilisation rule of the live rooms
# (livestreams.selectors.ROOM_DAY_USAGE_SQL); every base gets a row, so nothing is left stale.
_ROOM_USAGE_HEAD = """
INSERT INTO orders_dailyroomusage
    (day, base_id, booked_minutes, streams, rooms, open_minutes, rolled_at)
SELECT %(day)s, b.id, COALESCE(u.booked, 0), COALESCE(u.streams, 0), COALESCE(u.rooms, 0),
       COALESCE(u.open, 0), %(now)s
FROM merchants_base b
LEFT JOIN (
    SELECT base_id, SUM(booked_minutes) AS booked, SUM(streams) AS streams, COUNT(*) AS rooms,
           SUM(open_minutes) AS open
    FROM ("""
_ROOM_USAGE_TAIL = """) ru
    GROUP BY base_id
) u ON u.base_id = b.id
ON CONFLICT (day, base_id) DO UPDATE SET
    booked_minutes = EXCLUDED.booked_minutes, streams = EXCLUDED.streams,
    rooms = EXCLUDED.rooms, open_minutes = EXCLUDED.open_minutes, rolled_at = EXCLUDED.rolled_at
"""
ROOM_USAGE_SQL = _ROOM_USAGE_HEAD + room_day_usage_sql(only_rooms=False) + _ROOM_USAGE_TAIL


@dataclass(frozen=True)
class RollupResult:
    day: dt.date
    written_rows: int  # rows inserted or changed (an unchanged row is not rewritten)
    deleted_rows: int
    milestones: int = 0
    # Merchants whose rows could not be rolled this time (the base-wide statement failed and so
    # did theirs alone): their stored rows stand as they were, everyone else's are current.
    skipped_merchants: tuple[int, ...] = ()


def _checkpoint(day: dt.date) -> None:
    """Called inside the rollup transaction after the statements ran; tests inject a crash."""


def rollup_day(*, day: dt.date, record_milestones: bool = True) -> RollupResult:
    """Roll up one local day's orders into the rollup tables (idempotent, race-safe)."""
    start, end = day_bounds(day)
    params = {
        "day": day,
        "start": start,
        "end": end,
        "now": timezone.now(),
        "statuses": list(Order.COUNTED_STATUSES),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # Two runs of the same day queue up here; each sees the orders as they are then.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, day.toordinal()])
        # Room to aggregate a base-sized day (~50,000 orders) in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        month = month_bounds(day)[0]
        _lock_month(cursor, month)
        params["month"] = month
        skipped: tuple[int, ...] = ()
        try:
            with transaction.atomic():  # a savepoint: a failure leaves the locks held
                cursor.execute(ROLLUP_DAY_SQL, params)
                *counts, month_written, merchant_days_gone = cursor.fetchone()
            written = sum(counts[0::2]) + month_written
            deleted = sum(counts[1::2])
        except DatabaseError:
            logger.exception("rollup of %s failed base-wide; rolling merchant by merchant", day)
            written, deleted, merchant_days_gone, skipped = _rollup_day_by_merchant(cursor, params)
        if merchant_days_gone:
            cursor.execute(MONTH_EMPTIED_SQL, {"month": month})
            deleted += cursor.rowcount
        cursor.execute(ROOM_USAGE_SQL, {**params, **room_day_usage_params(first=day, last=day)})
        _checkpoint(day)
    result = RollupResult(day, written, deleted, skipped_merchants=skipped)
    if record_milestones:
        recorded = record_turnover_milestones(day=day)
        result = RollupResult(**{**result.__dict__, "milestones": recorded})
    return result


def _rollup_day_by_merchant(cursor, params: dict) -> tuple[int, int, int, tuple[int, ...]]:
    """Roll one day merchant by merchant (each in a savepoint), then the base tables from the
    merchants that rolled: (written, deleted, merchant days gone, merchants skipped)."""
    cursor.execute(DAY_MERCHANTS_SQL, params)
    merchant_ids = [row[0] for row in cursor.fetchall()]
    written = deleted = days_gone = 0
    skipped = []
    for merchant_id in merchant_ids:
        try:
            with transaction.atomic():
                cursor.execute(ROLLUP_MERCHANT_DAY_SQL, {**params, "merchant": merchant_id})
                *counts, month_written, gone = cursor.fetchone()
        except DatabaseError:
            logger.exception(
                "rollup of %s: merchant %s cannot be rolled; its rows stay as they were",
                params["day"],
                merchant_id,
            )
            skipped.append(merchant_id)
            continue
        written += sum(counts[0::2]) + month_written
        deleted += sum(counts[1::2])
        days_gone += gone
    cursor.execute(ROLLUP_BASE_DAY_SQL, {**params, "skipped": skipped})
    counts = cursor.fetchone()
    written += sum(counts[0::2])
    deleted += sum(counts[1::2])
    if skipped:
        logger.error(
            "rollup of %s skipped merchant(s) %s", params["day"], ", ".join(map(str, skipped))
        )
    return written, deleted, days_gone, tuple(skipped)


def _lock_month(cursor, month: dt.date) -> None:
    """Hold ``month``'s advisory lock until the transaction ends (a roll takes its day's first)."""
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK_CLASS, month.year * 12 + month.month]
    )


def rollup_month(*, day: dt.date) -> int:
    """Sum the month of ``day`` again for every merchant from its merchant-day rows (idempotent;
    it also repairs a month that drifted). Returns how many rows it wrote or deleted."""
    month, next_month = month_bounds(day)
    params = {"month": month, "next_month": next_month, "now": timezone.now()}
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_month(cursor, month)
        cursor.execute(WHOLE_MONTH_SQL, params)
        written, deleted = cursor.fetchone()
    return written + deleted


def rollup_days(*, start: dt.date, end: dt.date, record_milestones: bool = True) -> list:
    """Roll up every day from ``start`` to ``end`` inclusive, one transaction per day, then sum
    each month they touch again as a whole."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = month_bounds(month)[1]
    for month in months:  # mend first, so the days' changes add to true months
        rollup_month(day=month)
    results = []
    day = start
    while day <= end:
        results.append(rollup_day(day=day, record_milestones=record_milestones))
        day += dt.timedelta(days=1)
    return results


def record_turnover_milestones(*, day: dt.date) -> int:
    """Record FIRST_10K_DAY / FIRST_50K_DAY for merchants whose net turnover on ``day`` reached
    the mark and who have no such milestone on or before that day (one query per mark, then one
    call per newly qualifying merchant). Returns how many were recorded or moved earlier."""
    from merchants.models import Milestone as MilestoneModel

    reached_at, _ = day_bounds(day)
    recorded = 0
    for mark, kind in MILESTONE_MARKS:
        already = MilestoneModel.objects.filter(
            merchant_id=OuterRef("merchant_id"), kind=kind, reached_at__lte=reached_at
        )
        merchant_ids = (
            DailyMerchantTurnover.objects.filter(day=day, net_cny__gte=mark)
            .filter(~Exists(already))
            .values_list("merchant_id", flat=True)
        )
        for merchant_id in merchant_ids:
            milestone_record(merchant_id=merchant_id, kind=kind, reached_at=reached_at)
            recorded += 1
    return recorded


def batch_days() -> int:
    """How many dirty days one run of the re-roll takes (settings.TURNOVER_REROLL_BATCH_DAYS)."""
    return max(1, int(getattr(settings, "TURNOVER_REROLL_BATCH_DAYS", 31)))


MARK_CHANGED_DAYS_SQL = """
INSERT INTO orders_turnoverdirtyday (day, marked_at)
SELECT DISTINCT (o.placed_at AT TIME ZONE %(tz)s)::date, %(now)s
FROM orders_order o
WHERE o.updated_at <= %(now)s {since}
ON CONFLICT (day) DO UPDATE SET marked_at = EXCLUDED.marked_at
"""  # a day marked again while a drain rolls it keeps the drain's claim, then is taken again


def mark_changed_days(*, now: dt.datetime | None = None) -> int:
    """Mark for re-rolling every day holding an order written since the stored watermark, and
    move the watermark, in one transaction (one set-based INSERT … SELECT): the marks are
    durable before the watermark moves, so a crash loses no day. Returns how many days were
    marked (again)."""
    now = now or timezone.now()
    with transaction.atomic():
        mark = TurnoverWatermark.objects.select_for_update().filter(name=WATERMARK_NAME)
        since = mark.values_list("value", flat=True).first()
        params = {"tz": settings.TIME_ZONE, "now": now}
        condition = ""
        if since is not None:
            condition = "AND o.updated_at > %(since)s"
            params["since"] = since - WATERMARK_OVERLAP
        with connection.cursor() as cursor:
            cursor.execute(MARK_CHANGED_DAYS_SQL.format(since=condition), params)
            marked = cursor.rowcount
        set_watermark(now=now)
    return marked


def set_watermark(*, now: dt.datetime) -> None:
    """Record that every order written up to ``now`` has been rolled or marked (only forward)."""
    updated = TurnoverWatermark.objects.filter(name=WATERMARK_NAME, value__lt=now).update(value=now)
    if not updated:
        TurnoverWatermark.objects.get_or_create(name=WATERMARK_NAME, defaults={"value": now})


# A batch is claimed for this long: two drains at once take different days, and the days of a
# drain that died are taken again once its claim has run out.
CLAIM_FOR = dt.timedelta(minutes=15)
CLAIM_BATCH_SQL = """
UPDATE orders_turnoverdirtyday SET claimed_until = %(until)s
WHERE day IN (
    SELECT day FROM orders_turnoverdirtyday
    WHERE claimed_until IS NULL OR claimed_until < %(now)s
    ORDER BY day DESC LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING day, marked_at
"""


def drain_dirty_days(*, limit: int | None = None) -> tuple[list[dt.date], bool]:
    """Re-roll at most ``limit`` marked days (``batch_days()`` by default), newest first, each
    in its own transaction, and unmark each one unless it was marked again meanwhile. Returns
    the days rolled and whether marked days remain (the task then queues the next batch), so
    one import that dirtied a century of days never holds a worker for more than a batch.
    Drains running at once claim different days (one UPDATE … SKIP LOCKED)."""
    limit = limit or batch_days()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CLAIM_BATCH_SQL, {"until": now + CLAIM_FOR, "now": now, "limit": limit})
        batch = sorted(cursor.fetchall(), reverse=True)
    for day, marked_at in batch:
        rollup_day(day=day)
        TurnoverDirtyDay.objects.filter(day=day, marked_at__lte=marked_at).delete()
    # A day marked again while it was rolled is taken by the next batch.
    TurnoverDirtyDay.objects.filter(day__in=[day for day, _ in batch]).update(claimed_until=None)
    return [day for day, _ in batch], TurnoverDirtyDay.objects.exists()


def reroll_changed_days(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> list[dt.date]:
    """Mark the days whose orders changed since the watermark, then re-roll one batch of the
    marked days (the rest wait for the next batch: ``drain_dirty_days``).

    Safe to run twice or at once: rolling a day is idempotent, and a day stays marked until a
    roll that began after its last mark has finished.
    """
    mark_changed_days(now=now)
    days, _remaining = drain_dirty_days(limit=limit)
    return sorted(days)


def rollup_today_so_far(*, now: dt.datetime | None = None) -> list[dt.date]:
    """Roll up today, then every day whose orders changed since the last run (a refund or a late
    status change of yesterday's order reaches its day here, within minutes)."""
    today = timezone.localdate(now or timezone.now(), local_zone())
    rollup_day(day=today)
    return [today, *reroll_changed_days(now=now)]


def reroll_recent_days(*, days: int = 3, today: dt.date | None = None) -> list[dt.date]:
    """The nightly sweep: re-roll the last ``days`` days (late orders, refunds, deletions)."""
    today = today or timezone.localdate(timezone.now(), local_zone())
    start = today - dt.timedelta(days=days)
    rollup_days(start=start, end=today)
    return [start + dt.timedelta(days=n) for n in range(days + 1)]


# --- Reconciliation -------------------------------------------------------------------------

RECONCILE_MERCHANT_SQL = f"""
WITH direct AS (
    SELECT (o.placed_at AT TIME ZONE %(tz)s)::date AS day, o.merchant_id, o.platform,
           SUM(o.amount_cny) AS gross, SUM(o.refunded_cny) AS refunded, COUNT(*) AS orders,
           SUM(o.units) AS units,
           COALESCE(SUM(o.amount_cny) FILTER (WHERE o.buyer_country <> 'CN'), 0) AS overseas
    FROM orders_order o
    LEFT JOIN livestreams_livestream s ON s.id = o.stream_id
    WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s AND {COUNTED_ORDERS_SQL}
    GROUP BY 1, 2, 3
), rolled AS (
    SELECT day, merchant_id, platform, gross_cny AS gross, refunded_cny AS refunded, orders,
           units, overseas_cny AS overseas, net_cny AS net
    FROM orders_dailyturnover WHERE day >= %(first)s AND day <= %(last)s
)
SELECT COALESCE(d.day, r.day), COALESCE(d.merchant_id, r.merchant_id),
       COALESCE(d.platform, r.platform),
       d.gross, r.gross, d.refunded, r.refunded, d.orders, r.orders, d.units, r.units,
       d.overseas, r.overseas, r.net
FROM direct d FULL OUTER JOIN rolled r
  ON r.day = d.day AND r.merchant_id = d.merchant_id AND r.platform = d.platform
WHERE (d.gross, d.refunded, d.orders, d.units, d.overseas, d.gross - d.refunded)
      IS DISTINCT FROM (r.gross, r.refunded, r.orders, r.units, r.overseas, r.net)
ORDER BY 1, 2, 3
"""  # noqa: S608 - constants only; every value is a bound parameter

# The other rollup tables must add up, per day and base, to the merchant rows.
RECONCILE_TOTALS_SQL = """
WITH m AS (
    SELECT day, base_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u,
           SUM(overseas_cny) os
    FROM orders_dailyturnover WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), d AS (
    SELECT day, base_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u
    FROM orders_dailyturnoverdetail WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), md AS (
    SELECT day, base_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u,
           SUM(overseas_cny) os
    FROM orders_dailymerchantturnover WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), bd AS (
    SELECT day, base_id, gross_cny g, refunded_cny r, orders o, units u, overseas_cny os
    FROM orders_dailybaseturnover WHERE day >= %(first)s AND day <= %(last)s
), bb AS (
    SELECT day, base_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u
    FROM orders_dailybasebreakdown WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), keys AS (
    SELECT day, base_id FROM m UNION SELECT day, base_id FROM d UNION SELECT day, base_id FROM md
    UNION SELECT day, base_id FROM bd UNION SELECT day, base_id FROM bb
)
SELECT k.day, k.base_id, m.g, d.g, md.g, bd.g, bb.g, m.o, d.o, md.o, bd.o, bb.o
FROM keys k
LEFT JOIN m ON m.day = k.day AND m.base_id = k.base_id
LEFT JOIN d ON d.day = k.day AND d.base_id = k.base_id
LEFT JOIN md ON md.day = k.day AND md.base_id = k.base_id
LEFT JOIN bd ON bd.day = k.day AND bd.base_id = k.base_id
LEFT JOIN bb ON bb.day = k.day AND bb.base_id = k.base_id
WHERE (m.g, m.r, m.o, m.u) IS DISTINCT FROM (d.g, d.r, d.o, d.u)
   OR (m.g, m.r, m.o, m.u, m.os) IS DISTINCT FROM (md.g, md.r, md.o, md.u, md.os)
   OR (m.g, m.r, m.o, m.u, m.os) IS DISTINCT FROM (bd.g, bd.r, bd.o, bd.u, bd.os)
   OR (m.g, m.r, m.o, m.u) IS DISTINCT FROM (bb.g, bb.r, bb.o, bb.u)
ORDER BY 1, 2
"""


# Each merchant's day must be the sum of its platform rows and of its country/tier rows: one
# merchant's rows of those tables are read through its merchant-day rows (a merchant-day row
# stands for every day the merchant has rows; turnover_selectors.merchant_rows).
RECONCILE_MERCHANT_DAYS_SQL = """
WITH p AS (
    SELECT day, merchant_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u,
           SUM(overseas_cny) os
    FROM orders_dailyturnover WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), c AS (
    SELECT day, merchant_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u
    FROM orders_dailyturnoverdetail WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), md AS (
    SELECT day, merchant_id, gross_cny g, refunded_cny r, orders o, units u, overseas_cny os
    FROM orders_dailymerchantturnover WHERE day >= %(first)s AND day <= %(last)s
)
SELECT COALESCE(md.day, p.day, c.day), COALESCE(md.merchant_id, p.merchant_id, c.merchant_id),
       md.g, p.g, c.g, md.o, p.o, c.o
FROM md
FULL JOIN p ON p.day = md.day AND p.merchant_id = md.merchant_id
FULL JOIN c ON c.day = COALESCE(md.day, p.day)
           AND c.merchant_id = COALESCE(md.merchant_id, p.merchant_id)
WHERE (md.g, md.r, md.o, md.u, md.os) IS DISTINCT FROM (p.g, p.r, p.o, p.u, p.os)
   OR (md.g, md.r, md.o, md.u) IS DISTINCT FROM (c.g, c.r, c.o, c.u)
ORDER BY 1, 2
"""


# A merchant's month must equal the sum of its merchant-day rows (the months overlapping the range).
RECONCILE_MONTHS_SQL = """
WITH days AS (
    SELECT date_trunc('month', day)::date AS month, merchant_id, SUM(gross_cny) AS gross,
           SUM(net_cny) AS net, SUM(orders) AS orders, SUM(refunded_cny) AS refunded,
           SUM(units) AS units, SUM(overseas_cny) AS overseas,
           SUM(overseas_orders) AS overseas_orders
    FROM orders_dailymerchantturnover WHERE day >= %(first)s AND day < %(after)s
    GROUP BY 1, 2
), months AS (
    SELECT month, merchant_id, gross_cny AS gross, net_cny AS net, orders,
           refunded_cny AS refunded, units, overseas_cny AS overseas, overseas_orders
    FROM orders_monthlymerchantturnover WHERE month >= %(first)s AND month < %(after)s
)
SELECT COALESCE(d.month, m.month), COALESCE(d.merchant_id, m.merchant_id),
       d.gross, m.gross, d.net, m.net, d.orders, m.orders
FROM days d FULL OUTER JOIN months m ON m.month = d.month AND m.merchant_id = d.merchant_id
WHERE (d.gross, d.net, d.orders, d.refunded, d.units, d.overseas, d.overseas_orders)
      IS DISTINCT FROM (m.gross, m.net, m.orders, m.refunded, m.units, m.overseas,
                        m.overseas_orders)
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class Difference:
    table: str
    day: dt.date
    key: str
    orders_say: str
    rollup_says: str

    def __str__(self) -> str:
        return (
            f"{self.day} {self.table} {self.key}: "
            f"orders {self.orders_say}, rollup {self.rollup_says}"
        )


def reconcile(*, start: dt.date, end: dt.date) -> list[Difference]:
    """Compare the rollups of ``start``..``end`` (inclusive) with the orders they cover.

    Returns one Difference per group whose figures disagree (an empty list when all agree).
    """
    first_start, _ = day_bounds(start)
    _, last_end = day_bounds(end)
    params = {
        "tz": settings.TIME_ZONE,
        "start": first_start,
        "end": last_end,
        "first": start,
        "last": end,
        "statuses": list(Order.COUNTED_STATUSES),
    }
    differences = []
    with connection.cursor() as cursor:
        cursor.execute(RECONCILE_MERCHANT_SQL, params)
        for day, merchant_id, platform, *figures in cursor.fetchall():
            direct = figures[0::2][:5]
            rolled = figures[1::2][:5]
            differences.append(
                Difference(
                    "daily_turnover",
                    day,
                    f"merchant={merchant_id} platform={platform}",
                    "gross/refunded/orders/units/overseas=" + "/".join(map(str, direct)),
                    "gross/refunded/orders/units/overseas=" + "/".join(map(str, rolled)),
                )
            )
        cursor.execute(RECONCILE_TOTALS_SQL, params)
        for day, base_id, *figures in cursor.fetchall():
            gross, orders = figures[:5], figures[5:]
            differences.append(
                Difference(
                    "rollup totals",
                    day,
                    f"base={base_id}",
                    f"merchant/platform rows gross={gross[0]} orders={orders[0]}",
                    "detail, merchant-day, base-day, breakdown gross="
                    + "/".join(map(str, gross[1:]))
                    + " orders="
                    + "/".join(map(str, orders[1:])),
                )
            )
        cursor.execute(RECONCILE_MERCHANT_DAYS_SQL, params)
        for (
            day,
            merchant_id,
            day_gross,
            p_gross,
            c_gross,
            day_orders,
            p_orders,
            c_orders,
        ) in cursor.fetchall():
            differences.append(
                Difference(
                    "daily merchant turnover",
                    day,
                    f"merchant={merchant_id}",
                    f"merchant-day row gross={day_gross} orders={day_orders}",
                    f"platform, country/tier rows gross={p_gross}/{c_gross} "
                    f"orders={p_orders}/{c_orders}",
                )
            )
        first_month, _ = month_bounds(start)
        _, after_last = month_bounds(end)
        cursor.execute(RECONCILE_MONTHS_SQL, {"first": first_month, "after": after_last})
        for month, merchant_id, *figures in cursor.fetchall():
            differences.append(
                Difference(
                    "monthly merchant turnover",
                    month,
                    f"merchant={merchant_id}",
                    "merchant-day rows gross/net/orders=" + "/".join(map(str, figures[0::2])),
                    "gross/net/orders=" + "/".join(map(str, figures[1::2])),
                )
            )
    return differences
