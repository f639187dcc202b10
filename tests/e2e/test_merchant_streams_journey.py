"""A merchant schedules and runs live streams in the browser (SPEC journey 1, livestreams).

The demo merchant ``merchant`` (Zhou Le Ceramics) opens the week calendar from the navigation and
moves between weeks without a page load (htmx); books a base room for a day next week through the
form while the form's free-slots panel shows when the room is free; tries to book the same room
over it and is told which stream it clashes with, with nothing booked; books a recurring series of
which one date clashes and reads the per-date report. Then it books a stream from its own studio
for right now, puts products on the run sheet in order, goes live, marks the product being shown
on the phone run sheet, sees the sheet refresh itself when an order takes stock, ends the stream,
records its results and reads the post-stream report.

Booking rules the journey relies on (livestreams/services/booking_rules.py and the demo seed):
rooms open 08:00-24:00, 15 minutes of changeover after every room booking, a cap of 16 room hours
per merchant a day, no live-hosting course required; the demo seed books Ran Xiangfei in room 2
from 14:00 and 20:00 every day of the next two weeks and Zhou Le never between 16:30 and 18:00, so
16:30-17:30 in room 2 is free on every day from tomorrow on, whatever day the test runs. A stream
can go live at most one hour before its planned start, so the stream that is run is booked for now,
in the own studio (which has no opening hours), hosted by the owner (who hosts none of the seeded
streams).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from decimal import Decimal

import pytest
from django.db.models import F, Q, Sum
from django.utils import timezone
from playwright.sync_api import Page, expect

from jingdezhen.core.tenancy import reach_for
from livestreams.models import LiveRoom, LiveStream, StreamSettings
from merchants.models import Merchant, TeamMember
from orders.intake.specs import LineIn
from orders.models import Order, Product
from orders.ordering import services as order_services

from . import pages

CASES = [("phone", "zh"), ("desktop", "en")]

ZHOU_LE = "周乐陶瓷 Zhou Le Ceramics"
ROOM = "2号直播间 Room 2"
HOST = "周乐团队1号"
OTHER_HOST = "周乐团队2号"

STREAMS_NAV = {"zh": "直播场次", "en": "Streams"}
SCHEDULED = {"zh": "直播已安排。", "en": "Stream scheduled."}
ADDED = {"zh": "已加入排品单。", "en": "Added to the run sheet."}
IS_LIVE = {"zh": "直播已开始。", "en": "The stream is live."}
HAS_ENDED = {"zh": "直播已结束", "en": "The stream has ended."}
RESULTS_SAVED = {"zh": "数据已保存。", "en": "Results saved."}
NOW_SHOWING = {"zh": "正在讲解", "en": "Now showing"}
LIVE = {"zh": "直播中", "en": "Live"}
BOOKED = {"zh": "已预订 {n} 场直播。", "en": "{n} streams booked."}


def _shot(page: Page, name: str) -> None:
    """``pages.shot``, then the page scrolled back where it was: headless Chromium leaves a page
    taller than the window scrolled to its end after a full-page screenshot, and on a desktop
    window the next click there fell on nothing (the results form was never sent)."""
    scrolled = page.evaluate("[window.scrollX, window.scrollY]")
    pages.shot(page, name)
    page.evaluate("([x, y]) => window.scrollTo(x, y)", scrolled)


def _span(start: str, end: str) -> str:
    """A span of time as the pages print it, with an en dash."""
    return f"{start}\u2013{end}"


def _iso(day: dt.date) -> str:
    return day.isoformat()


ZH_WEEKDAYS = "一二三四五六日"


def _day_text(day: dt.date, lang: str) -> str:
    """A day as the pages print it (the ``day`` filter): 12月10日 周四 / Thu 10 Dec, with the
    year for another year's day."""
    other_year = day.year != timezone.localdate().year
    if lang == "zh":
        shown = (
            f"{day.year}年{day.month}月{day.day}日" if other_year else f"{day.month}月{day.day}日"
        )
        return f"{shown} 周{ZH_WEEKDAYS[day.weekday()]}"
    shown = f"{day.day} {day:%b}" + (f" {day.year}" if other_year else "")
    return f"{day:%a} {shown}"


