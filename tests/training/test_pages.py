"""Trainer pages: who may reach them, and a constant number of queries per page."""

import pytest

from tests import factories
from tests.conftest import login
from training.models import Certificate, Enrollment

E = Enrollment.Status


@pytest.mark.parametrize(
    "url",
    ["/training/courses/", "/training/cohorts/", "/training/trainees/", "/training/cohorts/new/"],
)
def test_merchant_members_cannot_reach_training_pages(client, owner, url):
    login(client, owner)
    assert client.get(url).status_code == 403


def test_a_trainer_cannot_open_a_cohort_of_another_base(client, trainer):
    foreign = factories.EnrollmentFactory(status=E.COMPLETED)
    cert = Certificate.objects.create(enrollment=foreign, code="FOREIGN001")
    login(client, trainer)
    assert client.get(f"/training/cohorts/{foreign.cohort_id}/").status_code == 404
    assert client.get(f"/training/trainees/{foreign.trainee_id}/").status_code == 404
    assert client.get(f"/training/certificates/{cert.code}/").status_code == 404
    assert client.post(f"/training/enrollments/{foreign.pk}/drop/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == E.COMPLETED


def test_a_manager_reads_cohorts_but_cannot_change_them(client, manager, base):
    enrolment = factories.EnrollmentFactory(cohort__course__base=base)
    login(client, manager)
    assert client.get(f"/training/cohorts/{enrolment.cohort_id}/").status_code == 200
    assert client.post(f"/training/enrollments/{enrolment.pk}/drop/").status_code == 403
    assert client.get("/training/cohorts/new/").status_code == 403


def test_trainers_do_not_reach_merchant_pages(client, trainer, merchant):
    login(client, trainer)
    assert client.get("/merchants/").status_code == 403


def _cohort_with(base, trainer, n):
    cohort = factories.CohortFactory(course__base=base, trainer=trainer, capacity=n)
    for i in range(n + 2):
        status = E.COMPLETED if i < n // 2 else E.ENROLLED if i < n else E.WAITLISTED
        e = factories.EnrollmentFactory(cohort=cohort, status=status)
        if status == E.COMPLETED:
            Certificate.objects.create(enrollment=e, code=f"Q{e.pk:09d}")
    return cohort


@pytest.mark.parametrize("n", [2, 30])
def test_cohort_pages_run_constant_queries(client, trainer, base, n, django_assert_max_num_queries):
    cohort = _cohort_with(base, trainer, n)
    for _ in range(n):
        _cohort_with(base, trainer, 2)
    login(client, trainer)
    for url in [
        "/training/cohorts/",
        f"/training/cohorts/{cohort.pk}/",
        f"/training/cohorts/{cohort.pk}/attendance/",
        "/training/trainees/",
        "/training/courses/",
    ]:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200, url
