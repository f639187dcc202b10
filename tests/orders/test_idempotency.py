import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from orders.models import IdempotencyKey, Order, Product
from tests import factories


def _body(product, **extra):
    return {
        "platform": "douyin",
        "buyer_name": "Li Na",
        "lines": [{"product": product.pk, "quantity": 1}],
        **extra,
    }


def test_a_repeat_with_the_same_key_returns_the_first_order(api_client, owner, merchant):
    product = factories.ProductFactory(merchant=merchant, stock=5)
    api_client.force_authenticate(owner)
    first = api_client.post(
        "/api/v1/orders/", _body(product), format="json", headers={"Idempotency-Key": "k-1"}
    )
    again = api_client.post(
        "/api/v1/orders/", _body(product), format="json", headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock == 4


def test_a_key_is_scoped_to_its_merchant(api_client, owner, other_owner, merchant, other_merchant):
    mine = factories.ProductFactory(merchant=merchant)
    theirs = factories.ProductFactory(merchant=other_merchant)
    api_client.force_authenticate(owner)
    a = api_client.post(
        "/api/v1/orders/", _body(mine), format="json", headers={"Idempotency-Key": "same"}
    )
    api_client.force_authenticate(other_owner)
    b = api_client.post(
        "/api/v1/orders/", _body(theirs), format="json", headers={"Idempotency-Key": "same"}
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_a_failed_first_attempt_leaves_the_key_free(api_client, owner, merchant):
    product = factories.ProductFactory(merchant=merchant, stock=0)
    api_client.force_authenticate(owner)
    refused = api_client.post(
        "/api/v1/orders/", _body(product), format="json", headers={"Idempotency-Key": "k-2"}
    )
    assert refused.status_code == 409
    assert not IdempotencyKey.objects.exists()


def test_the_same_platform_order_id_twice_is_a_conflict(api_client, owner, merchant):
    product = factories.ProductFactory(merchant=merchant)
    api_client.force_authenticate(owner)
    api_client.post("/api/v1/orders/", _body(product, external_id="DY1"), format="json")
    again = api_client.post("/api/v1/orders/", _body(product, external_id="DY1"), format="json")
    assert again.status_code == 409
    assert "external_id" in again.json()
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_key_make_one_order():
    merchant = factories.MerchantFactory()
    owner = factories.member_user(merchant, username="racer")
    product = factories.ProductFactory(merchant=merchant, stock=10)
    barrier = threading.Barrier(2)
    answers = []

    def post():
        client = APIClient(headers={"Accept-Language": "en"})
        client.force_authenticate(owner)
        try:
            barrier.wait()
            response = client.post(
                "/api/v1/orders/",
                _body(product),
                format="json",
                headers={"Idempotency-Key": "race"},
            )
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(code for code, _ in answers) == [200, 201]
    assert len({pk for _, pk in answers}) == 1
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock == 9