def _pick_product(page: Page, product) -> None:
    """Find a product by its SKU in the run sheet's picker and choose it."""
    page.locator("#id_product").fill(product.sku)
    choice = page.locator("#id_product_options label.picker-option", has_text=product.sku)
    expect(choice).to_have_count(1)
    choice.click()
    expect(choice.locator("input[type=radio]")).to_be_checked()


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _merchant() -> Merchant:
    return Merchant.objects.get(name=ZHOU_LE)


def _member(merchant: Merchant, name: str) -> TeamMember:
    return TeamMember.objects.get(merchant=merchant, name=name)


def _mark_page(page: Page) -> None:
    """Leave a mark on the window: it survives an htmx swap and is gone after a page load."""
    page.evaluate("window.__jdzNoReload = true")


def _not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__jdzNoReload === true")


def _week_nav(page: Page, monday: dt.date) -> None:
    """Follow the calendar's previous/next week link to ``monday``'s week (an htmx swap)."""
    page.locator(f'#week a[href="?week={_iso(monday)}"]').click()
    expect(page.locator("#week .week-nav strong time")).to_have_attribute("datetime", _iso(monday))
    expect(page).to_have_url(re.compile(rf"/streams/\?week={_iso(monday)}$"))


def _day_column(page: Page, day: dt.date):
    return page.locator("#week .week-day").filter(
        has=page.locator(f'h2 time[datetime="{_iso(day)}"]')
    )


def _free_slots(settings: StreamSettings, room: LiveRoom, day: dt.date) -> list[str]:
    """What the free-slots panel should list, worked out here from the room's bookings: the
    opening hours less each active booking with the changeover before and after it."""
    midnight = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))
    opens = midnight + dt.timedelta(hours=room.opens_hour)
    closes = midnight + dt.timedelta(hours=room.closes_hour)
    buffer = dt.timedelta(minutes=settings.changeover_minutes)
    busy = sorted(
        (s.planned_start - buffer, s.planned_end + buffer)
        for s in LiveStream.objects.filter(room=room, status__in=LiveStream.ACTIVE_STATUSES)
        if s.planned_start < closes and s.planned_end + buffer > opens
    )
    free, cursor = [], opens
    for start, end in busy:
        if start - cursor >= dt.timedelta(minutes=15):
            free.append((cursor, start))
        cursor = max(cursor, end)
    if closes - cursor >= dt.timedelta(minutes=15):
        free.append((cursor, closes))
    return [
        _span(f"{timezone.localtime(a):%H:%M}", f"{timezone.localtime(b):%H:%M}") for a, b in free
    ]


def _expect_free_slots(page: Page, expected: list[str]) -> None:
    slots = page.locator("#free-slots li.slot-free")
    expect(slots).to_have_count(len(expected))
    for slot, text in zip(slots.all(), expected, strict=True):
        expect(slot).to_contain_text(text)


def _fill_stream_form(
    page: Page,
    *,
    title: str,
    platform: str,
    start: str,
    end: str,
    room: LiveRoom | None,
    host: TeamMember,
    day: dt.date | None = None,
) -> None:
    page.locator("#id_title").fill(title)
    page.locator("#id_platform").select_option(platform)
    if day is not None:
        page.locator("#id_day").fill(_iso(day))
    page.locator("#id_start_time").fill(start)
    page.locator("#id_end_time").fill(end)
    page.locator("#id_room").select_option(str(room.pk) if room else "")
    page.locator("#id_host").select_option(str(host.pk))


