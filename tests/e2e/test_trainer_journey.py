"""The trainer's journey (SPEC journey 3), in the browser, in Chinese on a phone and in English
on a desktop.

The demo trainer registers a newcomer, creates a cohort of two places, enrols newcomers with a
search and a click until the cohort is full, sees the next one put on the waitlist, drops an
enrolled newcomer and sees the first waiting promoted, records a day's attendance on one screen,
marks a completion, opens the printable certificate, checks its code at the public verification
URL while logged out, and, logged in again, turns the graduate into a merchant applicant linked
to the training record. Along the way: a trainer is not shown the orders pages, and the site
refuses them (403) when the trainer types their address.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from merchants.models import Merchant, Milestone, TeamMember, User
from training.models import Attendance, Certificate, Cohort, Enrollment, Trainee

from . import pages

# The labels a trainer reads and clicks, per language of the page.
L = {
    "zh": {
        "cohorts": "培训班",
        "trainees": "学员",
        "orders": "订单",
        "catalogue": "商品目录",
        "new_cohort": "新建培训班",
        "create_cohort": "创建培训班",
        "register_newcomer": "登记新人",
        "register": "登记",
        "enrol": "报名",
        "register_and_enrol_open": "登记新学员并报名",
        "register_and_enrol": "登记并报名",
        "drop": "退出",
        "complete": "标记结业",
        "attendance": "考勤",
        "save_attendance": "保存考勤",
        "certificate": "证书",
        "create_applicant": "创建申请",
        "check": "验证",
        "not_allowed": "无权访问",
        "home_page": "返回首页",
        "full": "已满",
        "enrolled": "已报名",
        "completed": "已完成",
        "applicant": "申请中",
        "nobody_waiting": "无人候补。",
        "not_enrolled_yet": "尚未报名任何培训班。",
        "places": "{taken} / {capacity}",
        "dropped_out": "{n} 人已退出",
        "newcomer_registered": "新人已登记。",
        "cohort_created": "培训班已创建。",
        "is_enrolled": "{name} 报名成功。",
        "waitlisted": "培训班已满：{name} 已进入候补名单。",  # noqa: RUF001 - as in the .po
        "dropped": "{name} 已退出，候补名单顺位递补。",  # noqa: RUF001
        "attendance_saved": "{day} 考勤已保存：{total} 人中 {present} 人出勤。",  # noqa: RUF001
        "completed_course": "{name} 已结业。",
        "too_early": "培训班最后一天（{day}）结束后才能结业。",  # noqa: RUF001 - as in the .po
        "certificate_title": "结业证书",
        "genuine": "该证书真实有效。",
        "now_applicant": "{name} 已成为申请入驻商家。",
    },
    "en": {
        "cohorts": "Cohorts",
        "trainees": "Trainees",
        "orders": "Orders",
        "catalogue": "Catalogue",
        "new_cohort": "New cohort",
        "create_cohort": "Create cohort",
        "register_newcomer": "Register a newcomer",
        "register": "Register",
        "enrol": "Enrol",
        "register_and_enrol_open": "Register a new newcomer and enrol",
        "register_and_enrol": "Register and enrol",
        "drop": "Drop",
        "complete": "Mark completed",
        "attendance": "Attendance",
        "save_attendance": "Save attendance",
        "certificate": "Certificate",
        "create_applicant": "Create the applicant",
        "check": "Check",
        "not_allowed": "Not allowed",
        "home_page": "Back to the home page",
        "full": "Full",
        "enrolled": "Enrolled",
        "completed": "Completed",
        "applicant": "Applicant",
        "nobody_waiting": "Nobody is waiting.",
        "not_enrolled_yet": "Not enrolled in any cohort yet.",
        "places": "{taken} of {capacity}",
        "dropped_out": "{n} dropped out",
        "newcomer_registered": "Newcomer registered.",
        "cohort_created": "Cohort created.",
        "is_enrolled": "{name} is enrolled.",
        "waitlisted": "The cohort is full: {name} is on the waitlist.",
        "dropped": "{name} dropped out; the waitlist moved up.",
        "attendance_saved": "Attendance of {day} saved: {present} of {total} present.",
        "completed_course": "{name} completed the course.",
        "too_early": "The course is completed after the cohort's last day ({day}).",
        "certificate_title": "Certificate of completion",
        "genuine": "This certificate is genuine.",
        "now_applicant": "{name} is now a merchant applicant.",
    },
}

COURSE = "讲好瓷器故事 Ceramic storytelling"  # a demo course (titles are bilingual)
# Newcomers of the journey; phones outside the demo seed's 1357000xxxx range.
REGISTERED = {"name": "陈景瓷 Chen Jingci", "phone": "13900001111", "background": "景漂 拉坯"}
AT_THE_DOOR = {"name": "林若溪 Lin Ruoxi", "phone": "13900002222"}
# Two newcomers the demo seed registered, found by their phone in the enrol search.
SEEDED_PHONES = ["13570000070", "13570000071"]
STUDIO = "景瓷工作室 Jingci Studio"


def _expect_message(page: Page, text: str) -> None:
    """The flash message shown after a full-page step (a POST and its redirect)."""
    expect(page.locator("ul.messages")).to_contain_text(text)


def _expect_note(page: Page, text: str) -> None:
    """The note shown in the cohort's roster after an htmx step (the fragment was swapped)."""
    expect(page.locator("#roster [role=status]")).to_have_text(text)


