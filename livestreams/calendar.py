"""A merchant's stream calendar: the weeks of a month, each day's streams and its net turnover.

The streams are this app's; the net turnover per day is the orders' (its turnover selectors),
handed in by the page that combines them (jingdezhen.pages.dashboard), so this app reads no
rollup itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jingdezhen.core.days import day_bounds, local_zone, month_bounds
from jingdezhen.core.tenancy import Reach

from .models import LiveStream

ZERO = Decimal("0")
GMV_BUCKETS = (Decimal("0"), Decimal("1000"), Decimal("5000"), Decimal("10000"), Decimal("50000"))


def week_from_today(days: list[dict], today: dt.date) -> list[dict]:
    """The days of a week (Monday first, as ``selectors.merchant_week`` gives them) in the order
    a phone lists them: in the week holding ``today``, today first, then the days after it, then
    the earlier ones (marked ``past``; the first of them ``first_past``); any other week from
    its Monday. Each day keeps its ``weekday`` (0 Monday), which lays a desktop's grid out
    Monday first again."""
    this_week = any(d["date"] == today for d in days)
    ordered = (
        sorted(days, key=lambda d: (d["date"] < today, d["date"])) if this_week else list(days)
    )
    seen_past = False
    for day in ordered:
        day["weekday"] = day["date"].weekday()
        day["past"] = this_week and day["date"] < today
        day["first_past"] = day["past"] and not seen_past
        seen_past = seen_past or day["past"]
    return ordered


def gmv_bucket(net: Decimal) -> int:
    """0 for a day without sales, then 1..5 by the marks above (CSS classes gmv-0..gmv-5)."""
    if net <= 0:
        return 0
    return sum(1 for mark in GMV_BUCKETS if net >= mark)


def month_days(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of the month of ``month``."""
    first, after = month_bounds(month)
    return first, after - dt.timedelta(days=1)


def _streams_by_day(*, reach: Reach, merchant_id: int, month: dt.date) -> dict[dt.date, list]:
    """The merchant's streams of the month but the cancelled ones, by local day (one query)."""
    first, last = month_days(month)
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    streams = (
        reach.scope(LiveStream.objects.all())
        .filter(merchant_id=merchant_id, planned_start__gte=start, planned_start__lt=end)
        .exclude(status=LiveStream.Status.CANCELLED)
        .only("id", "title", "platform", "planned_start", "is_rehearsal", "status")
        .order_by("planned_start")
    )
    zone = local_zone()
    by_day: dict = {}
    for stream in streams:
        by_day.setdefault(timezone.localtime(stream.planned_start, zone).date(), []).append(stream)
    return by_day


def stream_calendar(
    *, reach: Reach, merchant_id: int, month: dt.date, net_by_day: dict[dt.date, Decimal]
) -> list[list[dict | None]]:
    """Weeks (Monday first) of ``month``: each day's streams and net turnover (``net_by_day``,
    the days without sales left out), shaded by it."""
    first, last = month_days(month)
    streams_by_day = _streams_by_day(reach=reach, merchant_id=merchant_id, month=first)
    weeks: list[list[dict | None]] = []
    week: list[dict | None] = [None] * first.weekday()
    day = first
    while day <= last:
        net = net_by_day.get(day, ZERO)
        week.append(
            {
                "day": day,
                "net": net,
                "bucket": gmv_bucket(net),
                "streams": streams_by_day.get(day, []),
            }
        )
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += dt.timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks
