"""The run sheet a host streams from (issue #16): on a phone, in the demo's live stream, its host
(the demo's "host" account) opens the run sheet in focus mode, taps "show next" in the sticky
bar, starts a flash deal for the shown product in one tap, sees what is left fall as buyers'
orders arrive (placed and paid through the API, the page polled, never reloaded), and ends the
stream from the sticky bar."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from jingdezhen.core.demo import DEMO_PASSWORD
from jingdezhen.core.tenancy import reach_for
from livestreams.models import LiveStream
from merchants.models import User
from orders.models import FlashDeal, Product
from orders.ordering import flash_deals

from . import pages
from .conftest import HTML_LANG

CASES = [("phone", "zh"), ("desktop", "en")]
NOW_SHOWING = {"zh": "正在讲解", "en": "Now showing"}
SHOW_NEXT = {"zh": "讲解下一个", "en": "Show next"}
DEAL_STARTED = {"zh": "秒杀已开始", "en": "Flash deal started"}
END_STREAM = {"zh": "结束直播", "en": "End stream"}
HAS_ENDED = {"zh": "直播已结束", "en": "The stream has ended."}
LEFT = {"zh": "剩余 {left} / {quantity}", "en": "{left} of {quantity} left"}
# The list polls every 5 seconds; a loaded machine takes a while more.
WITHIN_MS = 15_000


def _api(site: str) -> requests.Session:
    api = requests.Session()
    token = api.post(
        f"{site}/api/v1/auth/token/",
        json={"username": "merchant", "password": DEMO_PASSWORD},
        timeout=10,
    )
    assert token.status_code == 200, token.text
    api.headers["Authorization"] = f"Token {token.json()['token']}"
    return api


def _buy(api: requests.Session, site: str, stream: LiveStream, deal: FlashDeal, buyer: str) -> None:
    """A buyer orders one at the deal price in the live and pays."""
    placed = api.post(
        f"{site}/api/v1/orders/",
        json={
            "platform": stream.platform,
            "stream": stream.pk,
            "buyer_name": buyer,
            "lines": [{"product": deal.product_id, "quantity": 1, "flash_deal": deal.pk}],
        },
        timeout=10,
    )
    assert placed.status_code == 201, placed.text
    paid = api.post(f"{site}/api/v1/orders/{placed.json()['id']}/pay/", timeout=10)
    assert paid.status_code == 200, paid.text


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_a_host_streams_from_the_run_sheet(open_page, live_server, size, lang):
    owner = User.objects.get(username="merchant")
    stream = (
        LiveStream.objects.filter(
            merchant__team__user=owner, status=LiveStream.Status.LIVE, is_rehearsal=False
        )
        .order_by("-actual_start")
        .first()
    )
    assert stream is not None, "the demo has a stream live now"
    assert stream.host is not None and stream.host.user.username == "host"
    items = list(stream.featured.select_related("product").order_by("position", "id"))
    assert len(items) >= 2
    current = next(i for i, item in enumerate(items) if item.pk == stream.showing_id)
    following = items[(current + 1) % len(items)]
    # The demo's own deal may run on the next product: end it, so the bar offers a fresh one.
    for deal in FlashDeal.objects.filter(stream=stream, product=following.product, ended=False):
        flash_deals.flash_deal_end(reach=reach_for(owner), deal_id=deal.pk)
    following.product.refresh_from_db()
    stock = following.product.stock
    assert stock >= 2
    units = min(stock, 10)
    price = following.live_price or following.product.price

    page = open_page(size, lang)
    pages.login(page, "host")
    pages.goto(page, f"/streams/{stream.pk}/run-sheet/?focus=1")
    assert pages.language(page) == HTML_LANG[lang]
    expect(page.locator("header.topbar")).to_have_count(0)  # focus mode: no site header
    photo = page.locator("#runsheet-items li.runsheet-item img.runsheet-photo").first
    expect(photo).to_have_attribute("loading", "lazy")
    bar = page.locator(".runsheet-bar")
    expect(bar).to_be_visible()
    expect(bar.locator(".runsheet-bar-next")).to_contain_text(following.product.name)
    if size == "phone":
        _no_sideways_scroll(page)
        # The bar sits at the bottom of the screen while the list scrolls under it.
        box = bar.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844 + 1
    pages.shot(page, "run-sheet-focus")
    page.evaluate("window.__jdzNoReload = true")

    # --- tap "show next" in the bar -------------------------------------------------------
    bar.get_by_role("button", name=SHOW_NEXT[lang]).click()
    now_showing = bar.locator(".runsheet-bar-now")
    expect(now_showing).to_contain_text(following.product.name, timeout=WITHIN_MS)
    shown = page.locator("#runsheet-items li.runsheet-now")
    expect(shown).to_contain_text(following.product.name)
    expect(shown.locator(".runsheet-head .tag")).to_have_text(NOW_SHOWING[lang])
    stream.refresh_from_db()
    assert stream.showing_id == following.pk

    # --- one tap: a flash deal with the bar's defaults ------------------------------------
    deal_button = bar.locator("button.btn-deal")
    expect(deal_button).to_contain_text(f"¥{price:,.2f}")
    expect(deal_button).to_contain_text(f"\u00d7 {units}")
    pages.shot(page, "run-sheet-next-shown")
    deal_button.click()
    expect(bar).to_contain_text(DEAL_STARTED[lang], timeout=WITHIN_MS)
    deal = FlashDeal.objects.get(stream=stream, product=following.product, ended=False)
    assert (deal.deal_price, deal.quantity) == (price, units)
    expect(bar.locator(".runsheet-bar-deal")).to_contain_text(
        LEFT[lang].format(left=units, quantity=units), timeout=WITHIN_MS
    )
    # Its units are set aside: the stock shown falls at once.
    expect(bar.locator(".runsheet-bar-stock")).to_have_text(str(stock - units))
    pages.shot(page, "run-sheet-deal-started")

    # --- buyers order through the API: what is left falls without a reload ----------------
    api = _api(live_server.url)
    _buy(api, live_server.url, stream, deal, f"run-sheet buyer 1 {lang}")
    _buy(api, live_server.url, stream, deal, f"run-sheet buyer 2 {lang}")
    deal.refresh_from_db()
    assert deal.remaining == units - 2
    expect(bar.locator(".runsheet-bar-deal")).to_contain_text(
        LEFT[lang].format(left=units - 2, quantity=units), timeout=WITHIN_MS
    )
    assert page.evaluate("window.__jdzNoReload === true"), "the run sheet reloaded itself"
    pages.shot(page, "run-sheet-orders-arrived")

    # --- the paper run sheet: products with photo, price and stock; no bar, no buttons -----
    expect(page.locator("button[data-print]")).to_be_visible()
    page.emulate_media(media="print")
    expect(bar).to_be_hidden()
    expect(page.locator("#runsheet-items form").first).to_be_hidden()
    expect(photo).to_be_visible()
    expect(page.locator("#runsheet-items li.runsheet-item .runsheet-facts").first).to_be_visible()
    page.emulate_media(media="screen")

    # --- a phone on its side: two products side by side ----------------------------------
    if size == "phone":
        page.set_viewport_size({"width": 844, "height": 390})
        first, second = (
            page.locator("#runsheet-items li.runsheet-item").nth(n).bounding_box() for n in (0, 1)
        )
        assert first and second and abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"]
        _no_sideways_scroll(page)
        pages.shot(page, "run-sheet-landscape")
        page.set_viewport_size({"width": 390, "height": 844})

    # --- end the stream from the sticky bar (it asks first) -------------------------------
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        bar.get_by_role("button", name=END_STREAM[lang]).click()
    expect(page).to_have_url(re.compile(rf"/streams/{stream.pk}/$"))
    expect(page.locator("ul.messages")).to_contain_text(HAS_ENDED[lang])
    stream.refresh_from_db()
    assert stream.status == LiveStream.Status.ENDED
    pages.shot(page, "stream-ended")
    assert Product.objects.get(pk=following.product_id).stock == stock - units
