"""The base's room schedule on a 1280 px desktop (issue #16): the whole opening day of a room
open until midnight fits without a sideways scroll, prime time marked by a star and words as
well as colour; in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from livestreams.models import LiveRoom
from merchants.models import User

from . import pages

PRIME = {"zh": "黄金时段", "en": "Prime time"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_day_grid_shows_the_whole_opening_day_at_1280_px(open_page, lang):
    manager = User.objects.get(username="manager")
    LiveRoom.objects.create(
        base_id=manager.base_id, name=f"Night room {lang}", opens_hour=8, closes_hour=24
    )
    page = open_page("desktop", lang)
    pages.login(page, "manager")
    pages.goto(page, "/base/schedule/")
    grid = page.locator("table.room-grid")
    last_hour = grid.locator("thead th.hour").last
    expect(last_hour).to_contain_text("23")
    expect(last_hour).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth)"
    )
    prime = grid.locator("thead th.hour-prime")
    expect(prime.first).to_contain_text("★")
    expect(prime.first.locator(".visually-hidden")).to_have_text(f" {PRIME[lang]}")
    expect(page.locator(".legend").first).to_contain_text(PRIME[lang])
    pages.shot(page, "day-grid-1280")
