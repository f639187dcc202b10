"""The one question other apps ask training: did this host complete the live-hosting basics?"""

import datetime as dt

import pytest
from django.utils import timezone

from jingdezhen.core.errors import DomainError
from jingdezhen.core.tenancy import reach_for
from merchants.models import Milestone
from tests import factories
from training import services
from training.models import Attendance, Course, Enrollment
from training.selectors import host_has_completed_basics

from .helpers import attend, finish_cohort

E = Enrollment.Status


def _completed(trainee, kind=Course.Kind.LIVE_BASICS, status=E.COMPLETED):
    cohort = factories.CohortFactory(course__base=trainee.base, course__kind=kind)
    return factories.EnrollmentFactory(cohort=cohort, trainee=trainee, status=status)


def test_a_host_linked_by_team_member_has_completed_basics(base, merchant):
    host = factories.TeamMemberFactory(merchant=merchant)
    _completed(factories.TraineeFactory(base=base, team_member=host))
    assert host_has_completed_basics(team_member_id=host.pk)


def test_a_host_linked_through_its_user_has_completed_basics(base, owner):
    member = owner.membership
    _completed(factories.TraineeFactory(base=base, user=owner))
    assert host_has_completed_basics(team_member_id=member.pk)


@pytest.mark.parametrize(
    ("kind", "status"),
    [(Course.Kind.PHOTOGRAPHY, E.COMPLETED), (Course.Kind.LIVE_BASICS, E.ENROLLED)],
)
def test_another_course_or_an_unfinished_one_does_not_count(base, merchant, kind, status):
    host = factories.TeamMemberFactory(merchant=merchant)
    _completed(factories.TraineeFactory(base=base, team_member=host), kind=kind, status=status)
    assert not host_has_completed_basics(team_member_id=host.pk)


def test_completing_as_a_team_member_records_the_merchants_milestone(base, trainer, merchant):
    host = factories.TeamMemberFactory(merchant=merchant)
    trainee = factories.TraineeFactory(base=base, team_member=host)
    enrolment = _completed(trainee, status=E.ENROLLED)
    finish_cohort(enrolment.cohort)
    attend(enrolment)
    services.enrollment_complete(actor=reach_for(trainer), enrollment_id=enrolment.pk)
    assert Milestone.objects.filter(
        merchant=merchant, kind=Milestone.Kind.FIRST_COURSE_COMPLETED
    ).exists()


def test_attendance_is_refused_outside_the_cohorts_days_or_ahead_of_time(base, trainer):
    today = timezone.localdate()
    cohort = factories.CohortFactory(
        course__base=base, trainer=trainer, starts_on=today, ends_on=today + dt.timedelta(days=2)
    )
    enrolment = factories.EnrollmentFactory(cohort=cohort)
    reach = reach_for(trainer)
    for day in (today - dt.timedelta(days=1), today + dt.timedelta(days=1)):
        with pytest.raises(DomainError):
            services.attendance_record(
                actor=reach, cohort_id=cohort.pk, day=day, present_ids={enrolment.pk}
            )
    services.attendance_record(actor=reach, cohort_id=cohort.pk, day=today, present_ids=set())
    services.attendance_record(
        actor=reach, cohort_id=cohort.pk, day=today, present_ids={enrolment.pk}
    )
    assert list(Attendance.objects.values_list("present", flat=True)) == [True]


def test_a_trainee_without_a_completed_course_cannot_apply(base, trainer):
    trainee = factories.TraineeFactory(base=base)
    _completed(trainee, status=E.ENROLLED)
    with pytest.raises(DomainError):
        services.trainee_to_applicant(
            actor=reach_for(trainer), trainee_id=trainee.pk, merchant_name="Too soon"
        )
