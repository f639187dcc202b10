"""Edges of the REST API that Schemathesis found: each answers a clear 4xx (or an empty list),
never a 500, and never tells a caller whether another merchant's object exists."""

from livestreams.models import LiveStream
from orders.models import Order, Product
from tests import factories


def test_an_id_that_is_not_a_number_is_no_route(api_client, manager):
    api_client.force_authenticate(manager)
    response = api_client.get("/api/v1/merchants/%C3%A7%E8%A1%BD/")
    assert response.status_code == 404


def test_a_filter_by_a_foreign_or_missing_id_answers_an_empty_list_alike(
    api_client, owner, merchant, other_merchant
):
    mine = factories.LiveStreamFactory(merchant=merchant)
    theirs = factories.LiveStreamFactory(merchant=other_merchant)
    product = factories.ProductFactory(merchant=merchant, stock=3)
    Order.objects.create(
        merchant=merchant, platform="jd", external_id="A-1", stream=mine, amount=1, amount_cny=1
    )
    api_client.force_authenticate(owner)

    own = api_client.get(f"/api/v1/orders/?stream={mine.pk}")
    foreign = api_client.get(f"/api/v1/orders/?stream={theirs.pk}")
    missing = api_client.get("/api/v1/orders/?stream=987654321")
    huge = api_client.get(f"/api/v1/flash-deals/?product={product.pk}&stream={2**70}")

    assert own.status_code == 200 and own.json()["count"] == 1
    assert foreign.status_code == missing.status_code == huge.status_code == 200
    assert foreign.json()["count"] == missing.json()["count"] == huge.json()["count"] == 0


def test_a_filter_by_id_that_is_not_a_whole_number_is_a_400_naming_the_field(api_client, owner):
    api_client.force_authenticate(owner)
    response = api_client.get("/api/v1/turnover/daily/?merchant=2.5e144")
    assert response.status_code == 400
    assert "merchant" in response.json()


def test_a_restock_beyond_what_a_column_holds_is_refused_with_a_message(
    api_client, owner, merchant
):
    product = factories.ProductFactory(merchant=merchant, stock=3)
    api_client.force_authenticate(owner)

    too_big = api_client.post(
        f"/api/v1/products/{product.pk}/restock/", {"change": 1068031852977948}, format="json"
    )
    over_the_cap = api_client.post(
        f"/api/v1/products/{product.pk}/restock/", {"change": 999_999}, format="json"
    )

    assert too_big.status_code == 400 and "change" in too_big.json()
    assert over_the_cap.status_code == 400 and "change" in over_the_cap.json()
    assert Product.objects.get(pk=product.pk).stock == 3


def test_results_beyond_what_a_column_holds_are_refused_with_a_message(api_client, owner, merchant):
    stream = factories.LiveStreamFactory(merchant=merchant, status=LiveStream.Status.ENDED)
    api_client.force_authenticate(owner)
    response = api_client.post(
        f"/api/v1/streams/{stream.pk}/results/",
        {"peak_viewers": 1119363222323056, "new_followers": 300},
        format="json",
    )
    assert response.status_code == 400 and "peak_viewers" in response.json()


def test_a_stream_in_the_wrong_state_for_an_action_is_a_409_with_the_reason(
    api_client, owner, merchant
):
    stream = factories.LiveStreamFactory(merchant=merchant, status=LiveStream.Status.ENDED)
    api_client.force_authenticate(owner)
    response = api_client.post(f"/api/v1/streams/{stream.pk}/go-live/")
    assert response.status_code == 409
    message = "Only a scheduled stream can go live."
    assert response.json() == {
        "non_field_errors": [message],
        "errors": [{"field": "non_field_errors", "code": "invalid_transition", "message": message}],
    }


def test_a_flash_deal_for_a_foreign_stream_is_a_404_like_a_missing_one(
    api_client, owner, merchant, other_merchant
):
    product = factories.ProductFactory(merchant=merchant, stock=5)
    theirs = factories.LiveStreamFactory(merchant=other_merchant)
    api_client.force_authenticate(owner)
    body = {"product": product.pk, "deal_price": "9.90", "quantity": 1, "duration": "00:10:00"}

    foreign = api_client.post("/api/v1/flash-deals/", {**body, "stream": theirs.pk}, format="json")
    missing = api_client.post("/api/v1/flash-deals/", {**body, "stream": 987654321}, format="json")
    garbage = api_client.post("/api/v1/flash-deals/", {**body, "stream": {}}, format="json")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert garbage.status_code == 400 and "stream" in garbage.json()


def test_a_form_body_is_refused_with_a_415_the_api_reads_json(api_client, owner):
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/products/",
        "sku=A&name=B&price=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415


def test_a_refused_change_answers_403_with_its_reason_in_detail(api_client, trainer, merchant):
    api_client.force_authenticate(trainer)
    response = api_client.post(
        f"/api/v1/merchants/{merchant.pk}/team/", {"name": "Li Wei"}, format="json"
    )
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "code"}
