"""GET /api/v1/claims/: breakage claims within reach, read through orders.ordering.selectors."""

from __future__ import annotations

import pytest

from orders.models import BreakageClaim
from tests import factories

pytestmark = pytest.mark.django_db


def _claim(merchant) -> BreakageClaim:
    order = factories.TurnoverOrderFactory(merchant=merchant)
    line = factories.TurnoverOrderLineFactory(order=order)
    claim = BreakageClaim.objects.create(order=order, photo="claims/broken.jpg", note="Cracked")
    claim.lines.set([line])
    return claim


def test_a_merchant_lists_its_own_claims_only(
    api_client, owner, merchant, other_merchant, django_assert_max_num_queries
):
    mine = [_claim(merchant) for _ in range(3)]
    _claim(other_merchant)
    api_client.force_authenticate(owner)
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/claims/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {claim.pk for claim in mine}
    assert rows[0]["lines"] and "photo" not in rows[0]


def test_a_foreign_claim_is_a_404_and_a_trainer_is_refused(
    api_client, owner, trainer, other_merchant
):
    foreign = _claim(other_merchant)
    api_client.force_authenticate(owner)
    response = api_client.get(f"/api/v1/claims/{foreign.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    api_client.force_authenticate(trainer)
    assert api_client.get("/api/v1/claims/").status_code == 403


def test_a_manager_reads_the_claims_of_the_base(api_client, manager, merchant, other_merchant):
    claims = [_claim(merchant), _claim(other_merchant)]
    api_client.force_authenticate(manager)
    rows = api_client.get("/api/v1/claims/", {"order": claims[0].order_id}).json()["results"]
    assert [row["id"] for row in rows] == [claims[0].pk]