def _open_calendar(page: Page, lang: str) -> None:
    pages.follow_nav(page, STREAMS_NAV[lang])
    expect(page).to_have_url(re.compile(r"/streams/$"))
    expect(page.locator("#week .week-nav strong time")).to_have_attribute(
        "datetime", _iso(_monday(timezone.localdate()))
    )


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_merchant_books_a_room_is_told_of_clashes_and_books_a_series(open_page, size, lang):
    page = open_page(size, lang)
    zhou = _merchant()
    room = LiveRoom.objects.get(base=zhou.base, name=ROOM)
    rules = StreamSettings.objects.get(base=zhou.base)
    host, other_host = _member(zhou, HOST), _member(zhou, OTHER_HOST)
    today = timezone.localdate()
    this_monday = _monday(today)
    day = today + dt.timedelta(days=7)  # always in next week's calendar
    next_monday = _monday(day)
    assert next_monday == this_monday + dt.timedelta(days=7)

    pages.login(page, "merchant")
    _open_calendar(page, lang)
    _shot(page, "calendar-this-week")

    # Weeks change in place (htmx): the window is never reloaded and the address follows.
    _mark_page(page)
    _week_nav(page, next_monday)
    _week_nav(page, next_monday + dt.timedelta(days=7))
    _week_nav(page, next_monday)
    assert _not_reloaded(page), "moving between weeks reloaded the page"
    _shot(page, "calendar-next-week")

    # --- a single stream in room 2, from the day's "+ Add" link ---------------------------
    title = f"Celadon tea set preview {lang}"
    with page.expect_navigation():
        _day_column(page, day).locator(f'a[href="/streams/new/?day={_iso(day)}"]').click()
    expect(page.locator("#id_day")).to_have_value(_iso(day))
    _fill_stream_form(
        page, title=title, platform="taobao", start="16:30", end="17:30", room=room, host=host
    )
    # Choosing the room loads its free slots of that day beside the form.
    expect(page.locator("#free-slots")).to_contain_text(ROOM)
    _expect_free_slots(page, _free_slots(rules, room, day))
    _expect_free_slots(
        page, [_span("08:00", "13:45"), _span("16:15", "19:45"), _span("22:15", "00:00")]
    )
    _shot(page, "stream-form-free-slots")
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    expect(page.locator("ul.messages")).to_contain_text(SCHEDULED[lang])
    expect(page.locator("h1")).to_contain_text(title)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(f"{_day_text(day, lang)} {_span('16:30', '17:30')}")
    expect(facts).to_contain_text(ROOM)
    expect(facts).to_contain_text(HOST)
    single = LiveStream.objects.get(merchant=zhou, title=title)
    assert single.room == room and single.host == host and single.platform == "taobao"
    expect(page).to_have_url(re.compile(rf"/streams/{single.pk}/$"))
    _shot(page, "stream-scheduled")

    # It shows in next week's calendar, on its day.
    _open_calendar(page, lang)
    _week_nav(page, next_monday)
    expect(_day_column(page, day).locator(".stream-chip", has_text=title)).to_contain_text(
        _span("16:30", "17:30")
    )
    _shot(page, "calendar-with-stream")

    # --- the same room over it: the clash is named and nothing is booked -------------------
    clash_title = f"Overlapping glaze demo {lang}"
    with page.expect_navigation():
        _day_column(page, day).locator(f'a[href="/streams/new/?day={_iso(day)}"]').click()
    _fill_stream_form(
        page,
        title=clash_title,
        platform="douyin",
        start="17:00",
        end="18:00",
        room=room,
        host=other_host,
    )
    # The free slots now leave out the booked hour and its changeover on both sides.
    _expect_free_slots(page, _free_slots(rules, room, day))
    _expect_free_slots(
        page, [_span("08:00", "13:45"), _span("17:45", "19:45"), _span("22:15", "00:00")]
    )
    _shot(page, "clash-form-free-slots")
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/streams/new/"))
    error = page.locator("main form.card ul.errors")
    expect(error).to_contain_text(title)
    expect(error).to_contain_text(f"{_iso(day)} 16:30-17:30")
    expect(error).to_contain_text(ROOM)
    # What was typed is still there to correct.
    expect(page.locator("#id_title")).to_have_value(clash_title)
    expect(page.locator("#id_start_time")).to_have_value("17:00")
    assert not LiveStream.objects.filter(title=clash_title).exists()
    _shot(page, "clash-explained")

    # --- a series: every day at 16:30 for a week, one date clashes with the stream above ---
    series_title = f"Evening famille-rose hour {lang}"
    first = day - dt.timedelta(days=2)
    dates = [first + dt.timedelta(days=n) for n in range(7)]
    _open_calendar(page, lang)
    with page.expect_navigation():
        page.locator('main a[href="/streams/series/new/"]').click()
    page.locator("#id_title").fill(series_title)
    page.locator("#id_platform").select_option("douyin")
    page.locator("#id_start_time").fill("16:30")
    page.locator("#id_duration_minutes").fill("60")
    page.locator("#id_first_date").fill(_iso(first))
    page.locator("#id_weeks").fill("1")
    weekdays = page.locator("input[name=weekdays]")
    expect(weekdays).to_have_count(7)
    for box in weekdays.all():
        expect(box).to_be_checked()
    page.locator("#id_room").select_option(str(room.pk))
    page.locator("#id_host").select_option(str(host.pk))
    _shot(page, "series-form")
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()

    booked = LiveStream.objects.filter(merchant=zhou, series__title=series_title)
    booked_days = sorted(timezone.localtime(s.planned_start).date() for s in booked)
    assert booked_days == [d for d in dates if d != day]
    assert {s.status for s in booked} == {LiveStream.Status.SCHEDULED}
    expect(page.locator("h1")).to_contain_text(series_title)
    expect(page.locator(".msg-success")).to_contain_text(BOOKED[lang].format(n=len(booked_days)))
    clashes = page.locator("ul.clash-list li")
    expect(clashes).to_have_count(1)
    expect(clashes.first).to_contain_text(_day_text(day, lang))
    expect(clashes.first).to_contain_text(title)
    streams = page.locator("main section.card ul.plain li a")
    expect(streams).to_have_count(len(booked_days))
    _shot(page, "series-booked-with-clash")

    # Next week's calendar shows the series on its days there, and the single stream on its own.
    _open_calendar(page, lang)
    _week_nav(page, next_monday)
    in_week = [d for d in booked_days if _monday(d) == next_monday]
    expect(page.locator("#week .stream-chip", has_text=series_title)).to_have_count(len(in_week))
    expect(_day_column(page, day).locator(".stream-chip", has_text=series_title)).to_have_count(0)
    expect(_day_column(page, day).locator(".stream-chip", has_text=title)).to_have_count(1)
    _shot(page, "calendar-with-series")


