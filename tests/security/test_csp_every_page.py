"""Every HTML page the URL resolver knows (those that take no argument), as each role: a
Content-Security-Policy that allows only our own scripts, and HTML with no inline script, no
inline event handler, no ``javascript:`` link and no ``style`` attribute (the policy would block
them, so a page relying on one is broken). Pages added later are covered without being listed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from merchants.models import User
from tests.support.db import demo_once
from tests.support.routes import all_routes

# The Swagger UI page carries its own <style> block; its view relaxes style-src, nothing else.
INLINE_STYLE_ALLOWED = {"api-docs"}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        data_block = (attrs.get("type") or "").lower() in DATA_SCRIPT_TYPES
        if tag == "script" and not attrs.get("src") and not data_block:
            self.found.append("inline <script>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> event handler")
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")


def html_pages() -> list:
    return [r for r in all_routes() if not r.params and not r.is_admin]


seeded = demo_once(merchants=3)


@pytest.fixture
def demo(seeded, db):
    """The module's demo seed; what a test writes is rolled back (tests/support/db.py)."""


@pytest.mark.parametrize("username", ["manager", "trainer", "merchant", None])
def test_every_page_has_a_strict_policy_and_no_inline_code(demo, username):
    client = Client(headers={"Accept-Language": "en"})
    if username:
        client.force_login(User.objects.get(username=username))
    checked, problems = 0, []
    for route in html_pages():
        url = route.url()
        response = client.get(url)
        assert response.status_code < 500, f"{url} -> {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        policy = response.get("Content-Security-Policy", "")
        directives = dict(
            [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
        )
        if "'self'" not in directives.get("script-src", "") or "unsafe" in directives.get(
            "script-src", ""
        ):
            problems.append(f"{url}: script-src is {directives.get('script-src')!r}")
        if directives.get("object-src") != "'none'" or "frame-ancestors" not in directives:
            problems.append(f"{url}: weak policy {policy!r}")
        finder = InlineFinder()
        finder.feed(response.content.decode())
        for found in finder.found:
            if found.startswith("<") and "style=" in found and route.name in INLINE_STYLE_ALLOWED:
                continue
            problems.append(f"{url}: {found}")
    assert checked >= 2
    assert not problems, "\n".join(problems)
