"""Who changed what (issue #14, point 5): each tracked model's change made through a page or the
API records its actor and the old and new values, the object's page shows them, paged in a
constant number of queries, to the readers of the page only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pghistory.models import MiddlewareEvents

from jingdezhen.core.demo import DEMO_PASSWORD
from livestreams.models import LiveRoom, LiveStream, StreamSettings
from merchants.models import Merchant, TeamMember
from orders.models import PlatformPrice, Product
from orders.ordering import stock
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db


def token_client(api_client, user):
    """An API client holding a real token: the user is known only once DRF authenticates."""
    answer = api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 200, answer.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return api_client


def changes(model, obj):
    """The recorded (old, new) values and actor of each change of ``obj``, oldest first."""
    events = (
        MiddlewareEvents.objects.tracks(obj)
        .across(model.pgh_event_model)
        .filter(pgh_label="changed")
        .order_by("pgh_id")
    )
    return [(event.pgh_diff, (event.pgh_context or {}).get("user")) for event in events]


@pytest.fixture
def product(merchant):
    return factories.ProductFactory(merchant=merchant, price=Decimal("10.00"), stock=5)


def test_a_price_change_shows_who_made_it_on_the_product_page(api_client, client, owner, product):
    token_client(api_client, owner)
    answer = api_client.patch(f"/api/v1/products/{product.pk}/", {"price": "12.50"}, format="json")
    assert answer.status_code == 200, answer.content
    assert changes(Product, product) == [({"price": [10.0, 12.5]}, owner.pk)]

    page = login(client, owner).get(f"/catalogue/{product.pk}/")
    history = page.content.decode().split('id="history"')[1]
    assert "owner1" in history
    assert "10.00 → 12.50" in history


def test_a_restock_is_recorded_but_the_stock_orders_hold_is_not(client, owner, merchant, product):
    login(client, owner)
    answer = client.post(f"/catalogue/{product.pk}/restock/", {"change": "3"})
    assert answer.status_code == 302
    stock.take(product_id=product.pk, quantity=6)  # what every order's hold runs
    stock.give_back(product_id=product.pk, quantity=1)  # and a cancelled order's return
    assert changes(Product, product) == [({"stock": [5, 8]}, owner.pk)]
    assert Product.objects.get(pk=product.pk).stock == 3


def test_a_platform_price_set_and_cleared_through_the_page_is_recorded(client, owner, product):
    login(client, owner)
    client.post(f"/catalogue/{product.pk}/price/", {"platform": "douyin", "price": "11.00"})
    client.post(f"/catalogue/{product.pk}/price/", {"platform": "douyin", "price": "9.00"})
    price = PlatformPrice.objects.get(product=product)
    assert changes(PlatformPrice, price) == [({"price": [11.0, 9.0]}, owner.pk)]
    client.post(f"/catalogue/{product.pk}/price/", {"platform": "douyin", "price": ""})
    history = client.get(f"/catalogue/{product.pk}/").content.decode().split('id="history"')[1]
    assert "Platform price removed" in history
    assert "11.00 → 9.00" in history


def test_a_room_rule_change_records_the_manager_and_shows_on_the_room_page(client, manager, base):
    room = factories.LiveRoomFactory(base=base, opens_hour=8, closes_hour=22)
    login(client, manager)
    answer = client.post(
        f"/base/rooms/{room.pk}/edit/",
        {
            "name": room.name,
            "capacity": 4,
            "equipment": "",
            "opens_hour": 9,
            "closes_hour": 22,
            "prime_start_hour": 19,
            "prime_end_hour": 22,
            "is_active": "on",
        },
    )
    assert answer.status_code == 302, answer.content
    assert changes(LiveRoom, room) == [
        ({"opens_hour": [8, 9], "prime_end_hour": [23, 22]}, manager.pk)
    ]
    history = client.get(f"/base/rooms/{room.pk}/edit/").content.decode().split('id="history"')[1]
    assert "mgr" in history and "8 → 9" in history


def test_a_booking_cap_change_records_the_manager(client, manager, base):
    StreamSettings.objects.create(base=base)
    login(client, manager)
    answer = client.post(
        "/base/rooms/",
        {
            "changeover_minutes": 15,
            "room_hours_per_day": 6,
            "room_hours_per_week": "",
            "reminder_minutes": 60,
            "missed_after_minutes": 15,
        },
    )
    assert answer.status_code == 302, answer.content
    rules = StreamSettings.objects.get(base=base)
    assert changes(StreamSettings, rules) == [({"room_hours_per_day": [None, 6]}, manager.pk)]
    history = client.get("/base/rooms/").content.decode().split('id="history"')[1]
    assert "— → 6" in history


def test_a_stream_cancelled_through_the_api_records_its_actor(api_client, client, owner, merchant):
    start = timezone.now() + dt.timedelta(days=2)
    stream = factories.LiveStreamFactory(merchant=merchant, planned_start=start)
    token_client(api_client, owner)
    answer = api_client.post(f"/api/v1/streams/{stream.pk}/cancel/")
    assert answer.status_code == 200, answer.content
    assert changes(LiveStream, stream) == [({"status": ["scheduled", "cancelled"]}, owner.pk)]
    history = (
        login(client, owner).get(f"/streams/{stream.pk}/").content.decode().split('id="history"')
    )[1]
    assert "Scheduled → Cancelled" in history


def test_a_team_member_deactivated_on_the_page_records_the_owner(client, owner, merchant):
    member = factories.TeamMemberFactory(merchant=merchant, name="Xiao Li")
    login(client, owner)
    client.post(f"/merchants/{merchant.pk}/team/{member.pk}/toggle/")
    assert changes(TeamMember, member) == [({"is_active": [True, False]}, owner.pk)]
    history = client.get(f"/merchants/{merchant.pk}/").content.decode().split('id="history"')[1]
    assert "yes → no" in history


def test_a_stage_move_through_the_api_records_the_manager(api_client, client, manager, merchant):
    token_client(api_client, manager)
    answer = api_client.post(
        f"/api/v1/merchants/{merchant.pk}/stage/",
        {"stage": "graduated", "reason": "Three months above 50,000 CNY a day."},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert changes(Merchant, merchant) == [({"stage": ["incubating", "graduated"]}, manager.pk)]
    history = (login(client, manager).get(f"/merchants/{merchant.pk}/").content.decode()).split(
        'id="history"'
    )[1]
    assert "Incubating → Graduated" in history


def test_a_trainer_reads_the_merchant_page_without_its_history(client, trainer, merchant):
    page = login(client, trainer).get(f"/merchants/{merchant.pk}/")
    assert page.status_code == 200
    assert 'id="history"' not in page.content.decode()


def test_the_product_history_is_paged_in_a_constant_number_of_queries(
    client, owner, product, django_assert_max_num_queries
):
    login(client, owner)
    client.post(f"/catalogue/{product.pk}/restock/", {"change": "1"})
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/catalogue/{product.pk}/").status_code == 200
    # Read now: each request of the test client empties the connection's query log.
    first_page_queries = len(few)
    for change in range(2, 25):
        client.post(f"/catalogue/{product.pk}/restock/", {"change": str(change)})
    with django_assert_max_num_queries(first_page_queries):
        page = client.get(f"/catalogue/{product.pk}/?history=2")
    history = page.content.decode().split('id="history"')[1]
    assert "Page 2" in history and "?history=3" in history and "?history=1" in history


@pytest.mark.parametrize("asked", ["abc", "-3", "0", "99999999999999999999", "1.5"])
def test_a_page_number_that_is_not_one_shows_the_newest_or_an_empty_page(
    client, owner, product, asked
):
    page = login(client, owner).get(f"/catalogue/{product.pk}/", {"history": asked})
    assert page.status_code == 200
    assert 'id="history"' in page.content.decode()


def test_another_merchant_reads_no_history_of_a_product(client, other_owner, product):
    assert login(client, other_owner).get(f"/catalogue/{product.pk}/?history=1").status_code == 404
