import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db.models import Q, Sum

from jingdezhen.pages import incubation
from merchants.models import Merchant, Milestone, Role, User
from orders.models import Order
from orders.turnover import reconcile, rollup
from orders.turnover import selectors as turnover
from orders.turnover.peers import peer_standing
from tests import factories as f
from tests.orders.turnover_helpers import local
from tests.support.db import demo_once

TODAY = turnover.today()


def direct_net(q: Q, first: dt.date, last: dt.date) -> Decimal:
    """Net turnover summed straight from the orders (no rollup involved)."""
    start = local(first, 0)
    end = local(last + dt.timedelta(days=1), 0)
    totals = (
        Order.objects.filter(q, placed_at__gte=start, placed_at__lt=end)
        .filter(status__in=Order.COUNTED_STATUSES)
        .exclude(stream__is_rehearsal=True)
        .aggregate(g=Sum("amount_cny", default=0), r=Sum("refunded_cny", default=0))
    )
    return totals["g"] - totals["r"]


seeded = demo_once(merchants=8, days=40)


@pytest.fixture
def demo(seeded, db):
    """The module's demo seed (what a test writes is rolled back: tests/support/db.py); its
    manager."""
    return User.objects.get(username="manager")


def test_base_dashboard_shows_the_demo_base_figures_equal_to_its_orders(client, demo):
    client.force_login(demo)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    board = response.context["board"]
    base = Q(merchant__base_id=demo.base_id)
    first = TODAY - dt.timedelta(days=29)
    assert board.period["net"] == direct_net(base, first, TODAY) > 0
    assert board.today_row["net"] == direct_net(base, TODAY, TODAY)
    yesterday = TODAY - dt.timedelta(days=1)
    assert board.yesterday_row["net"] == direct_net(base, yesterday, yesterday)
    assert sum(s.net for s in board.platforms) == board.period["net"]
    assert sum(s.net for s in board.countries) == board.period["net"]
    assert sum(s.net for s in board.tiers) == board.period["net"]
    page = response.content.decode()
    assert f"{board.period['net']:,.2f}" in page
    assert reconcile.reconcile(start=TODAY - dt.timedelta(days=40), end=TODAY) == []


def test_merchant_dashboard_shows_its_own_figures_equal_to_its_orders(client, demo):
    user = User.objects.get(username="merchant")
    client.force_login(user)
    response = client.get("/turnover/")
    assert response.status_code == 200
    board = response.context["board"]
    merchant_id = user.membership.merchant_id
    first = TODAY - dt.timedelta(days=29)
    assert board.period["net"] == direct_net(Q(merchant_id=merchant_id), first, TODAY) > 0
    top = direct_net(Q(merchant_id=merchant_id), first, TODAY)
    assert response.context["merchant"].pk == merchant_id
    assert f"{top:,.2f}" in response.content.decode()


