"""The base manager's journey (SPEC journey 2), in a browser, in Chinese on a phone and in English
on a desktop.

The demo manager finds merchants in the list, filtered and sorted by htmx without a reload; reads
an incubating merchant's incubation timeline (stage history, milestones, training, streams,
turnover trend) and checks its figures against the database; writes a supervision review; is
refused a stage change without a reason; graduates that merchant and admits an applicant, each
move kept with who, when and why; reads the room schedule of a day and the week's room
utilisation; and reads the base dashboard and its CSV, whose figures equal the sums of the orders.
A merchant, meanwhile, cannot open another merchant's page.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.forms import Field
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from jingdezhen.core.days import day_bounds, local_zone
from livestreams.models import LiveRoom, LiveStream
from merchants.models import Base, Merchant, Milestone, Review, StageChange, TeamMember, User
from orders.models import Order
from orders.turnover import rollup
from training.models import Enrollment

from . import pages
from .conftest import HTML_LANG

CASES = [("phone", "zh"), ("desktop", "en")]

# The main navigation's entries the journey follows, as a person reads them.
NAV = {
    "merchants": {"zh": "商家", "en": "Merchants"},
    "schedule": {"zh": "直播间排期", "en": "Room schedule"},
    "dashboard": {"zh": "数据看板", "en": "Dashboard"},
    "my_store": {"zh": "我的店铺", "en": "My store"},
}
REVIEW_NOTES = "两次超时占用直播间 Overran room 2 twice; agreed to end on time"
GRADUATION_REASON = "连续三个月日销过万 Three months of 10,000 CNY days"
ADMISSION_REASON = "样品与直播计划通过评审 Samples and streaming plan approved"
# Set in the window before an htmx step; a full page load would lose it.
MARKER = "() => { window.jdzNoReload = 'still here'; }"
MARKER_KEPT = "() => window.jdzNoReload === 'still here'"


# --- what the page should say, in the page's language ----------------------------------------


def _t(lang: str, message, **values) -> str:
    """A message (or a lazy label) as the app's catalogue says it in ``lang``."""
    with translation.override(HTML_LANG[lang]):
        text = str(translation.gettext(message) if isinstance(message, str) else message)
    return text % values if values else text


def _orders_text(lang: str, n: int) -> str:
    with translation.override(HTML_LANG[lang]):
        return translation.ngettext("%(n)s order", "%(n)s orders", n) % {"n": n}


def _cny(value) -> str:
    return f"{Decimal(value):,.2f}"


# --- the figures, computed from the database ---------------------------------------------------


def _counted_orders(**filters):
    """The orders that count towards turnover, as the rollups define them."""
    return Order.objects.filter(status__in=Order.COUNTED_STATUSES, **filters).exclude(
        stream__is_rehearsal=True
    )


def _net_and_count(orders) -> tuple[Decimal, int]:
    sums = orders.aggregate(
        gross=Sum("amount_cny", default=Decimal("0")),
        refunded=Sum("refunded_cny", default=Decimal("0")),
        n=Count("id"),
    )
    return sums["gross"] - sums["refunded"], sums["n"]


def _daily_figures(base: Base) -> dict[dt.date, dict]:
    """Net turnover and orders of each local day, summed straight from the orders."""
    rows = (
        _counted_orders(merchant__base=base)
        .annotate(day=TruncDate("placed_at", tzinfo=local_zone()))
        .values("day")
        .annotate(gross=Sum("amount_cny"), refunded=Sum("refunded_cny"), orders=Count("id"))
        .order_by()
    )
    return {r["day"]: {"net": r["gross"] - r["refunded"], "orders": r["orders"]} for r in rows}


def _today() -> dt.date:
    return timezone.localdate(timezone.now(), local_zone())


# --- the steps -----------------------------------------------------------------------------------


