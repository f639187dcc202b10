"""The base manager journey end to end through the pages, in English and in Chinese; and the
merchant keeping its own profile, team, accounts and agents."""

import datetime as dt

import pytest
from django.utils import timezone

from merchants.models import ForeignAgent, Merchant, PlatformAccount, Review, StageChange
from tests import factories
from tests.conftest import login

S = Merchant.Stage


@pytest.mark.parametrize("client_name", ["client", "client_zh"])
def test_manager_admits_reviews_and_graduates_a_merchant(request, client_name, manager, base):
    client = request.getfixturevalue(client_name)
    zh = client_name == "client_zh"
    login(client, manager)
    factories.MerchantFactory.create_batch(3, base=base)

    home = client.get("/")
    assert home.status_code == 200
    page = client.get("/merchants/")
    assert page.status_code == 200
    assert ("孵化天数" if zh else "Days in incubation") in page.content.decode()

    # Register an applicant, then admit it with a reason.
    assert client.get("/merchants/new/").status_code == 200
    response = client.post(
        "/merchants/new/",
        {"name": "青白瓷坊 Qingbai Kiln", "kind": "workshop", "reason": "walk-in"},
    )
    assert response.status_code == 302
    merchant = Merchant.objects.get(name="青白瓷坊 Qingbai Kiln")
    assert merchant.stage == S.APPLICANT
    html = client.get("/merchants/?stage=applicant", HTTP_HX_REQUEST="true").content.decode()
    assert merchant.name in html
    detail = client.get(f"/merchants/{merchant.pk}/")
    assert detail.status_code == 200
    response = client.post(
        f"/merchants/{merchant.pk}/stage/", {"stage": "incubating", "reason": "Samples are fine"}
    )
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.stage == S.INCUBATING

    # A supervision review with a follow-up, then graduation.
    follow_up = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    response = client.post(
        f"/merchants/{merchant.pk}/reviews/",
        {"outcome": "warning", "notes": "Room left untidy", "follow_up_on": follow_up},
    )
    assert response.status_code == 302
    assert Review.objects.filter(merchant=merchant, outcome="warning").exists()
    response = client.post(
        f"/merchants/{merchant.pk}/stage/", {"stage": "graduated", "reason": "Steady turnover"}
    )
    assert response.status_code == 302

    # The incubation timeline shows every change, who made it and why.
    page = client.get(f"/merchants/{merchant.pk}/").content.decode()
    for reason in ("walk-in", "Samples are fine", "Steady turnover", "Room left untidy"):
        assert reason in page
    assert StageChange.objects.filter(merchant=merchant).count() == 3
    assert ("孵化时间线" if zh else "Incubation timeline") in page

    # Sorted and filtered list answers as a fragment.
    html = client.get(
        "/merchants/?stage=graduated&sort=-last_review", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert merchant.name in html


def test_merchant_keeps_its_profile_team_accounts_and_agents(client, owner, merchant):
    login(client, owner)
    assert client.get("/my-merchant/").status_code == 302
    assert client.get(f"/merchants/{merchant.pk}/edit/").status_code == 200
    response = client.post(
        f"/merchants/{merchant.pk}/edit/",
        {"name": merchant.name, "kind": "studio", "specialities": ["celadon"], "description": "x"},
    )
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.specialities == ["celadon"]
    assert (
        client.post(
            f"/merchants/{merchant.pk}/team/", {"name": "Host Wu", "role": "host"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/merchants/{merchant.pk}/accounts/", {"platform": "douyin", "handle": "zhoule"}
        ).status_code
        == 302
    )
    response = client.post(
        f"/merchants/{merchant.pk}/agents/",
        {"name": "Anna", "city": "Amsterdam", "country": "NL", "commission_rate": "15"},
    )
    assert response.status_code == 302
    bad = client.post(
        f"/merchants/{merchant.pk}/agents/",
        {"name": "Bo", "city": "Jingdezhen", "country": "CN", "commission_rate": "5"},
    )
    assert bad.status_code == 400
    assert "outside China" in bad.content.decode()
    page = client.get(f"/merchants/{merchant.pk}/").content.decode()
    assert "Host Wu" in page and "zhoule" in page and "Amsterdam" in page
    account = PlatformAccount.objects.get(merchant=merchant)
    agent = ForeignAgent.objects.get(merchant=merchant)
    client.post(f"/merchants/{merchant.pk}/accounts/{account.pk}/remove/")
    client.post(f"/merchants/{merchant.pk}/agents/{agent.pk}/remove/")
    assert not PlatformAccount.objects.exists() and not ForeignAgent.objects.exists()
