"""Every page of every role, in a browser (issue #16): the pages each account reaches from its
home (the crawler of tests/support/crawl.py on the demo base, one page per URL pattern), opened

* on a phone (390x844) in Chinese and in English: no document wider than the screen, no element
  that scrolls sideways, no text drawn under 11 px (HTML text by its computed size, chart text by
  its size on screen);
* on the phone in Chinese and on a desktop (1280x800) in English: axe-core, the engine browsers'
  own audits use (from the npm registry: package.json, installed by `make axe`), finds no serious
  or critical accessibility violation.

axe is added to each page by the test; the page's Content-Security-Policy would refuse a script
it did not serve, so these browser contexts bypass it (the journeys keep it and fail on any
violation of it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from . import pages
from .conftest import LOCALES, VIEWPORTS

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Pages that are not for a phone by design: the wall screen of the base (1920x1080).
NOT_FOR_PHONES = ("/board/",)
MIN_TEXT_PX = 11
# (size, language, fit checked, axe run): each page is opened three times per account.
PASSES = [("phone", "zh", True, True), ("phone", "en", True, False), ("desktop", "en", False, True)]

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

# The serious and critical violations axe finds on the page, one line each.
RUN = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
      return `${v.impact} ${v.id}: ${where}`;
    });
}
"""


@pytest.fixture
def plain_page(browser, live_server, demo_base):
    if not AXE.exists():
        pytest.fail("axe-core is not installed: `make axe` (or `make test`) installs it with npm.")
    contexts = []

    def _open(size: str, lang: str):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORTS[size],
            locale=LOCALES[lang],
            is_mobile=size == "phone",
            has_touch=size == "phone",
            bypass_csp=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("size", "lang", "fit", "audit"), PASSES)
@pytest.mark.parametrize("username", pages.ACCOUNTS)
def test_every_page_of_the_role_fits_and_is_accessible(
    plain_page, username, size, lang, fit, audit
):
    urls = pages.role_pages(username, lang)
    assert len(urls) >= 3, urls
    page = plain_page(size, lang)
    pages.login(page, username)
    source = AXE.read_text() if audit else ""
    failures = {}
    for url in urls:
        if size == "phone" and url.startswith(NOT_FOR_PHONES):
            continue
        pages.goto(page, url)
        problems = page.evaluate(CHECK, MIN_TEXT_PX) if fit else []
        if audit:
            page.add_script_tag(content=source)
            problems += page.evaluate(RUN)
        if problems:
            failures[url] = problems
    assert not failures, "\n".join(f"{url}: {p}" for url, p in failures.items())


def test_the_checks_see_what_they_look_for(browser):
    """The two checks above are not blind: a page too wide, a box scrolling sideways, tiny text
    and an image without a text alternative are each reported."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: `make axe` (or `make test`) installs it with npm.")
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main>'
            '<div style="width:900px">wide</div>'
            '<div style="overflow-x:auto;width:100px"><p style="width:400px">scrolls</p></div>'
            '<p style="font-size:8px">tiny</p><img src="data:," width="20" height="20">'
            "</main></body></html>"
        )
        problems = page.evaluate(CHECK, MIN_TEXT_PX)
        assert any(p.startswith("document is") for p in problems), problems
        assert any(p.startswith("scrolls sideways") for p in problems), problems
        assert any(p.startswith("text of 8.0px") for p in problems), problems
        page.add_script_tag(content=AXE.read_text())
        assert any("image-alt" in v for v in page.evaluate(RUN))
    finally:
        context.close()
