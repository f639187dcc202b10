"""The local day a seed and its reads share.

The demo dates its rows from "now" in the base's time zone (a stream due today, today's orders).
A seed made at 23:59 and read at 00:01 is read on another day: today's stream is then
yesterday's, and a home that should list it is empty. Tests that seed once and read many times
therefore seed clear of local midnight and seed again when the local day has changed.
"""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

# A seed takes seconds; a few minutes of margin covers it and the first reads after it.
MARGIN = dt.timedelta(minutes=3)


def local_day() -> dt.date:
    return timezone.localdate()


def clear_of_midnight(margin: dt.timedelta = MARGIN) -> dt.date:
    """Wait out local midnight when it is less than ``margin`` away; the local day it is then."""
    now = timezone.localtime()
    midnight = timezone.make_aware(
        dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time()), now.tzinfo
    )
    if midnight - now < margin:
        time.sleep((midnight - now).total_seconds() + 1)
    return local_day()
