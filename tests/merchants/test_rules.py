"""The rules of merchants that issue #12 found missing: suspension, the last owner, lifecycles."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import reach_for
from merchants import lifecycle, services
from merchants.models import Merchant, StatusChange, TeamMember
from tests import factories
from tests.conftest import login


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _owner_member(owner):
    return TeamMember.objects.get(user=owner)


# --- suspension -----------------------------------------------------------------------------------


def test_a_manager_suspends_and_reinstates_a_merchant_with_reasons_recorded(manager, merchant):
    reach = reach_for(manager)
    services.merchant_suspend(actor=reach, merchant_id=merchant.pk, reason="Fake kiln marks")
    assert Merchant.objects.get(pk=merchant.pk).status == Merchant.Status.SUSPENDED
    services.merchant_reinstate(actor=reach, merchant_id=merchant.pk, reason="Marks removed")
    assert Merchant.objects.get(pk=merchant.pk).status == Merchant.Status.ACTIVE
    rows = StatusChange.objects.filter(merchant=merchant, changed_by=manager).order_by("id")
    assert [(r.from_status, r.to_status, r.reason) for r in rows] == [
        ("active", "suspended", "Fake kiln marks"),
        ("suspended", "active", "Marks removed"),
    ]
    assert all(r.changed_at for r in rows)


def test_a_suspension_needs_a_reason(manager, merchant):
    with pytest.raises(DomainError) as info:
        services.merchant_suspend(actor=reach_for(manager), merchant_id=merchant.pk, reason=" ")
    assert info.value.field == "reason"
    assert Merchant.objects.get(pk=merchant.pk).status == Merchant.Status.ACTIVE


def test_a_suspended_merchant_cannot_be_suspended_again(manager, merchant):
    reach = reach_for(manager)
    services.merchant_suspend(actor=reach, merchant_id=merchant.pk, reason="First")
    with pytest.raises(Conflict) as info:
        services.merchant_suspend(actor=reach, merchant_id=merchant.pk, reason="Again")
    assert info.value.code == "invalid_transition"


def test_a_merchant_cannot_suspend_itself(owner, merchant):
    with pytest.raises(PermissionDenied):
        services.merchant_suspend(actor=reach_for(owner), merchant_id=merchant.pk, reason="x")


def test_registration_records_the_first_status(manager, base):
    merchant = services.merchant_create(base=base, name="Blue kiln", created_by=manager)
    assert list(merchant.status_changes.values_list("from_status", "to_status")) == [("", "active")]


def test_the_suspension_page_action_and_its_history(client, manager, merchant):
    login(client, manager)
    page = client.get(f"/merchants/{merchant.pk}/")
    assert f"/merchants/{merchant.pk}/status/suspend/" in page.content.decode()
    response = client.post(
        f"/merchants/{merchant.pk}/status/suspend/", {"status-reason": "Fake kiln marks"}
    )
    assert response.status_code == 302
    page = client.get(f"/merchants/{merchant.pk}/").content.decode()
    assert "Fake kiln marks" in page
    assert f"/merchants/{merchant.pk}/status/reinstate/" in page


def test_a_merchant_member_cannot_use_the_suspension_page(client, owner, merchant):
    login(client, owner)
    response = client.post(f"/merchants/{merchant.pk}/status/suspend/", {"status-reason": "x"})
    assert response.status_code == 403
    assert Merchant.objects.get(pk=merchant.pk).status == Merchant.Status.ACTIVE


def test_the_api_suspends_and_reinstates(api_client, manager, merchant):
    api_client.force_authenticate(manager)
    response = api_client.post(f"/api/v1/merchants/{merchant.pk}/suspend/", {"reason": "Audit"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "suspended"
    assert "reinstate" in body["actions"]
    assert body["status_changes"][-1]["reason"] == "Audit"
    missing = api_client.post(f"/api/v1/merchants/{merchant.pk}/reinstate/", {})
    assert missing.status_code == 400 and "reason" in missing.json()
    again = api_client.post(f"/api/v1/merchants/{merchant.pk}/reinstate/", {"reason": "Done"})
    assert again.json()["status"] == "active"


def test_the_api_refuses_a_nul_byte_in_a_reason(api_client, manager, merchant):
    api_client.force_authenticate(manager)
    response = api_client.post(
        f"/api/v1/merchants/{merchant.pk}/suspend/", {"reason": "Au\x00dit"}, format="json"
    )
    assert response.status_code == 400
    assert Merchant.objects.get(pk=merchant.pk).status == Merchant.Status.ACTIVE


# --- the last owner -------------------------------------------------------------------------------


def test_a_merchant_cannot_deactivate_its_last_owner(owner, merchant):
    member = _owner_member(owner)
    with pytest.raises(Conflict) as info:
        services.team_member_set_active(actor=reach_for(owner), member=member, is_active=False)
    assert info.value.code == "last_owner"
    assert TeamMember.objects.get(pk=member.pk).is_active


def test_a_merchant_cannot_demote_its_last_owner(owner, merchant):
    member = _owner_member(owner)
    with pytest.raises(Conflict) as info:
        services.team_member_set_role(
            actor=reach_for(owner), member=member, role=TeamMember.Role.HOST
        )
    assert info.value.field == "role"
    assert TeamMember.objects.get(pk=member.pk).role == TeamMember.Role.OWNER


def test_an_owner_may_step_back_once_another_owner_logs_in(owner, merchant):
    factories.member_user(merchant, role=TeamMember.Role.OWNER, username="owner_b")
    member = _owner_member(owner)
    services.team_member_set_active(actor=reach_for(owner), member=member, is_active=False)
    assert not TeamMember.objects.get(pk=member.pk).is_active


def test_an_owner_without_a_login_does_not_count_as_the_other_owner(owner, merchant):
    factories.TeamMemberFactory(merchant=merchant, role=TeamMember.Role.OWNER, user=None)
    with pytest.raises(Conflict):
        services.team_member_set_active(
            actor=reach_for(owner), member=_owner_member(owner), is_active=False
        )


def test_the_team_page_shows_why_the_last_owner_stays(client, owner, merchant):
    login(client, owner)
    member = _owner_member(owner)
    response = client.post(f"/merchants/{merchant.pk}/team/{member.pk}/toggle/", follow=True)
    assert "last owner" in response.content.decode()
    assert TeamMember.objects.get(pk=member.pk).is_active


# --- the lifecycle tables -------------------------------------------------------------------------


def test_the_stage_table_gives_the_moves_of_each_stage():
    S = Merchant.Stage
    assert lifecycle.stage_targets(S.APPLICANT) == [S.INCUBATING, S.EXITED]
    assert lifecycle.stage_targets(S.INCUBATING) == [S.GRADUATED, S.EXITED]
    assert lifecycle.stage_targets(S.GRADUATED) == [S.EXITED]
    assert lifecycle.stage_targets(S.EXITED) == [S.INCUBATING]


def test_the_status_table_gives_the_moves_of_each_status():
    assert [t.action for t in lifecycle.status_moves(Merchant.Status.ACTIVE)] == ["suspend"]
    assert [t.action for t in lifecycle.status_moves(Merchant.Status.SUSPENDED)] == ["reinstate"]


def test_a_stage_move_the_table_does_not_allow_is_refused(manager, merchant):
    with pytest.raises(Conflict) as info:
        services.merchant_move(
            actor=reach_for(manager),
            merchant_id=merchant.pk,
            to_stage=Merchant.Stage.APPLICANT,  # incubating -> applicant is no move of the table
            reason="back to the start",
        )
    assert info.value.field == "stage"