def _places(t: dict, cohort: Cohort) -> str:
    taken = cohort.enrollments.filter(status__in=Enrollment.PLACE_HOLDING).count()
    return t["places"].format(taken=taken, capacity=cohort.capacity)


def _enrol_by_search(page: Page, t: dict, query: str, name: str) -> None:
    """Type a name or phone in the enrol search, wait for the match, click its Enrol button."""
    page.locator("#candidate-search").fill(query)
    candidate = page.locator("#candidates li").filter(has_text=query)
    expect(candidate).to_have_count(1)
    expect(candidate).to_contain_text(name)
    candidate.get_by_role("button", name=t["enrol"], exact=True).click()


def _roster_row(page: Page, name: str):
    return page.locator("#roster tbody tr").filter(has_text=name)


def _waitlist(page: Page):
    return page.locator("#roster ol li")


def _fits_the_window(page: Page) -> None:
    """Nothing makes the page wider than the window (no sideways scrolling on a phone)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    window = page.viewport_size["width"]
    assert width <= window, f"{page.url} is {width}px wide in a window of {window}px"


def _assert_refused(page: Page, t: dict, site: str, path: str, status: int = 403) -> None:
    """Type ``path`` into the address bar as the logged-in user and see the site refuse it, on a
    page in the site's layout and language with the way back home.

    The conftest fails a test on any 4xx of the site, rightly. Here the refusal IS the expected
    outcome, so this one navigation runs in a second tab of the same browser context (same
    session cookie) that the conftest does not listen to; this tab fails on anything else: a
    script or console error, or any other 4xx/5xx than ``status`` for ``path`` itself.
    """
    url = site + path
    problems: list[str] = []

    def on_console(msg) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console error: {msg.text}")

    def on_response(response) -> None:
        expected = response.url == url and response.status == status
        if response.status >= 400 and not expected:
            problems.append(f"{response.status} for {response.url}")

    tab = page.context.new_page()
    tab._jdz_shots = page._jdz_shots  # screenshots go with the journey's
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("console", on_console)
    tab.on("response", on_response)
    response = tab.goto(url)
    assert response is not None and response.status == status, (path, response and response.status)
    expect(tab.locator("h1")).to_have_text(t["not_allowed"])
    expect(tab.locator("#not-allowed").get_by_role("link", name=t["home_page"])).to_be_visible()
    expect(
        tab.get_by_role("button", name=pages.LOG_OUT[pages.language(tab)], include_hidden=True)
    ).to_be_attached()
    pages.shot(tab, "refused-" + path.strip("/").replace("/", "-"))
    tab.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("size", "lang"), [("phone", "zh"), ("desktop", "en")])
def test_trainer_fills_a_cohort_waitlists_records_attendance_certifies_and_makes_applicant(
    open_page, live_server, size, lang
):
    t = L[lang]
    today = timezone.localdate()
    page = open_page(size, lang)

    # --- the trainer logs in: training in the navigation, no orders --------------------------
    pages.login(page, "trainer")
    pages.shot(page, "home")
    pages.open_menu(page)
    nav = page.locator("nav.mainnav")
    expect(nav.get_by_role("link", name=t["cohorts"], exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name=t["orders"], exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name=t["catalogue"], exact=True)).to_have_count(0)
    expect(nav.locator("a[href^='/orders/'], a[href^='/catalogue/']")).to_have_count(0)
    _assert_refused(page, t, live_server.url, "/orders/")
    _assert_refused(page, t, live_server.url, "/orders/new/")

    # --- register a newcomer through the trainee form ----------------------------------------
    pages.follow_nav(page, t["trainees"])
    expect(page).to_have_url(re.compile(r"/training/trainees/$"))
    with page.expect_navigation():
        page.get_by_role("link", name=t["register_newcomer"], exact=True).click()
    page.locator("#id_name").fill(REGISTERED["name"])
    page.locator("#id_phone").fill(REGISTERED["phone"])
    page.locator("#id_background").fill(REGISTERED["background"])
    pages.shot(page, "newcomer-form")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name=t["register"], exact=True).click()
    _expect_message(page, t["newcomer_registered"])
    expect(page.locator("h1")).to_have_text(REGISTERED["name"])
    expect(page.locator("main")).to_contain_text(t["not_enrolled_yet"])
    registered = Trainee.objects.get(phone=REGISTERED["phone"])
    assert (registered.name, registered.background) == (REGISTERED["name"], "景漂 拉坯")
    pages.shot(page, "newcomer-registered")

    # --- create a cohort of two places through the form ---------------------------------------
    pages.follow_nav(page, t["cohorts"])
    expect(page).to_have_url(re.compile(r"/training/cohorts/$"))
    with page.expect_navigation():
        page.get_by_role("link", name=t["new_cohort"], exact=True).click()
    cohort_name = f"故事速成班 Storytelling sprint ({lang})"
    page.locator("#id_course").select_option(label=COURSE)
    page.locator("#id_name").fill(cohort_name)
    trainer = User.objects.get(username="trainer")
    expect(page.locator("#id_trainer option:checked")).to_have_text(str(trainer))  # pre-selected
    page.locator("#id_starts_on").fill(today.isoformat())
    page.locator("#id_ends_on").fill((today + dt.timedelta(days=2)).isoformat())
    page.locator("#id_room").fill("培训室 C")
    page.locator("#id_capacity").fill("2")
    pages.shot(page, "cohort-form")
    with page.expect_navigation():
        page.get_by_role("button", name=t["create_cohort"], exact=True).click()
    _expect_message(page, t["cohort_created"])
    expect(page.locator("h1")).to_have_text(cohort_name)
    cohort = Cohort.objects.get(name=cohort_name)
    assert (cohort.course.title, cohort.capacity, cohort.trainer.username) == (COURSE, 2, "trainer")
    assert (cohort.starts_on, cohort.ends_on) == (today, today + dt.timedelta(days=2))
    expect(page.locator("#roster .places")).to_have_text(_places(t, cohort))  # 0 of 2
    pages.shot(page, "cohort-created")

    # --- enrol newcomers with a search and a click until the cohort is full -------------------
    seeded = [Trainee.objects.get(phone=phone) for phone in SEEDED_PHONES]
    _enrol_by_search(page, t, REGISTERED["phone"], REGISTERED["name"])
    _expect_note(page, t["is_enrolled"].format(name=REGISTERED["name"]))
    expect(page.locator("#roster .places")).to_have_text(_places(t, cohort))  # 1 of 2

    _enrol_by_search(page, t, SEEDED_PHONES[0], seeded[0].name)
    _expect_note(page, t["is_enrolled"].format(name=seeded[0].name))
    expect(page.locator("#roster .places")).to_have_text(
        t["places"].format(taken=2, capacity=2) + " " + t["full"]
    )
    assert _places(t, cohort) == t["places"].format(taken=2, capacity=2)
    pages.shot(page, "cohort-full")

    # One more: the cohort is full, so the newcomer goes on the waitlist.
    _enrol_by_search(page, t, SEEDED_PHONES[1], seeded[1].name)
    _expect_note(page, t["waitlisted"].format(name=seeded[1].name))
    expect(_waitlist(page)).to_have_count(1)
    expect(_waitlist(page).first).to_contain_text(seeded[1].name)
    expect(page.locator("#roster tbody tr")).to_have_count(2)

    # A newcomer at the door: registered and enrolled in one form, second on the waitlist.
    page.locator("#enrol summary").filter(has_text=t["register_and_enrol_open"]).click()
    page.locator("#enrol #id_name").fill(AT_THE_DOOR["name"])
    page.locator("#enrol #id_phone").fill(AT_THE_DOOR["phone"])
    with page.expect_navigation():
        page.get_by_role("button", name=t["register_and_enrol"], exact=True).click()
    _expect_message(page, t["waitlisted"].format(name=AT_THE_DOOR["name"]))
    expect(_waitlist(page)).to_have_count(2)
    expect(_waitlist(page).nth(0)).to_contain_text(seeded[1].name)
    expect(_waitlist(page).nth(1)).to_contain_text(AT_THE_DOOR["name"])
    statuses = dict(cohort.enrollments.values_list("trainee__phone", "status"))
    assert statuses == {
        REGISTERED["phone"]: "enrolled",
        SEEDED_PHONES[0]: "enrolled",
        SEEDED_PHONES[1]: "waitlisted",
        AT_THE_DOOR["phone"]: "waitlisted",
    }
    pages.shot(page, "waitlist")

    # --- drop an enrolled newcomer: the first waiting takes the place -------------------------
    page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm asks first
    _roster_row(page, seeded[0].name).get_by_role("button", name=t["drop"], exact=True).click()
    _expect_note(page, t["dropped"].format(name=seeded[0].name))
    expect(_roster_row(page, seeded[1].name)).to_contain_text(t["enrolled"])
    expect(_roster_row(page, seeded[0].name)).to_have_count(0)
    expect(_waitlist(page)).to_have_count(1)
    expect(_waitlist(page).first).to_contain_text(AT_THE_DOOR["name"])
    expect(page.locator("#roster details summary")).to_have_text(t["dropped_out"].format(n=1))
    expect(page.locator("#roster .places")).to_have_text(
        t["places"].format(taken=2, capacity=2) + " " + t["full"]
    )
    statuses = dict(cohort.enrollments.values_list("trainee__phone", "status"))
    assert (statuses[SEEDED_PHONES[0]], statuses[SEEDED_PHONES[1]]) == ("dropped", "enrolled")
    assert statuses[AT_THE_DOOR["phone"]] == "waitlisted"
    _fits_the_window(page)
    pages.shot(page, "dropped-and-promoted")

    # The cohort list shows the same figures.
    pages.follow_nav(page, t["cohorts"])
    row = page.locator("#cohorts tbody tr").filter(has_text=cohort_name)
    expect(row.locator(".places")).to_have_text(_places(t, cohort) + " " + t["full"])
    expect(row.locator("td.num")).to_have_text("1")
    pages.shot(page, "cohort-list")
    with page.expect_navigation():
        row.get_by_role("link", name=cohort_name).click()

    # --- attendance of today on one screen ----------------------------------------------------
    with page.expect_navigation():
        page.locator(".page-head").get_by_role("link", name=t["attendance"]).click()
    sheet = page.locator(".attendance-list li")
    expect(sheet).to_have_count(2)  # the two holding a place; the waitlist is not on the sheet
    page.locator(".attendance-list label").filter(has_text=REGISTERED["name"]).locator(
        "input"
    ).check()
    page.locator(".attendance-list label").filter(has_text=seeded[1].name).locator(
        "input"
    ).uncheck()
    pages.shot(page, "attendance-form")
    with page.expect_navigation():
        page.get_by_role("button", name=t["save_attendance"], exact=True).click()
    _expect_message(page, t["attendance_saved"].format(day=today.isoformat(), present=1, total=2))
    expect(page).to_have_url(re.compile(rf"\?day={today.isoformat()}$"))
    checkbox = page.locator(".attendance-list label").filter(has_text=REGISTERED["name"])
    expect(checkbox.locator("input")).to_be_checked()
    checkbox = page.locator(".attendance-list label").filter(has_text=seeded[1].name)
    expect(checkbox.locator("input")).not_to_be_checked()
    expect(page.locator(".day-links a[aria-current=date]")).to_have_class("recorded")
    saved = dict(
        Attendance.objects.filter(enrollment__cohort=cohort, day=today).values_list(
            "enrollment__trainee__phone", "present"
        )
    )
    assert saved == {REGISTERED["phone"]: True, SEEDED_PHONES[1]: False}
    _fits_the_window(page)
    pages.shot(page, "attendance-saved")

    # --- mark the registered newcomer's completion and open the certificate -------------------
    with page.expect_navigation():
        page.locator(".page-head a.btn-secondary").click()  # back to the cohort
    row = _roster_row(page, REGISTERED["name"])
    expect(row.locator("td.num")).to_have_text("1")  # days present
    # Before the cohort's last day has passed, completion is refused and says why.
    row.get_by_role("button", name=t["complete"], exact=True).click()
    expect(page.locator("#roster [role=alert]")).to_have_text(
        t["too_early"].format(day=cohort.ends_on.isoformat())
    )
    assert not Certificate.objects.filter(enrollment__cohort=cohort).exists()
    pages.shot(page, "completion-too-early")

    # The course runs its days: the cohort moves to the three days before today (today's sheet
    # becomes its first day's), and the sheets of the other two have the newcomer present.
    first = today - dt.timedelta(days=3)
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=first, ends_on=today - dt.timedelta(days=1)
    )
    Attendance.objects.filter(enrollment__cohort=cohort, day=today).update(day=first)
    place = Enrollment.objects.get(cohort=cohort, trainee=registered)
    for n in (1, 2):
        Attendance.objects.create(enrollment=place, day=first + dt.timedelta(days=n), present=True)
    page.reload()
    row = _roster_row(page, REGISTERED["name"])
    expect(row.locator("td.num")).to_have_text("3")  # days present within the cohort
    row.get_by_role("button", name=t["complete"], exact=True).click()
    _expect_note(page, t["completed_course"].format(name=REGISTERED["name"]))
    expect(row).to_contain_text(t["completed"])
    expect(row.get_by_role("button")).to_have_count(0)
    certificate = Certificate.objects.get(enrollment__cohort=cohort)
    assert certificate.enrollment.trainee == registered
    pages.shot(page, "completed")
    with page.expect_navigation():
        row.get_by_role("link", name=t["certificate"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"/training/certificates/{certificate.code}/$"))
    body = page.locator("article.certificate")
    expect(body.locator("h1")).to_have_text(t["certificate_title"])
    expect(body.locator(".name")).to_have_text(REGISTERED["name"])
    expect(body).to_contain_text(COURSE)
    expect(body.locator(".code")).to_have_text(certificate.code)
    expect(body).to_contain_text(f"/certificates/verify/{certificate.code}/")
    expect(page.locator("[data-print]")).to_be_visible()
    code = body.locator(".code").inner_text()
    _fits_the_window(page)
    pages.shot(page, "certificate")

    # --- anyone checks the code at the public URL, logged out ---------------------------------
    pages.logout(page)
    pages.goto(page, f"/certificates/verify/{code}/")
    expect(
        page.get_by_role("button", name=pages.LOG_OUT[pages.language(page)], include_hidden=True)
    ).to_have_count(0)
    expect(page.locator("p.msg-success")).to_have_text(t["genuine"])
    expect(page.locator("article.certificate .name")).to_have_text(REGISTERED["name"])
    expect(page.locator("article.certificate .code")).to_have_text(code)
    _fits_the_window(page)
    pages.shot(page, "verified-anonymous")
    # The same check by typing the code (in lower case) into the form.
    pages.goto(page, "/certificates/verify/")
    page.locator("#id_code").fill(code.lower())
    with page.expect_navigation():
        page.get_by_role("button", name=t["check"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"/certificates/verify/{code}/$"))
    expect(page.locator("p.msg-success")).to_have_text(t["genuine"])

    # --- the trainer again: the graduate becomes a merchant applicant in one step -------------
    pages.login(page, "trainer")
    pages.follow_nav(page, t["trainees"])
    page.locator("#id_q").fill(REGISTERED["phone"])
    expect(page.locator("#trainees tbody tr")).to_have_count(1)
    with page.expect_navigation():
        page.locator("#trainees").get_by_role("link", name=REGISTERED["name"]).click()
    apply = page.locator("#apply")
    expect(apply.locator("#id_merchant_name")).to_have_value(REGISTERED["name"])
    apply.locator("#id_merchant_name").fill(STUDIO)
    apply.locator("#id_kind").select_option(Merchant.Kind.STUDIO.value)
    pages.shot(page, "applicant-form")
    with page.expect_navigation():
        apply.get_by_role("button", name=t["create_applicant"], exact=True).click()
    _expect_message(page, t["now_applicant"].format(name=STUDIO))
    expect(page.locator("#apply")).to_have_count(0)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(STUDIO)
    expect(facts.locator(".tag.stage-applicant")).to_have_text(t["applicant"])
    record = page.locator("main table tbody tr").filter(has_text=cohort_name)
    expect(record).to_contain_text(t["completed"])
    expect(record.get_by_role("link", name=code)).to_be_visible()
    _fits_the_window(page)
    pages.shot(page, "applicant")

    registered.refresh_from_db()
    merchant = Merchant.objects.get(name=STUDIO)
    assert (merchant.stage, merchant.kind) == (Merchant.Stage.APPLICANT, Merchant.Kind.STUDIO)
    assert registered.merchant_id == merchant.pk
    owner = TeamMember.objects.get(merchant=merchant)
    assert (owner.role, owner.name, registered.team_member_id) == (
        TeamMember.Role.OWNER,
        REGISTERED["name"],
        owner.pk,
    )
    assert Milestone.objects.filter(
        merchant=merchant,
        kind=Milestone.Kind.FIRST_COURSE_COMPLETED,
        reached_at=certificate.enrollment.completed_at,
    ).exists()

    # The trainee list names the merchant beside the newcomer.
    pages.follow_nav(page, t["trainees"])
    page.locator("#id_q").fill(REGISTERED["phone"])
    expect(page.locator("#trainees tbody tr")).to_have_count(1)
    expect(page.locator("#trainees tbody tr")).to_contain_text(STUDIO)
    pages.shot(page, "trainee-list-merchant")
