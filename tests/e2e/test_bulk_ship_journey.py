"""Bulk shipping in a browser (issue #17, part 2), in Chinese on a phone and in English on a
desktop: the demo merchant finds ten paid orders on the order list, ticks "select all on this
page", opens the bulk ship form (one row per order, loaded by htmx), gives each parcel its
carrier and tracking number, ships them at once and sees them shipped; each order's shipment is
recorded with its tracking number."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from merchants.models import Merchant
from orders.models import Order, OrderLine, Product, Shipment

from . import pages

CASES = [("phone", "zh"), ("desktop", "en")]
SELECT_ALL = {"zh": "全选本页", "en": "Select all on this page"}
SHIP_SELECTED = {"zh": "批量发货", "en": "Ship selected"}
SHIP_BUTTON = {"zh": "发货 10 个订单", "en": "Ship 10 orders"}
SHIPPED_MESSAGE = {"zh": "已发货 10 个订单。", "en": "10 orders shipped."}
SHIPPED = {"zh": "已发货", "en": "Shipped"}
COUNT = 10


def _paid_orders(prefix: str) -> list[Order]:
    """Ten paid orders of the demo merchant 周乐陶瓷, written straight to the tables."""
    merchant = Merchant.objects.get(team__user__username="merchant")
    product = Product.objects.filter(merchant=merchant).order_by("pk").first()
    orders = []
    for n in range(COUNT):
        order = Order.objects.create(
            merchant=merchant,
            platform="douyin",
            external_id=f"{prefix}-{n:02d}",
            buyer_name=f"买家 {n}",
            currency="CNY",
            amount=Decimal("268.00"),
            amount_cny=Decimal("268.00"),
            units=1,
            status=Order.Status.PAID,
            placed_at=timezone.now(),
        )
        OrderLine.objects.create(
            order=order, product=product, quantity=1, unit_price=Decimal("268.00")
        )
        orders.append(order)
    return orders


def _fits_the_window(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    window = page.viewport_size["width"]
    assert width <= window, f"{page.url} is {width}px wide in a window of {window}px"


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_a_merchant_ships_ten_orders_at_once_with_tracking_numbers(open_page, size, lang):
    prefix = f"BULK-{lang.upper()}"
    orders = _paid_orders(prefix)
    page = open_page(size, lang)
    pages.login(page, "merchant")

    # The order list, narrowed to the ten by the search box.
    pages.goto(page, f"/orders/?status=paid&q={prefix}")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(COUNT)
    pages.shot(page, "paid-orders")
    _fits_the_window(page)

    page.get_by_label(SELECT_ALL[lang]).check()
    expect(page.locator("[data-selected-count]")).to_have_text(str(COUNT))
    expect(page.locator("#results tbody input[name=order]:checked")).to_have_count(COUNT)
    pages.shot(page, "all-selected")

    # The bulk ship form comes into the page: one row per selected order.
    page.get_by_role("button", name=SHIP_SELECTED[lang]).click()
    ship_rows = page.locator("#bulk-panel li.ship-row")
    expect(ship_rows).to_have_count(COUNT)
    for n, order in enumerate(orders):
        row = page.locator(f"#bulk-panel li.ship-row[data-order='{order.pk}']")
        expect(row).to_contain_text(order.external_id)
        row.locator("select[name$='-carrier']").select_option("sf" if n % 2 else "zto")
        row.locator("input[name$='-tracking_number']").fill(f"SF 1000 2000 {order.pk:04d}")
        if n == 0:
            row.locator("input[name$='-insured_value']").fill("268.00")
    pages.shot(page, "ship-form-filled")
    _fits_the_window(page)

    with page.expect_navigation():
        page.get_by_role("button", name=SHIP_BUTTON[lang]).click()
    expect(page.locator(".messages")).to_contain_text(SHIPPED_MESSAGE[lang])
    expect(page).to_have_url(re.compile(r"/orders/\?status=shipped"))
    for order in orders:
        row = page.locator("#results tbody tr", has_text=order.external_id)
        expect(row.locator(".tag")).to_have_text(SHIPPED[lang])
    pages.shot(page, "shipped")
    _fits_the_window(page)

    shipments = Shipment.objects.filter(order__in=orders).order_by("order_id")
    assert [s.tracking_number for s in shipments] == [f"SF10002000{o.pk:04d}" for o in orders]
    assert shipments[0].insured_value == Decimal("268.00")
    assert set(
        Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)
    ) == {Order.Status.SHIPPED}
