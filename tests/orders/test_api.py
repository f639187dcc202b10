"""The catalogue and order lifecycle through the REST API."""

from orders.models import Order, OrderEvent, Product, Shipment


def test_a_merchant_builds_a_catalogue_and_walks_an_order_through_the_api(
    api_client, owner, merchant
):
    api_client.force_authenticate(owner)
    created = api_client.post(
        "/api/v1/products/",
        {
            "sku": "FC-PEONY",
            "name": "Famille-rose peony plate",
            "ware_type": "famille_rose",
            "category": "plate",
            "tier": "medium",
            "price": "560.00",
            "stock": 4,
            "story": "Enamels laid on in seven firings.",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    product_id = created.json()["id"]
    assert created.json()["merchant"] == merchant.pk
    priced = api_client.post(
        f"/api/v1/products/{product_id}/platform-price/",
        {"platform": "xiaohongshu", "price": "520.00"},
        format="json",
    )
    assert priced.json()["platform_prices"] == {"xiaohongshu": "520.00"}

    order = api_client.post(
        "/api/v1/orders/",
        {"platform": "xiaohongshu", "lines": [{"product": product_id, "quantity": 2}]},
        format="json",
    ).json()
    assert order["amount"] == "1040.00" and order["status"] == "pending"
    assert order["lines"][0]["sku"] == "FC-PEONY"
    parcel = {"carrier": "sf", "tracking_number": "sf 1234 5678 901", "insured_value": "500.00"}
    for action, status in [("pay", "paid"), ("ship", "shipped"), ("deliver", "delivered")]:
        body = parcel if action == "ship" else None
        response = api_client.post(f"/api/v1/orders/{order['id']}/{action}/", body, format="json")
        assert response.json()["status"] == status
    shipment = Shipment.objects.get(order_id=order["id"])
    assert (shipment.carrier, shipment.tracking_number) == ("sf", "SF12345678901")
    assert str(shipment.insured_value) == "500.00"
    refunded = api_client.post(
        f"/api/v1/orders/{order['id']}/refund/", {"amount_cny": "40.00"}, format="json"
    )
    assert refunded.json()["refunded_cny"] == "40.00"
    assert OrderEvent.objects.filter(order_id=order["id"]).count() == 5
    assert Product.objects.get(pk=product_id).stock == 2


def test_an_impossible_transition_is_a_409_with_the_reason(api_client, owner, merchant):
    from tests import factories

    product = factories.ProductFactory(merchant=merchant)
    api_client.force_authenticate(owner)
    order = api_client.post(
        "/api/v1/orders/",
        {"platform": "jd", "lines": [{"product": product.pk, "quantity": 1}]},
        format="json",
    ).json()
    parcel = {"carrier": "sf", "tracking_number": "SF1234567890"}
    response = api_client.post(f"/api/v1/orders/{order['id']}/ship/", parcel, format="json")
    assert response.status_code == 409
    assert "cannot be moved" in response.json()["status"][0]
    assert Order.objects.get().status == "pending"


def test_bad_input_gets_field_errors_and_writes_nothing(api_client, owner, merchant):
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/products/", {"sku": "X", "name": "X", "price": "-3"}, format="json"
    )
    assert response.status_code == 400 and "price" in response.json()
    response = api_client.post(
        "/api/v1/orders/",
        {"platform": "nowhere", "lines": [], "currency": "EURO"},
        format="json",
    )
    assert response.status_code == 400
    assert {"platform", "lines", "currency"} <= set(response.json())
    response = api_client.post(
        "/api/v1/orders/",
        {
            "platform": "tiktok",
            "currency": "ZAR",
            "buyer_country": "ZA",
            "lines": [{"product": 1, "quantity": 1}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Product.objects.exists() and not Order.objects.exists()


def test_a_duplicate_sku_is_a_409(api_client, owner, merchant):
    api_client.force_authenticate(owner)
    body = {"sku": "DUP", "name": "Cup", "price": "10"}
    assert api_client.post("/api/v1/products/", body, format="json").status_code == 201
    again = api_client.post("/api/v1/products/", body, format="json")
    assert again.status_code == 409 and "sku" in again.json()


def test_catalogue_filters_by_ware_type_tier_and_stock(api_client, owner, merchant):
    from tests import factories

    factories.ProductFactory(merchant=merchant, ware_type="celadon", tier="high_end", stock=0)
    factories.ProductFactory(merchant=merchant, ware_type="celadon", tier="high_end", stock=2)
    factories.ProductFactory(merchant=merchant, ware_type="qingbai", tier="daily", stock=2)
    api_client.force_authenticate(owner)
    found = api_client.get("/api/v1/products/?ware_type=celadon&tier=high_end&in_stock=true")
    assert found.json()["count"] == 1


def test_a_base_manager_keeps_the_exchange_rates_and_merchants_read_them(
    api_client, manager, owner
):
    api_client.force_authenticate(manager)
    body = {"currency": "zar", "cny_per_unit": "0.390000", "valid_from": "2026-01-01"}
    assert api_client.post("/api/v1/exchange-rates/", body, format="json").status_code == 201
    api_client.force_authenticate(owner)
    assert api_client.get("/api/v1/exchange-rates/").json()["results"][0]["currency"] == "ZAR"
    assert api_client.post("/api/v1/exchange-rates/", body, format="json").status_code == 403


def test_the_pages_render_in_chinese(client_zh, owner, merchant):
    from orders.intake.specs import LineIn
    from orders.ordering import services
    from tests import factories
    from tests.conftest import login

    product = factories.ProductFactory(merchant=merchant)
    order = services.order_place(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="douyin",
        lines=[LineIn(product_id=product.pk, quantity=1)],
    )
    login(client_zh, owner)
    assert "件商品" in client_zh.get("/catalogue/").content.decode()
    assert "标记已付款" in client_zh.get(f"/orders/{order.pk}/").content.decode()
    for url in ("/orders/", "/orders/new/", "/orders/import/", f"/catalogue/{product.pk}/"):
        assert client_zh.get(url).status_code == 200


def test_the_hand_written_order_answer_is_what_its_declared_fields_say(merchant):
    """The order's answer is built by hand for speed; the declared fields (which the schema is
    read from) must give the same, for a pending order with its deadline and a paid one."""
    from rest_framework import serializers

    from orders.intake.specs import LineIn
    from orders.ordering import selectors, services
    from orders.ordering.api import OrderDetailSerializer, OrderLineSerializer, OrderSerializer
    from tests import factories

    reach = factories.merchant_reach(merchant)
    cup = factories.ProductFactory(merchant=merchant, stock=9, price="1234.50")
    placed = services.order_place(
        reach=reach,
        merchant=merchant,
        platform="douyin",
        buyer_name="王芳",
        lines=[LineIn(product_id=cup.pk, quantity=2), LineIn(product_id=cup.pk, quantity=1)],
    )
    paid = services.order_pay(reach=reach, order=placed)
    for order in (placed, selectors.order_list_with_lines(reach=reach).get(pk=paid.pk)):
        for serializer in (OrderDetailSerializer(), OrderSerializer()):
            declared = serializers.Serializer.to_representation(serializer, order)
            assert serializer.to_representation(order) == dict(declared)
        for line in order.lines.all():
            declared = serializers.Serializer.to_representation(OrderLineSerializer(), line)
            assert OrderLineSerializer().to_representation(line) == dict(declared)
    assert OrderDetailSerializer(placed).data["lines"][0]["unit_price"] == "1234.50"
