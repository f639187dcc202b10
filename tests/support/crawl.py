"""Crawling the site as a person would: from home, every link (``href``, ``hx-get``) and every GET
form with the values it shows. Used by the crawler test (no 5xx anywhere) and by the phone test
(every page fits a 390 px screen).

Bounded in time: a URL pattern is visited with at most a few different sets of query parameters
(one page per pattern stands for every object of its kind), and at most ``max_pages`` pages.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

MAX_PAGES = 160
VARIANTS_PER_PATTERN = 3
# Not pages of the product: Django's admin, the language switch and logout (POST forms), the API
# (its own schema test covers it), uploaded files and static files.
SKIP_PREFIXES = ("/admin/", "/i18n/", "/accounts/logout/", "/api/", "/media/", "/static/")


class Links(HTMLParser):
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


def pattern_of(path: str) -> tuple | None:
    """The URL pattern of ``path`` with its words (a CSV table's name, an action), not its ids:
    one object of a kind stands for all, while each table and action is visited."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    words = tuple(sorted((k, v) for k, v in match.kwargs.items() if not isinstance(v, int)))
    return (match.route or match.view_name, words)


def crawl(
    client: Client,
    *,
    max_pages: int = MAX_PAGES,
    variants_per_pattern: int = VARIANTS_PER_PATTERN,
    documents: list[str] | None = None,
) -> tuple[list[str], list[tuple[str, int]]]:
    """Visit what can be reached from home; the pages visited and the 5xx answers.

    ``documents``, when given, receives the URLs that answered a whole page (200, HTML with its
    doctype: not an htmx fragment, a download or a redirect)."""
    queue = deque(["/"])
    seen: set[str] = set()
    variants: set[tuple] = set()
    per_pattern: dict[tuple, int] = {}
    visited: list[str] = []
    failures: list[tuple[str, int]] = []
    while queue and len(visited) < max_pages:
        url = queue.popleft()
        parts = urlsplit(url)
        path = parts.path or "/"
        pattern = pattern_of(path)
        if pattern is None:
            continue
        keys = frozenset(key for key, _ in parse_qsl(parts.query, keep_blank_values=True))
        if (pattern, keys) in variants or per_pattern.get(pattern, 0) >= variants_per_pattern:
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
        text = response.content.decode("utf-8", "replace")
        if documents is not None and response.status_code == 200 and text.startswith("<!DOCTYPE"):
            documents.append(url)
        parser = Links()
        parser.feed(text)
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
