"""The demo seed shows every feature: each demo account logs in and finds every page of its menu
showing data, and the data agrees with itself (capacity, certificates, milestones, photos ...).

The seed runs once for the module (it takes seconds) on the test database and is flushed
afterwards; each test reads it inside its own rolled-back transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Min, Q
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from jingdezhen.core.demo import DEMO_PASSWORD, DemoContext
from jingdezhen.core.tenancy import reach_for
from jingdezhen.demo import run
from jingdezhen.pages.home import home_context
from jingdezhen.pages.navigation import entries_for
from livestreams.models import LiveStream, StreamSeries
from merchants.demo import NAMED_MERCHANTS
from merchants.models import Merchant, Milestone, Notification, TeamMember, User
from orders.models import (
    BreakageClaim,
    FlashDeal,
    ImportJob,
    Order,
    OrderImport,
    Product,
    ProductPhoto,
)
from orders.turnover.peers import peer_standing
from tests.support import clock
from tests.support.db import demo_committed
from training.models import Certificate, Cohort, Enrollment

ACCOUNTS = ["manager", "trainer", "merchant", "merchant2", "host", "service"]
MERCHANTS = 20  # the named merchants and their peers (merchants.demo.PEER_ROWS) fit in 20
DAYS = 30
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# How the templates say a list or a panel is empty ("No orders match.", "None yet." ...), read
# from the templates themselves so a new empty state is checked without touching this test.
EMPTY_STATE = re.compile(r'translate "((?:No |None|Nothing|Too few)[^"]*)"')


def _empty_markers() -> set[str]:
    markers = set()
    for template in TEMPLATES.rglob("*.html"):
        markers |= set(EMPTY_STATE.findall(template.read_text(encoding="utf-8")))
    return markers


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-media")


def _seed(demo_media: Path) -> tuple[DemoContext, dt.date]:
    """The demo, seeded clear of local midnight, and the local day it was seeded for (the
    crawler's seed: a copy of it when the crawler ran first in this worker)."""
    return demo_committed(demo_media, merchants=MERCHANTS, days=DAYS)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, demo_media):
    with django_db_blocker.unblock():
        state = list(_seed(demo_media))
    yield state
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded_today(seeded, django_db_blocker, demo_media):
    """The module's seed, made again when the local day has changed since (the run crossed
    midnight in Asia/Shanghai), before the test's transaction opens."""
    if clock.local_day() != seeded[1] or clock.clear_of_midnight() != seeded[1]:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            seeded[:] = _seed(demo_media)
    return seeded[0]


@pytest.fixture
def demo(seeded_today, db):
    return seeded_today


