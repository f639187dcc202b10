"""Pickers that scale (issue #16), in a browser: the demo merchant types a few letters of an old
stream's title into the order form's stream picker, picks it from the answer (htmx, the page
never reloaded), and places the order, which names that stream; on a stream's page it finds a
product by its SKU in the "add a product" picker, picks it by keyboard and adds it to the run
sheet. In Chinese on a phone and in English on a desktop."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from livestreams.models import FeaturedProduct, LiveStream
from merchants.models import Merchant
from orders.models import Order, Product

from . import pages

CASES = [("phone", "zh"), ("desktop", "en")]
ADDED = {"zh": "已加入排品单", "en": "Added to the run sheet."}


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _demo_merchant() -> Merchant:
    return Merchant.objects.get(team__user__username="merchant")


def _old_stream(merchant: Merchant, lang: str) -> LiveStream:
    """A stream of long ago, far below the twenty nearest the picker shows at first."""
    start = timezone.now() - dt.timedelta(days=300)
    return LiveStream.objects.create(
        merchant=merchant,
        title=f"Linglong picker night {lang} 玲珑夜场",
        platform="kuaishou",
        planned_start=start,
        planned_end=start + dt.timedelta(hours=2),
        blocked_until=start + dt.timedelta(hours=2),
        status=LiveStream.Status.ENDED,
    )


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_a_merchant_picks_a_stream_by_typing_and_places_the_order(open_page, size, lang):
    merchant = _demo_merchant()
    old = _old_stream(merchant, lang)
    product = Product.objects.filter(merchant=merchant, is_active=True, stock__gte=2).first()
    assert product is not None

    page = open_page(size, lang)
    pages.login(page, "merchant")
    pages.goto(page, "/orders/new/")
    form = page.locator("main form.card")
    options = form.locator("#id_stream_options")
    assert old.title not in options.inner_text()
    search = form.locator("#id_stream")
    expect(search).to_have_attribute("type", "search")
    search.press_sequentially(f"picker night {lang}", delay=20)
    choice = options.locator("label.picker-option", has_text=old.title)
    expect(choice).to_have_count(1)
    expect(options.locator("label.picker-option")).to_have_count(2)  # "no stream" and the match
    expect(choice).to_contain_text("快手" if lang == "zh" else "Kuaishou")
    when = timezone.localtime(old.planned_start)
    expect(choice).to_contain_text(
        f"{when.month}月{when.day}日" if lang == "zh" else f"{when.day} {when:%b}"
    )
    if size == "phone":
        _no_sideways_scroll(page)
    choice.click()
    expect(choice.locator("input[type=radio]")).to_be_checked()
    pages.shot(page, "stream-picked")

    form.locator("#id_platform").select_option("kuaishou")
    form.locator("#id_buyer_name").fill("李女士")
    form.locator("#id_product_0").select_option(str(product.pk))
    with page.expect_navigation():
        form.locator("button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    assert order.stream_id == old.pk


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_a_merchant_finds_a_product_by_sku_and_adds_it_to_the_run_sheet(open_page, size, lang):
    merchant = _demo_merchant()
    start = timezone.now() + dt.timedelta(days=3)
    stream = LiveStream.objects.create(
        merchant=merchant,
        title=f"Picker run sheet {lang}",
        platform="douyin",
        planned_start=start,
        planned_end=start + dt.timedelta(hours=2),
        blocked_until=start + dt.timedelta(hours=2),
    )
    wanted = Product.objects.create(
        merchant=merchant,
        sku=f"PICK-{lang.upper()}-77",
        name="玲珑杯 Linglong cup",
        price=88,
        stock=6,
    )

    page = open_page(size, lang)
    pages.login(page, "merchant")
    pages.goto(page, f"/streams/{stream.pk}/")
    search = page.locator("#id_product")
    search.press_sequentially(f"pick-{lang}-77", delay=20)
    options = page.locator("#id_product_options")
    choice = options.locator("label.picker-option", has_text=wanted.sku)
    expect(choice).to_have_count(1)
    expect(options.locator("label.picker-option")).to_have_count(1)
    expect(choice).to_contain_text(re.compile(r"(库存：|Stock: )6"))  # noqa: RUF001 - the Chinese full-width colon
    if size == "phone":
        _no_sideways_scroll(page)
    # By keyboard: from the search box to the radio, chosen with the space bar.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(choice.locator("input[type=radio]")).to_be_focused()
    page.keyboard.press("Space")
    expect(choice.locator("input[type=radio]")).to_be_checked()
    pages.shot(page, "product-picked")
    with page.expect_navigation():
        page.locator("form.featured-add button[type=submit]:not([form])").click()
    expect(page.locator(".messages")).to_contain_text(ADDED[lang])
    assert FeaturedProduct.objects.filter(stream=stream, product=wanted).exists()
