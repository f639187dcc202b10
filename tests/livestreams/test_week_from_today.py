"""The week calendar on a phone opens on today: today, the days after it, then the earlier ones
(marked), an empty day one short row; another week runs from its Monday. Its days read in each
language's own way (12月3日 周四 / Thu 3 Dec)."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.utils import timezone

from livestreams.calendar import week_from_today
from tests import factories
from tests.conftest import login

THURSDAY = dt.date(2026, 12, 3)
MONDAY = dt.date(2026, 11, 30)


def _week(monday: dt.date) -> list[dict]:
    return [{"date": monday + dt.timedelta(days=i), "streams": []} for i in range(7)]


def test_this_week_starts_today_and_ends_with_the_earlier_days():
    days = week_from_today(_week(MONDAY), THURSDAY)
    assert [d["date"].day for d in days] == [3, 4, 5, 6, 30, 1, 2]
    assert [d["past"] for d in days] == [False] * 4 + [True] * 3
    assert [d["first_past"] for d in days] == [False] * 4 + [True, False, False]
    assert [d["weekday"] for d in days] == [3, 4, 5, 6, 0, 1, 2]  # the desktop's columns


def test_on_a_monday_the_week_is_in_its_own_order():
    days = week_from_today(_week(MONDAY), MONDAY)
    assert [d["date"] for d in days] == [MONDAY + dt.timedelta(days=i) for i in range(7)]
    assert not any(d["past"] for d in days)


def test_another_week_runs_from_its_monday_with_nothing_marked_past():
    days = week_from_today(_week(MONDAY + dt.timedelta(days=7)), THURSDAY)
    assert [d["date"].day for d in days] == [7, 8, 9, 10, 11, 12, 13]
    assert not any(d["past"] or d["first_past"] for d in days)


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _headings(html: str) -> list[str]:
    return re.findall(r'<h2><time datetime="(\d{4}-\d{2}-\d{2})">([^<]+)</time>', html)


def test_the_calendar_page_lists_today_first_in_chinese_and_in_english(
    client, client_zh, owner, merchant
):
    start = timezone.make_aware(dt.datetime.combine(THURSDAY, dt.time(19, 30)))
    factories.LiveStreamFactory(
        merchant=merchant,
        title="Celadon night",
        planned_start=start,
        planned_end=start + dt.timedelta(hours=2),
    )
    with time_machine.travel(_noon(THURSDAY), tick=False):
        login(client_zh, owner)
        zh = client_zh.get("/streams/").content.decode()
        login(client, owner)
        en = client.get("/streams/").content.decode()
    assert _headings(zh)[0] == ("2026-12-03", "12月3日 周四")
    assert _headings(zh)[4] == ("2026-11-30", "11月30日 周一")
    assert "2026年11月30日" in zh and "19:30\u201321:30" in zh
    assert "本周早些时候" in zh
    assert _headings(en)[0] == ("2026-12-03", "Thu 3 Dec")
    assert "30 November 2026" in en and "Earlier this week" in en
    # an empty day is one short row
    assert en.count("week-day wd-") == 7 and en.count(" week-empty") == 6
