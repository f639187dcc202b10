"""The live board (/board/): today's figures up to the minute equal the orders they come from,
the rollups plus what was written since the last roll; its cost is pinned; managers only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from jingdezhen.core.tenancy import reach_for
from livestreams import selectors as streams
from merchants.models import Role
from orders.models import DailyBaseSlotTurnover, Order, OrderEvent
from orders.ordering import services as order_services
from orders.turnover import live, rollup
from orders.turnover.selectors import today
from tests import factories as f
from tests.orders.turnover_helpers import local

S = Order.Status


def _order(merchant, amount, *, at=None, status=S.PAID, country="CN", platform="douyin", **kw):
    """An order with its first event, as the order door writes it (orders.intake.take_in)."""
    order = f.TurnoverOrderFactory(
        merchant=merchant,
        amount=Decimal(amount),
        placed_at=at or timezone.now(),
        status=status,
        buyer_country=country,
        platform=platform,
        **kw,
    )
    OrderEvent.objects.create(order=order, from_status="", to_status=status)
    return order


def _net(**filters) -> Decimal:
    rows = Order.objects.filter(status__in=Order.COUNTED_STATUSES, **filters).exclude(
        stream__is_rehearsal=True
    )
    totals = rows.aggregate(g=Sum("amount_cny", default=0), r=Sum("refunded_cny", default=0))
    return totals["g"] - totals["r"]


@pytest.fixture
def reach(manager):
    return reach_for(manager)


def _board(reach, now=None):
    return live.live_turnover(reach=reach, now=now)


def test_today_so_far_adds_the_orders_written_since_the_roll_to_the_rollups(base, reach):
    shop, other = f.MerchantFactory(base=base), f.MerchantFactory(base=base)
    before = [_order(shop, "300.00"), _order(other, "120.00", country="ZA")]
    pending = _order(shop, "80.00", status=S.PENDING)
    refunded_later = _order(other, "500.00", platform="taobao")
    rollup.rollup_day(day=today())
    assert DailyBaseSlotTurnover.objects.filter(base=base, day=today()).exists()
    board = _board(reach)
    assert board.rolled_at is not None and board.since_roll_orders == 0
    assert board.net == Decimal("920.00") == _net(merchant__base=base)

    # After the roll: a new order, a payment of an order placed before it, a partial refund.
    _order(shop, "45.50", platform="kuaishou")
    order_services.order_pay(reach=f.merchant_reach(shop), order=pending)
    order_services.order_refund(
        reach=f.merchant_reach(other), order=refunded_later, amount_cny=Decimal("200.00")
    )
    board = _board(reach)
    assert board.net == _net(merchant__base=base) == Decimal("845.50")
    assert board.orders == 5
    assert sum(s.net for s in board.platforms) == board.net
    assert {s.key: s.net for s in board.platforms}["taobao"] == Decimal("300.00")
    assert board.overseas_gross == Decimal("120.00")
    assert board.overseas_share == (Decimal("120") / Decimal("1045.50") * 100).quantize(
        Decimal("0.1")
    )
    assert sum(h["today"] for h in board.by_hour) == board.net
    top = {row["merchant_id"]: row["net"] for row in board.top_merchants}
    assert top == {shop.pk: Decimal("425.50"), other.pk: Decimal("420.00")}
    assert [row["name"] for row in board.top_merchants] == [shop.name, other.name]
    assert before[0].pk  # the orders before the roll are counted once, by the rollup

    rollup.rollup_day(day=today())  # rolled again: the same figures, nothing added since
    again = _board(reach)
    assert (again.net, again.since_roll_orders) == (board.net, 0)


def test_a_day_never_rolled_is_read_from_its_orders(base, reach):
    shop = f.MerchantFactory(base=base)
    _order(shop, "99.00")
    _order(shop, "1.00", status=S.CANCELLED)
    board = _board(reach)
    assert board.rolled_at is None
    assert board.net == Decimal("99.00") and board.orders == 1


def test_yesterday_by_this_time_and_the_record_day(base, reach):
    shop = f.MerchantFactory(base=base)
    day = today()
    yesterday, record_day = day - dt.timedelta(days=1), day - dt.timedelta(days=5)
    now = local(day, 20, 15)
    _order(shop, "70.00", at=local(yesterday, 19, 45))
    _order(shop, "900.00", at=local(yesterday, 20, 45))
    _order(shop, "5000.00", at=local(record_day, 12))
    for rolled in (record_day, yesterday):
        rollup.rollup_day(day=rolled)
    _order(shop, "10.00", at=local(day, 9))
    board = _board(reach, now=now)
    assert board.yesterday_by_now == Decimal("70.00")
    assert board.yesterday_net == Decimal("970.00")
    assert [h["yesterday"] for h in board.by_hour if h["yesterday"]] == [
        Decimal("70.00"),
        Decimal("900.00"),
    ]
    assert board.record == {"day": record_day, "net": Decimal("5000.00")}
    assert board.net == Decimal("10.00") and not board.is_record
    assert board.of_record == Decimal("0.2")
    assert board.against_yesterday == Decimal("-85.7")


def test_a_live_streams_gmv_counts_its_orders_and_idle_rooms_show_in_prime_time(base, reach):
    shop = f.MerchantFactory(base=base)
    host = f.TeamMemberFactory(merchant=shop, name="主播小周")
    busy, idle = f.LiveRoomFactory(base=base, name="A1"), f.LiveRoomFactory(base=base, name="B2")
    for room in (busy, idle):
        room.prime_start_hour, room.prime_end_hour = 0, 24
        room.save()
    stream = f.LiveStreamFactory(merchant=shop, room=busy, host=host, status="live")
    _order(shop, "66.00", stream=stream)
    _order(shop, "34.00", stream=stream)
    _order(shop, "5.00", stream=stream, status=S.CANCELLED)
    assert list(streams.streams_live_now(reach=reach)) == [stream]
    assert live.stream_gmv(reach=reach, stream_ids=[stream.pk]) == {
        stream.pk: (Decimal("100.00"), 2)
    }
    assert list(streams.rooms_idle_in_prime_time(reach=reach)) == [idle]


def test_the_board_page_and_its_poll_run_a_constant_number_of_queries(
    client, base, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    shop = f.MerchantFactory(base=base)
    room = f.LiveRoomFactory(base=base)
    stream = f.LiveStreamFactory(merchant=shop, room=room, status="live")
    for _n in range(5):
        _order(shop, "10.00", stream=stream)
    rollup.rollup_day(day=today())
    page = client.get("/board/")
    assert page.status_code == 200
    assert 'hx-trigger="every 5s"' in page.content.decode()
    for _n in range(20):  # more orders, more merchants, more streams: the same statements
        other = f.MerchantFactory(base=base)
        _order(other, "7.00", stream=f.LiveStreamFactory(merchant=other, status="live"))
    with django_assert_max_num_queries(11):
        poll = client.get("/board/", HTTP_HX_REQUEST="true")
    body = poll.content.decode()
    assert poll.status_code == 200 and "<html" not in body and 'id="board-figures"' in body
    assert 'data-value="190.00"' in body  # 50 rolled + 140 since


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.TRAINER])
def test_the_board_is_refused_to_merchants_and_trainers(client, base, role):
    user = f.UserFactory(role=role, base=base)
    if role == Role.MERCHANT:
        user = f.member_user(f.MerchantFactory(base=base))
    client.force_login(user)
    assert client.get("/board/").status_code == 403


def test_the_board_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get("/board/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_since_the_roll_a_whole_refund_a_rehearsal_and_another_bases_order_count_as_they_should(
    base, other_base, reach
):
    shop = f.MerchantFactory(base=base)
    paid = _order(shop, "250.00")
    pending = _order(shop, "60.00", status=S.PENDING)
    rollup.rollup_day(day=today())
    assert _board(reach).net == Decimal("250.00")

    order_services.order_refund(reach=f.merchant_reach(shop), order=paid)
    order_services.order_cancel(reach=f.merchant_reach(shop), order=pending)
    rehearsal = f.LiveStreamFactory(merchant=shop, status="live", is_rehearsal=True)
    _order(shop, "999.00", stream=rehearsal)
    _order(f.MerchantFactory(base=other_base), "777.00")
    board = _board(reach)
    assert board.net == Decimal("0.00") == _net(merchant__base=base)
    assert board.gross == Decimal("250.00")  # a refunded order stays in gross, as in the rollups
    # As in the rollups, a refunded order is still a counted order, worth nothing net.
    assert [(r["merchant_id"], r["net"], r["orders"]) for r in board.top_merchants] == [
        (shop.pk, Decimal("0.00"), 1)
    ]


def test_the_ten_minute_slots_of_a_rolled_day_equal_its_orders(base):
    shop = f.MerchantFactory(base=base)
    day = today() - dt.timedelta(days=2)
    _order(shop, "10.00", at=local(day, 20, 5))
    _order(shop, "20.00", at=local(day, 20, 9), country="SE")
    _order(shop, "40.00", at=local(day, 20, 10))
    _order(shop, "80.00", at=local(day, 23, 59))
    _order(shop, "5.00", at=local(day, 23, 58), status=S.CANCELLED)
    rollup.rollup_day(day=day)
    slots = {
        row.minute: (row.net_cny, row.orders, row.overseas_cny)
        for row in DailyBaseSlotTurnover.objects.filter(base=base, day=day)
    }
    assert slots == {
        1200: (Decimal("30.00"), 2, Decimal("20.00")),
        1210: (Decimal("40.00"), 1, Decimal("0.00")),
        1430: (Decimal("80.00"), 1, Decimal("0.00")),
    }
    rolled = DailyBaseSlotTurnover.objects.filter(base=base, day=day)
    assert rolled.aggregate(n=Sum("net_cny"))["n"] == _net(merchant__base=base)
    assert len(set(rolled.values_list("rolled_at", flat=True))) == 1  # one roll's time
