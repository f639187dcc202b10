"""Every page of every role fits a phone held in one hand (issue #16): at 390x844, in Chinese and
in English, no document is wider than the screen, no element scrolls sideways and no text is
drawn under 11 px (HTML text by its computed size, chart text by its size on screen).

The pages are the ones the crawler reaches from each account's home (tests/support/crawl.py),
one page per URL pattern and set of query parameters.
"""

from __future__ import annotations

import pytest
from django.test import Client

from jingdezhen.core.demo import DEMO_PASSWORD
from tests.support.crawl import crawl

from . import pages

ACCOUNTS = ["manager", "trainer", "merchant", "host", "service"]
# Pages that are not for a phone by design: the wall screen of the base (1920x1080).
NOT_FOR_PHONES = ("/board/",)
MIN_TEXT_PX = 11

# Returns what does not fit, one line per problem (at most a few per page).
CHECK = """
(minText) => {
  const problems = [];
  const root = document.documentElement;
  const width = root.clientWidth;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
    return text ? `${s} "${text}"` : s;
  };
  if (root.scrollWidth > width + 1) problems.push(`document is ${root.scrollWidth}px wide`);
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // hidden for screens (read aloud only)
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`scrolls sideways: ${name(el)} (${el.scrollWidth}px in ${el.clientWidth}px)`);
    }
    if (box.right > width + 1 && !el.closest('[hidden]')) {
      problems.push(`reaches past the screen (${Math.round(box.right)}px): ${name(el)}`);
    }
    let size = parseFloat(style.fontSize);
    if (el instanceof SVGElement) {
      if (el.tagName.toLowerCase() !== 'text') continue;
      const matrix = el.getScreenCTM();
      if (matrix) size *= Math.hypot(matrix.a, matrix.b);
    } else if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) {
      continue;
    }
    if (size < minText - 0.05) problems.push(`text of ${size.toFixed(1)}px: ${name(el)}`);
  }
  return [...new Set(problems)].slice(0, 8);
}
"""


def _documents(username: str, language: str) -> list[str]:
    """The whole pages the account reaches, found by the crawler on the live server's data."""
    client = Client(headers={"Accept-Language": language}, raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    documents: list[str] = []
    crawl(client, max_pages=120, variants_per_pattern=1, documents=documents)
    return [url for url in documents if not url.startswith(NOT_FOR_PHONES)]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_page_of_the_role_fits_a_phone(open_page, username, lang):
    urls = _documents(username, "zh-hans" if lang == "zh" else "en")
    assert len(urls) >= 3, urls
    page = open_page("phone", lang)
    pages.login(page, username)
    failures = {}
    for url in urls:
        pages.goto(page, url)
        problems = page.evaluate(CHECK, MIN_TEXT_PX)
        if problems:
            failures[url] = problems
    assert not failures, "\n".join(f"{url}: {p}" for url, p in failures.items())
