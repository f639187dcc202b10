"""Rolling local days up: the day's statement (orders.turnover.statement), its month, milestones.

A roll of one day runs in one transaction holding a per-day advisory lock, so re-running a day,
two runs at once, or a retry after a crash all leave the same rows. The rooms' booked time for
the day (livestreams.usage) is a second statement in the same transaction.

What counts: orders whose status is in ``Order.COUNTED_STATUSES``, placed in the local day
(``settings.TIME_ZONE``, Asia/Shanghai), not attributed to a rehearsal stream. Gross is the sum of
``amount_cny``, refunded the sum of ``refunded_cny``, net = gross - refunded.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from jingdezhen.core.days import day_bounds, month_bounds
from livestreams.usage import rollup_room_day
from merchants.models import Milestone
from merchants.services import milestone_record

from ..models import DailyMerchantTurnover, Order
from . import slots, statement

logger = logging.getLogger(__name__)

# Key spaces of pg_advisory_xact_lock(int, int): a day's (with its ordinal) and a month's (with
# year * 12 + month). A roll takes its day's lock, then its month's: always in that order.
LOCK_CLASS = 61_000
MONTH_LOCK_CLASS = 61_001
MILESTONE_MARKS = (
    (Decimal("10000"), Milestone.Kind.FIRST_10K_DAY),
    (Decimal("50000"), Milestone.Kind.FIRST_50K_DAY),
)


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
    now = timezone.now()
    month = month_bounds(day)[0]
    params = {
        "day": day,
        "start": start,
        "end": end,
        "now": now,
        "month": month,
        "statuses": list(Order.COUNTED_STATUSES),
        "tz": settings.TIME_ZONE,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # Two runs of the same day queue up here; each sees the orders as they are then.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, day.toordinal()])
        # Room to aggregate a base-sized day (~50,000 orders) in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        _lock_month(cursor, month)
        skipped: tuple[int, ...] = ()
        try:
            with transaction.atomic():  # a savepoint: a failure leaves the locks held
                cursor.execute(statement.ROLLUP_DAY_SQL, params)
                *counts, month_written, merchant_days_gone = cursor.fetchone()
            written = sum(counts[0::2]) + month_written
            deleted = sum(counts[1::2])
        except DatabaseError:
            logger.exception("rollup of %s failed base-wide; rolling merchant by merchant", day)
            written, deleted, merchant_days_gone, skipped = _rollup_day_by_merchant(cursor, params)
        if merchant_days_gone:
            cursor.execute(statement.MONTH_EMPTIED_SQL, {"month": month})
            deleted += cursor.rowcount
        # The ten-minute slots, stamped with this roll's time (the live board's "since").
        slots.rollup_slots(cursor, params, skipped=skipped)
        rollup_room_day(cursor=cursor, day=day, now=now)
        _checkpoint(day)
    result = RollupResult(day, written, deleted, skipped_merchants=skipped)
    if record_milestones:
        result = replace(result, milestones=record_turnover_milestones(day=day))
    return result


def _rollup_day_by_merchant(cursor, params: dict) -> tuple[int, int, int, tuple[int, ...]]:
    """Roll one day merchant by merchant (each in a savepoint), then the base tables from the
    merchants that rolled: (written, deleted, merchant days gone, merchants skipped). A merchant
    that fails keeps its stored rows and is reported (RollupResult.skipped_merchants, the log)."""
    cursor.execute(statement.DAY_MERCHANTS_SQL, params)
    merchant_ids = [row[0] for row in cursor.fetchall()]
    written = deleted = days_gone = 0
    skipped = []
    for merchant_id in merchant_ids:
        try:
            with transaction.atomic():
                cursor.execute(
                    statement.ROLLUP_MERCHANT_DAY_SQL, {**params, "merchant": merchant_id}
                )
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
    cursor.execute(statement.ROLLUP_BASE_DAY_SQL, {**params, "skipped": skipped})
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
        cursor.execute(statement.WHOLE_MONTH_SQL, params)
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
    reached_at, _ = day_bounds(day)
    recorded = 0
    for mark, kind in MILESTONE_MARKS:
        already = Milestone.objects.filter(
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
