"""Room utilisation, defined once: the rule, its daily rollup per base, and the rollup's read.

The booked time of a room's streams that hold or held it (scheduled, live, ended), cut to each
local day, over the room's own opening hours that day (closes_hour - opens_hour), for the base's
active rooms. The utilisation page reads the rule per room and day (selectors.room_utilisation);
the daily turnover roll (orders.turnover.rollup) stores its sums per base and day through
``rollup_room_day`` in DailyRoomUsage (an orders model, kept there), which the base dashboard
reads (``room_utilisation``). Both answer ``utilisation_percent`` of the same minutes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from psycopg2 import sql

from jingdezhen.core.tenancy import Reach
from merchants.models import Base
from orders.models import DailyRoomUsage

from .models import LiveRoom, LiveStream

UTILISATION_STATUSES = (
    LiveStream.Status.SCHEDULED,
    LiveStream.Status.LIVE,
    LiveStream.Status.ENDED,
)

ROOM_DAY_USAGE_SQL = sql.SQL(
    """
SELECT r.base_id, r.id AS room_id, d.day,
       -- (LEAST and GREATEST skip NULLs: a room-day without streams must not count whole)
       COALESCE(SUM(EXTRACT(EPOCH FROM LEAST(s.planned_end, d.day_end)
                                     - GREATEST(s.planned_start, d.day_start)) / 60)
                    FILTER (WHERE s.id IS NOT NULL), 0)::int AS booked_minutes,
       COUNT(s.id)::int AS streams,
       ((r.closes_hour - r.opens_hour) * 60)::int AS open_minutes
FROM {rooms} r
CROSS JOIN (
    SELECT g::date AS day, (g::date::timestamp AT TIME ZONE %(tz)s) AS day_start,
           ((g::date + 1)::timestamp AT TIME ZONE %(tz)s) AS day_end
    FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') g
) d
LEFT JOIN {streams} s
    ON s.room_id = r.id AND s.planned_start < d.day_end AND s.planned_end > d.day_start
   AND s.planned_start >= d.day_start - interval '1 day'
   AND s.status = ANY(%(statuses)s)
WHERE r.is_active {only}
GROUP BY r.base_id, r.id, d.day, r.opens_hour, r.closes_hour
"""
)


def room_day_usage_sql(*, only_rooms: bool) -> sql.Composed:
    """The rule's SQL: one row per active room and day (``%(first)s``..``%(last)s``), of every
    base, or of the rooms in ``%(rooms)s`` when ``only_rooms``."""
    return ROOM_DAY_USAGE_SQL.format(
        rooms=sql.Identifier(LiveRoom._meta.db_table),
        streams=sql.Identifier(LiveStream._meta.db_table),
        only=sql.SQL("AND r.id = ANY(%(rooms)s)" if only_rooms else ""),
    )


def room_day_usage_params(*, first: dt.date, last: dt.date, **extra) -> dict:
    return {
        "tz": timezone.get_default_timezone_name(),
        "first": first,
        "last": last,
        "statuses": [str(status) for status in UTILISATION_STATUSES],
        **extra,
    }


def utilisation_percent(booked_minutes, open_minutes) -> Decimal | None:
    """Booked over open time in percent, to one decimal (None without open time)."""
    if not open_minutes:
        return None
    return (Decimal(booked_minutes) * 100 / Decimal(open_minutes)).quantize(Decimal("0.1"))


def utilisation_figures(booked_minutes: int, open_minutes: int) -> dict:
    """What every page shows of a utilisation: booked and open hours, and the percent."""
    return {
        "booked_minutes": booked_minutes,
        "open_minutes": open_minutes,
        "booked_hours": (Decimal(booked_minutes) / 60).quantize(Decimal("0.1")),
        "open_hours": (Decimal(open_minutes) / 60).quantize(Decimal("0.1")),
        "percent": utilisation_percent(booked_minutes, open_minutes),
    }


# Booked and open room time of the day per base, by the rule; every base gets a row, so nothing
# is left stale.
_ROLLUP_ROOM_DAY_SQL = sql.SQL(
    """
INSERT INTO {usage}
    (day, base_id, booked_minutes, streams, rooms, open_minutes, rolled_at)
SELECT %(day)s, b.id, COALESCE(u.booked, 0), COALESCE(u.streams, 0), COALESCE(u.rooms, 0),
       COALESCE(u.open, 0), %(now)s
FROM {bases} b
LEFT JOIN (
    SELECT base_id, SUM(booked_minutes) AS booked, SUM(streams) AS streams, COUNT(*) AS rooms,
           SUM(open_minutes) AS open
    FROM ({rule}) ru
    GROUP BY base_id
) u ON u.base_id = b.id
ON CONFLICT (day, base_id) DO UPDATE SET
    booked_minutes = EXCLUDED.booked_minutes, streams = EXCLUDED.streams,
    rooms = EXCLUDED.rooms, open_minutes = EXCLUDED.open_minutes, rolled_at = EXCLUDED.rolled_at
"""
).format(
    usage=sql.Identifier(DailyRoomUsage._meta.db_table),
    bases=sql.Identifier(Base._meta.db_table),
    rule=room_day_usage_sql(only_rooms=False),
)


def rollup_room_day(*, cursor, day: dt.date, now: dt.datetime) -> None:
    """Store ``day``'s room usage of every base (one statement, in the caller's transaction)."""
    cursor.execute(
        _ROLLUP_ROOM_DAY_SQL, room_day_usage_params(first=day, last=day, day=day, now=now)
    )


def room_utilisation(*, reach: Reach, first: dt.date, last: dt.date) -> dict:
    """The base's room utilisation from ``first`` to ``last`` (inclusive), read from the daily
    room-usage rollup: the rule above summed over the rooms and days (one query)."""
    usage = (
        reach.scope(DailyRoomUsage.objects.all())
        .filter(day__gte=first, day__lte=last)
        .aggregate(minutes=Sum("booked_minutes", default=0), open=Sum("open_minutes", default=0))
    )
    return utilisation_figures(usage["minutes"], usage["open"])
