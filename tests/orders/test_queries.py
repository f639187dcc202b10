"""Pages and list endpoints run a constant number of queries, whatever the number of rows."""

import pytest

from orders.catalogue import services as catalogue_services
from orders.intake.specs import LineIn
from orders.models import ProductPhoto
from orders.ordering import money, services
from tests import factories
from tests.conftest import login

from .helpers import png


def _catalogue(merchant, n):
    products = factories.ProductFactory.create_batch(n, merchant=merchant)
    for product in products[:3]:
        catalogue_services.product_photo_add(
            reach=factories.merchant_reach(merchant), product=product, upload=png()
        )
        money.platform_price_set(
            reach=factories.merchant_reach(merchant), product=product, platform="taobao", price=10
        )
    return products


def _orders(merchant, n):
    product = factories.ProductFactory(merchant=merchant, stock=10_000)
    for i in range(n):
        services.order_place(
            reach=factories.merchant_reach(merchant),
            merchant=merchant,
            platform="douyin",
            external_id=f"Q{i}",
            lines=[LineIn(product_id=product.pk, quantity=1)],
        )


@pytest.mark.parametrize("n", [2, 40])
def test_catalogue_page_queries_are_constant(
    client, owner, merchant, n, django_assert_max_num_queries
):
    _catalogue(merchant, n)
    login(client, owner)
    # 8 with the menu's unread badge (one count); the htmx fragment below has no menu.
    with django_assert_max_num_queries(8):
        response = client.get("/catalogue/?tier=daily")
    assert response.status_code == 200
    assert ProductPhoto.objects.count() == min(n, 3)
    assert response.content.decode().count("product-card") == n


@pytest.mark.parametrize("n", [2, 40])
def test_catalogue_htmx_fragment_queries_are_constant(
    client, owner, merchant, n, django_assert_max_num_queries
):
    _catalogue(merchant, n)
    login(client, owner)
    with django_assert_max_num_queries(7):
        response = client.get("/catalogue/?in_stock=yes", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html


@pytest.mark.parametrize("n", [2, 40])
def test_order_list_page_queries_are_constant(
    client, owner, merchant, n, django_assert_max_num_queries
):
    _orders(merchant, n)
    login(client, owner)
    # 6 with the menu's unread badge (one count).
    with django_assert_max_num_queries(6):
        response = client.get("/orders/")
    assert response.status_code == 200
    assert response.content.decode().count('href="/orders/') >= n


@pytest.mark.parametrize("n", [2, 40])
def test_product_endpoint_queries_are_constant(
    api_client, owner, merchant, n, django_assert_max_num_queries
):
    _catalogue(merchant, n)
    api_client.force_authenticate(owner)
    with django_assert_max_num_queries(5):
        response = api_client.get("/api/v1/products/")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [2, 40])
def test_order_endpoint_queries_are_constant(
    api_client, owner, merchant, n, django_assert_max_num_queries
):
    _orders(merchant, n)
    api_client.force_authenticate(owner)
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/orders/")
    assert response.json()["count"] == n
