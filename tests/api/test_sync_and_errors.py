"""Incremental sync (?updated_since=, ?ordering=updated_at) on orders and streams, and the error
bodies' machine codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from livestreams.models import LiveStream
from livestreams.services.notifications import streams_flag_late
from orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


def _since(instant: dt.datetime) -> str:
    return instant.isoformat()


def test_orders_changed_since_an_instant_are_the_only_ones_listed(api_client, owner, merchant):
    old = factories.TurnoverOrderFactory(merchant=merchant)
    Order.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    fresh = factories.TurnoverOrderFactory(merchant=merchant)
    api_client.force_authenticate(owner)
    since = timezone.now() - dt.timedelta(days=1)
    response = api_client.get("/api/v1/orders/", {"updated_since": _since(since)})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [fresh.pk]


def test_orders_sort_by_their_change_time(
    api_client, owner, merchant, django_assert_max_num_queries
):
    first, second = (factories.TurnoverOrderFactory(merchant=merchant) for _ in range(2))
    Order.objects.filter(pk=second.pk).update(updated_at=timezone.now() - dt.timedelta(hours=3))
    api_client.force_authenticate(owner)
    with django_assert_max_num_queries(12):
        response = api_client.get("/api/v1/orders/", {"ordering": "updated_at"})
    assert [row["id"] for row in response.json()["results"]] == [second.pk, first.pk]
    assert [
        row["id"]
        for row in api_client.get("/api/v1/orders/?ordering=-updated_at").json()["results"]
    ] == [first.pk, second.pk]


def test_a_stream_marked_missed_by_the_job_shows_up_in_the_next_sync(api_client, owner, merchant):
    start = timezone.now() - dt.timedelta(hours=5)
    stream = factories.LiveStreamFactory(
        merchant=merchant, planned_start=start, planned_end=start + dt.timedelta(hours=1)
    )
    LiveStream.objects.filter(pk=stream.pk).update(updated_at=start)
    api_client.force_authenticate(owner)
    since = _since(timezone.now() - dt.timedelta(minutes=1))
    assert api_client.get("/api/v1/streams/", {"updated_since": since}).json()["results"] == []
    streams_flag_late()  # set-based: marks the stream missed with one UPDATE
    rows = api_client.get("/api/v1/streams/", {"updated_since": since}).json()["results"]
    assert [(row["id"], row["status"]) for row in rows] == [(stream.pk, "missed")]


def test_a_partial_save_of_a_stream_moves_its_change_time(merchant):
    stream = factories.LiveStreamFactory(merchant=merchant)
    LiveStream.objects.filter(pk=stream.pk).update(updated_at=timezone.now() - dt.timedelta(days=1))
    stream.refresh_from_db()
    before = stream.updated_at
    stream.title = "Celadon evening"
    stream.save(update_fields=["title"])
    stream.refresh_from_db()
    assert stream.updated_at > before


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-12-01T08:00:00",
        "2026-13-01T08:00:00+08:00",
        "1999-01-01T00:00:00Z",
        "9999-01-01T00:00:00+00:00",
        "x" * 500,
    ],
)
def test_a_bad_updated_since_is_a_400_naming_the_field(api_client, owner, value):
    api_client.force_authenticate(owner)
    for url in ("/api/v1/orders/", "/api/v1/streams/"):
        response = api_client.get(url, {"updated_since": value})
        assert response.status_code == 400, (url, value)
        body = response.json()
        assert "updated_since" in body
        assert body["errors"][0]["field"] == "updated_since"
        assert body["errors"][0]["code"] in {"invalid", "out_of_bounds"}


def test_an_ordering_outside_the_whitelist_is_ignored(api_client, owner, merchant):
    factories.TurnoverOrderFactory(merchant=merchant)
    api_client.force_authenticate(owner)
    response = api_client.get("/api/v1/orders/", {"ordering": "buyer_name"})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_field_errors_carry_a_code_per_message_with_a_dotted_path(api_client, owner):
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/orders/", {"lines": [{"product": 1, "quantity": 0}]}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["platform"] == ["This field is required."]
    codes = {(error["field"], error["code"]) for error in body["errors"]}
    assert ("platform", "required") in codes
    assert ("lines.0.quantity", "min_value") in codes


def test_a_body_that_is_not_json_is_a_400_with_the_parse_error_code(api_client, owner):
    api_client.force_authenticate(owner)
    response = api_client.post("/api/v1/orders/", "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert response.json()["non_field_errors"]


def test_answers_about_the_whole_request_carry_detail_and_code(api_client, owner):
    assert api_client.get("/api/v1/orders/").json()["code"] in {
        "not_authenticated",
        "authentication_failed",
    }
    api_client.force_authenticate(owner)
    missing = api_client.get("/api/v1/orders/999999999/")
    assert missing.status_code == 404
    assert set(missing.json()) == {"detail", "code"}
    assert missing.json()["code"] == "not_found"


def test_the_token_endpoint_reads_json_only(api_client, owner):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": owner.username, "password": "x"}, format="multipart"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_reused_idempotency_key_with_another_body_is_a_422_with_its_code(
    api_client, owner, merchant
):
    product = factories.ProductFactory(merchant=merchant)
    api_client.force_authenticate(owner)

    def order(quantity):
        body = {"platform": "douyin", "lines": [{"product": product.pk, "quantity": quantity}]}
        return api_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert order(1).status_code == 201
    reused = order(2)
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["code"] == "idempotency_key_reused"
