"""The one intake: every door (API, form, CSV import) follows the same rules for statuses, hold
deadlines, times, prices, flash deals, bounds and exited merchants. Each test names the defect of
issue #12 it pins."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from jingdezhen.core.errors import DomainError
from livestreams.models import FeaturedProduct, LiveStream
from merchants.models import Merchant
from orders.intake.csv_import import import_orders
from orders.intake.specs import LineIn
from orders.models import FlashDeal, IdempotencyKey, Order, OrderEvent, Product
from orders.ordering import flash_deals, money, services
from tests import factories

from .helpers import douyin_csv


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _import(merchant, data):
    return import_orders(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="douyin",
        data=data,
        filename="x.csv",
    )


def _stamp(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S")


def _live_stream(merchant, **extra):
    now = timezone.now()
    values = {
        "planned_start": now - dt.timedelta(hours=1),
        "planned_end": now + dt.timedelta(hours=1),
        "status": LiveStream.Status.LIVE,
        "actual_start": now - dt.timedelta(hours=1),
    }
    values.update(extra)
    return factories.LiveStreamFactory(merchant=merchant, **values)


# --- statuses through the lifecycle --------------------------------------------------------------


def test_an_imported_refunded_row_returns_its_units_like_a_refund_in_the_app(merchant):
    cup = factories.ProductFactory(merchant=merchant, sku="QH-001", stock=10)
    placed = _stamp(timezone.now() - dt.timedelta(days=2))
    result = _import(merchant, douyin_csv(f"DY1,QH-001,3,198.00,已退款,{placed},王芳"))
    assert result.record.errors == []
    order = Order.objects.get(external_id="DY1")
    assert order.status == "refunded" and order.refunded_cny == order.amount_cny
    # Before: the refunded row took 3 units and never gave them back.
    assert Product.objects.get(pk=cup.pk).stock == 10
    # The same as placing, paying and refunding through the services:
    app = services.order_place(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="douyin",
        lines=[LineIn(product_id=cup.pk, quantity=3)],
    )
    services.order_pay(reach=factories.merchant_reach(merchant), order=app)
    services.order_refund(reach=factories.merchant_reach(merchant), order=app)
    assert Product.objects.get(pk=cup.pk).stock == 10
    walked = list(
        OrderEvent.objects.filter(order=order).order_by("pk").values_list("to_status", flat=True)
    )
    assert walked == ["pending", "paid", "refunded"]


def test_an_imported_shipped_row_keeps_its_units_out_of_stock(merchant):
    cup = factories.ProductFactory(merchant=merchant, sku="QH-001", stock=10)
    placed = _stamp(timezone.now() - dt.timedelta(days=2))
    _import(merchant, douyin_csv(f"DY1,QH-001,3,198.00,已发货,{placed},王芳"))
    assert Product.objects.get(pk=cup.pk).stock == 7


# --- one rule for hold deadlines and accepted times --------------------------------------------


def test_an_imported_pending_order_holds_from_the_moment_of_intake(merchant):
    factories.ProductFactory(merchant=merchant, sku="QH-001", stock=10)
    placed = timezone.now() - dt.timedelta(days=2)
    before = timezone.now()
    _import(merchant, douyin_csv(f"DY1,QH-001,1,198.00,待支付,{_stamp(placed)},王芳"))
    order = Order.objects.get(external_id="DY1")
    # Before: counted from the row's time, so the order arrived already expired.
    assert order.hold_until >= before + dt.timedelta(minutes=24 * 60)


def test_a_csv_row_an_hour_ahead_is_a_bad_row_like_in_the_api(merchant, api_client, owner):
    cup = factories.ProductFactory(merchant=merchant, sku="QH-001", stock=10)
    ahead = timezone.now() + dt.timedelta(hours=1)
    result = _import(merchant, douyin_csv(f"DY1,QH-001,1,198.00,已完成,{_stamp(ahead)},王芳"))
    assert [line for line, _reason in result.record.errors] == [2]
    assert not Order.objects.exists()
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/orders/",
        {
            "platform": "douyin",
            "placed_at": ahead.isoformat(),
            "lines": [{"product": cup.pk, "quantity": 1}],
        },
        format="json",
    )
    assert response.status_code == 400 and "placed_at" in response.json()


def test_a_csv_row_dated_year_one_is_a_bad_row_and_the_merchant_list_still_answers(
    merchant, client, manager
):
    factories.ProductFactory(merchant=merchant, sku="QH-001", stock=10)
    result = _import(
        merchant,
        douyin_csv(
            "DY1,QH-001,1,198.00,已完成,0001-01-01 00:00:00,王芳",
            f"DY2,QH-001,1,198.00,已完成,{_stamp(timezone.now())},王芳",
        ),
    )
    assert [line for line, _reason in result.record.errors] == [2]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["DY2"]
    client.force_login(manager)
    assert client.get("/merchants/").status_code == 200


def test_a_nul_byte_in_a_csv_is_a_reported_bad_row(merchant):
    factories.ProductFactory(merchant=merchant, sku="QH-001", stock=10)
    now = _stamp(timezone.now())
    result = _import(
        merchant,
        douyin_csv(
            f"DY1,QH-001,1,198.00,已完成,{now},王\x00芳",
            f"DY2,QH-001,1,1.00,已完成,{now},",
        ),
    )
    assert [line for line, _reason in result.record.errors] == [2]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["DY2"]


# --- one rule for prices -----------------------------------------------------------------------


def test_a_stream_order_is_charged_the_live_price(api_client, owner, merchant):
    vase = factories.ProductFactory(merchant=merchant, stock=5, price="500.00")
    money.platform_price_set(
        reach=factories.merchant_reach(merchant),
        product=vase,
        platform="douyin",
        price=Decimal("480.00"),
    )
    stream = _live_stream(merchant)
    FeaturedProduct.objects.create(stream=stream, product=vase, live_price=Decimal("399.00"))
    api_client.force_authenticate(owner)
    live = api_client.post(
        "/api/v1/orders/",
        {"platform": "douyin", "stream": stream.pk, "lines": [{"product": vase.pk, "quantity": 1}]},
        format="json",
    )
    assert live.status_code == 201, live.content
    # Before: the product's price (500), not the run sheet's.
    assert live.json()["amount_cny"] == "399.00"
    off = api_client.post(
        "/api/v1/orders/",
        {"platform": "douyin", "lines": [{"product": vase.pk, "quantity": 1}]},
        format="json",
    )
    assert off.json()["amount_cny"] == "480.00"  # outside the stream: the platform price


# --- bounds at the door ------------------------------------------------------------------------


def test_an_order_above_the_maximum_is_a_400_and_stores_nothing(api_client, owner, merchant):
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    api_client.force_authenticate(owner)
    huge = api_client.post(
        "/api/v1/orders/",
        {
            "platform": "douyin",
            "lines": [{"product": cup.pk, "quantity": 1, "unit_price": "999999999999.99"}],
        },
        format="json",
    )
    assert huge.status_code == 400 and "lines" in huge.json()
    # Lines each within the line maximum, together above the order maximum:
    many = api_client.post(
        "/api/v1/orders/",
        {
            "platform": "douyin",
            "lines": [{"product": cup.pk, "quantity": 2, "unit_price": "9000000.00"}],
        },
        format="json",
    )
    assert many.status_code == 400
    assert not Order.objects.exists()
    assert Product.objects.get(pk=cup.pk).stock == 5


def test_a_flash_deal_of_a_billion_days_is_a_400(api_client, owner, merchant):
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    stream = _live_stream(merchant)
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/flash-deals/",
        {
            "stream": stream.pk,
            "product": cup.pk,
            "deal_price": "9.00",
            "quantity": 1,
            "duration": "999999999 00:00:00",
        },
        format="json",
    )
    assert response.status_code == 400 and "duration" in response.json()
    assert not FlashDeal.objects.exists()


# --- flash deals: the merchant's own, and only in a live stream --------------------------------


def test_an_unknown_or_foreign_flash_deal_is_a_plain_400(api_client, owner, merchant):
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    other = factories.MerchantFactory(base=merchant.base)
    their_cup = factories.ProductFactory(merchant=other, stock=5)
    their_deal = flash_deals.flash_deal_create(
        reach=factories.merchant_reach(other),
        stream=_live_stream(other),
        product=their_cup,
        deal_price="9.00",
        quantity=2,
    )
    api_client.force_authenticate(owner)
    for deal_id in (their_deal.pk, their_deal.pk + 1000):
        response = api_client.post(
            "/api/v1/orders/",
            {
                "platform": "douyin",
                "buyer_name": "Mei",
                "lines": [{"product": cup.pk, "quantity": 1, "flash_deal": deal_id}],
            },
            format="json",
        )
        assert response.status_code == 400, response.content
        assert "flash_deal" in response.json()
    assert FlashDeal.objects.get(pk=their_deal.pk).remaining == 2


@pytest.mark.parametrize("status", [LiveStream.Status.ENDED, LiveStream.Status.CANCELLED])
def test_the_api_refuses_a_flash_deal_on_a_closed_stream(api_client, owner, merchant, status):
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    now = timezone.now()
    stream = factories.LiveStreamFactory(
        merchant=merchant,
        planned_start=now - dt.timedelta(hours=3),
        planned_end=now - dt.timedelta(hours=1),
        status=status,
        actual_start=now - dt.timedelta(hours=3) if status == LiveStream.Status.ENDED else None,
        actual_end=now - dt.timedelta(hours=1) if status == LiveStream.Status.ENDED else None,
    )
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/flash-deals/",
        {
            "stream": stream.pk,
            "product": cup.pk,
            "deal_price": "9.00",
            "quantity": 1,
            "duration": "00:10:00",
        },
        format="json",
    )
    assert response.status_code == 409 and "stream" in response.json()
    assert Product.objects.get(pk=cup.pk).stock == 5


def _scheduled_stream(merchant, start_in=dt.timedelta(hours=2)):
    now = timezone.now()
    return factories.LiveStreamFactory(
        merchant=merchant,
        planned_start=now + start_in,
        planned_end=now + start_in + dt.timedelta(hours=2),
        status=LiveStream.Status.SCHEDULED,
    )


def test_no_order_against_a_flash_deal_while_its_stream_is_only_scheduled(merchant):
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    stream = _scheduled_stream(merchant)
    deal = flash_deals.flash_deal_create(
        reach=factories.merchant_reach(merchant),
        stream=stream,
        product=cup,
        deal_price="9.00",
        quantity=2,
        starts_at=timezone.now(),
        duration=dt.timedelta(hours=6),
    )
    with pytest.raises(DomainError) as refused:
        services.order_place(
            reach=factories.merchant_reach(merchant),
            merchant=merchant,
            platform="douyin",
            buyer_name="Mei",
            lines=[LineIn(product_id=cup.pk, quantity=1, flash_deal_id=deal.pk)],
        )
    assert refused.value.code == "deal_closed"


def test_a_flash_deal_clock_runs_from_its_streams_actual_start(merchant):
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    stream = _scheduled_stream(merchant, start_in=dt.timedelta(minutes=30))
    deal = flash_deals.flash_deal_create(
        reach=factories.merchant_reach(merchant),
        stream=stream,
        product=cup,
        deal_price="9.00",
        quantity=2,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        duration=dt.timedelta(minutes=20),
    )
    # The stream goes live two hours after the deal's own start; the deal's 20 minutes run from
    # then. Before: they ran from the deal's start, so it was over before the stream began.
    went_live = timezone.now() - dt.timedelta(minutes=5)
    LiveStream.objects.filter(pk=stream.pk).update(
        status=LiveStream.Status.LIVE, actual_start=went_live
    )
    assert flash_deals.flash_deals_end_due() == 0
    deal.refresh_from_db()
    assert deal.ends_at == went_live + dt.timedelta(minutes=20) and not deal.ended
    order = services.order_place(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="douyin",
        buyer_name="Mei",
        lines=[LineIn(product_id=cup.pk, quantity=1, flash_deal_id=deal.pk)],
    )
    assert str(order.amount) == "9.00"


# --- exited merchants ---------------------------------------------------------------------------


def test_an_exited_merchant_cannot_sell_or_import(api_client, owner, merchant):
    cup = factories.ProductFactory(merchant=merchant, sku="QH-001", stock=5)
    Merchant.objects.filter(pk=merchant.pk).update(stage=Merchant.Stage.EXITED)
    merchant.refresh_from_db()
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/orders/",
        {"platform": "douyin", "lines": [{"product": cup.pk, "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 409 and "merchant" in response.json()
    with pytest.raises(DomainError):
        _import(merchant, douyin_csv(f"DY1,QH-001,1,1.00,已完成,{_stamp(timezone.now())},王芳"))
    assert not Order.objects.exists()


# --- idempotency ---------------------------------------------------------------------------------


def test_the_same_key_with_a_different_body_is_a_422(api_client, owner, merchant):
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    api_client.force_authenticate(owner)
    body = {"platform": "douyin", "lines": [{"product": cup.pk, "quantity": 1}]}
    first = api_client.post(
        "/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "k"}
    )
    assert first.status_code == 201
    assert IdempotencyKey.objects.get().fingerprint
    changed = {"platform": "douyin", "lines": [{"product": cup.pk, "quantity": 3}]}
    again = api_client.post(
        "/api/v1/orders/", changed, format="json", headers={"Idempotency-Key": "k"}
    )
    # Before: 200 with the first order, as if nothing differed.
    assert again.status_code == 422 and "Idempotency-Key" in again.json()
    assert Order.objects.count() == 1 and Product.objects.get(pk=cup.pk).stock == 4


# --- speed ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_single_line_order_through_the_api_costs_at_most_ten_queries(api_client):
    merchant = factories.MerchantFactory()
    owner = factories.member_user(merchant, role="owner", username="q-owner")
    cup = factories.ProductFactory(merchant=merchant, stock=100)
    api_client.force_authenticate(owner)
    body = {"platform": "douyin", "lines": [{"product": cup.pk, "quantity": 1}]}
    assert api_client.post("/api/v1/orders/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201
    assert len(queries) <= 10, "\n".join(q["sql"][:120] for q in queries)


@pytest.mark.django_db(transaction=True)
def test_an_api_order_is_one_write_statement_after_the_reach_and_the_products(api_client):
    """The reach and the own merchant in one query, the products (with prices, policy and
    milestones) in one, and the stock, order, line, event (and the key) in one statement."""
    merchant = factories.MerchantFactory()
    owner = factories.member_user(merchant, role="owner", username="q-owner")
    cup = factories.ProductFactory(merchant=merchant, stock=100)
    api_client.force_authenticate(owner)
    body = {"platform": "douyin", "lines": [{"product": cup.pk, "quantity": 1}]}
    assert api_client.post("/api/v1/orders/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as plain:
        response = api_client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201
    statements = [q["sql"] for q in plain if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(statements) == 3, "\n".join(q[:120] for q in statements)
    with CaptureQueriesContext(connection) as keyed:
        response = api_client.post(
            "/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "k-1"}
        )
    assert response.status_code == 201
    statements = [q["sql"] for q in keyed if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(statements) == 4, "\n".join(q[:120] for q in statements)
    assert not any("SAVEPOINT" in q for q in statements)
    key = IdempotencyKey.objects.get(merchant=merchant, key="k-1")
    assert key.order_id == response.json()["id"]
    order = Order.objects.get(pk=response.json()["id"])
    assert [line.pk for line in order.lines.all()] == [response.json()["lines"][0]["id"]]
    assert list(order.events.values_list("to_status", flat=True)) == ["pending"]
    assert Product.objects.get(pk=cup.pk).stock == 97


def test_an_order_short_of_one_product_takes_nothing_of_the_others(merchant):
    cup, bowl = (
        factories.ProductFactory(merchant=merchant, stock=5),
        factories.ProductFactory(merchant=merchant, stock=1),
    )
    before = Order.objects.count()
    Product.objects.filter(pk=bowl.pk).update(stock=0)  # the bowl's last piece is gone
    with pytest.raises(DomainError) as refused:
        services.order_place(
            reach=factories.merchant_reach(merchant),
            merchant=merchant,
            platform="douyin",
            lines=[LineIn(product_id=cup.pk, quantity=2), LineIn(product_id=bowl.pk, quantity=1)],
        )
    assert refused.value.code == "out_of_stock" and bowl.name in str(refused.value)
    assert Product.objects.get(pk=cup.pk).stock == 5
    assert Order.objects.count() == before


def test_orders_taken_in_together_keep_their_walks_in_order(merchant):
    from orders.intake.specs import OrderIn
    from orders.intake.take_in import take_in

    cup = factories.ProductFactory(merchant=merchant, stock=10)
    specs = [
        OrderIn(platform="douyin", external_id=f"W-{n}", status=status, lines=[LineIn(cup.pk, 1)])
        for n, status in enumerate(["refunded", "pending", "completed"])
    ]
    taken = take_in(merchant=merchant, orders=specs, partial=True, note="walk").orders
    assert [o.external_id for o in taken] == ["W-0", "W-1", "W-2"]
    walks = {
        o.external_id: list(o.events.order_by("pk").values_list("from_status", "to_status"))
        for o in Order.objects.filter(merchant=merchant)
    }
    assert walks["W-0"] == [("", "pending"), ("pending", "paid"), ("paid", "refunded")]
    assert walks["W-1"] == [("", "pending")]
    assert walks["W-2"][0] == ("", "pending") and walks["W-2"][-1][1] == "completed"
    assert all(a[1] == b[0] for a, b in zip(walks["W-2"], walks["W-2"][1:], strict=False))
    # The refunded one never took its unit; the lines are the stored ones.
    assert Product.objects.get(pk=cup.pk).stock == 8
    assert all(o._prefetched_objects_cache["lines"][0].pk for o in taken)


def test_the_intake_benchmark_runs_at_small_scale(db):
    from bench.intake import run_benchmark

    result = run_benchmark(orders=10, warmup=2)
    assert result["api_orders_per_second"] > 0 and result["sql_orders_per_second"] > 0
    assert result["api_to_sql_ratio"] > 0


def test_a_second_order_with_the_same_platform_order_id_is_a_conflict_on_that_field(merchant):
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    reach = factories.merchant_reach(merchant)
    order = dict(reach=reach, merchant=merchant, platform="douyin", lines=[LineIn(cup.pk, 1)])
    services.order_place(external_id="DY-SAME", **order)
    with pytest.raises(DomainError) as raised:
        services.order_place(external_id="DY-SAME", **order)
    assert raised.value.status_code == 409 and raised.value.field == "external_id"
    assert "platform order id already exists" in str(raised.value)
    assert Product.objects.get(pk=cup.pk).stock == 4  # the second took nothing


def test_only_the_platform_order_id_index_reads_as_a_duplicate_order(merchant):
    """The write's IntegrityError is named a duplicate platform order id only when PostgreSQL
    names that index; any other violated constraint is not reported as one (review finding)."""
    from django.db import IntegrityError, transaction

    from orders.intake.take_in import EXTERNAL_ID_UNIQUE, _is_duplicate_external_id
    from orders.models import OrderLine

    assert EXTERNAL_ID_UNIQUE in {c.name for c in Order._meta.constraints}
    cup = factories.ProductFactory(merchant=merchant, stock=5)
    first = services.order_place(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="douyin",
        external_id="DY-ONE",
        lines=[LineIn(cup.pk, 1)],
    )
    errors = {}
    with pytest.raises(IntegrityError) as duplicate, transaction.atomic():
        Order.objects.create(
            merchant=merchant, platform="douyin", external_id="DY-ONE", amount=1, amount_cny=1,
            placed_at=timezone.now(),
        )  # fmt: skip
    errors["duplicate"] = duplicate.value
    with pytest.raises(IntegrityError) as check, transaction.atomic():
        OrderLine.objects.create(order=first, product=cup, quantity=0, unit_price=1)
    errors["check"] = check.value
    assert {name: _is_duplicate_external_id(exc) for name, exc in errors.items()} == {
        "duplicate": True,
        "check": False,
    }