def _login(username: str) -> Client:
    """Log in through the login page with the published demo password, as a visitor would."""
    client = Client(headers={"Accept-Language": "en"})
    response = client.post(
        "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.username == username, username
    return client


def _zhou() -> Merchant:
    return Merchant.objects.get(name=NAMED_MERCHANTS[0][1])


# --- every page of every menu shows data -------------------------------------------------------


def test_the_empty_state_markers_are_found_in_the_templates():
    markers = _empty_markers()
    assert {"No orders match.", "No products match.", "No streams"} <= markers


@pytest.mark.parametrize("username", ACCOUNTS)
def test_each_demo_account_finds_every_page_of_its_menu_showing_data(demo, username):
    client = _login(username)
    user = User.objects.get(username=username)
    menu = entries_for(reach_for(user))
    assert len(menu) >= 4, menu
    markers = _empty_markers()
    for entry in menu:
        response = client.get(entry["url"], follow=True)  # "My store" goes to the store's page
        assert response.status_code == 200, (username, entry["url"])
        page = response.content.decode()
        expected = set()
        if username == "host" and entry["url"].startswith("/streams/"):
            # A host's week shows only the streams they crew: some days have none of theirs.
            assert re.search(r'href="/streams/\d+/"', page), entry["url"]
            expected = {"No streams"}
        if entry["url"] == "/":
            # A payment hold lasts minutes from the moment the seed took the order: whether one
            # ends within the warning window depends on the minute the test reads the home.
            expected.add("Nothing to do: no hold ends soon.")
        if entry["url"] == "/board/":
            # Rooms idle in their prime time exist only while prime time lasts (the evening).
            expected.add("No room is idle in its prime time.")
        shown = sorted(m for m in markers if m in page and m not in expected)
        assert not shown, (username, entry["url"], shown)


@pytest.mark.parametrize("username", ["merchant", "merchant2"])
def test_the_turnover_page_compares_with_peers_in_real_figures(demo, username):
    response = _login(username).get(reverse("merchant_dashboard"))
    assert response.status_code == 200
    peers = response.context["board"].peers
    assert peers["enough"] and peers["peers"] >= 5, peers
    assert peers["median_daily_net"] > 0 and peers["own_daily_net"] > 0, peers
    assert peers["median_aov"] > 0 and peers["median_gpm"] > 0, peers


@pytest.mark.parametrize("username", ["merchant", "merchant2"])
def test_a_stream_report_has_real_medians_where_orders_exist(demo, username):
    user = User.objects.get(username=username)
    merchant_id = user.membership.merchant_id
    # The latest ended stream with paid orders: one that ended minutes ago may hold only orders
    # still within their payment deadline, which no figure counts yet.
    stream = (
        LiveStream.objects.filter(
            merchant_id=merchant_id,
            status=LiveStream.Status.ENDED,
            is_rehearsal=False,
            orders__status__in=Order.COUNTED_STATUSES,
        )
        .distinct()
        .order_by("-actual_end")
        .first()
    )
    assert stream is not None and stream.orders.exists()
    response = _login(username).get(reverse("livestreams:stream_report", args=[stream.pk]))
    assert response.status_code == 200
    report = response.context["report"]
    assert report["merchant_median"] > 0 and report["base_median"] > 0, report
    assert "No orders from this stream yet." not in response.content.decode()


# --- the demo's data agrees with itself --------------------------------------------------------


def test_every_ended_stream_of_the_active_merchants_has_orders(demo):
    ended = LiveStream.objects.filter(status=LiveStream.Status.ENDED, is_rehearsal=False)
    assert ended.count() > 100
    assert not ended.filter(orders__isnull=True).exists()


def test_cohorts_stay_within_capacity_and_one_has_a_waitlist(demo):
    cohorts = Cohort.objects.annotate(
        holding=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.PLACE_HOLDING)),
        waiting=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)),
    )
    assert cohorts.count() >= 5
    for cohort in cohorts:
        assert cohort.holding <= cohort.capacity, cohort.name
    assert any(c.waiting > 0 and c.holding == c.capacity for c in cohorts)


# The lists of each home the demo fills, whatever the hour (rooms free tonight are not: by 23:00
# prime time is over everywhere).
HOME_LISTS = {
    "manager": ["overdue_streams", "applicants"],
    "trainer": ["cohorts_starting", "certificates_due", "waitlists"],
    "merchant": ["streams_soon", "to_ship", "holds_expiring", "short_products"],
    "host": ["streams_soon"],
    "service": ["streams_soon", "to_ship"],
}


@pytest.mark.parametrize("username", list(HOME_LISTS))
def test_the_demo_gives_every_home_something_to_do(demo, username):
    context = home_context(reach_for(User.objects.get(username=username)))
    empty = [key for key in HOME_LISTS[username] if not context[key].total]
    assert not empty, (username, empty)


def test_certificates_only_for_cohorts_that_have_ended_and_dated_after_them(demo):
    today = timezone.localdate()
    certificates = Certificate.objects.select_related("enrollment__cohort")
    assert certificates.count() > 20
    for certificate in certificates:
        cohort = certificate.enrollment.cohort
        assert cohort.ends_on <= today, cohort.name
        assert timezone.localdate(certificate.issued_at) >= cohort.ends_on, cohort.name


