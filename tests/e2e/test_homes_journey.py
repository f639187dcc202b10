"""Each role's home on a phone (390 x 844), in Chinese and in English: it says what needs doing
with a list that holds an item (the demo fills them), the item's link opens its page, and nothing
scrolls sideways."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from livestreams.demo_showcase import LATE_TITLE

from . import pages

# (demo account, the list's id, its heading in each language)
HOMES = [
    (
        "manager",
        "todo-overdue-streams",
        {"zh": "该开播未开播的场次", "en": "Should be live and are not"},
    ),
    ("merchant", "todo-to-ship", {"zh": "待发货订单", "en": "Orders to ship"}),
    ("trainer", "todo-certificates", {"zh": "可颁发结业证书", "en": "Ready for a certificate"}),
]


def _fits_the_window(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    window = page.viewport_size["width"]
    assert width <= window, f"{page.url} is {width}px wide in a window of {window}px"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_roles_home_lists_what_needs_doing_on_a_phone(open_page, request, lang):
    for username, list_id, heading in HOMES:
        page = open_page("phone", lang)
        pages.set_screenshot_folder(page, f"{request.node.name}-{username}")
        pages.goto(page, "/")
        pages.login(page, username)
        section = page.locator(f"#{list_id}")
        expect(section.locator("h2")).to_contain_text(heading[lang])
        items = section.locator(".todo-list li a")
        expect(items.first).to_be_visible()
        if username == "manager":
            expect(section).to_contain_text(LATE_TITLE)
        _fits_the_window(page)
        pages.shot(page, f"{username}-home")
        with page.expect_navigation():
            items.first.click()
        assert urlsplit(page.url).path != "/", page.url  # the item's own page
        _fits_the_window(page)
        pages.logout(page)
