"""The training API: the same services as the pages, scoped exactly as the pages."""

import pytest

from tests import factories
from training.models import Enrollment

from .helpers import attend, finish_cohort

E = Enrollment.Status


@pytest.fixture
def cohort(base, trainer):
    return factories.CohortFactory(course__base=base, trainer=trainer, capacity=1)


def test_enrolling_by_api_waitlists_when_the_cohort_is_full(api_client, trainer, cohort, base):
    a, b = factories.TraineeFactory.create_batch(2, base=base)
    api_client.force_authenticate(trainer)
    first = api_client.post("/api/v1/training/enrollments/", {"cohort": cohort.pk, "trainee": a.pk})
    second = api_client.post(
        "/api/v1/training/enrollments/", {"cohort": cohort.pk, "trainee": b.pk}
    )
    assert (first.status_code, first.json()["status"]) == (201, E.ENROLLED)
    assert (second.status_code, second.json()["status"]) == (201, E.WAITLISTED)
    again = api_client.post("/api/v1/training/enrollments/", {"cohort": cohort.pk, "trainee": b.pk})
    assert again.status_code == 409
    dropped = api_client.post(f"/api/v1/training/enrollments/{first.json()['id']}/drop/")
    assert dropped.json()["status"] == E.DROPPED
    promoted = api_client.get(f"/api/v1/training/enrollments/{second.json()['id']}/")
    assert promoted.json()["status"] == E.ENROLLED
    early = api_client.post(f"/api/v1/training/enrollments/{second.json()['id']}/complete/")
    assert early.status_code == 409  # the cohort is not over yet
    finish_cohort(cohort)
    attend(Enrollment.objects.get(pk=second.json()["id"]))
    done = api_client.post(f"/api/v1/training/enrollments/{second.json()['id']}/complete/")
    assert done.json()["status"] == E.COMPLETED
    assert len(done.json()["certificate_code"]) == 10


def test_trainer_creates_courses_and_cohorts_by_api(api_client, trainer):
    api_client.force_authenticate(trainer)
    course = api_client.post(
        "/api/v1/training/courses/",
        {"title": "Cross-border basics", "kind": "cross_border", "hours": "6"},
    )
    assert course.status_code == 201, course.json()
    cohort = api_client.post(
        "/api/v1/training/cohorts/",
        {
            "course": course.json()["id"],
            "trainer": trainer.pk,
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-03",
            "capacity": 12,
        },
    )
    assert cohort.status_code == 201, cohort.json()
    assert cohort.json()["enrolled_count"] == 0
    bad = api_client.post(
        "/api/v1/training/cohorts/",
        {
            "course": course.json()["id"],
            "trainer": trainer.pk,
            "starts_on": "2026-06-03",
            "ends_on": "2026-06-01",
            "capacity": 12,
        },
    )
    assert bad.status_code == 400
    assert "ends_on" in bad.json()


def test_enrolling_into_a_cohort_of_another_base_is_not_found(api_client, trainer, base):
    foreign = factories.CohortFactory()
    trainee = factories.TraineeFactory(base=base)
    api_client.force_authenticate(trainer)
    response = api_client.post(
        "/api/v1/training/enrollments/", {"cohort": foreign.pk, "trainee": trainee.pk}
    )
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_managers_read_training_but_cannot_enrol(api_client, manager, cohort, base):
    trainee = factories.TraineeFactory(base=base)
    api_client.force_authenticate(manager)
    assert api_client.get("/api/v1/training/cohorts/").status_code == 200
    response = api_client.post(
        "/api/v1/training/enrollments/", {"cohort": cohort.pk, "trainee": trainee.pk}
    )
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/training/courses/",
        "/api/v1/training/cohorts/",
        "/api/v1/training/enrollments/",
        "/api/v1/training/trainees/",
    ],
)
def test_merchant_members_have_no_training_admin(api_client, owner, url):
    api_client.force_authenticate(owner)
    assert api_client.get(url).status_code == 403


def test_trainers_see_only_their_bases_training(api_client, trainer, cohort):
    foreign = factories.EnrollmentFactory()
    mine = factories.EnrollmentFactory(cohort=cohort)
    api_client.force_authenticate(trainer)
    listed = api_client.get("/api/v1/training/enrollments/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert api_client.get(f"/api/v1/training/enrollments/{foreign.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/training/cohorts/{foreign.cohort_id}/").status_code == 404


def _fill(base, trainer, n):
    for _ in range(n):
        cohort = factories.CohortFactory(course__base=base, trainer=trainer, capacity=5)
        for _ in range(3):
            e = factories.EnrollmentFactory(cohort=cohort, status=E.COMPLETED)
            from training.models import Certificate

            Certificate.objects.create(enrollment=e, code=f"C{e.pk:09d}")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/training/courses/",
        "/api/v1/training/cohorts/",
        "/api/v1/training/enrollments/",
        "/api/v1/training/trainees/",
    ],
)
def test_training_lists_run_constant_queries(
    api_client, trainer, base, url, django_assert_max_num_queries
):
    api_client.force_authenticate(trainer)
    _fill(base, trainer, 2)
    with django_assert_max_num_queries(3):
        assert api_client.get(url).status_code == 200
    _fill(base, trainer, 15)
    with django_assert_max_num_queries(3):
        assert api_client.get(url).status_code == 200