def test_dashboard_pages_carry_no_inline_style_or_script(client, demo):
    client.force_login(demo)
    for url in ["/dashboard/?days=365", "/dashboard/incubation/"]:
        page = client.get(url).content.decode()
        assert "<svg" in page or "funnel" in page
        assert " style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_period_switch_with_htmx_returns_the_body_only(client, demo):
    client.force_login(demo)
    response = client.get("/dashboard/?days=90", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="dashboard-body">')
    assert "<html" not in body
    assert response.context["board"].days == 90


def test_csv_download_matches_the_chart_table(client, demo):
    client.force_login(demo)
    board = client.get("/dashboard/").context["board"]
    response = client.get("/dashboard/daily.csv?days=30")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "day,gross,refunded,net,orders,units"
    assert len(lines) == 31
    assert sum(Decimal(line.split(",")[3]) for line in lines[1:]) == board.period["net"]
    assert client.get("/dashboard/nothing.csv").status_code == 404


def test_base_dashboard_is_for_managers_only(client, base, manager, trainer, owner):
    client.force_login(owner)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/daily.csv").status_code == 403
    client.force_login(trainer)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/turnover/").status_code == 403
    client.force_login(manager)
    assert client.get("/dashboard/").status_code == 200


def test_a_merchant_sees_only_its_own_merchant_dashboard(
    client, merchant, other_merchant, owner, trainer
):
    client.force_login(owner)
    assert client.get(f"/dashboard/merchants/{merchant.pk}/").status_code == 200
    assert client.get(f"/dashboard/merchants/{other_merchant.pk}/").status_code == 404
    assert client.get(f"/dashboard/merchants/{other_merchant.pk}/daily.csv").status_code == 404
    client.force_login(trainer)
    assert client.get(f"/dashboard/merchants/{merchant.pk}/").status_code == 403


def test_a_manager_of_another_base_gets_404_for_a_merchant(client, merchant, other_base):
    stranger = f.UserFactory(role=Role.MANAGER, base=other_base)
    client.force_login(stranger)
    assert client.get(f"/dashboard/merchants/{merchant.pk}/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/turnover/").status_code == 302


def _history(base, merchants: int, orders_per_day: int, days: int = 12):
    shop = [f.MerchantFactory(base=base) for _ in range(merchants)]
    for back in range(days):
        day = TODAY - dt.timedelta(days=back)
        for n in range(orders_per_day):
            f.TurnoverOrderFactory(
                merchant=shop[n % merchants],
                platform=["douyin", "taobao", "tiktok"][n % 3],
                buyer_country=["CN", "ZA"][n % 2],
                placed_at=local(day, 1 + n % 8),
            )
        rollup.rollup_day(day=day)
    return shop


@pytest.mark.parametrize("orders_per_day", [1, 12])
def test_base_dashboard_runs_a_constant_number_of_queries(
    client, base, manager, orders_per_day, django_assert_max_num_queries
):
    _history(base, merchants=orders_per_day, orders_per_day=orders_per_day)
    client.force_login(manager)
    client.get("/dashboard/")  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get("/dashboard/?days=365").status_code == 200


@pytest.mark.parametrize("orders_per_day", [1, 12])
def test_merchant_dashboard_runs_a_constant_number_of_queries(
    client, merchant, owner, orders_per_day, django_assert_max_num_queries
):
    for back in range(10):
        day = TODAY - dt.timedelta(days=back)
        for n in range(orders_per_day):
            f.TurnoverOrderFactory(merchant=merchant, placed_at=local(day, 1 + n % 8))
        f.TurnoverStreamFactory(merchant=merchant, planned_start=local(day, 20))
        rollup.rollup_day(day=day)
    client.force_login(owner)
    client.get("/turnover/")
    with django_assert_max_num_queries(14):
        assert client.get("/turnover/?days=90").status_code == 200


def test_peer_standing_gives_median_and_top_quarter_of_same_kind_and_stage(base):
    day = TODAY - dt.timedelta(days=1)
    peers = [f.MerchantFactory(base=base, kind=Merchant.Kind.STORE) for _ in range(4)]
    for merchant, amount in zip(peers, [300, 600, 900, 1200], strict=True):
        f.TurnoverOrderFactory(merchant=merchant, amount=Decimal(amount), placed_at=local(day, 10))
    f.MerchantFactory(base=base, kind=Merchant.Kind.STUDIO)  # another kind: not a peer
    rollup.rollup_day(day=day)
    standing = peer_standing(merchant=peers[0], days=30)
    assert standing["peers"] == 4
    assert standing["median_daily_net"] == Decimal("25.00")  # median of 10, 20, 30, 40 a day
    assert standing["top_quarter_daily_net"] == Decimal("32.50")
    assert standing["own_daily_net"] == Decimal("10.00")
    assert standing["median_aov"] == Decimal("750.00")
    assert standing["own_gpm"] is None  # no stream viewers recorded: no GPM


def test_peer_standing_gives_gpm_from_the_viewers_of_ended_streams(base):
    day = TODAY - dt.timedelta(days=1)
    peers = [f.MerchantFactory(base=base, kind=Merchant.Kind.STORE) for _ in range(4)]
    for merchant, amount, viewers in zip(
        peers, [300, 600, 900, 1200], [1000, 1000, 3000, 0], strict=True
    ):
        f.TurnoverOrderFactory(merchant=merchant, amount=Decimal(amount), placed_at=local(day, 10))
        f.TurnoverStreamFactory(
            merchant=merchant, planned_start=local(day, 9), unique_viewers=viewers
        )
    # A rehearsal's viewers never count.
    f.TurnoverStreamFactory(
        merchant=peers[0], planned_start=local(day, 14), unique_viewers=9000, is_rehearsal=True
    )
    rollup.rollup_day(day=day)
    standing = peer_standing(merchant=peers[0], days=30)
    assert standing["own_gpm"] == Decimal("300.00")  # 300 CNY over 1,000 viewers
    # GPMs 300, 600, 300 (the fourth has no viewers): median 300, top quarter from 450.
    assert standing["median_gpm"] == Decimal("300.00")
    assert standing["top_quarter_gpm"] == Decimal("450.00")


def test_peer_standing_over_months_counts_each_day_of_the_period_once(base):
    # 90 days cut two or three months: whole months come from the monthly rollup, the cut ones'
    # days are added or subtracted. Orders just inside and just outside the period's ends.
    first = TODAY - dt.timedelta(days=89)
    days = [first - dt.timedelta(days=1), first, first + dt.timedelta(days=40), TODAY]
    peers = [f.MerchantFactory(base=base, kind=Merchant.Kind.STORE) for _ in range(4)]
    for n, merchant in enumerate(peers):
        for k, day in enumerate(days):
            f.TurnoverOrderFactory(
                merchant=merchant, amount=Decimal(100 * (n + 1) + k), placed_at=local(day, 12)
            )
    rollup.rollup_days(start=days[0], end=TODAY)
    standing = peer_standing(merchant=peers[0], days=90, today_=TODAY)
    # Inside the period: days 1..3 of each merchant, 3 * 100 * (n + 1) + 1 + 2 + 3.
    totals = [Decimal(300 * (n + 1) + 6) for n in range(4)]
    assert standing["own_daily_net"] == (totals[0] / 90).quantize(Decimal("0.01"))
    assert standing["median_daily_net"] == ((totals[1] + totals[2]) / 2 / 90).quantize(
        Decimal("0.01")
    )
    assert standing["own_aov"] == (totals[0] / 3).quantize(Decimal("0.01"))


def test_incubation_cohorts_measure_days_to_first_stream_sale_and_10k_day(client, base, manager):
    joined = TODAY.replace(day=1) - dt.timedelta(days=40)
    fast = f.MerchantFactory(base=base, joined_on=joined)
    slow = f.MerchantFactory(base=base, joined_on=joined)
    Milestone.objects.create(
        merchant=fast,
        kind=Milestone.Kind.FIRST_STREAM,
        reached_at=local(joined, 12) + dt.timedelta(days=3),
    )
    sale_day = joined + dt.timedelta(days=5)
    f.TurnoverOrderFactory(merchant=fast, amount=Decimal("12000"), placed_at=local(sale_day, 11))
    rollup.rollup_day(day=sale_day)
    cohorts = incubation.cohorts(reach=_reach(manager))
    cohort = next(c for c in cohorts if c["month"] == joined.replace(day=1))
    assert cohort["size"] == 2
    assert (cohort["streamed"], cohort["median_days_to_stream"]) == (1, 3)
    assert (cohort["sold"], cohort["median_days_to_sale"]) == (1, 5)
    assert cohort["reached_10k"] == 1
    assert slow.pk
    client.force_login(manager)
    page = client.get("/dashboard/incubation/")
    assert page.status_code == 200
    assert "Cohorts of newcomers" in page.content.decode()
    csv = client.get("/dashboard/incubation/?format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("cohort,merchants,streamed")


def _reach(user):
    from jingdezhen.core.tenancy import reach_for

    return reach_for(user)


def test_the_funnel_starts_at_applicants_until_the_training_app_records_trainees(
    base, manager, merchant
):
    steps = incubation.funnel(reach=_reach(manager))
    keys = [step["key"] for step in steps]
    assert keys == ["trainees", "applicant", "incubating", "graduated"]
    assert dict(zip(keys, [s["count"] for s in steps], strict=True))["incubating"] == 1


def test_a_merchants_page_shows_its_weekly_turnover_trend_equal_to_its_orders(client, demo):
    member = User.objects.get(username="merchant2")
    merchant_id = member.membership.merchant_id
    client.force_login(demo)
    response = client.get(f"/merchants/{merchant_id}/")
    trend = response.context["trend"]
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    assert [w["week"] for w in trend] == [monday - dt.timedelta(weeks=n) for n in range(7, -1, -1)]
    for week in trend:
        last = min(week["week"] + dt.timedelta(days=6), TODAY)
        assert week["net"] == direct_net(Q(merchant_id=merchant_id), week["week"], last)
    assert sum(w["net"] for w in trend) > 0
    page = response.content.decode()
    assert f"{trend[-1]['net']:,.2f}" in page
    assert f'href="/dashboard/merchants/{merchant_id}/"' in page
    # The merchant's own team reads the same trend; a trainer reads none.
    client.force_login(member)
    assert client.get(f"/merchants/{merchant_id}/").context["trend"] == trend
    client.force_login(User.objects.get(username="trainer"))
    response = client.get(f"/merchants/{merchant_id}/")
    assert response.status_code == 200
    assert "trend" not in response.context
