"""Every link answers: each demo account crawls the pages it can reach from home, following every
link (``href``, ``hx-get``) and submitting every GET form with the values it shows, in both
languages, and no answer is a 5xx.

Bounded in time: a URL pattern is visited with at most a few different sets of query parameters
(one page per pattern stands for every object of its kind), and an account visits at most
``MAX_PAGES`` pages a language.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from jingdezhen.core.demo import DEMO_PASSWORD, DemoContext
from jingdezhen.demo import run

ACCOUNTS = ["manager", "trainer", "merchant", "merchant2", "host", "service"]
LANGUAGES = ["zh-hans", "en"]
MAX_PAGES = 160
VARIANTS_PER_PATTERN = 3
# Not pages of the product: Django's admin, the language switch and logout (POST forms), the API
# (its own schema test covers it), uploaded files and static files.
SKIP_PREFIXES = ("/admin/", "/i18n/", "/accounts/logout/", "/api/", "/media/", "/static/")


class _Links(HTMLParser):
    """The links of a page and the URLs its GET forms would ask for."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("href", "hx-get"):
            if a.get(name) and (tag != "link" or name == "hx-get"):
                self.urls.append(a[name])
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = (
                {"action": a.get("action") or "", "fields": []} if method == "get" else None
            )
        elif self._form is not None:
            name = a.get("name")
            if tag == "input" and name:
                kind = (a.get("type") or "text").lower()
                if kind in ("checkbox", "radio") and "checked" not in a:
                    return
                if kind not in ("submit", "button", "file", "image", "reset"):
                    self._form["fields"].append((name, a.get("value") or ""))
            elif tag == "select" and name:
                self._select = name
                self._form["fields"].append((name, ""))
            elif tag == "option" and self._select and "selected" in a:
                fields = self._form["fields"]
                fields[-1] = (self._select, a.get("value") or "")
            elif tag == "textarea" and name:
                self._form["fields"].append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            query = urlencode(self._form["fields"])
            self.urls.append(f"{self._form['action']}?{query}" if query else self._form["action"])
            self._form = None


def _pattern(path: str) -> tuple | None:
    """The URL pattern of ``path`` with its words (a CSV table's name, an action), not its ids:
    one object of a kind stands for all, while each table and action is visited."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    words = tuple(sorted((k, v) for k, v in match.kwargs.items() if not isinstance(v, int)))
    return (match.route or match.view_name, words)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("crawl-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        run(DemoContext(merchants=20, days=30, write=lambda _msg: None))
    with override_settings(MEDIA_ROOT=media):
        yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _crawl(client: Client) -> tuple[list[str], list[tuple[str, int]]]:
    """Visit what can be reached from home; the pages visited and the 5xx answers."""
    queue = deque(["/"])
    seen: set[str] = set()
    variants: set[tuple] = set()
    per_pattern: dict[tuple, int] = {}
    visited: list[str] = []
    failures: list[tuple[str, int]] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        path = parts.path or "/"
        pattern = _pattern(path)
        if pattern is None:
            continue
        keys = frozenset(key for key, _ in parse_qsl(parts.query, keep_blank_values=True))
        if (pattern, keys) in variants or per_pattern.get(pattern, 0) >= VARIANTS_PER_PATTERN:
            continue
        variants.add((pattern, keys))
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        response = client.get(url)
        visited.append(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(urljoin(url, response["Location"]))
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode("utf-8", "replace"))
        for link in parser.urls:
            target = urljoin(path, link.split("#", 1)[0])
            split = urlsplit(target)
            if split.scheme or split.netloc or not split.path:
                continue  # another site, or the page itself
            if split.path.startswith(SKIP_PREFIXES) or target in seen:
                continue
            seen.add(target)
            queue.append(target)
    return visited, failures


@pytest.mark.parametrize("username", [*ACCOUNTS, None])
def test_every_link_and_get_form_of_each_role_answers_without_a_server_error(seeded, db, username):
    for language in LANGUAGES:
        client = Client(headers={"Accept-Language": language}, raise_request_exception=False)
        if username:  # None: a visitor who has not logged in
            response = client.post(
                "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 302, (username, language)
        visited, failures = _crawl(client)
        assert len(visited) >= (5 if username else 2), (username, language, visited)
        assert not failures, (username, language, failures)
