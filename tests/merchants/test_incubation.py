"""Stage changes keep their history; invalid ones are refused; TEAM_OF_10; reviews."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import reach_for
from merchants import services
from merchants.models import Merchant, Milestone, Review, StageChange, TeamMember
from tests import factories

S = Merchant.Stage


def test_admitting_an_applicant_records_who_when_and_why(manager, base):
    applicant = factories.MerchantFactory(base=base, stage=S.APPLICANT)
    before = timezone.now()
    services.merchant_admit(actor=reach_for(manager), merchant_id=applicant.pk, reason="Good plan")
    applicant.refresh_from_db()
    assert applicant.stage == S.INCUBATING
    assert applicant.incubation_started_on == timezone.localdate()
    change = StageChange.objects.get(merchant=applicant)
    assert (change.from_stage, change.to_stage) == (S.APPLICANT, S.INCUBATING)
    assert change.changed_by == manager
    assert change.reason == "Good plan"
    assert change.changed_at >= before


def test_every_stage_change_is_kept_in_order(manager, base):
    m = factories.MerchantFactory(base=base, stage=S.APPLICANT)
    reach = reach_for(manager)
    services.merchant_admit(actor=reach, merchant_id=m.pk, reason="admitted")
    services.merchant_graduate(actor=reach, merchant_id=m.pk, reason="turnover steady")
    services.merchant_exit(actor=reach, merchant_id=m.pk, reason="moved away")
    history = list(
        StageChange.objects.filter(merchant=m).values_list("from_stage", "to_stage", "reason")
    )
    assert history == [
        (S.APPLICANT, S.INCUBATING, "admitted"),
        (S.INCUBATING, S.GRADUATED, "turnover steady"),
        (S.GRADUATED, S.EXITED, "moved away"),
    ]
    m.refresh_from_db()
    assert m.incubation_ended_on == timezone.localdate()


def test_an_applicant_cannot_graduate_directly(manager, base):
    m = factories.MerchantFactory(base=base, stage=S.APPLICANT)
    with pytest.raises(Conflict):
        services.merchant_graduate(actor=reach_for(manager), merchant_id=m.pk, reason="skip")
    m.refresh_from_db()
    assert m.stage == S.APPLICANT
    assert not StageChange.objects.filter(merchant=m).exists()


def test_a_stage_change_needs_a_reason(manager, base):
    m = factories.MerchantFactory(base=base, stage=S.APPLICANT)
    with pytest.raises(DomainError):
        services.merchant_admit(actor=reach_for(manager), merchant_id=m.pk, reason="  ")


def test_only_managers_change_stages(owner, trainer, merchant):
    for user in (owner, trainer):
        with pytest.raises(PermissionDenied):
            services.merchant_exit(actor=reach_for(user), merchant_id=merchant.pk, reason="x")


def test_days_in_incubation_run_from_admission_to_graduation(merchant):
    merchant.incubation_started_on = dt.date(2025, 1, 1)
    merchant.incubation_ended_on = dt.date(2025, 3, 1)
    assert merchant.days_in_incubation() == 59


def test_the_tenth_active_member_reaches_team_of_10(merchant):
    for n in range(9):
        services.team_member_add(merchant=merchant, name=f"m{n}")
    assert not Milestone.objects.filter(merchant=merchant).exists()
    services.team_member_add(merchant=merchant, name="tenth")
    assert Milestone.objects.filter(merchant=merchant, kind=Milestone.Kind.TEAM_OF_10).exists()


def test_inactive_members_do_not_count_towards_team_of_10(merchant):
    for n in range(9):
        services.team_member_add(merchant=merchant, name=f"m{n}")
    TeamMember.objects.filter(merchant=merchant).update(is_active=False)
    services.team_member_add(merchant=merchant, name="tenth")
    assert not Milestone.objects.filter(merchant=merchant).exists()


@pytest.mark.django_db(transaction=True)
def test_two_members_added_at_once_as_ninth_and_tenth_reach_team_of_10():
    merchant = factories.MerchantFactory()
    factories.TeamMemberFactory.create_batch(8, merchant=merchant)
    barrier = threading.Barrier(2)

    def add(i):
        barrier.wait()
        try:
            services.team_member_add(merchant=merchant, name=f"new {i}")
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Milestone.objects.filter(merchant=merchant, kind=Milestone.Kind.TEAM_OF_10).exists()


def test_a_warning_needs_a_follow_up_date(manager, merchant):
    with pytest.raises(DomainError) as info:
        services.review_create(
            actor=reach_for(manager), merchant=merchant, outcome="warning", notes="late twice"
        )
    assert info.value.field == "follow_up_on"
    assert not Review.objects.exists()


def test_a_merchant_member_cannot_write_reviews(owner, merchant):
    with pytest.raises(PermissionDenied):
        services.review_create(
            actor=reach_for(owner), merchant=merchant, outcome="good", notes="I am great"
        )


def test_foreign_agent_needs_a_foreign_country_code(owner, merchant):
    with pytest.raises(DomainError):
        services.foreign_agent_add(
            actor=reach_for(owner), merchant=merchant, name="A", city="Jingdezhen", country="CN"
        )
    agent = services.foreign_agent_add(
        actor=reach_for(owner), merchant=merchant, name="A", city="Stockholm", country="se"
    )
    assert agent.country == "SE"


def test_a_member_cannot_add_an_account_to_another_merchant(owner, other_merchant):
    with pytest.raises(DomainError):
        services.platform_account_add(
            actor=reach_for(owner), merchant=other_merchant, platform="douyin", handle="x"
        )
