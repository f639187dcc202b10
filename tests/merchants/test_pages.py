"""Manager pages: who may reach them, and a constant number of queries per page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from livestreams.models import LiveStream
from merchants.models import Merchant, Milestone
from merchants.services import milestone_record
from tests import factories
from tests.conftest import login


@pytest.mark.parametrize("who", ["owner", "trainer"])
def test_only_managers_reach_the_merchant_list(client, request, who):
    login(client, request.getfixturevalue(who))
    assert client.get("/merchants/").status_code == 403
    assert client.get("/merchants/new/").status_code == 403


def test_a_member_cannot_move_or_review_its_own_merchant(client, owner, merchant):
    login(client, owner)
    response = client.post(
        f"/merchants/{merchant.pk}/stage/", {"stage": "graduated", "reason": "self"}
    )
    assert response.status_code == 403
    response = client.post(f"/merchants/{merchant.pk}/reviews/", {"outcome": "good", "notes": "x"})
    assert response.status_code == 403


def test_a_member_cannot_touch_another_merchants_team(client, owner, other_merchant):
    login(client, owner)
    response = client.post(
        f"/merchants/{other_merchant.pk}/team/", {"name": "Mole", "role": "host"}
    )
    assert response.status_code == 404
    assert not other_merchant.team.filter(name="Mole").exists()


def test_a_manager_of_another_base_cannot_move_a_merchant(client, merchant):
    stranger = factories.UserFactory(role="manager")
    login(client, stranger)
    response = client.post(
        f"/merchants/{merchant.pk}/stage/", {"stage": "exited", "reason": "not mine"}
    )
    assert response.status_code == 404


def test_the_list_filters_by_milestone_and_sorts_by_last_stream(client, manager, base):
    early, late, never = (factories.MerchantFactory(base=base) for _ in range(3))
    now = timezone.now()
    for m, days in [(early, 10), (late, 1)]:
        factories.LiveStreamFactory(
            merchant=m,
            title="t",
            planned_start=now - dt.timedelta(days=days),
            planned_end=now - dt.timedelta(days=days) + dt.timedelta(hours=2),
            status=LiveStream.Status.ENDED,
        )
    factories.LiveStreamFactory(  # a rehearsal never counts as the last stream
        merchant=early,
        title="rehearsal",
        planned_start=now - dt.timedelta(hours=1),
        planned_end=now,
        is_rehearsal=True,
    )
    milestone_record(merchant_id=late.pk, kind=Milestone.Kind.FIRST_STREAM)
    login(client, manager)
    html = client.get("/merchants/?sort=-last_stream", HTTP_HX_REQUEST="true").content.decode()
    assert html.index(late.name) < html.index(early.name) < html.index(never.name)
    assert "<html" not in html  # the htmx answer is the fragment only
    html = client.get("/merchants/?milestone=first_stream", HTTP_HX_REQUEST="true").content.decode()
    assert late.name in html and early.name not in html


def _populate(base, n):
    for merchant in factories.MerchantFactory.create_batch(n, base=base):
        factories.ReviewFactory(merchant=merchant)
        factories.TeamMemberFactory(merchant=merchant)
        milestone_record(merchant_id=merchant.pk, kind=Milestone.Kind.FIRST_ORDER)


def test_the_merchant_list_page_runs_constant_queries(
    client, manager, base, django_assert_max_num_queries
):
    login(client, manager)
    _populate(base, 3)
    with django_assert_max_num_queries(8):
        assert client.get("/merchants/").status_code == 200
    _populate(base, 40)
    with django_assert_max_num_queries(8):
        assert client.get("/merchants/?sort=-milestones").status_code == 200


def test_the_merchant_page_runs_constant_queries(
    client, manager, merchant, django_assert_max_num_queries
):
    login(client, manager)
    # 15: the page, its history section and the menu's unread badge (one count each).
    with django_assert_max_num_queries(15):
        assert client.get(f"/merchants/{merchant.pk}/").status_code == 200
    for _ in range(15):
        factories.ReviewFactory(merchant=merchant)
        factories.TeamMemberFactory(merchant=merchant)
        factories.PlatformAccountFactory(merchant=merchant)
        factories.ForeignAgentFactory(merchant=merchant)
    with django_assert_max_num_queries(15):
        assert client.get(f"/merchants/{merchant.pk}/").status_code == 200


def test_stage_form_errors_show_next_to_the_field(client, manager, base):
    applicant = factories.MerchantFactory(base=base, stage=Merchant.Stage.APPLICANT)
    login(client, manager)
    response = client.post(f"/merchants/{applicant.pk}/stage/", {"stage": "incubating"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = client.post(
        f"/merchants/{applicant.pk}/stage/", {"stage": "graduated", "reason": "skip"}
    )
    assert response.status_code == 400  # not a choice for an applicant
    applicant.refresh_from_db()
    assert applicant.stage == Merchant.Stage.APPLICANT


def test_a_trainer_reading_a_merchant_sees_no_reviews_or_team(client, trainer, merchant):
    factories.ReviewFactory(merchant=merchant, notes="Confidential supervision note")
    factories.TeamMemberFactory(merchant=merchant, name="Secret Host")
    login(client, trainer)
    page = client.get(f"/merchants/{merchant.pk}/").content.decode()
    assert "Confidential supervision note" not in page
    assert "Secret Host" not in page


def test_every_field_of_the_merchant_page_has_its_own_id(client, manager, merchant):
    # Five forms share the page (stage, review, team, platform account, foreign agent).
    login(client, manager)
    page = client.get(f"/merchants/{merchant.pk}/").content.decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="id_agent_name"' in page
