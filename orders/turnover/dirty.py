"""Which days to roll again: the watermark of changed orders, the marked (dirty) days, re-rolls.

An order written after its day was rolled (a refund, a late status change, an import) marks its
day; the periodic job rolls the marked days a batch at a time (``drain_dirty_days``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg2 import sql

from jingdezhen.core.days import local_zone

from ..models import Order, TurnoverDirtyDay, TurnoverWatermark
from . import rollup
from .statement import Ident, column, table

# How far before the stored watermark a changed-orders scan starts: a transaction that stamped
# updated_at before the watermark was taken may commit after it; re-rolling a day twice is free.
WATERMARK_OVERLAP = dt.timedelta(minutes=10)
WATERMARK_NAME = "orders"


def batch_days() -> int:
    """How many dirty days one run of the re-roll takes (settings.TURNOVER_REROLL_BATCH_DAYS)."""
    return max(1, int(getattr(settings, "TURNOVER_REROLL_BATCH_DAYS", 31)))


def _mark_changed_days_sql(*, since: bool) -> sql.Composed:
    """Mark the days of the orders written up to ``%(now)s`` (after ``%(since)s`` when
    ``since``); a day marked again while a drain rolls it keeps the drain's claim, then is taken
    again."""
    updated = Ident("o", column(Order, "updated_at"))
    after = sql.SQL("AND {} > %(since)s").format(updated) if since else sql.SQL("")
    day, marked_at = column(TurnoverDirtyDay, "day"), column(TurnoverDirtyDay, "marked_at")
    return sql.SQL(
        """
INSERT INTO {dirty} ({day}, {marked_at})
SELECT DISTINCT ({placed} AT TIME ZONE %(tz)s)::date, %(now)s
FROM {orders} o
WHERE {updated} <= %(now)s {after}
ON CONFLICT ({day}) DO UPDATE SET {marked_at} = EXCLUDED.{marked_at}
"""
    ).format(
        dirty=table(TurnoverDirtyDay),
        day=Ident(day),
        marked_at=Ident(marked_at),
        placed=Ident("o", column(Order, "placed_at")),
        orders=table(Order),
        updated=updated,
        after=after,
    )


MARK_CHANGED_DAYS_SQL = _mark_changed_days_sql(since=True)
MARK_ALL_DAYS_SQL = _mark_changed_days_sql(since=False)


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
        statement = MARK_ALL_DAYS_SQL
        if since is not None:
            statement = MARK_CHANGED_DAYS_SQL
            params["since"] = since - WATERMARK_OVERLAP
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
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
CLAIM_BATCH_SQL = sql.SQL(
    """
UPDATE {dirty} SET {claimed} = %(until)s
WHERE {day} IN (
    SELECT {day} FROM {dirty}
    WHERE {claimed} IS NULL OR {claimed} < %(now)s
    ORDER BY {day} DESC LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING {day}, {marked_at}
"""
).format(
    dirty=table(TurnoverDirtyDay),
    claimed=Ident(column(TurnoverDirtyDay, "claimed_until")),
    day=Ident(column(TurnoverDirtyDay, "day")),
    marked_at=Ident(column(TurnoverDirtyDay, "marked_at")),
)


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
        rollup.rollup_day(day=day)
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
    rollup.rollup_day(day=today)
    return [today, *reroll_changed_days(now=now)]


def reroll_recent_days(*, days: int = 3, today: dt.date | None = None) -> list[dt.date]:
    """The nightly sweep: re-roll the last ``days`` days (late orders, refunds, deletions)."""
    today = today or timezone.localdate(timezone.now(), local_zone())
    start = today - dt.timedelta(days=days)
    rollup.rollup_days(start=start, end=today)
    return [start + dt.timedelta(days=n) for n in range(days + 1)]
