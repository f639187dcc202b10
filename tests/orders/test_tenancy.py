"""A merchant never reads or changes another merchant's products or orders: 404 everywhere."""

import pytest

from orders.intake.specs import LineIn
from orders.models import Order, Product
from orders.ordering import services
from tests import factories
from tests.conftest import login

from .helpers import png


@pytest.fixture
def theirs(other_merchant):
    product = factories.ProductFactory(merchant=other_merchant, stock=5)
    order = services.order_place(
        reach=factories.merchant_reach(other_merchant),
        merchant=other_merchant,
        platform="douyin",
        lines=[LineIn(product_id=product.pk, quantity=1)],
    )
    return product, order


def test_api_reads_of_another_merchants_product_and_order_are_404(api_client, owner, theirs):
    product, order = theirs
    api_client.force_authenticate(owner)
    assert api_client.get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert api_client.get("/api/v1/products/").json()["count"] == 0
    assert api_client.get("/api/v1/orders/").json()["count"] == 0


def test_api_writes_to_another_merchants_product_and_order_are_404(api_client, owner, theirs):
    product, order = theirs
    api_client.force_authenticate(owner)
    assert api_client.patch(f"/api/v1/products/{product.pk}/", {"price": "1"}).status_code == 404
    assert (
        api_client.post(f"/api/v1/products/{product.pk}/restock/", {"change": 5}).status_code == 404
    )
    assert (
        api_client.post(
            f"/api/v1/products/{product.pk}/photos/", {"image": png()}, format="multipart"
        ).status_code
        == 404
    )
    assert api_client.post(f"/api/v1/orders/{order.pk}/pay/").status_code == 404
    assert api_client.post(f"/api/v1/orders/{order.pk}/cancel/").status_code == 404
    creating = api_client.post(
        "/api/v1/products/",
        {"merchant": product.merchant_id, "sku": "X", "name": "X", "price": "1"},
        format="json",
    )
    assert creating.status_code == 404
    ordering = api_client.post(
        "/api/v1/orders/",
        {"platform": "douyin", "lines": [{"product": product.pk, "quantity": 1}]},
        format="json",
    )
    assert ordering.status_code == 400  # not one of the caller's products
    product.refresh_from_db()
    order.refresh_from_db()
    assert product.stock == 4 and product.price != 1 and order.status == "pending"
    assert not Product.objects.filter(sku="X").exists()
    assert Order.objects.count() == 1


def test_pages_of_another_merchants_product_and_order_are_404(client, owner, theirs):
    product, order = theirs
    login(client, owner)
    assert client.get(f"/catalogue/{product.pk}/").status_code == 404
    assert client.get(f"/catalogue/{product.pk}/edit/").status_code == 404
    assert client.post(f"/catalogue/{product.pk}/restock/", {"change": 3}).status_code == 404
    assert client.get(f"/orders/{order.pk}/").status_code == 404
    assert client.post(f"/orders/{order.pk}/pay/").status_code == 404
    assert client.post(f"/orders/{order.pk}/refund/").status_code == 404
    order.refresh_from_db()
    assert order.status == "pending"


def test_the_export_holds_only_the_merchants_own_orders(client, owner, merchant, theirs):
    mine = factories.ProductFactory(merchant=merchant)
    services.order_place(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="jd",
        external_id="MINE-1",
        lines=[LineIn(product_id=mine.pk, quantity=1)],
    )
    login(client, owner)
    body = b"".join(client.get("/orders/export.csv").streaming_content).decode()
    assert "MINE-1" in body and theirs[1].external_id not in body


def test_a_base_manager_reads_every_merchant_of_the_base(api_client, manager, theirs, merchant):
    factories.ProductFactory(merchant=merchant)
    api_client.force_authenticate(manager)
    assert api_client.get("/api/v1/products/").json()["count"] == 2
    assert api_client.get("/api/v1/orders/").json()["count"] == 1


def test_a_trainer_reads_no_products_or_orders(api_client, trainer, theirs):
    api_client.force_authenticate(trainer)
    assert api_client.get("/api/v1/products/").status_code == 403
    assert api_client.get("/api/v1/orders/").status_code == 403


def test_a_manager_of_another_base_reads_nothing(api_client, other_base, theirs):
    outsider = factories.UserFactory(role="manager", base=other_base)
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/products/").json()["count"] == 0
    assert api_client.get(f"/api/v1/orders/{theirs[1].pk}/").status_code == 404
