"""A merchant's whole journey in the browser: product with a photo, an order by form and one by
CSV, paid, shipped, refunded."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import Order, Product
from tests.conftest import login

from .helpers import decompression_bomb, douyin_csv, jpeg_with_exif, png


def _order_id(response) -> int:
    return int(re.search(r"/orders/(\d+)/$", response.redirect_chain[-1][0]).group(1))


def test_a_merchant_adds_a_product_takes_orders_and_moves_them_to_refund(
    client, owner, merchant, django_capture_on_commit_callbacks
):
    login(client, owner)
    assert client.get("/catalogue/").status_code == 200

    # A product with its story, then a photo.
    response = client.post(
        "/catalogue/new/",
        {
            "sku": "QH-LOTUS-01",
            "name": "Blue-and-white lotus tea bowl",
            "ware_type": "blue_white",
            "category": "bowl",
            "technique": "hand_painted",
            "kiln": "wood",
            "artisan": "Zhou Le",
            "tier": "high_end",
            "length_mm": "120",
            "width_mm": "120",
            "height_mm": "60",
            "weight_g": "180",
            "price": "680.00",
            "stock": "3",
            "story": "Painted with cobalt from the old kiln district.",
            "is_active": "on",
            "photos": [jpeg_with_exif(), png()],
        },
        follow=True,
    )
    assert response.status_code == 200
    product = Product.objects.get(merchant=merchant, sku="QH-LOTUS-01")
    assert product.photos.count() == 2
    response = client.post(
        f"/catalogue/{product.pk}/photos/", {"image": jpeg_with_exif()}, follow=True
    )
    assert response.status_code == 200
    assert product.photos.count() == 3
    catalogue = client.get("/catalogue/?ware_type=blue_white&in_stock=yes").content.decode()
    assert "Blue-and-white lotus tea bowl" in catalogue
    assert product.photos.order_by("position", "id").first().thumbnail.url in catalogue

    # An order taken by form holds its unit.
    response = client.post(
        "/orders/new/",
        {
            "platform": "douyin",
            "external_id": "DY-778",
            "buyer_name": "Wang Fang",
            "buyer_country": "CN",
            "currency": "CNY",
            "product_0": str(product.pk),
            "quantity_0": "1",
        },
        follow=True,
    )
    assert response.status_code == 200
    order_pk = _order_id(response)
    assert Product.objects.get(pk=product.pk).stock == 2

    # Paid, shipped, refunded in part, then whole.
    assert client.post(f"/orders/{order_pk}/pay/", follow=True).status_code == 200
    # "Mark shipped" opens the shipment form for this one order: carrier, tracking, insured value.
    detail = client.get(f"/orders/{order_pk}/").content.decode()
    assert f"/orders/bulk/ship/?order={order_pk}" in detail
    assert client.get(f"/orders/bulk/ship/?order={order_pk}").status_code == 200
    assert _ship_on_page(client, order_pk, "JDVA01234567890", carrier="jd").status_code == 200
    assert Order.objects.get(pk=order_pk).status == "shipped"
    assert Order.objects.get(pk=order_pk).shipment.tracking_number == "JDVA01234567890"
    client.post(f"/orders/{order_pk}/refund/", {"amount_cny": "80.00", "note": "chipped rim"})
    order = Order.objects.get(pk=order_pk)
    assert order.status == "shipped" and str(order.refunded_cny) == "80.00"
    client.post(f"/orders/{order_pk}/refund/", {"amount_cny": ""})
    order = Order.objects.get(pk=order_pk)
    assert order.status == "refunded" and order.refunded_cny == order.amount_cny
    page = client.get(f"/orders/{order_pk}/").content.decode()
    assert "Refunded" in page and "owner1" in page

    # An order from a Douyin export, then paid and refunded before shipping: units come back.
    data = douyin_csv("DY-900,QH-LOTUS-01,1,680.00,待支付,2026-01-05 20:15:00,Li Lei")
    # The upload is a background job; its worker (eager here) runs once the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/orders/import/",
            {"platform": "douyin", "file": SimpleUploadedFile("douyin.csv", data)},
        )
    job_page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in job_page
    imported = Order.objects.get(external_id="DY-900")
    assert Product.objects.get(pk=product.pk).stock == 1
    Order.objects.filter(pk=imported.pk).update(hold_until=None)  # an old export: no deadline yet
    client.post(f"/orders/{imported.pk}/pay/")
    client.post(f"/orders/{imported.pk}/refund/", {"amount_cny": ""})
    assert Order.objects.get(pk=imported.pk).status == "refunded"
    assert Product.objects.get(pk=product.pk).stock == 2

    listing = client.get("/orders/?status=refunded").content.decode()
    assert "DY-778" in listing and "DY-900" in listing


def test_the_order_form_shows_a_stock_error_next_to_the_lines(client, owner, merchant):
    product = Product.objects.create(
        merchant=merchant, sku="ONE", name="One-off vase", price=900, stock=1
    )
    login(client, owner)
    response = client.post(
        "/orders/new/",
        {
            "platform": "taobao",
            "buyer_country": "CN",
            "currency": "CNY",
            "product_0": str(product.pk),
            "quantity_0": "2",
        },
    )
    assert response.status_code == 200
    assert "Not enough stock of One-off vase: 1 left." in response.content.decode()
    assert not Order.objects.exists()


def test_a_breakage_claim_with_a_photo_refunds_the_broken_line(client, owner, merchant):
    product = Product.objects.create(
        merchant=merchant, sku="CUP", name="Celadon cup", price=100, stock=5
    )
    login(client, owner)
    response = client.post(
        "/orders/new/",
        {
            "platform": "jd",
            "buyer_country": "CN",
            "currency": "CNY",
            "product_0": str(product.pk),
            "quantity_0": "2",
        },
        follow=True,
    )
    pk = _order_id(response)
    client.post(f"/orders/{pk}/pay/")
    _ship_on_page(client, pk, "SF5550001112")
    order = Order.objects.get(pk=pk)
    assert order.shipment.tracking_number == "SF5550001112"
    line = order.lines.get()
    response = client.post(
        f"/orders/{pk}/claims/",
        {"photo": jpeg_with_exif(), "lines": [str(line.pk)], "note": "cracked in transit"},
        follow=True,
    )
    assert response.status_code == 200
    claim = order.claims.get()
    client.post(f"/orders/claims/{claim.pk}/decide/", {"outcome": "refunded"})
    claim.refresh_from_db()
    order.refresh_from_db()
    assert claim.outcome == "refunded" and str(claim.refund_cny) == "200.00"
    assert order.status == "refunded"


def test_a_product_form_with_a_bad_photo_writes_no_product(client, owner, merchant, settings):
    login(client, owner)
    response = client.post(
        "/catalogue/new/",
        {
            "sku": "BAD-1",
            "name": "Vase",
            "ware_type": "celadon",
            "category": "vase",
            "technique": "hand_thrown",
            "kiln": "gas",
            "tier": "medium",
            "price": "100",
            "stock": "1",
            "photos": [png(), decompression_bomb()],
        },
    )
    assert response.status_code == 400
    assert "too many pixels" in response.content.decode()
    assert not Product.objects.filter(sku="BAD-1").exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_search_boxes_refresh_the_list_on_any_input_not_only_on_key_up(client, owner):
    """A phone's paste or an autofill changes the box without a key-up: the list must follow."""
    login(client, owner)
    for url in ("/catalogue/", "/orders/"):
        page = client.get(url).content.decode()
        trigger = re.search(r'<form class="filters"[^>]*hx-trigger="([^"]+)"', page).group(1)
        assert "input changed delay:400ms from:input[name=q]" in trigger, (url, trigger)
        assert "keyup" not in trigger, (url, trigger)


def _ship_on_page(client, pk: int, tracking: str, *, carrier: str = "sf"):
    """The order's "Mark shipped": the shipment form of this one order, sent."""
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-order": str(pk),
        "form-0-carrier": carrier,
        "form-0-tracking_number": tracking,
        "form-0-insured_value": "100.00",
    }
    return client.post("/orders/bulk/ship/", data, follow=True)