def _filter_and_sort_the_merchant_list(page: Page, lang: str, base: Base) -> Merchant:
    """Filter by stage and sort by milestones: htmx swaps the results, the page stays."""
    pages.follow_nav(page, NAV["merchants"][lang])
    expect(page).to_have_url(re.compile(r"/merchants/$"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(Merchant.objects.filter(base=base).count())
    pages.shot(page, "merchant-list")

    page.evaluate(MARKER)
    incubating = Merchant.objects.filter(base=base, stage=Merchant.Stage.INCUBATING)
    page.locator("#id_stage").select_option(Merchant.Stage.INCUBATING)
    expect(rows).to_have_count(incubating.count())
    expect(rows.locator(".tag.stage-incubating")).to_have_count(incubating.count())
    expect(page).to_have_url(re.compile(r"[?&]stage=incubating"))

    page.locator("#id_sort").select_option("-milestones")
    expected = list(
        incubating.annotate(n=Count("milestones")).order_by("-n", "name", "id")
    )  # the same ORDER BY on the same database, so Chinese names collate alike
    names = page.locator("#results tbody tr td:first-child > a")
    expect(names).to_have_text([m.name for m in expected])
    expect(page).to_have_url(re.compile(r"[?&]sort=-milestones"))
    assert page.evaluate(MARKER_KEPT), "filtering or sorting reloaded the whole page"
    pages.shot(page, "merchant-list-incubating-by-milestones")

    top = expected[0]
    with page.expect_navigation():
        names.first.click()
    expect(page).to_have_url(re.compile(rf"/merchants/{top.pk}/$"))
    return top


def _fact(page: Page, label: str):
    """The value of a labelled fact of the merchant's profile."""
    term = page.locator("dl.facts dt").filter(has_text=re.compile(rf"^{re.escape(label)}$"))
    return term.locator("xpath=following-sibling::dd[1]")


def _read_the_incubation_timeline(page: Page, lang: str, merchant: Merchant) -> None:
    expect(page.locator("h1")).to_have_text(merchant.name)
    expect(page.locator("dl.facts .tag.stage-incubating")).to_have_text(
        _t(lang, Merchant.Stage.INCUBATING.label)
    )
    timeline = page.locator("#timeline")

    # Stage history: each move with who made it and why.
    changes = list(
        StageChange.objects.filter(merchant=merchant)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )
    expect(timeline.locator("li.timeline-stage .muted")).to_have_text(
        [f"{c.changed_by} · {c.reason}" for c in changes]
    )

    # Milestones reached, each named.
    milestones = Milestone.objects.filter(merchant=merchant)
    reached = timeline.locator("li.timeline-milestone strong")
    expect(reached).to_have_count(milestones.count())
    assert sorted(reached.all_inner_texts()) == sorted(
        _t(lang, Milestone.Kind(m.kind).label) for m in milestones
    )

    # Training completed by the merchant's people.
    completed = (
        Enrollment.objects.filter(
            Q(trainee__merchant=merchant) | Q(trainee__team_member__merchant=merchant),
            status=Enrollment.Status.COMPLETED,
        )
        .select_related("cohort__course")
        .distinct()
    )
    expect(page.locator("#training li")).to_have_count(completed.count())
    for enrollment in completed:
        expect(page.locator("#training")).to_contain_text(enrollment.cohort.course.title)

    # Streams run (ended, rehearsals aside).
    streams_run = LiveStream.objects.filter(
        merchant=merchant, is_rehearsal=False, status=LiveStream.Status.ENDED
    ).count()
    expect(_fact(page, _t(lang, "Streams run"))).to_have_text(str(streams_run))

    # Turnover trend: each of the last eight weeks equals the sum of the merchant's orders.
    today = _today()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [monday - dt.timedelta(weeks=n) for n in range(8)]  # newest first, as the table
    figures = []
    for week in weeks:
        start, _ = day_bounds(week)
        end, _ = day_bounds(min(week + dt.timedelta(days=6), today))
        end += dt.timedelta(days=1)
        figures.append(
            _net_and_count(
                _counted_orders(merchant=merchant, placed_at__gte=start, placed_at__lt=end)
            )
        )
    assert any(net for net, _ in figures), "the demo merchant sold nothing in eight weeks"
    trend = page.locator("#turnover tbody tr")
    expect(trend.locator("td:nth-child(1)")).to_have_text([w.isoformat() for w in weeks])
    expect(trend.locator("td:nth-child(2)")).to_have_text([_cny(net) for net, _ in figures])
    expect(trend.locator("td:nth-child(3)")).to_have_text([str(n) for _, n in figures])
    pages.shot(page, "merchant-incubation-timeline")


def _write_a_review(page: Page, lang: str, merchant: Merchant) -> None:
    follow_up = timezone.localdate() + dt.timedelta(days=14)
    form = page.locator("#reviews form")
    form.locator("[name=outcome]").select_option(Review.Outcome.WARNING)
    form.locator("[name=notes]").fill(REVIEW_NOTES)
    form.locator("[name=follow_up_on]").fill(follow_up.isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    expect(page.locator(".messages")).to_contain_text(_t(lang, "Review saved."))
    newest = page.locator("#reviews ul.plain li").first
    expect(newest.locator(".tag.outcome-warning")).to_have_text(
        _t(lang, Review.Outcome.WARNING.label)
    )
    expect(newest).to_contain_text(follow_up.isoformat())
    expect(newest).to_contain_text(REVIEW_NOTES)
    latest = page.locator("#timeline li").last
    expect(latest.locator(".tag.outcome-warning")).to_be_visible()
    expect(latest).to_contain_text(REVIEW_NOTES)
    review = Review.objects.get(merchant=merchant, notes=REVIEW_NOTES)
    assert (review.outcome, review.follow_up_on) == (Review.Outcome.WARNING, follow_up)
    assert review.reviewer.username == "manager"
    pages.shot(page, "review-written")


def _expect_last_move(page: Page, lang: str, from_stage, to_stage, reason: str) -> None:
    """The stage history's newest entry: the move, who made it, today, and why."""
    manager = User.objects.get(username="manager")
    move = page.locator("#timeline li.timeline-stage").last
    expect(move.locator("strong")).to_have_text(
        _t(lang, "%(a)s → %(b)s", a=_t(lang, from_stage.label), b=_t(lang, to_stage.label))
    )
    expect(move.locator(".muted")).to_have_text(f"{manager} · {reason}")
    expect(move.locator("time")).to_have_text(timezone.localdate().isoformat())


def _graduate_after_a_refused_move(page: Page, lang: str, merchant: Merchant) -> None:
    history = StageChange.objects.filter(merchant=merchant)
    before = history.count()
    stage_form = page.locator("#stage form")
    stage_form.locator("[name=stage]").select_option(Merchant.Stage.GRADUATED)

    # No reason: the page comes back (400) with the error next to the reason, nothing moved.
    path = f"/merchants/{merchant.pk}/stage/"
    with pages.expect_refusal(page, path, 400), page.expect_navigation():
        stage_form.locator("button[type=submit]").click()
    reason_field = page.locator("#stage .field-error")
    expect(reason_field.locator("[name=reason]")).to_be_visible()
    expect(reason_field.locator(".errorlist")).to_have_text(
        _t(lang, Field.default_error_messages["required"])
    )
    expect(page.locator("dl.facts .tag.stage-incubating")).to_be_visible()
    expect(page.locator("#stage [name=stage]")).to_have_value(Merchant.Stage.GRADUATED)
    pages.shot(page, "stage-change-without-reason")
    merchant.refresh_from_db()
    assert merchant.stage == Merchant.Stage.INCUBATING
    assert history.count() == before

    # With a reason it graduates, and the history grows by that move.
    page.locator("#stage [name=reason]").fill(GRADUATION_REASON)
    with page.expect_navigation():
        page.locator("#stage form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/merchants/{merchant.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(_t(lang, "Stage changed."))
    expect(page.locator("dl.facts .tag.stage-graduated")).to_have_text(
        _t(lang, Merchant.Stage.GRADUATED.label)
    )
    expect(page.locator("#timeline li.timeline-stage")).to_have_count(before + 1)
    _expect_last_move(
        page, lang, Merchant.Stage.INCUBATING, Merchant.Stage.GRADUATED, GRADUATION_REASON
    )
    # A graduate may only leave now.
    expect(page.locator("#stage [name=stage] option")).to_have_count(1)
    expect(page.locator("#stage [name=stage] option")).to_have_attribute(
        "value", Merchant.Stage.EXITED
    )
    merchant.refresh_from_db()
    assert merchant.stage == Merchant.Stage.GRADUATED
    assert merchant.incubation_ended_on == timezone.localdate()
    pages.shot(page, "graduated")


def _admit_an_applicant(page: Page, lang: str, base: Base) -> None:
    pages.follow_nav(page, NAV["merchants"][lang])
    applicants = Merchant.objects.filter(base=base, stage=Merchant.Stage.APPLICANT)
    applicant = applicants.order_by("name", "id").first()
    assert applicant is not None, "the demo base has no applicant"
    page.evaluate(MARKER)
    page.locator("#id_stage").select_option(Merchant.Stage.APPLICANT)
    names = page.locator("#results tbody tr td:first-child > a")
    expect(names).to_have_count(applicants.count())
    assert page.evaluate(MARKER_KEPT)
    with page.expect_navigation():
        names.filter(has_text=applicant.name).click()
    expect(page.locator("h1")).to_have_text(applicant.name)
    expect(page.locator("#timeline li.timeline-stage")).to_have_count(1)

    page.locator("#stage [name=stage]").select_option(Merchant.Stage.INCUBATING)
    page.locator("#stage [name=reason]").fill(ADMISSION_REASON)
    with page.expect_navigation():
        page.locator("#stage form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(_t(lang, "Stage changed."))
    expect(page.locator("dl.facts .tag.stage-incubating")).to_be_visible()
    expect(_fact(page, _t(lang, "Days in incubation"))).to_have_text("0")
    expect(page.locator("#timeline li.timeline-stage")).to_have_count(2)
    _expect_last_move(
        page, lang, Merchant.Stage.APPLICANT, Merchant.Stage.INCUBATING, ADMISSION_REASON
    )
    applicant.refresh_from_db()
    assert applicant.stage == Merchant.Stage.INCUBATING
    assert applicant.incubation_started_on == timezone.localdate()
    pages.shot(page, "applicant-admitted")


def _room_day(base: Base, day: dt.date) -> tuple[int, dict[str, int]]:
    """Streams of the base that day, and each active room's booked minutes within the day."""
    start, end = day_bounds(day)
    total = (
        LiveStream.objects.filter(
            merchant__base=base, planned_start__gte=start, planned_start__lt=end
        )
        .exclude(status=LiveStream.Status.CANCELLED)
        .count()
    )
    booked = {}
    for room in LiveRoom.objects.filter(base=base, is_active=True):
        streams = LiveStream.objects.filter(
            room=room,
            planned_start__lt=end,
            planned_end__gt=start,
            status__in=[*LiveStream.ACTIVE_STATUSES, LiveStream.Status.ENDED],
        )
        booked[room.name] = sum(
            int((min(s.planned_end, end) - max(s.planned_start, start)).total_seconds() // 60)
            for s in streams
        )
    return total, booked


def _expect_room_day(page: Page, lang: str, base: Base, day: dt.date) -> None:
    total, booked = _room_day(base, day)
    grid = page.locator("#grid")
    expect(grid.locator(".week-nav strong time")).to_have_attribute("datetime", day.isoformat())
    expect(grid).to_contain_text(
        _t(lang, "%(n)s streams at the base this day, in rooms and own studios:", n=total)
    )
    for name, minutes in booked.items():
        row = grid.locator("tbody tr").filter(has=page.locator("th", has_text=name))
        expect(row.locator("td.num")).to_have_text(str(minutes))


def _read_the_room_schedule(page: Page, lang: str, base: Base) -> None:
    pages.follow_nav(page, NAV["schedule"][lang])
    expect(page).to_have_url(re.compile(r"/base/schedule/$"))
    today = timezone.localdate()
    _expect_room_day(page, lang, base, today)
    pages.shot(page, "room-schedule-today")

    # The previous day comes in by htmx: the grid changes, the page stays.
    page.evaluate(MARKER)
    yesterday = today - dt.timedelta(days=1)
    page.locator("#grid .week-nav a").first.click()
    expect(page).to_have_url(re.compile(rf"day={yesterday.isoformat()}"))
    _expect_room_day(page, lang, base, yesterday)
    assert page.evaluate(MARKER_KEPT), "the previous day reloaded the whole page"
    pages.shot(page, "room-schedule-yesterday")

    # The week's utilisation: each room's booked hours.
    with page.expect_navigation():
        page.locator("a[href='/base/utilisation/']").click()
    monday = today - dt.timedelta(days=today.weekday())
    start, _ = day_bounds(monday)
    end, _ = day_bounds(monday + dt.timedelta(days=7))
    expect(page.locator("#util .week-nav strong")).to_have_text(monday.isoformat())
    for room in LiveRoom.objects.filter(base=base, is_active=True):
        streams = LiveStream.objects.filter(
            room=room,
            planned_start__gte=start,
            planned_start__lt=end,
            status__in=[*LiveStream.ACTIVE_STATUSES, LiveStream.Status.ENDED],
        )
        hours = sum((s.planned_end - s.planned_start).total_seconds() for s in streams) / 3600
        row = page.locator("#util tbody tr").filter(has=page.locator("th", has_text=room.name))
        expect(row.locator("td").last).to_contain_text(_t(lang, "%(h)s h", h=round(hours, 1)))
    pages.shot(page, "room-utilisation")


def _read_the_dashboard_and_its_csv(page: Page, lang: str, base: Base) -> None:
    # What the Celery beat jobs do every few minutes: roll up every day of the demo's orders.
    placed = Order.objects.filter(merchant__base=base).order_by("placed_at")
    zone = local_zone()
    first = timezone.localdate(placed.first().placed_at, zone)
    last = timezone.localdate(placed.last().placed_at, zone)
    rollup.rollup_days(start=first, end=max(last, _today()))

    days = _daily_figures(base)
    today = _today()
    zero = {"net": Decimal("0"), "orders": 0}
    period = [today - dt.timedelta(days=n) for n in range(29, -1, -1)]
    record_day = max(days, key=lambda d: (days[d]["net"], -d.toordinal()))

    pages.follow_nav(page, NAV["dashboard"][lang])
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    cards = page.locator(".cards-money .card.stat")
    today_card, period_card, record_card = cards.nth(0), cards.nth(2), cards.nth(3)
    expect(today_card.locator(".stat-value")).to_have_text(_cny(days.get(today, zero)["net"]))
    expect(today_card.locator(".muted")).to_have_text(
        _orders_text(lang, days.get(today, zero)["orders"])
    )
    period_net = sum((days.get(d, zero)["net"] for d in period), Decimal("0"))
    expect(period_card.locator(".stat-value")).to_have_text(_cny(period_net))
    expect(record_card.locator(".stat-value")).to_have_text(_cny(days[record_day]["net"]))
    expect(record_card.locator(".muted")).to_have_text(record_day.isoformat())

    # The top merchant of the last 30 days, summed from its orders.
    start, _ = day_bounds(period[0])
    end, _ = day_bounds(today + dt.timedelta(days=1))
    by_merchant = {
        m: _net_and_count(_counted_orders(merchant=m, placed_at__gte=start, placed_at__lt=end))
        for m in Merchant.objects.filter(base=base)
    }
    top = max(by_merchant, key=lambda m: (by_merchant[m][0], -m.pk))
    first_row = page.locator("a[href^='/dashboard/merchants/']").first.locator("xpath=../..")
    expect(first_row.locator("td")).to_have_text(
        [top.name, _cny(by_merchant[top][0]), str(by_merchant[top][1])]
    )
    pages.shot(page, "dashboard")

    # The daily figures as CSV: one row per day of the period, each equal to its orders.
    with page.expect_download() as download_info:
        page.locator("a[href='/dashboard/daily.csv?days=30']").click()
    download = download_info.value
    assert download.suggested_filename == f"base-daily-30d-{today.isoformat()}.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file))
    assert header == ["day", "gross", "refunded", "net", "orders", "units"]
    assert [row[0] for row in rows] == [d.isoformat() for d in period]
    for row in rows:
        expected = days.get(dt.date.fromisoformat(row[0]), zero)
        assert (Decimal(row[3]), int(row[4])) == (expected["net"], expected["orders"]), row
    assert sum(Decimal(row[3]) for row in rows) == period_net


# --- the journeys --------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_manager_reviews_incubation_moves_stages_and_reads_figures_equal_to_the_orders(
    open_page, size, lang
):
    base = User.objects.get(username="manager").base
    page = open_page(size, lang)
    pages.login(page, "manager")
    assert pages.language(page) == HTML_LANG[lang]

    merchant = _filter_and_sort_the_merchant_list(page, lang, base)
    _read_the_incubation_timeline(page, lang, merchant)
    _write_a_review(page, lang, merchant)
    _graduate_after_a_refused_move(page, lang, merchant)
    _admit_an_applicant(page, lang, base)
    _read_the_room_schedule(page, lang, base)
    _read_the_dashboard_and_its_csv(page, lang, base)


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_a_merchant_cannot_open_another_merchants_page(open_page, size, lang):
    own = TeamMember.objects.get(user__username="merchant").merchant
    other = TeamMember.objects.get(user__username="merchant2").merchant
    page = open_page(size, lang)
    pages.login(page, "merchant")
    pages.follow_nav(page, NAV["my_store"][lang])
    expect(page).to_have_url(re.compile(rf"/merchants/{own.pk}/$"))
    expect(page.locator("h1")).to_have_text(own.name)

    # The one expected refusal of this journey: the site answers 404 to that page, nothing else.
    path = f"/merchants/{other.pk}/"
    with pages.expect_refusal(page, path, 404):
        response = pages.goto(page, path)
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(_t(lang, "Page not found"))
    expect(page.locator("body")).not_to_contain_text(other.name)
    pages.shot(page, "other-merchant-not-found")
    # The site's own page, in the person's language, with a way back.
    with page.expect_navigation():
        page.locator("#not-found a[href='/']").click()
    expect(page.locator("h1")).to_have_text(own.name)
