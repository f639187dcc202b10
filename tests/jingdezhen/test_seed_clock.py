"""Seeds of the demo are made clear of local midnight (tests/support/clock.py)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import time_machine

from tests.support import clock

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_a_seed_due_just_before_midnight_waits_for_the_next_day():
    before = dt.datetime(2026, 12, 3, 23, 59, 58, 500000, tzinfo=SHANGHAI)
    with time_machine.travel(before, tick=True):
        day = clock.clear_of_midnight(margin=dt.timedelta(seconds=5))
        assert day == dt.date(2026, 12, 4)
        assert clock.local_day() == day


def test_a_seed_far_from_midnight_does_not_wait():
    noon = dt.datetime(2026, 12, 3, 12, 0, tzinfo=SHANGHAI)
    with time_machine.travel(noon, tick=False):
        assert clock.clear_of_midnight() == dt.date(2026, 12, 3)
