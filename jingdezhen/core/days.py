"""The base's calendar: one local time zone (``settings.TIME_ZONE``) for every business day.

A day, week or month of turnover, of the schedule or of a cohort is a local calendar period;
these are its aware bounds, defined once for pages, API, rollups and demo.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def today() -> dt.date:
    """The base's local date now."""
    return timezone.localdate(timezone.now(), local_zone())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware start (inclusive) and end (exclusive) of a local calendar day."""
    zone = local_zone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``day``'s month and the first day of the next one."""
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)
