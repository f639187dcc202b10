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

from jingdezhen.core.demo import DEMO_PASSWORD

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
    # On a phone the button is inside the menu: there, not necessarily shown.
    expect(
        page.get_by_role("button", name=LOG_OUT[language(page)], include_hidden=True)
    ).to_be_attached()


def logout(page: Page) -> None:
    """Log out with the top bar's button (inside the menu on a phone); the site shows the
    login page."""
    _open_account_tools(page)
    with page.expect_navigation():
        page.get_by_role("button", name=LOG_OUT[language(page)]).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def switch_language(page: Page, code: str) -> None:
    """Pick a language in the top bar and submit; the same page comes back in that language."""
    _open_account_tools(page)
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


def expect_refusal(page: Page, path: str, status: int):
    """``with pages.expect_refusal(page, path, 404): <step>`` — the step makes the site answer
    ``path`` with ``status`` once (a refused form's 400, another merchant's page's 404). The
    journey checks that refusal, so the conftest does not count that one response as a failure;
    every other 4xx/5xx still fails the test, and so does the refusal not coming."""
    # Imported here, not at the top, so that helpers appended to this file merge cleanly.
    from contextlib import contextmanager

    @contextmanager
    def refusal():
        allowance = {"path": path, "status": status, "seen": False}
        page._jdz_refusals = [*getattr(page, "_jdz_refusals", []), allowance]
        try:
            with page.expect_response(
                lambda r: _url_path(r.url) == path and r.status == status
            ) as response:
                yield response
        finally:
            page._jdz_refusals.remove(allowance)
        assert allowance["seen"], f"{path} did not answer {status}"

    return refusal()


def is_expected_refusal(response) -> bool:
    """Whether ``response`` is a refusal its page announced with expect_refusal (each one once)."""
    try:
        page = response.frame.page
    except Exception:  # a response of no frame (a service worker): nothing was announced for it
        return False
    for allowance in getattr(page, "_jdz_refusals", []):
        wanted = (allowance["path"], allowance["status"])
        if (_url_path(response.url), response.status) == wanted and not allowance["seen"]:
            allowance["seen"] = True
            return True
    return False


def _url_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _open_account_tools(page: Page) -> None:
    """The language switch and the account's buttons: on a phone they open with the menu."""
    tools = page.locator(".topbar-tools")
    if not tools.is_visible():
        page.locator("label.nav-toggle-label").click()
    expect(tools).to_be_visible()


# The accounts whose pages the phone and accessibility tests open: one of each kind of user.
ACCOUNTS = ["manager", "trainer", "merchant", "host", "service"]


def role_pages(username: str, lang: str) -> list[str]:
    """The whole pages an account reaches from its home (the crawler of tests/support/crawl.py
    on the live server's data, one page per URL pattern)."""
    from django.test import Client

    from tests.support.crawl import crawl

    language = "zh-hans" if lang == "zh" else "en"
    client = Client(headers={"Accept-Language": language}, raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    documents: list[str] = []
    crawl(client, max_pages=120, variants_per_pattern=1, documents=documents)
    return documents
