"""Who may read and run training is the selectors' rule: pages and API ask the same functions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jingdezhen.core.tenancy import reach_for
from tests import factories
from tests.conftest import login
from training import selectors
from training.models import Certificate, Enrollment


@pytest.fixture
def completed(base):
    enrolment = factories.EnrollmentFactory(
        cohort__course__base=base, status=Enrollment.Status.COMPLETED
    )
    Certificate.objects.create(enrollment=enrolment, code="RULE000001")
    return enrolment


def _reads(enrolment):
    return {
        "course_list": lambda reach: selectors.course_list(reach=reach),
        "course_get": lambda reach: selectors.course_get(
            reach=reach, pk=enrolment.cohort.course_id
        ),
        "cohort_list": lambda reach: selectors.cohort_list(reach=reach),
        "cohort_get": lambda reach: selectors.cohort_get(reach=reach, pk=enrolment.cohort_id),
        "cohort_roster": lambda reach: selectors.cohort_roster(
            reach=reach, cohort_id=enrolment.cohort_id
        ),
        "enrollment_get": lambda reach: selectors.enrollment_get(reach=reach, pk=enrolment.pk),
        "attendance_sheet": lambda reach: selectors.attendance_sheet(
            reach=reach, cohort_id=enrolment.cohort_id, day=dt.date.today()
        ),
        "attendance_days_recorded": lambda reach: selectors.attendance_days_recorded(
            reach=reach, cohort_id=enrolment.cohort_id
        ),
        "trainee_list": lambda reach: selectors.trainee_list(reach=reach),
        "trainee_get": lambda reach: selectors.trainee_get(reach=reach, pk=enrolment.trainee_id),
        "certificate_get": lambda reach: selectors.certificate_get(reach=reach, code="RULE000001"),
    }


READS = list(_reads(None))


@pytest.mark.parametrize("read", READS)
def test_a_merchant_member_asking_a_training_read_is_refused(owner, completed, read):
    with pytest.raises(PermissionDenied):
        _reads(completed)[read](reach_for(owner))


@pytest.mark.parametrize("read", READS)
def test_trainers_and_managers_read_training(trainer, manager, completed, read):
    for user in (trainer, manager):
        _reads(completed)[read](reach_for(user))  # no refusal


def test_an_object_of_another_base_is_not_found_rather_than_refused(trainer):
    foreign = factories.EnrollmentFactory()
    with pytest.raises(Http404):
        selectors.cohort_get(reach=reach_for(trainer), pk=foreign.cohort_id)


@pytest.mark.parametrize(
    "read",
    [
        lambda reach, cohort: selectors.trainer_choices(reach=reach),
        lambda reach, cohort: selectors.enrol_candidates(
            reach=reach, cohort_id=cohort.pk, search="a"
        ),
    ],
    ids=["trainer_choices", "enrol_candidates"],
)
def test_the_trainers_reads_refuse_a_manager(manager, trainer, completed, read):
    with pytest.raises(PermissionDenied):
        read(reach_for(manager), completed.cohort)
    read(reach_for(trainer), completed.cohort)


def test_enrol_candidates_refuses_a_manager_before_looking_the_cohort_up(manager):
    foreign = factories.CohortFactory()
    with pytest.raises(PermissionDenied):
        selectors.enrol_candidates(reach=reach_for(manager), cohort_id=foreign.pk, search="")


def test_enrol_candidates_leave_out_who_already_holds_a_place(trainer, base, completed):
    cohort = completed.cohort
    held = factories.EnrollmentFactory(cohort=cohort, trainee__name="Anna Held", trainee__base=base)
    free = factories.TraineeFactory(base=base, name="Anna Free")
    found, trainees = selectors.enrol_candidates(
        reach=reach_for(trainer), cohort_id=cohort.pk, search="Anna"
    )
    assert found == cohort
    assert free in trainees and held.trainee not in trainees


def test_only_trainers_are_offered_the_trainers_actions(trainer, manager, owner):
    assert selectors.may_train(reach_for(trainer))
    assert not selectors.may_train(reach_for(manager))
    assert not selectors.may_train(reach_for(owner))


@pytest.mark.parametrize(
    "url",
    ["/training/cohorts/new/", "/training/trainees/new/"],
)
def test_the_trainers_form_pages_refuse_a_manager(client, manager, url):
    login(client, manager)
    assert client.get(url).status_code == 403
