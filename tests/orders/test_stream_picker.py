"""The order form's live-stream picker: a search over the merchant's own streams by title,
nearest in time first, each choice with its date, time, room and platform; the form still posts
``stream`` and the order service still decides."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from livestreams.models import LiveStream
from orders.models import Order
from tests import factories
from tests.conftest import login

URL = "/orders/new/streams/"


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _stream(merchant, title, *, days, hour=19, room=None):
    start = _at(days, hour)
    return factories.LiveStreamFactory(
        merchant=merchant,
        title=title,
        planned_start=start,
        planned_end=start + dt.timedelta(hours=2),
        room=room,
    )


def _picked_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="stream" value="(\d+)"', html)]


def test_the_picker_finds_the_merchants_streams_by_title_with_date_room_and_platform(
    client, owner, merchant, base
):
    room = factories.LiveRoomFactory(base=base, name="Kiln Hall 2")
    found = _stream(merchant, "Celadon night", days=1, hour=19, room=room)
    _stream(merchant, "Blue-and-white morning", days=1, hour=9)
    login(client, owner)
    response = client.get(URL, {"stream_q": "celadon"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _picked_ids(html) == [found.pk]
    when = timezone.localtime(found.planned_start)
    assert f"{when:%a} {when.day} {when:%b} 19:00" in html  # Thu 3 Dec 19:00
    assert "Kiln Hall 2" in html and "Douyin" in html


def test_the_picker_never_shows_another_merchants_streams(client, owner, merchant, other_merchant):
    _stream(other_merchant, "Their celadon night", days=0)
    mine = _stream(merchant, "My celadon night", days=0)
    login(client, owner)
    html = client.get(URL, {"stream_q": "celadon"}).content.decode()
    assert _picked_ids(html) == [mine.pk]
    assert "Their celadon night" not in html
    form = client.get("/orders/new/").content.decode()
    assert "Their celadon night" not in form and "My celadon night" in form


def test_todays_and_coming_streams_come_before_past_ones_nearest_first(client, owner, merchant):
    past_far = _stream(merchant, "Past far", days=-30)
    past_near = _stream(merchant, "Past near", days=-1)
    tomorrow = _stream(merchant, "Tomorrow", days=1)
    today = _stream(merchant, "Today", days=0, hour=8)
    next_week = _stream(merchant, "Next week", days=7)
    login(client, owner)
    html = client.get(URL).content.decode()
    assert _picked_ids(html) == [today.pk, tomorrow.pk, next_week.pk, past_near.pk, past_far.pk]


def test_a_search_keeps_the_stream_already_chosen_first(client, owner, merchant):
    chosen = _stream(merchant, "Famille-rose evening", days=2)
    other = _stream(merchant, "Celadon night", days=1)
    login(client, owner)
    html = client.get(URL, {"stream_q": "celadon", "stream": chosen.pk}).content.decode()
    assert _picked_ids(html) == [chosen.pk, other.pk]
    assert f'value="{chosen.pk}" checked' in html


def test_the_picker_shows_at_most_twenty_in_a_constant_number_of_queries(
    client, owner, merchant, base, django_assert_max_num_queries
):
    room = factories.LiveRoomFactory(base=base)
    for n in range(30):
        _stream(merchant, f"Night {n}", days=n - 10, room=room if n % 2 else None)
    login(client, owner)
    client.get(URL)  # the session and reach are warm
    with django_assert_max_num_queries(6):
        html = client.get(URL, {"stream_q": "night"}).content.decode()
    assert len(_picked_ids(html)) == 20
    assert "type to find the others" in html


def test_a_search_longer_than_its_bound_is_a_400_naming_the_field(client, owner):
    login(client, owner)
    response = client.get(URL, {"stream_q": "x" * 65})
    assert response.status_code == 400 and "stream_q" in response.content.decode()
    page = client.get("/orders/new/", {"stream_q": "x" * 65})
    assert page.status_code == 400


@pytest.mark.parametrize("value", ["²", "①", "٣", "9" * 30])
def test_a_chosen_stream_that_is_not_an_ascii_number_is_no_choice_not_a_500(client, owner, value):
    login(client, owner)
    assert client.get(URL, {"stream": value}).status_code == 200
    assert client.get("/orders/new/", {"stream": value}).status_code == 200


def test_the_page_answers_a_search_without_javascript(client, owner, merchant):
    wanted = _stream(merchant, "Linglong special", days=-200)
    for n in range(25):
        _stream(merchant, f"Night {n}", days=n)
    login(client, owner)
    assert wanted.pk not in _picked_ids(client.get("/orders/new/").content.decode())
    html = client.get("/orders/new/", {"stream_q": "linglong"}).content.decode()
    assert _picked_ids(html) == [wanted.pk]
    assert 'value="linglong"' in html


def test_an_order_placed_with_a_picked_stream_names_it(client, owner, merchant):
    stream = _stream(merchant, "Celadon night", days=0)
    product = factories.ProductFactory(merchant=merchant, stock=3)
    login(client, owner)
    response = client.post(
        "/orders/new/",
        {
            "platform": "douyin",
            "buyer_country": "CN",
            "currency": "CNY",
            "stream": str(stream.pk),
            "product_0": str(product.pk),
            "quantity_0": "1",
        },
    )
    assert response.status_code == 302
    assert Order.objects.get().stream_id == stream.pk


def test_another_merchants_stream_posted_by_hand_is_refused_on_the_form(
    client, owner, merchant, other_merchant
):
    theirs = _stream(other_merchant, "Their night", days=0)
    product = factories.ProductFactory(merchant=merchant, stock=3)
    login(client, owner)
    response = client.post(
        "/orders/new/",
        {
            "platform": "douyin",
            "buyer_country": "CN",
            "currency": "CNY",
            "stream": str(theirs.pk),
            "product_0": str(product.pk),
            "quantity_0": "1",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Order.objects.exists()
    assert LiveStream.objects.filter(merchant=other_merchant).count() == 1


def test_the_order_form_does_not_grow_with_the_merchants_streams(db):
    """bench/pickers.py at a tiny scale: the form and the search answer in as many queries and
    about as many bytes for 30 streams as for 300, while the old select grew with them."""
    from bench.pickers import run

    small, large = run(streams=30, repeat=1), run(streams=300, repeat=1)
    for part in ("order_form", "picker_search"):
        assert small[part]["queries"] == large[part]["queries"]
    assert large["order_form"]["bytes"] < 1.2 * small["order_form"]["bytes"]
    old = "old_stream_select_alone"
    assert large[old]["bytes"] > 5 * small[old]["bytes"]
