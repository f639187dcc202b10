"""Browser journeys: Playwright for Python drives Debian's Chromium against a live server that
runs on the real PostgreSQL (pytest-django's ``live_server``, so every test is transactional).

Playwright's sync API keeps an asyncio loop of its own in this thread; Django refuses database
access from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE says the code is safe,
which it is here: the test thread runs no async code of ours. The ``browser`` fixture sets it
before any test of this folder touches the database, and takes it away after the folder (it must
not reach other tests: ``check --deploy`` rightly refuses it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.db import seed_demo

from . import pages

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
# No browser download ever: Debian's Chromium, headless, with nothing that calls home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# What the browser says it prefers (Accept-Language and navigator.language).
LOCALES = {"zh": "zh-CN", "en": "en-US"}
HTML_LANG = {"zh": "zh-hans", "en": "en"}


def _console(msg, problems: list[str]) -> None:
    # A failed load is reported with its URL by _response; CSP violations and script errors here.
    if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
        problems.append(f"console error: {msg.text}")


def _response(response, site: str, problems: list[str]) -> None:
    own = response.url.startswith(site)
    # A refusal the journey itself checks (pages.expect_refusal: this path, this status, once).
    if own and response.status >= 400 and not pages.is_expected_refusal(response):
        problems.append(f"{response.status} for {response.url}")


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all journeys; each test gets a fresh context (cookies, window size)."""
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not executable:
        pytest.fail(
            "Chromium is not installed: `make test` installs it (apt-get install chromium)."
        )
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def demo_base(transactional_db, settings):
    """The demo base with its accounts (the same seed `make run` uses), on the live database:
    seeded by the first journey of the process (or by the schema fuzzing, which asks for the same
    seed), copied back for the others (tests/support/snapshot.py), so each starts from the very
    rows and photos a fresh seed makes."""
    seed_demo(Path(settings.MEDIA_ROOT), merchants=8)


@pytest.fixture
def open_page(browser, live_server, demo_base, request):
    """``open_page(size, lang)``: a browser tab of that window size and preferred language.

    Screenshots go to e2e-screenshots/<test name>/. Any JavaScript error or console error (a
    Content-Security-Policy violation shows up as one) fails the test.
    """
    contexts = []
    problems: list[str] = []

    def _open(size: str, lang: str):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORTS[size],
            locale=LOCALES[lang],
            is_mobile=size == "phone",
            has_touch=size == "phone",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("console", lambda msg: _console(msg, problems))
        page.on("response", lambda response: _response(response, live_server.url, problems))
        pages.set_screenshot_folder(page, request.node.name)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)
