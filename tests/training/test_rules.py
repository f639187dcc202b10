"""The rules of training that issue #12 found missing: certificates, cohort lengths, bounds."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import reach_for
from tests import factories
from tests.conftest import login
from training import lifecycle, services
from training.models import Certificate, Cohort, Enrollment

from .helpers import attend, finish_cohort

E = Enrollment.Status


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cohort(base, trainer):
    course = factories.CourseFactory(base=base)
    return factories.CohortFactory(course=course, trainer=trainer, capacity=5)


@pytest.fixture
def enrolment(trainer, cohort, base):
    trainee = factories.TraineeFactory(base=base)
    return services.enrollment_create(
        actor=reach_for(trainer), cohort_id=cohort.pk, trainee_id=trainee.pk
    )


def _complete(trainer, enrolment):
    return services.enrollment_complete(actor=reach_for(trainer), enrollment_id=enrolment.pk)


def test_no_certificate_for_a_course_that_has_not_started(trainer, cohort, enrolment):
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=timezone.localdate() + dt.timedelta(days=10),
        ends_on=timezone.localdate() + dt.timedelta(days=12),
    )
    with pytest.raises(Conflict) as info:
        _complete(trainer, enrolment)
    assert info.value.code == "cohort_not_over"
    assert not Certificate.objects.exists()
    assert Enrollment.objects.get(pk=enrolment.pk).status == E.ENROLLED


def test_no_certificate_on_the_cohorts_last_day(trainer, cohort, enrolment):
    attend(enrolment)  # the cohort is today only, attended
    with pytest.raises(Conflict) as info:
        _complete(trainer, enrolment)
    assert info.value.code == "cohort_not_over"


def test_no_certificate_without_attendance(trainer, cohort, enrolment):
    finish_cohort(cohort, days=5)
    with pytest.raises(Conflict) as info:
        _complete(trainer, enrolment)
    assert info.value.code == "attendance_below_threshold"
    assert "0 of 5 days" in info.value.message
    assert not Certificate.objects.exists()


def test_no_certificate_below_the_courses_attendance_threshold(trainer, cohort, enrolment):
    finish_cohort(cohort, days=5)
    attend(enrolment, present_days=3)  # 60% < 80%
    with pytest.raises(Conflict):
        _complete(trainer, enrolment)


def test_a_certificate_at_the_threshold_after_the_last_day(trainer, cohort, enrolment):
    finish_cohort(cohort, days=5)
    attend(enrolment, present_days=4)  # exactly 80%
    _complete(trainer, enrolment)
    assert Certificate.objects.filter(enrollment=enrolment).exists()


def test_a_course_sets_its_own_threshold(trainer, cohort, enrolment):
    cohort.course.attendance_threshold = 50
    cohort.course.save()
    finish_cohort(cohort, days=4)
    attend(enrolment, present_days=2)
    _complete(trainer, enrolment)
    assert Enrollment.objects.get(pk=enrolment.pk).status == E.COMPLETED


def test_the_course_threshold_defaults_to_80_percent(trainer):
    course = services.course_create(actor=reach_for(trainer), title="Glaze 1", kind="photography")
    assert course.attendance_threshold == 80


def test_a_threshold_outside_0_to_100_is_refused(trainer):
    with pytest.raises(DomainError) as info:
        services.course_create(
            actor=reach_for(trainer), title="Glaze 2", kind="photography", attendance_threshold=120
        )
    assert info.value.field == "attendance_threshold"


def test_the_api_refuses_completion_before_the_end_naming_why(api_client, trainer, enrolment):
    api_client.force_authenticate(trainer)
    response = api_client.post(f"/api/v1/training/enrollments/{enrolment.pk}/complete/")
    assert response.status_code == 409
    assert not Certificate.objects.exists()


# --- cohorts ------------------------------------------------------------------------------------


def _cohort(trainer, course, starts, ends):
    return services.cohort_create(
        actor=reach_for(trainer),
        course=course,
        trainer=trainer,
        starts_on=starts,
        ends_on=ends,
        capacity=10,
    )


def test_a_cohort_lasts_at_most_a_year(trainer, cohort):
    today = timezone.localdate()
    _cohort(trainer, cohort.course, today, today + dt.timedelta(days=365))  # 366 days
    with pytest.raises(DomainError) as info:
        _cohort(
            trainer, cohort.course, today - dt.timedelta(days=1), today + dt.timedelta(days=366)
        )
    assert info.value.field == "ends_on"


def test_a_cohort_from_year_1_to_9999_is_a_400_by_api_not_a_500(api_client, trainer, cohort):
    api_client.force_authenticate(trainer)
    response = api_client.post(
        "/api/v1/training/cohorts/",
        {
            "course": cohort.course_id,
            "trainer": trainer.pk,
            "starts_on": "0001-01-01",
            "ends_on": "9999-12-31",
            "capacity": 10,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "starts_on" in response.json() or "ends_on" in response.json()
    assert Cohort.objects.count() == 1


def test_a_cohort_from_year_1_to_9999_is_a_form_error_not_a_500(client, trainer, cohort):
    login(client, trainer)
    response = client.post(
        "/training/cohorts/new/",
        {
            "course": cohort.course_id,
            "trainer": trainer.pk,
            "starts_on": "0001-01-01",
            "ends_on": "9999-12-31",
            "capacity": 10,
        },
    )
    assert response.status_code in (200, 400)
    assert Cohort.objects.count() == 1


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-13-01", "soon"])
def test_a_bad_day_on_the_attendance_page_is_a_400_naming_it(client, trainer, cohort, value):
    login(client, trainer)
    response = client.get(f"/training/cohorts/{cohort.pk}/attendance/?day={value}")
    assert response.status_code == 400
    assert "day" in response.content.decode()


def test_a_nul_byte_in_a_newcomers_name_is_a_400_by_api(api_client, trainer):
    api_client.force_authenticate(trainer)
    response = api_client.post(
        "/api/v1/training/trainees/", {"name": "Li\x00Wei", "phone": ""}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.json()


def test_a_nul_byte_given_to_the_service_is_refused(trainer):
    with pytest.raises(DomainError) as info:
        services.trainee_create(actor=reach_for(trainer), name="Li\x00Wei")
    assert info.value.field == "name"


# --- the enrolment lifecycle ----------------------------------------------------------------------


def test_the_enrolment_table_gives_the_actions_of_each_status():
    def actions(status):
        return [t.action for t in lifecycle.actions_for(Enrollment(status=status))]

    assert actions(E.ENROLLED) == ["complete", "drop"]
    assert actions(E.WAITLISTED) == ["drop"]
    assert actions(E.COMPLETED) == []
    assert actions(E.DROPPED) == []