def _ended_stream_gmvs(merchant: Merchant) -> list[Decimal]:
    """Each ended (not rehearsal) stream's GMV: its counted orders, less refunds."""
    streams = LiveStream.objects.filter(
        merchant=merchant, status=LiveStream.Status.ENDED, is_rehearsal=False
    ).annotate(
        gmv=Sum(
            F("orders__amount_cny") - F("orders__refunded_cny"),
            filter=Q(orders__status__in=Order.COUNTED_STATUSES),
        )
    )
    return [s.gmv or Decimal("0") for s in streams]


def _live_slot(now: dt.datetime) -> tuple[dt.date, str, str]:
    """A one-hour slot the stream can go live in right away: from now, or from midnight when the
    day is nearly over (a stream may go live up to an hour before its planned start)."""
    if now.hour < 23:
        start = now.replace(second=0, microsecond=0)
        end = start + dt.timedelta(hours=1)
        return now.date(), f"{start:%H:%M}", f"{end:%H:%M}"
    return now.date() + dt.timedelta(days=1), "00:00", "01:00"


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_merchant_runs_a_stream_from_the_run_sheet_and_reads_its_report(open_page, size, lang):
    page = open_page(size, lang)
    zhou = _merchant()
    owner = TeamMember.objects.get(merchant=zhou, role=TeamMember.Role.OWNER)
    first, second = Product.objects.filter(merchant=zhou, is_active=True, stock__gte=5).order_by(
        "pk"
    )[:2]
    live_price = Decimal("168.00")
    day, start, end = _live_slot(timezone.localtime())

    pages.login(page, "merchant")
    _open_calendar(page, lang)

    # --- book it for now, from the own studio ---------------------------------------------
    title = f"Tonight's celadon bowls {lang}"
    with page.expect_navigation():
        page.locator('main a.btn[href="/streams/new/"]').click()
    _fill_stream_form(
        page,
        title=title,
        platform="douyin",
        day=day,
        start=start,
        end=end,
        room=None,
        host=owner,
    )
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    expect(page.locator("ul.messages")).to_contain_text(SCHEDULED[lang])
    stream = LiveStream.objects.get(merchant=zhou, title=title)
    assert stream.room is None and stream.host == owner

    # --- the run sheet: two products, the second moved to the top --------------------------
    talking_points = "Hold the bowl to the ring light: the celadon glaze pools green."
    _pick_product(page, first)
    page.locator("#id_talking_points").fill(talking_points)
    page.locator("#id_live_price").fill(str(live_price))
    with page.expect_navigation():
        page.locator("form[action$='/featured/'] button[type=submit]:not([form])").click()
    expect(page.locator("ul.messages")).to_contain_text(ADDED[lang])
    _pick_product(page, second)
    with page.expect_navigation():
        page.locator("form[action$='/featured/'] button[type=submit]:not([form])").click()
    items = page.locator("ol.runsheet-edit > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(first.name)
    expect(items.nth(1)).to_contain_text(second.name)
    with page.expect_navigation():
        items.nth(1).locator("form[action$='/up/'] button").click()
    expect(items.nth(0)).to_contain_text(second.name)
    expect(items.nth(1)).to_contain_text(first.name)
    _shot(page, "stream-with-run-sheet")

    # --- go live, then the phone run sheet ---------------------------------------------------
    with page.expect_navigation():
        page.locator("form[action$='/go-live/'] button").click()
    expect(page.locator("ul.messages")).to_contain_text(IS_LIVE[lang])
    expect(page.locator("h1 .tag").first).to_have_text(LIVE[lang])
    stream.refresh_from_db()
    assert stream.status == LiveStream.Status.LIVE and stream.actual_start is not None
    with page.expect_navigation():
        page.locator(f'main a.btn[href="/streams/{stream.pk}/run-sheet/"]').first.click()
    expect(page).to_have_url(re.compile(rf"/streams/{stream.pk}/run-sheet/$"))
    expect(page.locator("h1")).to_have_text(title)

    sheet = page.locator("#runsheet-items li.runsheet-item")
    expect(sheet).to_have_count(2)
    shown_first, shown_second = sheet.nth(0), sheet.nth(1)
    second.refresh_from_db()
    first.refresh_from_db()
    expect(shown_first.locator(".runsheet-head")).to_contain_text(f"1. {second.name}")
    expect(shown_first.locator(".runsheet-facts")).to_contain_text(f"¥{second.price:,}")
    expect(shown_first.locator(".runsheet-facts strong").nth(1)).to_have_text(str(second.stock))
    expect(shown_second.locator(".runsheet-head")).to_contain_text(f"2. {first.name}")
    expect(shown_second.locator(".runsheet-facts")).to_contain_text(f"¥{live_price:,}")
    expect(shown_second.locator(".runsheet-facts strong").nth(1)).to_have_text(str(first.stock))
    expect(shown_second).to_contain_text(talking_points)
    _shot(page, "run-sheet")

    # Mark the product with the live price (second on the sheet) as the one being shown: the
    # list is swapped in place. A poll already on its way may swap in the list of a moment
    # before, so allow for the next poll (every 5 seconds).
    _mark_page(page)
    shown_second.get_by_role("button").click()
    expect(shown_second).to_have_class(re.compile(r"\brunsheet-now\b"), timeout=12_000)
    expect(shown_second.locator(".runsheet-head .tag")).to_have_text(NOW_SHOWING[lang])
    expect(shown_second.get_by_role("button")).to_have_count(0)
    expect(shown_first.get_by_role("button")).to_have_count(1)
    stream.refresh_from_db()
    assert stream.showing.product_id == first.pk
    _shot(page, "run-sheet-now-showing")

    # A buyer orders two of it during the stream (through the orders service, as the platform
    # intake would): the run sheet refreshes itself (htmx polling) and shows the stock left.
    stock_before = first.stock
    order = order_services.order_place(
        reach=reach_for(owner.user),
        merchant=zhou,
        platform="douyin",
        lines=[LineIn(product_id=first.pk, quantity=2, unit_price=live_price)],
        stream_id=stream.pk,
    )
    order_services.order_pay(reach=reach_for(owner.user), order=order)
    first.refresh_from_db()
    assert first.stock == stock_before - 2
    expect(shown_second.locator(".runsheet-facts strong").nth(1)).to_have_text(
        str(first.stock), timeout=15_000
    )
    assert _not_reloaded(page), "the run sheet reloaded the page instead of refreshing in place"
    _shot(page, "run-sheet-refreshed")

    # --- end the stream (from the run sheet's sticky bar, which asks first), record its
    # results, read the report --------------------------------------------------------------
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form[action$='/end/'] button").click()
    expect(page).to_have_url(re.compile(rf"/streams/{stream.pk}/$"))
    expect(page.locator("ul.messages")).to_contain_text(HAS_ENDED[lang])
    results = {
        "unique_viewers": 2400,
        "peak_viewers": 380,
        "avg_watch_seconds": 95,
        "new_followers": 120,
        "product_clicks": 640,
    }
    for name, value in results.items():
        page.locator(f"#id_{name}").fill(str(value))
    _shot(page, "results-form")
    with page.expect_navigation():
        page.locator("form[action$='/results/'] button[type=submit]").click()
    expect(page.locator("ul.messages")).to_contain_text(RESULTS_SAVED[lang])
    stream.refresh_from_db()
    assert stream.status == LiveStream.Status.ENDED
    assert {name: getattr(stream, name) for name in results} == results
    for name, value in results.items():
        expect(page.locator(f"#id_{name}")).to_have_value(str(value))

    with page.expect_navigation():
        page.locator(f'main a[href="/streams/{stream.pk}/report/"]').click()
    gmv = live_price * 2
    viewers = results["unique_viewers"]
    expect(page.locator(".card.stat .stat-value")).to_have_text(
        [
            f"{gmv:,}",
            "1",
            "2",
            f"{gmv:,}",
            f"{(gmv * 1000 / viewers).quantize(Decimal('0.01')):,}",
            f"{round(100 / viewers, 2)}%",
            str(viewers),
            str(results["peak_viewers"]),
            str(results["avg_watch_seconds"]),
        ]
    )
    # Against the merchant's median stream (worked out here from the orders of its ended streams).
    gmvs = _ended_stream_gmvs(zhou)
    compared = page.locator("main section.card").nth(0).locator("tr")
    expect(compared.nth(0).locator("td")).to_have_text(f"{gmv:,}")  # amounts: thousands separated
    expect(compared.nth(1).locator("th")).to_contain_text(str(len(gmvs)))
    expect(compared.nth(1).locator("td")).to_have_text(
        f"{Decimal(statistics.median(gmvs)).quantize(Decimal('0.01')):,}"
    )
    top = page.locator("main section.card").nth(1).locator("tbody tr")
    expect(top).to_have_count(1)
    expect(top.first.locator("td")).to_have_text([first.name, "2", f"{gmv:,}"])
    _shot(page, "report")
