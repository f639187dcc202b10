import datetime as dt
import re

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


def _hour_headers(html: str) -> list[tuple[str, str]]:
    """(classes, hour) of each hour column's heading."""
    return re.findall(r'<th class="hour([^"]*)" scope="col">(\d\d)', html)


def test_the_day_grid_spans_a_late_rooms_whole_opening_day_with_prime_time_marked(
    client, manager, base, merchant
):
    late = factories.LiveRoomFactory(
        base=base,
        name="Night room",
        opens_hour=9,
        closes_hour=24,
        prime_start_hour=19,
        prime_end_hour=23,
    )
    factories.LiveStreamFactory(
        merchant=merchant,
        room=late,
        title="Late kiln talk",
        planned_start=at(0, 22),
        planned_end=at(0, 23, 30),
    )
    login(client, manager)
    html = client.get(reverse("livestreams:room_grid")).content.decode()
    headers = _hour_headers(html)
    assert [h for _, h in headers] == [f"{h:02d}" for h in range(9, 24)]  # 09 .. 23
    assert [h for classes, h in headers if "hour-prime" in classes] == ["19", "20", "21", "22"]
    assert "Prime time" in html and "★" in html  # told by a mark and words, not colour alone
    row = html[html.index("Night room") :]
    cells = re.findall(r'<td class="cell([^"]*)">', row)[:15]
    assert ["cell-prime" in c for c in cells] == [
        9 <= i + 9 < 9 + 0 or 19 <= i + 9 < 23 for i in range(15)
    ]
    assert "cell-busy cell-prime" in cells[22 - 9]  # a booked prime hour is still prime
    assert "Late kiln talk" in row
