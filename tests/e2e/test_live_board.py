"""The live board journey (issue #15): the base manager opens /board/ while a demo stream is live;
an order is placed and paid through the API; without a reload, within the board's refresh
interval, "today so far" and that stream's GMV grow by the order's CNY amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import expect

from jingdezhen.core.days import day_bounds
from jingdezhen.core.demo import DEMO_PASSWORD
from jingdezhen.pages.board import REFRESH_SECONDS
from livestreams.models import LiveStream
from merchants.models import User
from orders.models import FlashDeal, Order, Product
from orders.turnover.selectors import today

from . import pages
from .conftest import HTML_LANG

TODAY_SO_FAR = {"zh": "今日累计成交", "en": "Today so far"}
LIVE_NOW = {"zh": "正在直播", "en": "Live now"}
# One refresh interval, plus the time a poll takes on a loaded machine.
WITHIN_MS = (REFRESH_SECONDS + 4) * 1000


def _counted_net(**filters) -> Decimal:
    rows = Order.objects.filter(status__in=Order.COUNTED_STATUSES, **filters).exclude(
        stream__is_rehearsal=True
    )
    sums = rows.aggregate(g=Sum("amount_cny", default=0), r=Sum("refunded_cny", default=0))
    return sums["g"] - sums["r"]


def _place_and_pay(site: str, stream: LiveStream) -> dict:
    """The merchant's API client places an order in its live stream and pays it."""
    api = requests.Session()
    token = api.post(
        f"{site}/api/v1/auth/token/",
        json={"username": "merchant", "password": DEMO_PASSWORD},
        timeout=10,
    )
    assert token.status_code == 200, token.text
    api.headers["Authorization"] = f"Token {token.json()['token']}"
    dealt = FlashDeal.objects.filter(ended=False).values("product_id")
    product = (
        Product.objects.filter(merchant=stream.merchant, stock__gte=1)
        .exclude(pk__in=dealt)
        .order_by("pk")
        .first()
    )
    assert product is not None
    placed = api.post(
        f"{site}/api/v1/orders/",
        json={
            "platform": stream.platform,
            "stream": stream.pk,
            "lines": [{"product": product.pk, "quantity": 1}],
        },
        timeout=10,
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    paid = api.post(f"{site}/api/v1/orders/{order['id']}/pay/", timeout=10)
    assert paid.status_code == 200 and paid.json()["status"] == "paid", paid.text
    return paid.json()


@pytest.mark.parametrize(("size", "lang"), [("desktop", "zh"), ("desktop", "en")])
def test_the_board_grows_by_a_paid_order_without_a_reload(open_page, live_server, size, lang):
    manager = User.objects.get(username="manager")
    stream = (
        LiveStream.objects.filter(
            merchant__team__user__username="merchant", status=LiveStream.Status.LIVE
        )
        .order_by("-actual_start")
        .first()
    )
    assert stream is not None, "the demo has a stream live now"
    page = open_page(size, lang)
    page.set_viewport_size({"width": 1920, "height": 1080})
    pages.login(page, "manager")
    pages.goto(page, "/board/")
    assert pages.language(page) == HTML_LANG[lang]
    expect(page.get_by_role("heading", name=TODAY_SO_FAR[lang])).to_be_visible()
    expect(page.get_by_role("heading", name=LIVE_NOW[lang])).to_be_visible()

    today_figure = page.locator('[data-figure="today-net"]')
    stream_figure = page.locator(f'tr[data-stream="{stream.pk}"] [data-figure="stream-gmv"]')
    start, end = day_bounds(today())
    before = _counted_net(merchant__base=manager.base, placed_at__gte=start, placed_at__lt=end)
    assert Decimal(today_figure.get_attribute("data-value")) == before
    stream_before = Decimal(stream_figure.get_attribute("data-value"))
    assert stream_before == _counted_net(stream=stream)
    pages.shot(page, "board-before")
    page.evaluate("window.boardNotReloaded = true")

    order = _place_and_pay(live_server.url, stream)
    amount = Decimal(order["amount_cny"])
    assert amount > 0
    placed_at = timezone.now()

    expect(today_figure).to_have_attribute("data-value", str(before + amount), timeout=WITHIN_MS)
    expect(stream_figure).to_have_attribute(
        "data-value", str(stream_before + amount), timeout=WITHIN_MS
    )
    waited = (timezone.now() - placed_at).total_seconds()
    assert waited <= REFRESH_SECONDS + 4
    assert page.evaluate("window.boardNotReloaded") is True  # the same page, polled, not reloaded
    pages.shot(page, "board-after")
