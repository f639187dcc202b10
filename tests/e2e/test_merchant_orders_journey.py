"""The merchant's catalogue and orders (SPEC journey 1), in a browser, in Chinese on a phone and
in English on a desktop.

The demo merchant logs in, adds a product with a photo through the product form and sees its
thumbnail, filters the catalogue by ware type, takes an order for the product by the order form
(its units are held), pays, ships and partly refunds it from the order page, imports a Douyin
CSV export with one good and one bad row (the report names the bad line and why; uploading the
file again imports nothing twice) and reads its own turnover page, whose figure equals the
orders'. A second journey proves that a file that is not an image is refused as a photo with a
clear error and creates nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from orders.models import Order, OrderImport, Product, ProductPhoto
from orders.turnover import rollup

from . import pages

CASES = [("phone", "zh"), ("desktop", "en")]

NAV = {
    "catalogue": {"zh": "商品目录", "en": "Catalogue"},
    "orders": {"zh": "订单", "en": "Orders"},
    "turnover": {"zh": "成交额", "en": "Turnover"},
}
STATUS = {
    "pending": {"zh": "待付款", "en": "Pending payment"},
    "paid": {"zh": "已付款", "en": "Paid"},
    "shipped": {"zh": "已发货", "en": "Shipped"},
}
CELADON = {"zh": "青瓷", "en": "Celadon"}
# Labels of the facts on the product and order pages.
WARE_TYPE = {"zh": "瓷种", "en": "Ware type"}
STOCK_LABEL = {"zh": "库存", "en": "Stock"}
HELD = {"zh": "未付款订单锁定", "en": "Held by unpaid orders"}
AMOUNT_CNY = {"zh": "金额（元）", "en": "Amount (CNY)"}  # noqa: RUF001
REFUNDED_CNY = {"zh": "已退款（元）", "en": "Refunded (CNY)"}  # noqa: RUF001
# The import report's counters.
ORDERS_IMPORTED = {"zh": "导入订单数", "en": "Orders imported"}
BAD_ROWS = {"zh": "错误行", "en": "Bad rows"}
# Messages.
PRODUCT_ADDED = {"zh": "商品已添加。", "en": "Product added."}
REFUND_RECORDED = {"zh": "退款已记录。", "en": "Refund recorded."}
IMPORTED_BEFORE = {
    "zh": "该文件此前已导入，未做任何更改。",  # noqa: RUF001 - the Chinese full-width comma
    "en": "This file was imported before; nothing was changed.",
}
UNKNOWN_SKU = {"zh": "未知的商家编码 {sku}。", "en": "Unknown SKU {sku}."}
NOT_A_PHOTO = {
    "zh": "无法读取该文件，请上传 JPEG、PNG 或 WebP 照片。",  # noqa: RUF001
    "en": "The file is not a photo we can read (JPEG, PNG or WebP).",
}
TODAY_SO_FAR = {"zh": "今日累计（净成交额，元）", "en": "Today so far (net CNY)"}  # noqa: RUF001

PRICE = Decimal("1280.00")
STOCK = 5
ORDERED = 2
PARTIAL_REFUND = Decimal("500.00")


def _jpeg(tmp_path, name="meiping.jpg"):
    """A small real JPEG: a celadon-green square."""
    path = tmp_path / name
    Image.new("RGB", (64, 48), (172, 200, 170)).save(path, format="JPEG")
    return path


def _media_files() -> list[Path]:
    """Every file under MEDIA_ROOT (where photos and thumbnails are written)."""
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def _cny(value: Decimal) -> str:
    return f"{value:,.2f}"


def _fact(page: Page, label: dict, lang: str):
    """The <dd> of a <dl class="facts"> row whose <dt> says ``label``."""
    return page.locator("dl.facts dt", has_text=re.compile(f"^{re.escape(label[lang])}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def _stat(page: Page, label: dict, lang: str):
    """The value of a ``.stat`` card whose label says ``label``."""
    return page.locator(".stat", has=page.locator(".stat-label", has_text=label[lang])).locator(
        ".stat-value"
    )


def _submit(page: Page, form) -> None:
    # A button with a form= attribute (a picker's search) submits another form.
    with page.expect_navigation():
        form.locator("button[type=submit]:not([form])").click()


def _add_product(page: Page, lang: str, sku: str, name: str, photo) -> int:
    pages.follow_nav(page, NAV["catalogue"][lang])
    expect(page).to_have_url(re.compile(r"/catalogue/$"))
    with page.expect_navigation():
        page.locator("main a[href='/catalogue/new/']").click()
    pages.shot(page, "product-form")
    form = page.locator("main form.card")
    form.locator("#id_sku").fill(sku)
    form.locator("#id_name").fill(name)
    form.locator("#id_ware_type").select_option("celadon")
    form.locator("#id_category").select_option("vase")
    form.locator("#id_tier").select_option("high_end")
    form.locator("#id_price").fill(str(PRICE))
    form.locator("#id_stock").fill(str(STOCK))
    form.locator("#id_story").fill("Thrown by hand in Jingdezhen and fired in a wood kiln.")
    form.locator("#id_photos").set_input_files(photo)
    pages.shot(page, "product-form-filled")
    _submit(page, form)
    expect(page.locator(".messages")).to_contain_text(PRODUCT_ADDED[lang])
    match = re.search(r"/catalogue/(\d+)/$", page.url)
    assert match, page.url
    return int(match.group(1))


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_merchant_adds_a_product_sells_it_refunds_imports_a_csv_and_sees_the_turnover(
    open_page, tmp_path, size, lang
):
    page = open_page(size, lang)
    pages.login(page, "merchant")

    # --- a new product with a photo --------------------------------------------------------
    sku = f"E2E-MP-{lang.upper()}"
    name = f"青瓷梅瓶 Celadon meiping {lang}"
    product_id = _add_product(page, lang, sku, name, _jpeg(tmp_path))
    expect(page.locator("h1")).to_contain_text(name)
    expect(_fact(page, WARE_TYPE, lang)).to_have_text(CELADON[lang])
    expect(_fact(page, STOCK_LABEL, lang)).to_have_text(str(STOCK))
    thumb = page.locator("ul.photo-grid img")
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_attribute("src", re.compile(r"/media/products/thumbs/"))
    # The thumbnail really loads (a broken image would also fail the test with its 404).
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    pages.shot(page, "product-added")

    # --- the catalogue filtered by ware type shows it ----------------------------------------
    own = Product.objects.filter(merchant__team__user__username="merchant")
    pages.follow_nav(page, NAV["catalogue"][lang])
    results = page.locator("#results")
    expect(results.locator("p.muted").first).to_contain_text(str(own.count()))
    page.locator("form.filters #id_ware_type").select_option("celadon")
    expect(page).to_have_url(re.compile(r"ware_type=celadon"))
    celadon = own.filter(ware_type="celadon").count()
    assert celadon < own.count()
    expect(results.locator("p.muted").first).to_contain_text(str(celadon))
    cards = results.locator("li.product-card")
    expect(cards).to_have_count(celadon)
    for kind in cards.locator("span.muted").all_inner_texts():
        assert f" · {CELADON[lang]} · " in kind, kind
    card = cards.filter(has_text=name)
    expect(card).to_have_count(1)
    card_thumb = card.locator("img")
    expect(card_thumb).to_have_attribute("src", re.compile(r"/media/products/thumbs/"))
    card_thumb.scroll_into_view_if_needed()
    expect(card_thumb).to_be_visible()
    pages.shot(page, "catalogue-celadon")

    # --- an order taken by the form holds the units ----------------------------------------
    pages.follow_nav(page, NAV["orders"][lang])
    with page.expect_navigation():
        page.locator("main a[href='/orders/new/']").click()
    form = page.locator("main form.card")
    external_id = f"DY-E2E-{lang.upper()}-1"
    form.locator("#id_platform").select_option("douyin")
    form.locator("#id_external_id").fill(external_id)
    form.locator("#id_buyer_name").fill("王女士")
    form.locator("#id_product_0").select_option(str(product_id))
    form.locator("#id_quantity_0").fill(str(ORDERED))
    pages.shot(page, "order-form-filled")
    _submit(page, form)
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    order_url = page.url
    status_tag = page.locator("h1 .tag")
    expect(status_tag).to_have_text(STATUS["pending"][lang])
    expect(_fact(page, AMOUNT_CNY, lang)).to_have_text(f"¥{PRICE * ORDERED:,}")
    pages.shot(page, "order-pending")

    with page.expect_navigation():
        page.locator("main table a", has_text=name).click()
    expect(_fact(page, STOCK_LABEL, lang)).to_have_text(str(STOCK - ORDERED))
    expect(_fact(page, HELD, lang)).to_have_text(str(ORDERED))
    pages.shot(page, "product-units-held")

    # --- pay, ship, refund in part ----------------------------------------------------------
    pages.goto(page, order_url)
    _submit(page, page.locator("main form[action$='/pay/']"))
    expect(status_tag).to_have_text(STATUS["paid"][lang])
    # "Mark shipped" opens the parcel form of this one order: carrier, tracking number, value.
    with page.expect_navigation():
        page.locator("main a[href*='/orders/bulk/ship/?order=']").click()
    tracking = f"SF{uuid.uuid4().int % 10**12:012d}"
    page.locator("select[name$='-carrier']").select_option("sf")
    page.locator("input[name$='-tracking_number']").fill(tracking)
    _submit(page, page.locator("main form"))
    pages.goto(page, order_url)
    expect(status_tag).to_have_text(STATUS["shipped"][lang])
    expect(page.locator(".tracking")).to_have_text(tracking)
    pages.shot(page, "order-shipped")
    refund = page.locator("main form[action$='/refund/']")
    refund.locator("#id_amount_cny").fill(str(PARTIAL_REFUND))
    refund.locator("#id_note").fill("glaze flaw")
    _submit(page, refund)
    expect(page.locator(".messages")).to_contain_text(REFUND_RECORDED[lang])
    expect(status_tag).to_have_text(STATUS["shipped"][lang])
    expect(_fact(page, REFUNDED_CNY, lang)).to_have_text(f"¥{PARTIAL_REFUND}")
    expect(page.locator("ul.plain li", has_text=f"¥{PARTIAL_REFUND}")).to_have_count(1)
    pages.shot(page, "order-refunded-in-part")

    # --- a Douyin CSV export with a good and a bad row --------------------------------------
    placed = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    csv_id = f"DY-CSV-{lang.upper()}-1"
    export = tmp_path / f"douyin-{lang}.csv"
    export.write_text(
        "主订单编号,商家编码,商品数量,商品单价,订单状态,订单提交时间,收件人\n"
        f"{csv_id},{sku},1,{PRICE},已支付,{placed},李先生\n"
        f"DY-CSV-{lang.upper()}-2,NO-SUCH-SKU,1,99.00,已支付,{placed},赵女士\n",
        encoding="utf-8",
    )
    report_url = _import(page, lang, export)
    bad = page.locator("table tbody tr")
    expect(bad).to_have_count(1)
    expect(bad.locator("td").nth(0)).to_have_text("3")
    expect(bad.locator("td").nth(1)).to_have_text(UNKNOWN_SKU[lang].format(sku="NO-SUCH-SKU"))
    expect(_stat(page, ORDERS_IMPORTED, lang)).to_have_text("1")
    expect(_stat(page, BAD_ROWS, lang)).to_have_text("1")
    pages.shot(page, "import-report")
    with page.expect_navigation():
        page.locator("main a.btn[href='/orders/']").click()
    row = page.locator("#results tbody tr", has_text=csv_id)
    expect(row).to_have_count(1)
    expect(row.locator(".tag")).to_have_text(STATUS["paid"][lang])
    # After the selection box: placed, platform, id, buyer, units, amount, amount in CNY.
    expect(row.locator("td").nth(7)).to_have_text(f"{PRICE:,.2f}")
    pages.shot(page, "orders-with-import")

    # The same file again: the same report comes back and nothing is imported twice.
    again_url = _import(page, lang, export)
    assert again_url == report_url
    expect(page.locator(".messages")).to_contain_text(IMPORTED_BEFORE[lang])
    pages.shot(page, "import-repeated")
    assert OrderImport.objects.filter(filename=export.name).count() == 1
    assert Order.objects.filter(external_id=csv_id).count() == 1
    pages.follow_nav(page, NAV["orders"][lang])
    page.locator("form.filters #id_q").fill(csv_id)
    expect(page).to_have_url(re.compile(f"q={csv_id}"))
    expect(page.locator("#results tbody tr")).to_have_count(1)

    # The product's stock: the paid form order and the imported order took their units.
    pages.follow_nav(page, NAV["catalogue"][lang])
    page.locator("form.filters #id_q").fill(sku)
    expect(page).to_have_url(re.compile(f"q={sku}"))
    expect(page.locator("#results li.product-card")).to_have_count(1)
    with page.expect_navigation():
        page.locator("#results li.product-card a").click()
    expect(page).to_have_url(re.compile(f"/catalogue/{product_id}/$"))
    expect(_fact(page, STOCK_LABEL, lang)).to_have_text(str(STOCK - ORDERED - 1))
    expect(_fact(page, HELD, lang)).to_have_text("0")

    # --- the merchant's own turnover ---------------------------------------------------------
    # The page reads only the daily rollups, which Celery beat computes every few minutes
    # (orders.tasks.rollup_today_so_far). No worker runs here, so the test runs today's rollup
    # itself, in process, exactly as that job would.
    today = timezone.localdate()
    rollup.rollup_day(day=today)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    counted = Order.objects.filter(
        merchant__team__user__username="merchant",
        status__in=Order.COUNTED_STATUSES,
        placed_at__gte=start,
        placed_at__lt=start + dt.timedelta(days=1),
    ).exclude(stream__is_rehearsal=True)
    expected = counted.aggregate(net=Sum(F("amount_cny") - F("refunded_cny")))["net"]
    assert expected >= PRICE * ORDERED - PARTIAL_REFUND + PRICE
    pages.follow_nav(page, NAV["turnover"][lang])
    expect(page).to_have_url(re.compile(r"/turnover/$"))
    today_card = page.locator(".stat", has_text=TODAY_SO_FAR[lang])
    expect(today_card.locator(".stat-value")).to_have_text(_cny(expected))
    expect(today_card.locator(".muted")).to_contain_text(str(counted.count()))
    pages.shot(page, "turnover")


def _import(page: Page, lang: str, export) -> str:
    """Orders -> Import a CSV -> Douyin, upload ``export``; returns the report's URL."""
    pages.follow_nav(page, NAV["orders"][lang])
    with page.expect_navigation():
        page.locator("main a[href='/orders/import/']").click()
    form = page.locator("main form.card")
    form.locator("#id_platform").select_option("douyin")
    form.locator("#id_file").set_input_files(export)
    _submit(page, form)
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    return page.url


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_a_file_that_is_not_an_image_is_refused_as_a_photo_and_creates_nothing(
    open_page, tmp_path, size, lang
):
    page = open_page(size, lang)
    pages.login(page, "merchant")
    fake = tmp_path / "vase.jpg"
    fake.write_text("this is a text file, not a photo of a vase\n", encoding="utf-8")
    before = Product.objects.count(), ProductPhoto.objects.count(), _media_files()

    pages.follow_nav(page, NAV["catalogue"][lang])
    with page.expect_navigation():
        page.locator("main a[href='/catalogue/new/']").click()
    form = page.locator("main form.card")
    form.locator("#id_sku").fill("E2E-NOT-A-PHOTO")
    form.locator("#id_name").fill("Not a photo")
    form.locator("#id_price").fill("88")
    form.locator("#id_stock").fill("1")
    form.locator("#id_photos").set_input_files(fake)
    # The refused form answers 400 with its field errors (the conftest fails on any other 4xx).
    with pages.expect_refusal(page, "/catalogue/new/", 400):
        _submit(page, form)

    expect(page).to_have_url(re.compile(r"/catalogue/new/$"))
    error = page.locator("#id_photos").locator("xpath=..").locator(".errorlist")
    expect(error).to_have_text(NOT_A_PHOTO[lang])
    # What was typed is still there to correct.
    expect(page.locator("#id_sku")).to_have_value("E2E-NOT-A-PHOTO")
    pages.shot(page, "photo-refused")
    assert (Product.objects.count(), ProductPhoto.objects.count(), _media_files()) == before
    assert not Product.objects.filter(sku="E2E-NOT-A-PHOTO").exists()
