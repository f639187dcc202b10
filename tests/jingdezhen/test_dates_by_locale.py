"""Dates read as each language writes them (jingdezhen/formats, the ``dates`` filters): in
Chinese 12月3日 周四, 2026年12月3日, 19:30; in English Thu 3 Dec, 3 December 2026, 19:30; the
order list, the run sheet and the schedule pages use them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db

EVENING = dt.datetime(2026, 12, 3, 19, 30)


def _aware(naive: dt.datetime) -> dt.datetime:
    return timezone.make_aware(naive)


def _render(text: str, lang: str, **context) -> str:
    with translation.override(lang):
        return Template("{% load dates %}" + text).render(Context(context))


@time_machine.travel(_aware(dt.datetime(2026, 12, 3, 12, 0)), tick=False)
@pytest.mark.parametrize(
    ("lang", "day", "long_day", "day_hm", "other_year"),
    [
        ("zh-hans", "12月3日 周四", "2026年12月3日", "12月3日 周四 19:30", "2025年12月3日 周三"),
        ("en", "Thu 3 Dec", "3 December 2026", "Thu 3 Dec 19:30", "Wed 3 Dec 2025"),
    ],
)
def test_the_date_filters_read_natively(lang, day, long_day, day_hm, other_year):
    when = _aware(EVENING)
    a_year_ago = _aware(dt.datetime(2025, 12, 3, 9, 0))
    text = "{{ w|day }}|{{ w|long_day }}|{{ w|day_hm }}|{{ w|hm }}|{{ old|day }}"
    assert _render(text, lang, w=when, old=a_year_ago).split("|") == [
        day,
        long_day,
        day_hm,
        "19:30",
        other_year,
    ]


def test_an_aware_time_is_read_in_the_bases_zone():
    utc_noon = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)  # 20:00 in Shanghai
    assert _render("{{ w|hm }}", "en", w=utc_noon) == "20:00"


def test_the_order_list_dates_read_natively_in_both_languages(client, client_zh, owner, merchant):
    with time_machine.travel(_aware(dt.datetime(2026, 12, 3, 21, 0)), tick=False):
        factories.TurnoverOrderFactory(merchant=merchant, placed_at=_aware(EVENING))
        login(client_zh, owner)
        zh = client_zh.get("/orders/").content.decode()
        login(client, owner)
        en = client.get("/orders/").content.decode()
    assert "12月3日 周四 19:30" in zh and "2026-12-03" not in zh
    assert "Thu 3 Dec 19:30" in en


def test_the_run_sheet_and_the_stream_page_read_natively(client, client_zh, owner, merchant):
    with time_machine.travel(_aware(dt.datetime(2026, 12, 3, 12, 0)), tick=False):
        stream = factories.LiveStreamFactory(
            merchant=merchant,
            planned_start=_aware(EVENING),
            planned_end=_aware(EVENING) + dt.timedelta(hours=2),
        )
        login(client_zh, owner)
        login(client, owner)
        for path in (f"/streams/{stream.pk}/run-sheet/", f"/streams/{stream.pk}/"):
            zh = client_zh.get(path).content.decode()
            en = client.get(path).content.decode()
            assert "12月3日 周四 19:30" in zh and "21:30" in zh, path
            assert "Thu 3 Dec 19:30" in en, path
