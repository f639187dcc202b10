"""The trainer journey end to end through the pages, in English and in Chinese."""

import datetime as dt

import pytest
from django.utils import timezone

from merchants.models import Merchant, Milestone, TeamMember
from tests import factories
from tests.conftest import login
from training.models import Attendance, Certificate, Course, Enrollment, Trainee

from .helpers import finish_cohort

E = Enrollment.Status


@pytest.mark.parametrize("client_name", ["client", "client_zh"])
def test_trainer_journey_from_course_to_merchant_applicant(
    request, client_name, base, trainer, manager
):
    client = request.getfixturevalue(client_name)
    login(client, trainer)
    today = timezone.localdate()

    # A course and a cohort of two places.
    page = client.get("/training/courses/")
    assert page.status_code == 200
    assert ("课程" if client_name == "client_zh" else "Courses") in page.content.decode()
    response = client.post(
        "/training/courses/",
        {
            "title": "Live hosting 101",
            "kind": Course.Kind.LIVE_BASICS,
            "hours": "12",
            "is_free": "on",
        },
    )
    assert response.status_code == 302
    course = Course.objects.get(title="Live hosting 101")
    assert client.get("/training/cohorts/new/").status_code == 200
    response = client.post(
        "/training/cohorts/new/",
        {
            "course": course.pk,
            "name": "Spring hosts",
            "trainer": trainer.pk,
            "starts_on": (today - dt.timedelta(days=2)).isoformat(),
            "ends_on": (today + dt.timedelta(days=2)).isoformat(),
            "room": "Training room A",
            "capacity": 2,
        },
    )
    assert response.status_code == 302
    cohort = course.cohorts.get()
    assert client.get("/training/cohorts/").status_code == 200

    # Three newcomers: two get the places, the third waits.
    for n in range(3):
        response = client.post(
            f"/training/cohorts/{cohort.pk}/newcomer/",
            {"name": f"Newcomer {n}", "phone": f"1390000000{n}", "background": "potter"},
        )
        assert response.status_code == 302
    statuses = list(cohort.enrollments.order_by("queued_at").values_list("status", flat=True))
    assert statuses == [E.ENROLLED, E.ENROLLED, E.WAITLISTED]

    # An existing trainee found by search and enrolled with one click (htmx).
    returning = factories.TraineeFactory(base=base, name="Returning Wang")
    response = client.get(
        f"/training/cohorts/{cohort.pk}/candidates/?q=Wang", HTTP_HX_REQUEST="true"
    )
    assert "Returning Wang" in response.content.decode()
    response = client.post(
        f"/training/cohorts/{cohort.pk}/enrol/", {"trainee": returning.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="roster"' in response.content.decode()
    assert cohort.enrollments.get(trainee=returning).status == E.WAITLISTED

    # The same newcomer a second time: refused, shown in the roster.
    response = client.post(
        f"/training/cohorts/{cohort.pk}/enrol/", {"trainee": returning.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert cohort.enrollments.filter(trainee=returning).count() == 1

    # A place is dropped: the first waitlisted moves up.
    first, second = cohort.enrollments.filter(status=E.ENROLLED).order_by("queued_at")
    response = client.post(f"/training/enrollments/{first.pk}/drop/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert cohort.enrollments.get(trainee__name="Newcomer 2").status == E.ENROLLED

    # Attendance of today on one screen.
    assert client.get(f"/training/cohorts/{cohort.pk}/attendance/").status_code == 200
    holding = list(cohort.enrollments.filter(status=E.ENROLLED).values_list("pk", flat=True))
    response = client.post(
        f"/training/cohorts/{cohort.pk}/attendance/",
        {"day": today.isoformat(), "present": [holding[0]]},
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(day=today, present=True).count() == 1
    assert Attendance.objects.filter(day=today, present=False).count() == 1

    # Completion waits for the cohort's last day to pass ...
    response = client.post(f"/training/enrollments/{second.pk}/complete/")
    assert not Certificate.objects.filter(enrollment=second).exists()
    # ... and for the attendance the course asks (80% by default): the days pass, the trainer
    # records them.
    cohort = finish_cohort(cohort, days=5)
    for day in cohort.session_days():
        response = client.post(
            f"/training/cohorts/{cohort.pk}/attendance/",
            {"day": day.isoformat(), "present": [second.pk]},
        )
        assert response.status_code == 302

    # Completion issues a certificate that is printable and publicly verifiable.
    response = client.post(f"/training/enrollments/{second.pk}/complete/")
    assert response.status_code == 302
    cert = Certificate.objects.get(enrollment=second)
    assert client.get(f"/training/cohorts/{cohort.pk}/").status_code == 200
    page = client.get(f"/training/certificates/{cert.code}/")
    assert page.status_code == 200
    assert second.trainee.name in page.content.decode()
    client.logout()
    public = client.get(f"/certificates/verify/{cert.code}/")
    assert public.status_code == 200
    assert second.trainee.name in public.content.decode()
    assert client.get("/certificates/verify/NOTACODE00/").status_code == 404
    assert client.get(f"/certificates/verify/?code={cert.code.lower()}").status_code == 302

    # The graduate becomes a merchant applicant in one step, keeping the training link.
    login(client, trainer)
    graduate = second.trainee
    assert client.get(f"/training/trainees/{graduate.pk}/").status_code == 200
    response = client.post(
        f"/training/trainees/{graduate.pk}/",
        {"merchant_name": f"{graduate.name} Studio", "kind": Merchant.Kind.STUDIO},
    )
    assert response.status_code == 302
    graduate.refresh_from_db()
    merchant = graduate.merchant
    assert merchant.stage == Merchant.Stage.APPLICANT
    assert graduate.team_member.role == TeamMember.Role.OWNER
    assert merchant.milestones.filter(kind=Milestone.Kind.FIRST_COURSE_COMPLETED).exists()
    assert client.get("/training/trainees/").status_code == 200
    assert client.get("/training/trainees/?q=Newcomer", HTTP_HX_REQUEST="true").status_code == 200

    # The manager reads the training pages and finds the applicant on the merchant list.
    login(client, manager)
    assert client.get(f"/training/cohorts/{cohort.pk}/").status_code == 200
    response = client.get("/merchants/?stage=applicant", HTTP_HX_REQUEST="true")
    assert merchant.name in response.content.decode()


def test_a_new_trainee_registered_on_its_own_page(client, trainer):
    login(client, trainer)
    assert client.get("/training/trainees/new/").status_code == 200
    response = client.post("/training/trainees/new/", {"name": "Li Ming", "phone": "13912345678"})
    assert response.status_code == 302
    response = client.post("/training/trainees/new/", {"name": "Li Ming 2", "phone": "13912345678"})
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    assert Trainee.objects.count() == 1


def test_bad_cohort_dates_are_shown_next_to_the_field(client, trainer, base):
    course = factories.CourseFactory(base=base)
    login(client, trainer)
    response = client.post(
        "/training/cohorts/new/",
        {
            "course": course.pk,
            "trainer": trainer.pk,
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-01",
            "capacity": 10,
        },
    )
    assert response.status_code == 400
    assert "ends on or after" in response.content.decode()
