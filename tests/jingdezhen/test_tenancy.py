"""A merchant member reaches only their own merchant; managers and trainers only their base."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from jingdezhen.core.tenancy import Reach, get_reach, reach_for
from merchants.models import Merchant, Role
from tests import factories
from tests.conftest import login


def test_merchant_member_reach_names_their_merchant(owner, merchant):
    reach = reach_for(owner)
    assert reach.role == Role.MERCHANT
    assert reach.merchant_id == merchant.pk
    assert reach.base_id == merchant.base_id


def test_scope_limits_merchants_by_role(owner, manager, trainer, merchant, other_merchant):
    foreign = factories.MerchantFactory()  # another base
    for user, expected in [
        (owner, {merchant.pk}),
        (manager, {merchant.pk, other_merchant.pk}),
        (trainer, {merchant.pk, other_merchant.pk}),
    ]:
        seen = set(reach_for(user).scope(Merchant.objects.all()).values_list("pk", flat=True))
        assert seen == expected
        assert foreign.pk not in seen


def test_a_user_without_a_team_row_sees_no_merchant(db, base, merchant):
    stray = factories.UserFactory(role=Role.MERCHANT, base=base)
    assert not reach_for(stray).scope(Merchant.objects.all()).exists()


def test_scope_refuses_a_model_without_tenancy(owner):
    from django.contrib.contenttypes.models import ContentType

    with pytest.raises(ImproperlyConfigured):
        reach_for(owner).scope(ContentType.objects.all())


def test_reach_is_computed_once_per_request(rf, owner, django_assert_num_queries):
    request = rf.get("/")
    request.user = owner
    with django_assert_num_queries(1):
        first = get_reach(request)
        second = get_reach(request)
    assert first is second
    assert isinstance(first, Reach)


def test_member_cannot_open_another_merchants_page(client, owner, other_merchant, merchant):
    login(client, owner)
    assert client.get(f"/merchants/{merchant.pk}/").status_code == 200
    assert client.get(f"/merchants/{other_merchant.pk}/").status_code == 404


def test_manager_cannot_open_a_merchant_of_another_base(client, manager, merchant):
    foreign = factories.MerchantFactory()
    login(client, manager)
    assert client.get(f"/merchants/{merchant.pk}/").status_code == 200
    assert client.get(f"/merchants/{foreign.pk}/").status_code == 404


def test_member_cannot_read_another_merchant_by_api(api_client, owner, merchant, other_merchant):
    api_client.force_authenticate(owner)
    listed = api_client.get("/api/v1/merchants/").json()
    assert [row["id"] for row in listed["results"]] == [merchant.pk]
    assert api_client.get(f"/api/v1/merchants/{other_merchant.pk}/").status_code == 404


def test_member_cannot_change_a_merchant_by_api(api_client, owner, other_merchant):
    api_client.force_authenticate(owner)
    response = api_client.patch(f"/api/v1/merchants/{other_merchant.pk}/", {"name": "mine now"})
    assert response.status_code in (403, 404, 405)
    other_merchant.refresh_from_db()
    assert other_merchant.name != "mine now"


def test_merchant_list_api_runs_constant_queries(
    api_client, manager, base, django_assert_max_num_queries
):
    factories.MerchantFactory.create_batch(30, base=base)
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(4):
        response = api_client.get("/api/v1/merchants/")
    assert response.json()["count"] == 30