def test_milestones_agree_with_the_streams_and_orders_they_come_from(demo):
    first_stream = dict(
        LiveStream.objects.filter(status=LiveStream.Status.ENDED, is_rehearsal=False)
        .values("merchant_id")
        .annotate(at=Min("actual_end"))
        .values_list("merchant_id", "at")
    )
    first_order = dict(
        Order.objects.values("merchant_id")
        .annotate(at=Min("placed_at"))
        .values_list("merchant_id", "at")
    )
    milestones = {(m.merchant_id, m.kind): m.reached_at for m in Milestone.objects.all()}
    assert len(first_stream) >= 15 and len(first_order) >= 15
    for merchant in Merchant.objects.all():
        for kind, firsts in (
            (Milestone.Kind.FIRST_STREAM, first_stream),
            (Milestone.Kind.FIRST_ORDER, first_order),
        ):
            reached = milestones.get((merchant.pk, kind))
            assert (reached is None) == (merchant.pk not in firsts), (merchant.name, kind)
            if reached is not None:
                assert reached == firsts[merchant.pk], (merchant.name, kind)
        started = first_stream.get(merchant.pk)
        if started is None:
            continue
        # Admitted before it streamed; a graduate graduated after its first stream.
        assert merchant.incubation_started_on <= timezone.localdate(started), merchant.name
        if merchant.stage == Merchant.Stage.GRADUATED:
            assert merchant.incubation_ended_on >= timezone.localdate(started), merchant.name
        course = milestones.get((merchant.pk, Milestone.Kind.FIRST_COURSE_COMPLETED))
        if course is not None:
            assert course <= started, merchant.name


def test_each_product_of_the_named_merchants_has_its_own_photo_and_thumbnail(demo, demo_media):
    named = Merchant.objects.filter(name__in=[n[1] for n in NAMED_MERCHANTS])
    products = Product.objects.filter(merchant__in=named)
    assert products.count() == 60 * len(NAMED_MERCHANTS)
    assert not products.filter(photos__isnull=True).exists()
    digests = set()
    for photo in ProductPhoto.objects.filter(product__in=products):
        image, thumbnail = demo_media / photo.image.name, demo_media / photo.thumbnail.name
        assert image.is_file() and thumbnail.is_file(), photo.image.name
        assert photo.width > 0 and photo.height > 0
        digests.add(hashlib.sha256(image.read_bytes()).hexdigest())
    assert len(digests) == products.count()  # no two products share a photo


def test_names_and_stories_are_chinese_with_english_for_the_overseas_facing_merchant(demo):
    han = re.compile(r"[\u4e00-\u9fff]")
    for name, english in ((NAMED_MERCHANTS[0][1], False), (NAMED_MERCHANTS[1][1], True)):
        for product in Product.objects.filter(merchant__name=name):
            assert han.search(product.name) and han.search(product.story), product.sku
            assert bool(re.search(r"[A-Za-z]{4}", product.story)) == english, product.sku


def test_every_named_merchant_has_five_peers_of_its_kind_and_stage(demo):
    for _user, name, *_rest in NAMED_MERCHANTS:
        merchant = Merchant.objects.get(name=name)
        peers = Merchant.objects.filter(
            base=merchant.base, kind=merchant.kind, stage=merchant.stage
        ).count()
        assert peers >= 5, name
        standing = peer_standing(merchant=merchant)
        assert standing["enough"] and standing["median_daily_net"] > 0, name


