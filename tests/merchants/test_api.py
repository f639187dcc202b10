"""The merchants API: detail with team and milestones; managers act through the services."""

import pytest

from merchants.models import Merchant, Review, StageChange
from tests import factories

S = Merchant.Stage


def test_detail_carries_team_milestones_and_history(api_client, manager, merchant):
    factories.TeamMemberFactory(merchant=merchant, name="Host Li")
    factories.PlatformAccountFactory(merchant=merchant)
    factories.ForeignAgentFactory(merchant=merchant)
    api_client.force_authenticate(manager)
    body = api_client.get(f"/api/v1/merchants/{merchant.pk}/").json()
    assert [m["name"] for m in body["team"]] == ["Host Li"]
    assert body["milestones"] == []
    assert len(body["platform_accounts"]) == 1
    assert body["agents"][0]["city"] == "Stockholm"


def test_manager_admits_an_applicant_by_api_with_a_reason(api_client, manager, base):
    api_client.force_authenticate(manager)
    created = api_client.post("/api/v1/merchants/", {"name": "Blue Kiln", "kind": "workshop"})
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["stage"] == S.APPLICANT
    moved = api_client.post(
        f"/api/v1/merchants/{pk}/stage/", {"stage": S.INCUBATING, "reason": "Strong samples"}
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["stage"] == S.INCUBATING
    assert [c["reason"] for c in moved.json()["stage_changes"]][-1] == "Strong samples"


def test_an_invalid_transition_is_refused_with_409(api_client, manager, base):
    applicant = factories.MerchantFactory(base=base, stage=S.APPLICANT)
    api_client.force_authenticate(manager)
    response = api_client.post(
        f"/api/v1/merchants/{applicant.pk}/stage/", {"stage": S.GRADUATED, "reason": "skip"}
    )
    assert response.status_code == 409
    assert "stage" in response.json()
    assert not StageChange.objects.filter(merchant=applicant).exists()


def test_a_stage_move_without_a_reason_is_a_400(api_client, manager, base):
    applicant = factories.MerchantFactory(base=base, stage=S.APPLICANT)
    api_client.force_authenticate(manager)
    response = api_client.post(f"/api/v1/merchants/{applicant.pk}/stage/", {"stage": "incubating"})
    assert response.status_code == 400
    assert "reason" in response.json()


def test_a_merchant_member_cannot_move_its_own_stage(api_client, owner, merchant):
    api_client.force_authenticate(owner)
    response = api_client.post(
        f"/api/v1/merchants/{merchant.pk}/stage/", {"stage": S.GRADUATED, "reason": "me"}
    )
    assert response.status_code == 403


def test_a_merchant_reads_its_own_reviews_never_anothers(
    api_client, owner, merchant, other_merchant
):
    factories.ReviewFactory(merchant=merchant, notes="mine")
    factories.ReviewFactory(merchant=other_merchant, notes="theirs")
    api_client.force_authenticate(owner)
    mine = api_client.get(f"/api/v1/merchants/{merchant.pk}/reviews/").json()
    assert [r["notes"] for r in mine] == ["mine"]
    assert api_client.get(f"/api/v1/merchants/{other_merchant.pk}/reviews/").status_code == 404
    response = api_client.post(
        f"/api/v1/merchants/{merchant.pk}/reviews/", {"outcome": "good", "notes": "great"}
    )
    assert response.status_code == 403
    assert Review.objects.count() == 2


def test_a_member_keeps_its_profile_and_accounts_by_api(api_client, owner, merchant):
    api_client.force_authenticate(owner)
    response = api_client.patch(
        f"/api/v1/merchants/{merchant.pk}/",
        {"specialities": ["celadon", "qingbai"], "description": "Thin celadon"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["specialities"] == ["celadon", "qingbai"]
    bad = api_client.patch(
        f"/api/v1/merchants/{merchant.pk}/", {"specialities": ["plastic"]}, format="json"
    )
    assert bad.status_code == 400
    added = api_client.post(
        f"/api/v1/merchants/{merchant.pk}/accounts/", {"platform": "tiktok", "handle": "jdz"}
    )
    assert added.status_code == 201
    agent = api_client.post(
        f"/api/v1/merchants/{merchant.pk}/agents/",
        {"name": "Eva", "city": "Stockholm", "country": "SE", "commission_rate": "12.5"},
    )
    assert agent.status_code == 201, agent.json()


@pytest.mark.parametrize("rows", [5, 40])
def test_merchant_list_api_with_summaries_runs_constant_queries(
    api_client, manager, base, rows, django_assert_max_num_queries
):
    for merchant in factories.MerchantFactory.create_batch(rows, base=base):
        factories.ReviewFactory(merchant=merchant)
        factories.TeamMemberFactory(merchant=merchant)
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(4):
        response = api_client.get("/api/v1/merchants/?page_size=100")
    assert response.json()["count"] == rows


def test_a_trainer_reading_merchants_by_api_learns_nothing_of_reviews(
    api_client, trainer, merchant
):
    factories.ReviewFactory(merchant=merchant, outcome=Review.Outcome.VIOLATION, follow_up_on=None)
    api_client.force_authenticate(trainer)
    row = api_client.get("/api/v1/merchants/").json()["results"][0]
    assert row["last_review_outcome"] is None
    detail = api_client.get(f"/api/v1/merchants/{merchant.pk}/").json()
    assert detail["reviews"] == [] and detail["last_review_outcome"] is None
