"""Bulk actions on orders (issue #17, part 2): mark many paid, ship many with a carrier, tracking
number and insured value each -- all or nothing, bounded, scoped, in a constant number of
queries -- through the services, the API and the order list's pages."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import reach_for
from merchants.models import TeamMember
from orders.models import BreakageClaim, Order, OrderEvent, Shipment
from orders.ordering import bulk, claims
from tests import factories
from tests.conftest import login
from tests.orders.helpers import png

pytestmark = pytest.mark.django_db

S = Order.Status


def _orders(merchant, n, *, status=S.PAID, amount="300.00", **kwargs) -> list[Order]:
    orders = [
        factories.TurnoverOrderFactory(
            merchant=merchant, status=status, amount=Decimal(amount), **kwargs
        )
        for _ in range(n)
    ]
    for order in orders:
        factories.TurnoverOrderLineFactory(order=order)
    return orders


def _rows(orders, *, carrier="sf", insured=None) -> list[bulk.ShipmentIn]:
    return [
        bulk.ShipmentIn(
            order_id=order.pk,
            carrier=carrier,
            tracking_number=f"sf 1234 5678 {order.pk:04d}",
            insured_value=insured,
        )
        for order in orders
    ]


def _statuses(orders) -> list[str]:
    by_id = dict(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("pk", "status"))
    return [by_id[o.pk] for o in orders]


# --- the services ------------------------------------------------------------------------------


def test_ten_paid_orders_ship_at_once_with_their_parcels(owner, merchant):
    orders = _orders(merchant, 10)
    shipped = bulk.orders_ship_bulk(
        reach=reach_for(owner), shipments=_rows(orders, insured=Decimal("100.00")), actor=owner
    )
    assert len(shipped) == 10
    assert _statuses(orders) == [S.SHIPPED] * 10
    first = Shipment.objects.get(order=orders[0])
    # Spaces dropped and letters upper-cased: the number as the carrier prints it.
    assert first.tracking_number == f"SF12345678{orders[0].pk:04d}"
    assert (first.carrier, first.insured_value, first.shipped_by) == (
        "sf",
        Decimal("100.00"),
        owner,
    )
    events = OrderEvent.objects.filter(order__in=orders, to_status=S.SHIPPED, actor=owner)
    assert events.count() == 10 and {e.from_status for e in events} == {S.PAID}


def test_one_order_that_cannot_ship_stops_the_whole_batch_and_is_named(owner, merchant):
    orders = _orders(merchant, 4)
    pending = _orders(merchant, 1, status=S.PENDING, external_id="DY-PENDING-1")[0]
    batch = [*orders[:2], pending, *orders[2:]]
    with pytest.raises(Conflict) as refused:
        bulk.orders_ship_bulk(reach=reach_for(owner), shipments=_rows(batch), actor=owner)
    assert refused.value.field == "shipments.2.order"
    assert "DY-PENDING-1" in refused.value.message
    assert refused.value.code == "invalid_transition"
    assert _statuses(batch) == [S.PAID, S.PAID, S.PENDING, S.PAID, S.PAID]
    assert not Shipment.objects.exists()
    assert not OrderEvent.objects.exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"carrier": "dhl"}, "carrier"),
        ({"tracking_number": "12345"}, "tracking_number"),
        ({"tracking_number": "SF-12345678901234567890-12345678901"}, "tracking_number"),
        ({"tracking_number": "SF1234567'; DROP"}, "tracking_number"),
        ({"tracking_number": "SF12\x003456789"}, "tracking_number"),
        ({"insured_value": Decimal("-1")}, "insured_value"),
        ({"insured_value": Decimal("300.01")}, "insured_value"),
        ({"insured_value": Decimal("1.005")}, "insured_value"),
        ({"insured_value": Decimal("NaN")}, "insured_value"),
    ],
)
def test_a_row_out_of_bounds_is_refused_naming_its_field(owner, merchant, row, field):
    orders = _orders(merchant, 3)
    rows = _rows(orders)
    base = rows[1]
    rows[1] = bulk.ShipmentIn(
        order_id=base.order_id,
        carrier=row.get("carrier", base.carrier),
        tracking_number=row.get("tracking_number", base.tracking_number),
        insured_value=row.get("insured_value", base.insured_value),
    )
    with pytest.raises(DomainError) as refused:
        bulk.orders_ship_bulk(reach=reach_for(owner), shipments=rows, actor=owner)
    assert refused.value.field == f"shipments.1.{field}"
    assert _statuses(orders) == [S.PAID] * 3 and not Shipment.objects.exists()


def test_the_insured_value_may_be_the_whole_order_and_defaults_to_none(owner, merchant):
    full, bare = _orders(merchant, 2)
    rows = _rows([full, bare])
    rows[0] = bulk.ShipmentIn(
        order_id=full.pk,
        carrier="ems",
        tracking_number="EE123456789CN",
        insured_value=Decimal("300"),
    )
    bulk.orders_ship_bulk(reach=reach_for(owner), shipments=rows, actor=owner)
    assert Shipment.objects.get(order=full).insured_value == Decimal("300.00")
    assert Shipment.objects.get(order=bare).insured_value == Decimal("0")


def test_a_tracking_number_used_twice_in_a_batch_or_before_is_refused(owner, merchant):
    first, second, third = _orders(merchant, 3)
    twice = [
        bulk.ShipmentIn(order_id=first.pk, carrier="zto", tracking_number="7730123456"),
        bulk.ShipmentIn(order_id=second.pk, carrier="zto", tracking_number="7730123456"),
    ]
    with pytest.raises(Conflict) as refused:
        bulk.orders_ship_bulk(reach=reach_for(owner), shipments=twice, actor=owner)
    assert refused.value.field == "shipments.1.tracking_number"
    bulk.orders_ship_bulk(reach=reach_for(owner), shipments=twice[:1], actor=owner)
    again = [bulk.ShipmentIn(order_id=third.pk, carrier="zto", tracking_number="7730123456")]
    with pytest.raises(Conflict) as refused:
        bulk.orders_ship_bulk(reach=reach_for(owner), shipments=again, actor=owner)
    assert refused.value.field == "shipments.0.tracking_number"
    # Another carrier's parcel may carry the same digits.
    other = [bulk.ShipmentIn(order_id=third.pk, carrier="yto", tracking_number="7730123456")]
    bulk.orders_ship_bulk(reach=reach_for(owner), shipments=other, actor=owner)
    assert _statuses([first, second, third]) == [S.SHIPPED, S.PAID, S.SHIPPED]


def test_a_foreign_order_in_a_batch_is_not_found_and_nothing_changes(
    owner, merchant, other_merchant
):
    mine = _orders(merchant, 2)
    theirs = _orders(other_merchant, 1)
    with pytest.raises(Http404):
        bulk.orders_ship_bulk(
            reach=reach_for(owner), shipments=_rows([*mine, *theirs]), actor=owner
        )
    with pytest.raises(Http404):
        bulk.orders_mark_paid_bulk(reach=reach_for(owner), order_ids=[theirs[0].pk], actor=owner)
    assert _statuses([*mine, *theirs]) == [S.PAID] * 3 and not Shipment.objects.exists()


def test_a_batch_is_bounded_and_names_each_order_once(owner, merchant):
    orders = _orders(merchant, 2)
    reach = reach_for(owner)
    with pytest.raises(DomainError) as empty:
        bulk.orders_mark_paid_bulk(reach=reach, order_ids=[], actor=owner)
    assert empty.value.field == "orders"
    with pytest.raises(DomainError) as twice:
        bulk.orders_mark_paid_bulk(reach=reach, order_ids=[orders[0].pk] * 2, actor=owner)
    assert twice.value.field == "orders"
    with pytest.raises(DomainError) as many:
        bulk.orders_mark_paid_bulk(
            reach=reach, order_ids=list(range(1, bulk.MAX_BULK_ORDERS + 2)), actor=owner
        )
    assert many.value.field == "orders"


def test_pending_orders_are_marked_paid_at_once_or_not_at_all(owner, merchant):
    later = timezone.now() + dt.timedelta(minutes=30)
    pending = _orders(merchant, 3, status=S.PENDING, hold_until=later)
    paid = bulk.orders_mark_paid_bulk(
        reach=reach_for(owner), order_ids=[o.pk for o in pending], actor=owner
    )
    assert len(paid) == 3 and _statuses(pending) == [S.PAID] * 3
    assert not Order.objects.filter(pk__in=[o.pk for o in pending], hold_until__isnull=False)
    fresh = _orders(merchant, 1, status=S.PENDING)[0]
    with pytest.raises(Conflict) as refused:
        bulk.orders_mark_paid_bulk(
            reach=reach_for(owner), order_ids=[fresh.pk, pending[0].pk], actor=owner
        )
    assert refused.value.field == "orders.1" and pending[0].external_id in refused.value.message
    assert _statuses([fresh]) == [S.PENDING]


def test_an_order_past_its_payment_deadline_is_not_marked_paid(owner, merchant):
    due = _orders(merchant, 1, status=S.PENDING, hold_until=timezone.now() - dt.timedelta(1))
    ok = _orders(merchant, 1, status=S.PENDING)
    with pytest.raises(Conflict) as refused:
        bulk.orders_mark_paid_bulk(
            reach=reach_for(owner), order_ids=[ok[0].pk, due[0].pk], actor=owner
        )
    assert refused.value.field == "orders.1" and refused.value.code == "payment_deadline_passed"
    assert _statuses([*ok, *due]) == [S.PENDING, S.PENDING]


def test_a_team_role_that_handles_no_orders_may_not_ship_them(merchant):
    host = factories.member_user(merchant, role=TeamMember.Role.HOST, username="host9")
    orders = _orders(merchant, 2)
    with pytest.raises(DomainError):
        bulk.orders_ship_bulk(reach=reach_for(host), shipments=_rows(orders), actor=host)
    assert _statuses(orders) == [S.PAID] * 2


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_shipping_and_paying_take_as_many_queries_for_fifty_orders_as_for_ten(owner, merchant):
    reach = reach_for(owner)
    ten, fifty = _orders(merchant, 10), _orders(merchant, 50)
    ship_10 = _queries(lambda: bulk.orders_ship_bulk(reach=reach, shipments=_rows(ten)))
    ship_50 = _queries(lambda: bulk.orders_ship_bulk(reach=reach, shipments=_rows(fifty)))
    assert ship_10 == ship_50 <= 8
    ten, fifty = _orders(merchant, 10, status=S.PENDING), _orders(merchant, 50, status=S.PENDING)
    pay_10 = _queries(
        lambda: bulk.orders_mark_paid_bulk(reach=reach, order_ids=[o.pk for o in ten])
    )
    pay_50 = _queries(
        lambda: bulk.orders_mark_paid_bulk(reach=reach, order_ids=[o.pk for o in fifty])
    )
    assert pay_10 == pay_50 <= 6


def test_a_breakage_claim_points_to_the_parcel_it_broke_in(owner, merchant):
    (order,) = _orders(merchant, 1)
    (shipment,) = bulk.orders_ship_bulk(reach=reach_for(owner), shipments=_rows([order]))
    order.refresh_from_db()
    claim = claims.claim_file(
        reach=reach_for(owner),
        order=order,
        line_ids=list(order.lines.values_list("pk", flat=True)),
        photo=png(),
        actor=owner,
    )
    assert claim.shipment == shipment
    assert list(shipment.claims.all()) == [claim]


# --- the API -----------------------------------------------------------------------------------


def _body(orders, **changes) -> dict:
    rows = [{"order": o.pk, "carrier": "jd", "tracking_number": f"JDVA{o.pk:010d}"} for o in orders]
    for index, change in changes.items():
        rows[int(index.removeprefix("row"))].update(change)
    return {"shipments": rows}


def test_the_api_ships_many_orders_and_a_claim_shows_its_shipment(api_client, owner, merchant):
    orders = _orders(merchant, 10)
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/orders/bulk-ship/", _body(orders, row0={"insured_value": "250.00"}), format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["shipped"] == 10
    assert [row["order"] for row in body["shipments"]] == [o.pk for o in orders]
    assert body["shipments"][0]["insured_value"] == "250.00"
    assert body["shipments"][0]["carrier"] == "jd"
    assert _statuses(orders) == [S.SHIPPED] * 10
    filed = api_client.post(
        "/api/v1/claims/",
        {"order": orders[0].pk, "lines": [orders[0].lines.get().pk], "photo": png()},
        format="multipart",
    )
    assert filed.status_code == 201, filed.json()
    assert filed.json()["shipment"] == body["shipments"][0]["id"]


def test_the_api_marks_many_orders_paid(api_client, owner, merchant):
    pending = _orders(merchant, 3, status=S.PENDING)
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/orders/bulk-mark-paid/", {"orders": [o.pk for o in pending]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["paid"] == 3
    assert {row["status"] for row in response.json()["orders"]} == {"paid"}
    again = api_client.post(
        "/api/v1/orders/bulk-mark-paid/", {"orders": [pending[0].pk]}, format="json"
    )
    assert again.status_code == 409
    assert [(e["field"], e["code"]) for e in again.json()["errors"]] == [
        ("orders.0", "invalid_transition")
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"row1": {"carrier": "dhl"}}, "shipments.1.carrier"),
        ({"row1": {"tracking_number": "x" * 41}}, "shipments.1.tracking_number"),
        ({"row1": {"tracking_number": "abc"}}, "shipments.1.tracking_number"),
        ({"row1": {"insured_value": "-5"}}, "shipments.1.insured_value"),
        ({"row1": {"insured_value": "9999999999"}}, "shipments.1.insured_value"),
        ({"row1": {"insured_value": "301.00"}}, "shipments.1.insured_value"),
        ({"row1": {"order": "second"}}, "shipments.1.order"),
        ({"row1": {"order": 2**70}}, "shipments.1.order"),
    ],
)
def test_bad_input_to_bulk_ship_is_a_400_naming_the_row_and_field(
    api_client, owner, merchant, changes, field
):
    orders = _orders(merchant, 2)
    api_client.force_authenticate(owner)
    response = api_client.post("/api/v1/orders/bulk-ship/", _body(orders, **changes), format="json")
    assert response.status_code == 400, response.json()
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert _statuses(orders) == [S.PAID] * 2


def test_bulk_bodies_are_bounded(api_client, owner, merchant):
    api_client.force_authenticate(owner)
    for url, body, field in [
        ("/api/v1/orders/bulk-ship/", {"shipments": []}, "shipments"),
        ("/api/v1/orders/bulk-ship/", {}, "shipments"),
        ("/api/v1/orders/bulk-mark-paid/", {"orders": []}, "orders"),
        ("/api/v1/orders/bulk-mark-paid/", {"orders": list(range(1, 102))}, "orders"),
        ("/api/v1/orders/bulk-mark-paid/", {"orders": "all"}, "orders"),
    ]:
        response = api_client.post(url, body, format="json")
        assert response.status_code == 400, (url, body, response.json())
        assert {e["field"].split(".")[0] for e in response.json()["errors"]} == {field}


def test_a_refused_batch_in_the_api_changes_nothing(api_client, owner, merchant, other_merchant):
    orders = _orders(merchant, 3)
    shipped = _orders(merchant, 1, status=S.SHIPPED)
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/orders/bulk-ship/", _body([*orders, *shipped]), format="json"
    )
    assert response.status_code == 409
    assert [e["field"] for e in response.json()["errors"]] == ["shipments.3.order"]
    theirs = _orders(other_merchant, 1)
    foreign = api_client.post("/api/v1/orders/bulk-ship/", _body([*orders, *theirs]), format="json")
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
    assert _statuses([*orders, *theirs]) == [S.PAID] * 4 and not Shipment.objects.exists()


def test_a_host_and_a_trainer_are_refused_the_bulk_actions(api_client, merchant, trainer):
    orders = _orders(merchant, 1)
    host = factories.member_user(merchant, role=TeamMember.Role.HOST, username="host8")
    for user in (host, trainer):
        api_client.force_authenticate(user)
        response = api_client.post("/api/v1/orders/bulk-ship/", _body(orders), format="json")
        assert response.status_code == 403
        assert api_client.get("/api/v1/orders/bulk-ship/").status_code in {403, 405}
    assert _statuses(orders) == [S.PAID]


def test_a_manager_ships_for_the_merchants_of_the_base(api_client, manager, merchant):
    orders = _orders(merchant, 2)
    api_client.force_authenticate(manager)
    response = api_client.post("/api/v1/orders/bulk-ship/", _body(orders), format="json")
    assert response.status_code == 200, response.json()
    assert Shipment.objects.filter(shipped_by=manager).count() == 2


def test_the_bulk_api_takes_as_many_queries_for_fifty_orders_as_for_ten(
    api_client, owner, merchant
):
    api_client.force_authenticate(owner)
    ten, fifty = _orders(merchant, 10), _orders(merchant, 50)
    counts = [
        _queries(
            lambda batch=batch: api_client.post(
                "/api/v1/orders/bulk-ship/", _body(batch), format="json"
            )
        )
        for batch in (ten, fifty)
    ]
    assert counts[0] == counts[1], counts
    assert _statuses(fifty) == [S.SHIPPED] * 50


# --- the pages ---------------------------------------------------------------------------------


def test_the_order_list_offers_the_bulk_actions_to_those_who_handle_orders(client, owner, merchant):
    _orders(merchant, 2)
    login(client, owner)
    page = client.get("/orders/").content.decode()
    assert 'name="order"' in page and "data-select-all" in page
    assert "Select all on this page" in page and "Ship selected" in page
    operator = factories.member_user(merchant, role=TeamMember.Role.OPERATOR, username="ops1")
    login(client, operator)
    response = client.get("/orders/")
    if response.status_code == 200:
        assert "data-select-all" not in response.content.decode()


def test_ten_orders_are_shipped_through_the_bulk_form(client, owner, merchant):
    orders = _orders(merchant, 10)
    login(client, owner)
    form = client.get("/orders/bulk/ship/", {"order": [o.pk for o in orders]})
    assert form.status_code == 200
    html = form.content.decode()
    assert html.count('class="ship-row"') == 10 and orders[0].external_id in html
    data = {
        "form-TOTAL_FORMS": "10",
        "form-INITIAL_FORMS": "10",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "100",
    }
    for index, order in enumerate(orders):
        data[f"form-{index}-order"] = str(order.pk)
        data[f"form-{index}-carrier"] = "yunda"
        data[f"form-{index}-tracking_number"] = f"4310{order.pk:08d}"
        data[f"form-{index}-insured_value"] = "120.00"
    response = client.post("/orders/bulk/ship/", data)
    assert response.status_code == 302 and "status=shipped" in response["Location"]
    assert _statuses(orders) == [S.SHIPPED] * 10
    listed = client.get(response["Location"]).content.decode()
    assert "10 orders shipped." in listed


def test_a_refused_row_is_shown_on_the_form_and_nothing_ships(client, owner, merchant):
    orders = _orders(merchant, 3)
    login(client, owner)
    data = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "3",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "100",
    }
    for index, order in enumerate(orders):
        data[f"form-{index}-order"] = str(order.pk)
        data[f"form-{index}-carrier"] = "sf"
        data[f"form-{index}-tracking_number"] = f"SF{order.pk:012d}"
    data["form-2-insured_value"] = "999.00"
    response = client.post("/orders/bulk/ship/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "the insured value is at most" in html and orders[2].external_id in html
    assert _statuses(orders) == [S.PAID] * 3


def test_the_bulk_ship_form_takes_as_many_queries_for_fifty_orders_as_for_ten(
    client, owner, merchant
):
    login(client, owner)
    ten, fifty = _orders(merchant, 10), _orders(merchant, 50)
    counts = [
        _queries(
            lambda batch=batch: client.get("/orders/bulk/ship/", {"order": [o.pk for o in batch]})
        )
        for batch in (ten, fifty)
    ]
    assert counts[0] == counts[1], counts


def test_a_foreign_order_on_the_bulk_pages_is_a_404(client, owner, other_merchant):
    theirs = _orders(other_merchant, 1)
    login(client, owner)
    assert client.get("/orders/bulk/ship/", {"order": theirs[0].pk}).status_code == 404
    response = client.post("/orders/bulk/mark-paid/", {"order": [theirs[0].pk]})
    assert response.status_code == 404
    assert client.get("/orders/bulk/ship/", {"order": "x"}).status_code == 302


def test_the_selected_pending_orders_are_marked_paid_from_the_list(client, owner, merchant):
    pending = _orders(merchant, 4, status=S.PENDING)
    login(client, owner)
    response = client.post(
        "/orders/bulk/mark-paid/", {"order": [o.pk for o in pending], "query": "status=pending"}
    )
    assert response.status_code == 302 and response["Location"] == "/orders/?status=pending"
    assert _statuses(pending) == [S.PAID] * 4
    again = client.post("/orders/bulk/mark-paid/", {"order": [pending[0].pk]}, follow=True)
    assert pending[0].external_id in again.content.decode()


def test_the_bulk_ship_form_reads_in_chinese(client_zh, owner, merchant):
    orders = _orders(merchant, 2)
    login(client_zh, owner)
    html = client_zh.get("/orders/bulk/ship/", {"order": [o.pk for o in orders]}).content.decode()
    for words in ("运单号", "快递公司", "顺丰速运", "保价金额"):
        assert words in html, words
    assert not BreakageClaim.objects.exists()


def test_an_order_page_shows_its_parcel(client, owner, merchant, django_assert_max_num_queries):
    (order,) = _orders(merchant, 1)
    bulk.orders_ship_bulk(
        reach=reach_for(owner),
        shipments=[
            bulk.ShipmentIn(
                order_id=order.pk,
                carrier="sf",
                tracking_number="SF1234567890123",
                insured_value=Decimal("150.00"),
            )
        ],
    )
    login(client, owner)
    with django_assert_max_num_queries(15):
        html = client.get(f"/orders/{order.pk}/").content.decode()
    assert "SF Express" in html and "SF1234567890123" in html and "insured ¥150.00" in html


# --- one order shipped alone --------------------------------------------------------------------


def test_shipping_one_order_records_its_shipment_as_a_bulk_shipment_would(merchant, owner):
    from orders.ordering import services

    (order,) = _orders(merchant, 1)
    shipped = services.order_ship(
        reach=reach_for(owner),
        order=order,
        carrier="ems",
        tracking_number="ee 123 456 789 cn",
        insured_value=Decimal("250.00"),
        actor=owner,
    )
    assert shipped.status == S.SHIPPED
    parcel = Shipment.objects.get(order=order)
    assert (parcel.carrier, parcel.tracking_number) == ("ems", "EE123456789CN")
    assert parcel.insured_value == Decimal("250.00") and parcel.shipped_by == owner
    assert OrderEvent.objects.filter(order=order, to_status=S.SHIPPED, actor=owner).count() == 1


def test_shipping_one_order_refuses_a_bad_parcel_naming_the_plain_field(merchant, owner):
    from orders.ordering import services

    first, second = _orders(merchant, 2)
    services.order_ship(
        reach=reach_for(owner), order=first, carrier="sf", tracking_number="SF0000000001"
    )
    with pytest.raises(Conflict) as used:
        services.order_ship(
            reach=reach_for(owner), order=second, carrier="sf", tracking_number="SF0000000001"
        )
    assert used.value.field == "tracking_number"
    with pytest.raises(DomainError) as over:
        services.order_ship(
            reach=reach_for(owner),
            order=second,
            carrier="sf",
            tracking_number="SF0000000002",
            insured_value=Decimal("300.01"),
        )
    assert over.value.field == "insured_value"
    with pytest.raises(Conflict) as again:
        services.order_ship(
            reach=reach_for(owner), order=first, carrier="sf", tracking_number="SF0000000003"
        )
    assert again.value.field == "status"
    assert _statuses([first, second]) == [S.SHIPPED, S.PAID]
    assert Shipment.objects.filter(order__merchant=merchant).count() == 1


def test_the_api_ships_one_order_only_with_its_parcel(api_client, merchant, owner):
    (order,) = _orders(merchant, 1)
    api_client.force_authenticate(owner)
    bare = api_client.post(f"/api/v1/orders/{order.pk}/ship/", {}, format="json")
    assert bare.status_code == 400 and "carrier" in bare.content.decode()
    body = {"carrier": "zto", "tracking_number": "75312345678901"}
    shipped = api_client.post(f"/api/v1/orders/{order.pk}/ship/", body, format="json")
    assert shipped.status_code == 200 and shipped.json()["status"] == S.SHIPPED
    assert Shipment.objects.get(order=order).tracking_number == "75312345678901"


@pytest.mark.django_db(transaction=True)
def test_two_racing_shipments_of_one_tracking_number_answer_a_409_and_write_nothing(
    api_client, owner, merchant
):
    """Two real connections: the first holds its shipment uncommitted until the second's INSERT
    waits on the unique index, then commits; the second answers 409 naming its row's field."""
    first, second = _orders(merchant, 2)
    inserted, release = threading.Event(), threading.Event()
    answers: dict[str, object] = {}

    def ship_first():
        try:
            with transaction.atomic():
                rows = [bulk.ShipmentIn(first.pk, "sf", "SF-RACE-0001")]
                bulk.orders_ship_bulk(reach=reach_for(owner), shipments=rows, actor=owner)
                inserted.set()
                answers["released"] = release.wait(timeout=30)
        finally:
            inserted.set()
            connection.close()

    def ship_second():
        try:
            inserted.wait(timeout=30)
            api_client.force_authenticate(owner)
            body = {
                "shipments": [
                    {"order": second.pk, "carrier": "sf", "tracking_number": "SF-RACE-0001"}
                ]
            }
            answers["response"] = api_client.post("/api/v1/orders/bulk-ship/", body, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=ship_first), threading.Thread(target=ship_second)]
    for thread in threads:
        thread.start()
    # The second waits on the first's uncommitted parcel (a lock on its transaction id).
    waited = False
    for _ in range(300):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE %s",
                ["%orders_shipment%"],
            )
            if cursor.fetchone()[0]:
                waited = True
                break
        time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(timeout=60)

    assert waited and answers["released"]
    response = answers["response"]
    assert response.status_code == 409, response.json()
    assert [e["field"] for e in response.json()["errors"]] == ["shipments.0.tracking_number"]
    assert _statuses([first, second]) == [S.SHIPPED, S.PAID]
    assert list(Shipment.objects.values_list("order_id", flat=True)) == [first.pk]
    assert not OrderEvent.objects.filter(order=second, to_status=S.SHIPPED).exists()
