import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bench.day_grid import run
from tests import factories
from tests.conftest import login

from .conftest import at

pytestmark = pytest.mark.django_db


def test_the_day_grid_shows_room_bookings_by_hour(client, manager, merchant, room, rules):
    factories.LiveStreamFactory(
        merchant=merchant,
        room=room,
        title="Glaze night",
        planned_start=at(0, 20),
        planned_end=at(0, 21, 30),
    )
    login(client, manager)
    html = client.get(reverse("livestreams:room_grid")).content.decode()
    assert "Glaze night" in html and "cell-busy" in html
    partial = client.get(
        reverse("livestreams:room_grid") + f"?day={timezone.localdate() + dt.timedelta(days=1)}",
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in partial.content.decode()


def test_the_day_grid_runs_the_same_number_of_queries_at_small_and_large_counts():
    small = run(merchants=10, streams=40, rooms=3, repeat=1)
    large = run(merchants=300, streams=2000, rooms=20, repeat=1)
    assert large["streams_in_rooms"] > small["streams_in_rooms"]
    assert small["queries"] == large["queries"] <= 10