def test_a_flash_deal_is_running_in_a_stream_that_is_live_now_and_buyers_took_it(demo):
    now = timezone.now()
    deal = FlashDeal.objects.select_related("stream").get(
        ended=False, starts_at__lte=now, ends_at__gt=now
    )
    stream = deal.stream
    assert stream.status == LiveStream.Status.LIVE and stream.merchant == _zhou()
    assert stream.planned_start <= now < stream.planned_end
    assert 0 < deal.remaining < deal.quantity
    assert stream.orders.filter(lines__flash_deal=deal, status=Order.Status.PAID).exists()
    assert stream.featured.exclude(live_price=None).count() >= 2
    assert FlashDeal.objects.filter(ended=True, remaining=0).count() >= 3


def test_platform_prices_differ_from_the_catalogue_price(demo):
    zhou = _zhou()
    priced = Product.objects.filter(merchant=zhou, platform_prices__isnull=False).distinct()
    assert priced.count() >= 10
    for product in priced[:10]:
        for price in product.platform_prices.all():
            assert price.price != product.price


def test_a_rehearsal_a_series_claims_an_import_and_notifications(demo):
    zhou = _zhou()
    assert LiveStream.objects.filter(merchant=zhou, is_rehearsal=True).exists()
    series = StreamSeries.objects.filter(merchant=zhou).first()
    assert series is not None and series.streams.count() >= 2
    outcomes = set(
        BreakageClaim.objects.filter(order__merchant=zhou).values_list("outcome", flat=True)
    )
    assert {BreakageClaim.Outcome.OPEN, BreakageClaim.Outcome.REFUNDED} <= outcomes
    record = OrderImport.objects.get(merchant=zhou)
    job = ImportJob.objects.get(merchant=zhou)
    assert job.status == "done" and job.order_import == record
    assert record.orders_imported > 0 and job.rows_bad == 1
    assert Notification.objects.filter(recipient__username="merchant").exists()
    assert Notification.objects.filter(recipient__username="host").exists()


def test_host_and_service_are_on_the_merchants_team(demo):
    zhou = _zhou()
    roles = dict(
        TeamMember.objects.filter(
            merchant=zhou, user__username__in=["merchant", "host", "service"]
        ).values_list("user__username", "role")
    )
    assert roles == {
        "merchant": TeamMember.Role.OWNER,
        "host": TeamMember.Role.HOST,
        "service": TeamMember.Role.SERVICE,
    }


def test_supervision_reviews_of_the_named_merchants_have_follow_ups_due(demo):
    today = timezone.localdate()
    for _user, name, *_rest in NAMED_MERCHANTS:
        due = Merchant.objects.get(name=name).reviews.filter(
            follow_up_on__gte=today, follow_up_on__lte=today + dt.timedelta(days=7)
        )
        assert due.exists(), name


def test_a_second_run_adds_nothing(demo, demo_media):
    def counts():
        return [
            model.objects.count()
            for model in (
                Merchant,
                TeamMember,
                User,
                LiveStream,
                Order,
                Product,
                ProductPhoto,
                FlashDeal,
                BreakageClaim,
                OrderImport,
                ImportJob,
                Notification,
                Certificate,
                Milestone,
            )
        ]

    before = counts()
    with override_settings(MEDIA_ROOT=demo_media):
        run(DemoContext(merchants=MERCHANTS, days=DAYS, write=lambda _msg: None))
    assert counts() == before


def test_the_demo_has_targets_a_merchant_behind_a_violation_and_a_follow_up_due(demo):
    from jingdezhen.core.days import today
    from merchants.models import PlatformViolation, StageTarget, SupervisionAlert
    from merchants.supervision import selectors as supervision

    manager = reach_for(User.objects.get(username="manager"))
    assert StageTarget.objects.filter(base=demo.base).count() == 2
    assert supervision.merchants_falling_behind(reach=manager, today=today())
    violation = PlatformViolation.objects.get(merchant__name=NAMED_MERCHANTS[1][1])
    assert violation.evidence.name.endswith(".png")
    assert supervision.follow_ups_due(reach=manager, today=today()).exists()
    assert SupervisionAlert.objects.filter(closed_at__isnull=True).exists()
    assert Notification.objects.filter(kind="follow_up_due", recipient__username="manager")
