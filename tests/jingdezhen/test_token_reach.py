"""A request with an API token reads its user's reach (a merchant member's active team row and
merchant) in the token's statement: one round trip fewer per merchant request, with the same
answers as the separate read (revocation, expiry, inactive users and team rows kept)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from jingdezhen.core.tenancy import reach_for
from jingdezhen.core.tokens import _token_user, token_issue
from merchants.models import Merchant, TeamMember
from tests import factories


def _token_client(api_client, user):
    token = token_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return token


@pytest.mark.django_db(transaction=True)
def test_an_api_order_with_a_token_is_three_statements_reach_included(api_client):
    """Before: four statements besides BEGIN/COMMIT (the token, the team row, the products,
    the write); the team row now comes with the token."""
    merchant = factories.MerchantFactory()
    owner = factories.member_user(merchant, role="owner", username="t-owner")
    cup = factories.ProductFactory(merchant=merchant, stock=100)
    _token_client(api_client, owner)
    body = {"platform": "douyin", "lines": [{"product": cup.pk, "quantity": 1}]}
    assert api_client.post("/api/v1/orders/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(statements) == 3, "\n".join(q[:120] for q in statements)
    assert "LATERAL" in statements[0]
    assert response.json()["merchant"] == merchant.pk
    assert merchant.products.get(pk=cup.pk).stock == 98


def test_the_token_read_brings_the_same_team_row_and_merchant_as_the_separate_read(db):
    merchant = factories.MerchantFactory(specialities=["qinghua", "fencai"])
    owner = factories.member_user(merchant, role=TeamMember.Role.HOST, username="t-host")
    token = token_issue(user=owner)
    user = _token_user(token.key)
    with CaptureQueriesContext(connection) as queries:
        reach = reach_for(user, with_merchant=True)
    assert len(queries) == 0
    assert reach == reach_for(owner)
    assert reach.member_role == TeamMember.Role.HOST
    stored = Merchant.objects.get(pk=merchant.pk)
    for field in Merchant._meta.concrete_fields:
        assert getattr(reach.merchant, field.attname) == getattr(stored, field.attname), field
    assert reach.merchant.specialities == ["qinghua", "fencai"]
    assert not reach.merchant._state.adding


def test_a_deactivated_team_row_gives_a_token_no_merchant(api_client, db):
    merchant = factories.MerchantFactory()
    owner = factories.member_user(merchant, role="owner", username="t-gone")
    _token_client(api_client, owner)
    assert [row["id"] for row in api_client.get("/api/v1/merchants/").json()["results"]] == [
        merchant.pk
    ]
    TeamMember.objects.filter(user=owner).update(is_active=False)
    user = _token_client(api_client, owner).user
    assert reach_for(_token_user(Token.objects.get(user=user).key)).merchant_id is None
    assert api_client.get("/api/v1/merchants/").json()["results"] == []


def test_a_manager_token_reads_no_team_row(api_client, db):
    base = factories.BaseFactory()
    manager = factories.UserFactory(role="manager", base=base, username="t-mgr")
    token = token_issue(user=manager)
    user = _token_user(token.key)
    assert user._tm_id is None
    assert reach_for(user) == reach_for(manager)
    assert reach_for(user).base_id == base.pk


def test_an_expired_or_revoked_token_or_inactive_user_is_still_refused(api_client, db):
    merchant = factories.MerchantFactory()
    owner = factories.member_user(merchant, role="owner", username="t-end")
    token = _token_client(api_client, owner)
    assert api_client.get("/api/v1/merchants/").status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=400))
    assert api_client.get("/api/v1/merchants/").status_code == 403  # DRF: the session comes first
    assert not Token.objects.filter(pk=token.pk).exists()
    token = _token_client(api_client, owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert api_client.get("/api/v1/merchants/").status_code == 403  # DRF: the session comes first
    token.delete()
    assert api_client.get("/api/v1/merchants/").status_code == 403  # DRF: the session comes first
