"""The homes say what needs doing: for every list, an item appears when its condition holds and
disappears once it is dealt with (through the service a user's click calls); each home costs the
same number of queries with one item per list as with many; another base's things never show;
the Chinese home speaks Chinese."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from jingdezhen.core.tenancy import reach_for
from jingdezhen.pages.home import HOME_ITEMS, Todo, home_context
from livestreams.models import FeaturedProduct, LiveStream, StreamSettings
from livestreams.services import streams as stream_services
from merchants import services as merchant_services
from merchants.models import Merchant, Review, Role, TeamMember
from merchants.supervision import services as supervision_services
from orders.catalogue import services as catalogue_services
from orders.models import Order, OrderEvent
from orders.ordering import services as order_services
from orders.turnover import rollup
from tests import factories as f
from tests.conftest import login
from training import services as training_services
from training.models import Attendance, Enrollment

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Wednesday noon at the base: "today", "tomorrow" and "this week" are fixed.
NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=SHANGHAI)
TODAY = NOON.date()
S = LiveStream.Status
OS = Order.Status
E = Enrollment.Status


@pytest.fixture(autouse=True)
def _noon():
    with time_machine.travel(NOON, tick=False):
        yield


def at(hours: float = 0, days: int = 0) -> dt.datetime:
    return NOON + dt.timedelta(days=days, hours=hours)


def _home(reach) -> dict:
    return home_context(reach, now=NOON)


def _ids(todo: Todo) -> list[int]:
    return [item.pk for item in todo.items]


# --- the base manager's home -------------------------------------------------------------------


@pytest.fixture
def room(base):
    return f.LiveRoomFactory(base=base, prime_start_hour=19, prime_end_hour=23)


@pytest.fixture
def mreach(manager):
    return reach_for(manager)


def _stream(merchant, *, start, hours=2, room=None, **kw):
    return f.LiveStreamFactory(
        merchant=merchant,
        room=room,
        planned_start=start,
        planned_end=start + dt.timedelta(hours=hours),
        status=kw.pop("status", S.SCHEDULED),
        **kw,
    )


def test_a_stream_past_its_grace_and_not_live_shows_until_it_goes_live(mreach, merchant, room):
    late = _stream(merchant, start=at(hours=-0.5), room=room)
    assert _ids(_home(mreach)["overdue_streams"]) == [late.pk]

    stream_services.stream_go_live(reach=mreach, stream=late, at=NOON)
    assert _ids(_home(mreach)["overdue_streams"]) == []


def test_a_stream_within_the_bases_grace_a_rehearsal_or_yesterdays_is_not_overdue(
    mreach, base, merchant
):
    _stream(merchant, start=at(hours=-0.1))  # 6 minutes: within the default 15
    _stream(merchant, start=at(hours=-0.5), is_rehearsal=True)
    _stream(merchant, start=at(days=-1), hours=30)  # started yesterday
    relaxed = _stream(merchant, start=at(hours=-0.5))
    assert _ids(_home(mreach)["overdue_streams"]) == [relaxed.pk]

    StreamSettings.objects.create(base=base, missed_after_minutes=45)
    assert _ids(_home(mreach)["overdue_streams"]) == []


def test_a_cancelled_overdue_stream_leaves_the_list(mreach, merchant):
    late = _stream(merchant, start=at(hours=-1))
    assert _ids(_home(mreach)["overdue_streams"]) == [late.pk]
    stream_services.stream_cancel(reach=mreach, stream=late)
    assert _ids(_home(mreach)["overdue_streams"]) == []


def test_an_applicant_waits_oldest_first_until_admitted(mreach, base):
    first = f.MerchantFactory(base=base, stage=Merchant.Stage.APPLICANT)
    second = f.MerchantFactory(base=base, stage=Merchant.Stage.APPLICANT)
    Merchant.objects.filter(pk=first.pk).update(created_at=at(days=-3))
    assert _ids(_home(mreach)["applicants"]) == [first.pk, second.pk]

    merchant_services.merchant_admit(actor=mreach, merchant_id=first.pk, reason="Good start")
    assert _ids(_home(mreach)["applicants"]) == [second.pk]


def test_a_room_is_free_tonight_until_a_stream_is_booked_in_its_prime_time(mreach, merchant, room):
    assert _ids(_home(mreach)["free_rooms"]) == [room.pk]
    _stream(merchant, start=at(hours=4), room=room)  # 16:00-18:00: before prime time
    _stream(merchant, start=at(hours=8), room=room, status=S.CANCELLED)
    assert _ids(_home(mreach)["free_rooms"]) == [room.pk]

    _stream(merchant, start=at(hours=8.5), room=room)  # 20:30-22:30
    assert _ids(_home(mreach)["free_rooms"]) == []


def test_a_room_whose_prime_time_is_over_or_that_is_closed_is_not_free_tonight(mreach, base):
    f.LiveRoomFactory(base=base, prime_start_hour=8, prime_end_hour=11)  # over at noon
    f.LiveRoomFactory(base=base, is_active=False)
    assert _home(mreach)["free_rooms"].total == 0


def _behind(base, *, name: str) -> Merchant:
    """An incubating merchant of ``base`` with a target of one stream a week and no stream."""
    merchant = f.MerchantFactory(
        base=base, name=name, incubation_started_on=TODAY - dt.timedelta(weeks=8)
    )
    supervision_services.merchant_target_set(
        actor=reach_for(f.UserFactory(role=Role.MANAGER, base=base)),
        merchant_id=merchant.pk,
        streams_per_week=1,
        gmv_per_week=None,
    )
    return merchant


def _follow_up(merchant, *, due: dt.date, notes: str = "Host late twice.") -> Review:
    return f.ReviewFactory(
        merchant=merchant, outcome=Review.Outcome.WARNING, follow_up_on=due, notes=notes
    )


def test_a_follow_up_due_shows_until_it_is_closed(client, mreach, manager, merchant):
    overdue = _follow_up(merchant, due=TODAY - dt.timedelta(days=2))
    _follow_up(merchant, due=TODAY + dt.timedelta(days=1))  # not due yet
    assert _ids(_home(mreach)["follow_ups_due"]) == [overdue.pk]
    page = login(client, manager).get("/").content.decode()
    assert "Host late twice." in page and "overdue since" in page
    supervision_services.follow_up_close(actor=mreach, review_id=overdue.pk, note="On time now.")
    assert _home(mreach)["follow_ups_due"].total == 0


def test_a_merchant_below_its_target_shows_until_it_meets_it(client, mreach, manager, base):
    merchant = _behind(base, name="Behind Co")
    (standing,) = _home(mreach)["falling_behind"].items
    assert standing.merchant == merchant and standing.weeks_missed >= 1
    page = login(client, manager).get("/").content.decode()
    assert "Behind Co" in page and "weeks below target" in page
    last_week = TODAY - dt.timedelta(days=TODAY.weekday() + 7)
    for week in range(8):
        start = dt.datetime.combine(last_week - dt.timedelta(weeks=week), dt.time(20), SHANGHAI)
        _stream(merchant, start=start, status=S.ENDED, actual_start=start)
    assert _home(mreach)["falling_behind"].total == 0


def test_the_manager_home_links_each_item_and_its_list(client, manager, merchant, room, base):
    late = _stream(merchant, start=at(hours=-1), room=room, title="早场青花")
    applicant = f.MerchantFactory(base=base, stage=Merchant.Stage.APPLICANT, name="新窑工作室")
    page = login(client, manager).get("/").content.decode()
    assert f'href="/streams/{late.pk}/"' in page
    assert f'href="/merchants/{applicant.pk}/"' in page
    assert f'href="/rooms/{room.pk}/free/?day=2026-06-10"' in page
    assert 'href="/merchants/?stage=applicant"' in page
    assert 'href="/base/streams/?status=scheduled&amp;day=2026-06-10"' in page


# --- the merchant's home -----------------------------------------------------------------------


@pytest.fixture
def oreach(owner):
    return reach_for(owner)


def _order(merchant, *, status=OS.PAID, hold_until=None, **kw):
    order = f.TurnoverOrderFactory(merchant=merchant, status=status, hold_until=hold_until, **kw)
    OrderEvent.objects.create(order=order, from_status="", to_status=status)
    return order


def test_todays_and_tomorrows_streams_show_with_their_run_sheets_until_cancelled(
    oreach, client, owner, merchant, room
):
    today = _stream(merchant, start=at(hours=3), room=room, title="午后场")
    tomorrow = _stream(merchant, start=at(days=1, hours=-2))
    _stream(merchant, start=at(days=2))  # the day after tomorrow
    _stream(merchant, start=at(hours=-4), status=S.ENDED)
    assert _ids(_home(oreach)["streams_soon"]) == [today.pk, tomorrow.pk]
    page = login(client, owner).get("/").content.decode()
    assert f'href="/streams/{today.pk}/run-sheet/"' in page

    stream_services.stream_cancel(reach=oreach, stream=today)
    assert _ids(_home(oreach)["streams_soon"]) == [tomorrow.pk]


def test_a_paid_order_waits_to_be_shipped_until_it_is(oreach, merchant):
    paid = _order(merchant)
    _order(merchant, status=OS.SHIPPED)
    _order(merchant, status=OS.PENDING, hold_until=at(hours=2))
    assert _ids(_home(oreach)["to_ship"]) == [paid.pk]

    order_services.order_ship(reach=oreach, order=paid, **f.parcel())
    assert _ids(_home(oreach)["to_ship"]) == []


def test_a_hold_ending_within_half_an_hour_shows_until_the_order_is_paid(oreach, merchant):
    soon = _order(merchant, status=OS.PENDING, hold_until=at(hours=0.25))
    _order(merchant, status=OS.PENDING, hold_until=at(hours=2))  # not yet a worry
    _order(merchant, status=OS.PENDING, hold_until=at(hours=-0.1))  # the sweep's
    assert _ids(_home(oreach)["holds_expiring"]) == [soon.pk]

    order_services.order_pay(reach=oreach, order=soon)
    assert _ids(_home(oreach)["holds_expiring"]) == []


def test_a_product_short_for_a_coming_stream_shows_until_restocked(oreach, merchant):
    stream = _stream(merchant, start=at(days=1))
    short = f.ProductFactory(merchant=merchant, stock=2)
    sold_out = f.ProductFactory(merchant=merchant, stock=0)
    plenty = f.ProductFactory(merchant=merchant, stock=50)
    unfeatured = f.ProductFactory(merchant=merchant, stock=0)
    past = _stream(merchant, start=at(days=-1), status=S.ENDED)
    for product in (short, sold_out, plenty):
        FeaturedProduct.objects.create(stream=stream, product=product)
    FeaturedProduct.objects.create(stream=past, product=unfeatured)
    short_list = _home(oreach)["short_products"]
    assert _ids(short_list) == [sold_out.pk, short.pk]
    assert short_list.items[0].next_stream_id == stream.pk

    catalogue_services.product_restock(reach=oreach, product=sold_out, change=30)
    assert _ids(_home(oreach)["short_products"]) == [short.pk]


def test_todays_gmv_so_far_is_the_rollups(oreach, merchant):
    assert _home(oreach)["gmv_today"] == Decimal("0")
    _order(merchant, amount=Decimal("320.00"), placed_at=at(hours=-2))
    _order(merchant, amount=Decimal("99.50"), placed_at=at(hours=-1), status=OS.CANCELLED)
    rollup.rollup_day(day=TODAY)
    assert _home(oreach)["gmv_today"] == Decimal("320.00")


def test_a_host_sees_the_streams_it_crews_but_no_orders_or_turnover(merchant, room):
    host = f.member_user(merchant, role=TeamMember.Role.HOST)
    crewed = _stream(merchant, start=at(hours=2), host=host.membership)
    _stream(merchant, start=at(hours=5))
    home = _home(reach_for(host))
    assert _ids(home["streams_soon"]) == [crewed.pk]
    assert "to_ship" not in home and "holds_expiring" not in home and "gmv_today" not in home


def test_customer_service_sees_the_orders_but_not_the_turnover(merchant):
    service = f.member_user(merchant, role=TeamMember.Role.SERVICE)
    paid = _order(merchant)
    home = _home(reach_for(service))
    assert _ids(home["to_ship"]) == [paid.pk]
    assert "gmv_today" not in home


# --- the trainer's home ------------------------------------------------------------------------


@pytest.fixture
def treach(trainer):
    return reach_for(trainer)


def _cohort(base, trainer, *, starts, days=1, threshold=80, capacity=3):
    course = f.CourseFactory(base=base, attendance_threshold=threshold)
    return f.CohortFactory(
        course=course,
        trainer=trainer,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=days - 1),
        capacity=capacity,
    )


def test_cohorts_starting_this_week_show_and_next_weeks_do_not(treach, base, trainer):
    monday = _cohort(base, trainer, starts=TODAY - dt.timedelta(days=2))
    sunday = _cohort(base, trainer, starts=TODAY + dt.timedelta(days=4))
    _cohort(base, trainer, starts=TODAY + dt.timedelta(days=5))  # next Monday
    assert _ids(_home(treach)["cohorts_starting"]) == [monday.pk, sunday.pk]

    with time_machine.travel(at(days=5), tick=False):  # next Monday, the week has passed
        ids = _ids(home_context(treach, now=at(days=5))["cohorts_starting"])
    assert monday.pk not in ids and sunday.pk not in ids


def test_past_days_without_attendance_show_until_recorded(treach, base, trainer):
    cohort = _cohort(base, trainer, starts=TODAY - dt.timedelta(days=2), days=5)
    enrolment = f.EnrollmentFactory(cohort=cohort)
    _cohort(base, trainer, starts=TODAY - dt.timedelta(days=2), days=5)  # nobody holds a place
    missing = _home(treach)["attendance_missing"]
    assert [(c.pk, days) for c, days in missing.items] == [
        (cohort.pk, [TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)])
    ]

    training_services.attendance_record(
        actor=treach, cohort_id=cohort.pk, day=TODAY - dt.timedelta(days=2), present_ids=set()
    )
    assert [days for _c, days in _home(treach)["attendance_missing"].items] == [
        [TODAY - dt.timedelta(days=1)]
    ]
    training_services.attendance_record(
        actor=treach,
        cohort_id=cohort.pk,
        day=TODAY - dt.timedelta(days=1),
        present_ids={enrolment.pk},
    )
    assert _home(treach)["attendance_missing"].total == 0


def test_a_trainee_ready_for_a_certificate_shows_until_it_is_issued(treach, base, trainer):
    cohort = _cohort(base, trainer, starts=TODAY - dt.timedelta(days=5), days=5, threshold=80)
    ready, short, dropped = (f.EnrollmentFactory(cohort=cohort) for _n in range(3))
    Enrollment.objects.filter(pk=dropped.pk).update(status=E.DROPPED)
    for n in range(5):
        day = cohort.starts_on + dt.timedelta(days=n)
        Attendance.objects.create(enrollment=ready, day=day, present=n != 0)  # 4 of 5: 80%
        Attendance.objects.create(enrollment=short, day=day, present=n > 1)  # 3 of 5
        Attendance.objects.create(enrollment=dropped, day=day, present=True)
    due = _home(treach)["certificates_due"]
    assert _ids(due) == [ready.pk]
    assert (due.items[0].days_present, due.items[0].cohort_days) == (4, 5)

    training_services.enrollment_complete(actor=treach, enrollment_id=ready.pk, today=TODAY)
    assert _ids(_home(treach)["certificates_due"]) == []


def test_a_cohort_still_running_has_no_certificates_due(treach, base, trainer):
    cohort = _cohort(base, trainer, starts=TODAY - dt.timedelta(days=1), days=2, threshold=0)
    f.EnrollmentFactory(cohort=cohort)
    assert _home(treach)["certificates_due"].total == 0


def test_a_waitlist_shows_until_nobody_waits(treach, base, trainer):
    cohort = _cohort(base, trainer, starts=TODAY + dt.timedelta(days=3), capacity=1)
    f.EnrollmentFactory(cohort=cohort)
    waiting = f.EnrollmentFactory(cohort=cohort, status=E.WAITLISTED)
    over = _cohort(base, trainer, starts=TODAY - dt.timedelta(days=3), capacity=1)
    f.EnrollmentFactory(cohort=over, status=E.WAITLISTED)  # the cohort is over
    waitlists = _home(treach)["waitlists"]
    assert _ids(waitlists) == [cohort.pk]
    assert waitlists.items[0].waitlisted_count == 1

    training_services.enrollment_drop(actor=treach, enrollment_id=waiting.pk)
    assert _ids(_home(treach)["waitlists"]) == []


# --- another base's things, the cost, the languages ---------------------------------------------


def _fill_base(base, *, n: int) -> dict:
    """``n`` items of every list of every home, at ``base``."""
    merchant = f.MerchantFactory(base=base)
    latecomer = f.MerchantFactory(base=base)  # its streams are late, not the owner's
    owner = f.member_user(merchant, role=TeamMember.Role.OWNER)
    manager = f.UserFactory(role=Role.MANAGER, base=base)
    trainer = f.UserFactory(role=Role.TRAINER, base=base)
    for i in range(n):
        room = f.LiveRoomFactory(base=base, prime_start_hour=19, prime_end_hour=23)
        room.name = f"Free {base.pk}-{i}"
        room.save()
        _stream(latecomer, start=at(hours=-1), room=room, title=f"Late {base.pk}-{i}")
        stream = _stream(merchant, start=at(days=1, hours=-4 + i * 0.1), title=f"Soon {i}")
        product = f.ProductFactory(merchant=merchant, stock=1, name=f"Short {base.pk}-{i}")
        FeaturedProduct.objects.create(stream=stream, product=product)
        applicant = f"Applicant {base.pk}-{i}"
        f.MerchantFactory(base=base, stage=Merchant.Stage.APPLICANT, name=applicant)
        _order(merchant, external_id=f"SHIP-{base.pk}-{i}")
        _order(
            merchant, status=OS.PENDING, hold_until=at(hours=0.2), external_id=f"HOLD-{base.pk}-{i}"
        )
        starting = _cohort(base, trainer, starts=TODAY + dt.timedelta(days=1), capacity=1)
        f.EnrollmentFactory(cohort=starting)
        f.EnrollmentFactory(cohort=starting, status=E.WAITLISTED)
        running = _cohort(base, trainer, starts=TODAY - dt.timedelta(days=3), days=5)
        f.EnrollmentFactory(cohort=running)
        ended = _cohort(base, trainer, starts=TODAY - dt.timedelta(days=3), days=1)
        graduate = f.EnrollmentFactory(cohort=ended, trainee__name=f"Graduate {base.pk}-{i}")
        Attendance.objects.create(enrollment=graduate, day=ended.starts_on, present=True)
        _follow_up(merchant, due=TODAY, notes=f"Follow {base.pk}-{i}")
        _behind(base, name=f"Behind {base.pk}-{i}")
    rollup.rollup_day(day=TODAY)
    return {"manager": manager, "owner": owner, "trainer": trainer}


HOMES = {
    "manager": ("overdue_streams", "follow_ups_due", "falling_behind", "applicants", "free_rooms"),
    "owner": ("streams_soon", "to_ship", "holds_expiring", "short_products"),
    "trainer": ("cohorts_starting", "attendance_missing", "certificates_due", "waitlists"),
}


# Queries of one home request: the session, the user, the reach's team row (a merchant member),
# one per list (the merchant's home: the merchant and today's GMV too; the manager's merchants
# falling behind: the supervised merchants, their stage targets and their weekly figures), the
# inbox badge.
HOME_QUERIES = {"manager": 13, "owner": 10, "trainer": 7}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_home_costs_the_same_queries_with_one_item_as_with_many(
    client, db, role, django_assert_num_queries
):
    for n in (1, HOME_ITEMS + 3):
        people = _fill_base(f.BaseFactory(), n=n)
        home = _home(reach_for(people[role]))
        for key in HOMES[role]:
            assert home[key].total == n, key
            assert len(home[key].items) == min(n, HOME_ITEMS), key
        login(client, people[role])
        client.get("/")  # the session is warm
        with django_assert_num_queries(HOME_QUERIES[role]):
            assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", list(HOMES))
def test_another_bases_things_never_show(client, base, other_base, role):
    mine = _fill_base(base, n=1)
    _fill_base(other_base, n=2)
    home = _home(reach_for(mine[role]))
    for key in HOMES[role]:
        assert home[key].total == 1, key
    page = login(client, mine[role]).get("/").content.decode()
    for marker in ("Late", "Short", "Free", "Applicant", "SHIP", "HOLD", "Graduate"):
        assert f"{marker} {other_base.pk}-" not in page
    if role == "owner":  # nor another merchant's of the same base
        assert f"Late {base.pk}-" not in page


def test_an_admin_sees_the_managers_home(client, base, room):
    admin = f.UserFactory(role=Role.MANAGER, base=None, is_superuser=True, is_staff=True)
    page = login(client, admin).get("/")
    assert page.status_code == 200
    assert 'id="todo-free-rooms"' in page.content.decode()


def test_a_merchant_user_off_every_team_gets_the_plain_home(client, base):
    loner = f.UserFactory(role=Role.MERCHANT, base=base)
    response = login(client, loner).get("/")
    assert response.status_code == 200
    assert 'id="todo-streams-soon"' not in response.content.decode()


def test_what_a_merchant_types_is_escaped_on_the_home(client, owner, merchant):
    stream = _stream(merchant, start=at(days=1), title="<b>Kiln</b>")
    FeaturedProduct.objects.create(
        stream=stream, product=f.ProductFactory(merchant=merchant, stock=0, name="<i>Vase</i>")
    )
    page = login(client, owner).get("/").content.decode()
    assert "<b>Kiln</b>" not in page and "&lt;b&gt;Kiln&lt;/b&gt;" in page
    assert "<i>Vase</i>" not in page


@pytest.mark.parametrize(
    ("role", "headings"),
    [
        ("manager", ["该开播未开播的场次", "待审核的入驻申请", "今晚黄金时段空闲的直播间"]),
        ("owner", ["今明两天的直播", "待发货订单", "即将超时的待付款订单", "今日成交额"]),
        ("trainer", ["本周开班的培训班", "未记考勤", "可颁发结业证书", "候补名单"]),
    ],
)
def test_the_chinese_home_speaks_chinese(client_zh, base, role, headings):
    people = _fill_base(base, n=1)
    page = login(client_zh, people[role]).get("/").content.decode()
    for heading in headings:
        assert heading in page
    assert "See all" not in page
    assert "查看全部" in page


def test_an_empty_home_says_there_is_nothing_to_do(client, base, manager, trainer, owner):
    for user in (manager, trainer, owner):
        page = login(client, user).get("/").content.decode()
        assert "Nothing to do" in page
