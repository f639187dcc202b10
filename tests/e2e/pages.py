"""Small helpers that journeys are written with: one verb per step a person takes.

A journey reads like what a person does::

    page = open_page("phone", "zh")
    pages.goto(page, "/")
    pages.login(page, "merchant")
    pages.shot(page, "home")

Add the helpers a new journey needs here (fill a form, pick from a list, upload a photo), so the
journeys of every role share them.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, expect

from jingdezhen.demo import DEMO_PASSWORD

SCREENSHOT_ROOT = Path(settings.BASE_DIR) / "e2e-screenshots"

# The top bar's "Log out" button in each language a page can be in (<html lang>).
LOG_OUT = {"zh-hans": "退出", "en": "Log out"}
LOG_IN = {"zh-hans": "登录", "en": "Log in"}


def set_screenshot_folder(page: Page, name: str) -> Path:
    """Screenshots of ``page`` go to e2e-screenshots/<name>/, numbered in the order taken."""
    folder = SCREENSHOT_ROOT / re.sub(r"[^\w.-]+", "-", name).strip("-")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    page._jdz_shots = {"folder": folder, "taken": 0}
    return folder


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot named after the step; returns its path."""
    shots = page._jdz_shots
    shots["taken"] += 1
    path = shots["folder"] / f"{shots['taken']:02d}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def goto(page: Page, path: str):
    """Open a path of the site under test; returns the response of the last navigation."""
    response = page.goto(path)
    assert response is not None, path
    assert response.status < 500, f"{path} answered {response.status}"
    return response


def language(page: Page) -> str:
    """The language the page is shown in (its <html lang>)."""
    return page.locator("html").get_attribute("lang") or ""


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form (from wherever the browser is) and land on the next page."""
    if "/accounts/login/" not in page.url:
        goto(page, "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("button", name=LOG_OUT[language(page)])).to_be_visible()


def logout(page: Page) -> None:
    """Log out with the top bar's button; the site shows the login page."""
    with page.expect_navigation():
        page.get_by_role("button", name=LOG_OUT[language(page)]).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def switch_language(page: Page, code: str) -> None:
    """Pick a language in the top bar and submit; the same page comes back in that language."""
    page.locator("#language-select").select_option(code)
    with page.expect_navigation():
        page.locator("form.langswitch button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def open_menu(page: Page) -> None:
    """On a phone the main navigation hides behind the Menu button: open it."""
    nav = page.locator("nav.mainnav")
    if not nav.is_visible():
        page.locator("label.nav-toggle-label").click()
    expect(nav).to_be_visible()


def follow_nav(page: Page, label: str) -> None:
    """Open a page from the main navigation (opening the phone menu first when needed)."""
    open_menu(page)
    with page.expect_navigation():
        page.locator("nav.mainnav").get_by_role("link", name=label, exact=True).click()


class expect_refusal:  # lower case: it reads as a step, ``with expect_refusal(...)``
    """``with expect_refusal(page, path, 400):`` the one 4xx a step is meant to get.

    The conftest fails a test on any 4xx of the site. A refused form that answers 400 (or 422)
    with its field errors is the behaviour under test there: within the block, one response for
    exactly ``path`` with exactly ``status`` is let through (any other still fails the test), and
    the block fails if that response never came.
    """

    def __init__(self, page: Page, path: str, status: int):
        self.page = page
        self.entry = {"path": path, "status": status, "seen": False}

    def __enter__(self):
        self.page.__dict__.setdefault("_jdz_refusals", []).append(self.entry)
        return self

    def __exit__(self, *exc_info):
        self.page._jdz_refusals.remove(self.entry)
        if exc_info[0] is None:
            assert self.entry["seen"], f"{self.entry['path']} did not answer {self.entry['status']}"
        return False


def is_expected_refusal(response) -> bool:
    """True (once) for the response an ``expect_refusal`` block is waiting for."""
    from urllib.parse import urlsplit

    try:
        page = response.frame.page
    except Exception:  # a service worker's response has no frame: never an expected refusal
        return False
    path = urlsplit(response.url).path
    for entry in getattr(page, "_jdz_refusals", ()):
        if not entry["seen"] and entry["path"] == path and entry["status"] == response.status:
            entry["seen"] = True
            return True
    return False
