"""Reads of training shared by pages, API and other apps; scoped by the caller's reach.

Who may read training at all is decided here, once, for the pages and the API alike: trainers and
managers of the base read it (``require_reader``), only trainers run it (``require_trainer``).
A merchant member asking any read below is refused with 403 (``PermissionDenied``), and an
object of another base is not found (404). The two reads asked by other apps
(``host_has_completed_basics``, ``merchant_completed_courses``) and the public certificate check
take no such rule: they answer for whoever holds the person, merchant or code.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from jingdezhen.core.days import day_bounds, local_zone, week_start
from jingdezhen.core.tenancy import MANAGER, TRAINER, Reach
from merchants.models import Role, User

from . import lifecycle
from .models import Attendance, Certificate, Cohort, Course, Enrollment, Trainee

E = Enrollment.Status


def require_reader(reach: Reach) -> None:
    """Trainers and managers (and admins) read training; anyone else is refused with 403."""
    reach.require_role(TRAINER, MANAGER)


def require_trainer(reach: Reach) -> None:
    """Only trainers (and admins) run training: its forms and every write; managers only read."""
    reach.require_role(TRAINER)


def may_train(reach: Reach) -> bool:
    """Whether the pages offer this reach the trainer's actions (the writes ask
    ``require_trainer`` themselves)."""
    return reach.is_trainer or reach.is_admin


def host_has_completed_basics(*, team_member_id: int) -> bool:
    """Whether a merchant's team member completed the live-hosting basics course.

    Asked by the livestreams app before a base room is booked for a host. The team member is
    matched through a trainee record linked to it, or to its user. Not scoped by a reach: it
    answers a yes/no question about a person the caller already holds.
    """
    return Enrollment.objects.filter(
        Q(trainee__team_member_id=team_member_id) | Q(trainee__user__membership__id=team_member_id),
        status=E.COMPLETED,
        cohort__course__kind=Course.Kind.LIVE_BASICS,
    ).exists()


def merchant_completed_courses(*, reach: Reach, merchant_id: int) -> QuerySet[Enrollment]:
    """The completed enrolments of a merchant's people (for the manager's merchant page)."""
    return (
        reach.scope(Enrollment.objects.all())
        .filter(
            Q(trainee__merchant_id=merchant_id) | Q(trainee__team_member__merchant_id=merchant_id),
            status=E.COMPLETED,
        )
        .select_related("trainee", "cohort__course")
        .order_by("completed_at", "id")
        .distinct()
    )


def course_list(*, reach: Reach) -> QuerySet[Course]:
    require_reader(reach)
    return reach.scope(Course.objects.all()).annotate(cohort_count=Count("cohorts"))


def course_get(*, reach: Reach, pk: int) -> Course:
    require_reader(reach)
    return get_object_or_404(reach.scope(Course.objects.all()), pk=pk)


def cohort_list(*, reach: Reach, course_id: int | None = None) -> QuerySet[Cohort]:
    """Cohorts with their counts of places taken and waiting, in one query."""
    require_reader(reach)
    qs = (
        reach.scope(Cohort.objects.select_related("course", "trainer"))
        .annotate(
            enrolled_count=Count(
                "enrollments", filter=Q(enrollments__status__in=Enrollment.PLACE_HOLDING)
            ),
            waitlisted_count=Count("enrollments", filter=Q(enrollments__status=E.WAITLISTED)),
            completed_count=Count("enrollments", filter=Q(enrollments__status=E.COMPLETED)),
        )
        .order_by("-starts_on", "id")
    )
    if course_id:
        qs = qs.filter(course_id=course_id)
    return qs


def cohort_get(*, reach: Reach, pk: int) -> Cohort:
    return get_object_or_404(cohort_list(reach=reach), pk=pk)


def cohort_roster(*, reach: Reach, cohort_id: int) -> QuerySet[Enrollment]:
    """Every enrolment of a cohort, the waitlist in the order it is served."""
    return (
        enrollment_list(reach=reach)
        .filter(cohort_id=cohort_id)
        .annotate(days_present=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("queued_at", "id")
    )


def enrollment_list(*, reach: Reach) -> QuerySet[Enrollment]:
    require_reader(reach)
    return reach.scope(
        Enrollment.objects.select_related("cohort__course", "trainee", "enrolled_by", "certificate")
    )


def enrollment_get(*, reach: Reach, pk: int) -> Enrollment:
    return get_object_or_404(enrollment_list(reach=reach), pk=pk)


def attendance_sheet(
    *, reach: Reach, cohort_id: int, day: dt.date
) -> list[tuple[Enrollment, bool]]:
    """The trainees holding a place in a cohort and whether each was there on ``day``."""
    present = Attendance.objects.filter(enrollment=OuterRef("pk"), day=day, present=True)
    rows = (
        enrollment_list(reach=reach)
        .filter(cohort_id=cohort_id, status__in=Enrollment.PLACE_HOLDING)
        .annotate(was_present=Exists(present))
        .order_by("trainee__name", "id")
    )
    return [(row, row.was_present) for row in rows]


def attendance_list(*, reach: Reach) -> QuerySet[Attendance]:
    """The attendance recorded in the cohorts within reach, day by day, with the trainee."""
    require_reader(reach)
    return reach.scope(Attendance.objects.select_related("enrollment__trainee")).order_by(
        "-day", "enrollment_id", "id"
    )


def attendance_days_recorded(*, reach: Reach, cohort_id: int) -> set[dt.date]:
    require_reader(reach)
    return set(
        reach.scope(Attendance.objects.filter(enrollment__cohort_id=cohort_id))
        .values_list("day", flat=True)
        .distinct()
    )


def trainee_list(*, reach: Reach, search: str = "") -> QuerySet[Trainee]:
    require_reader(reach)
    qs = reach.scope(Trainee.objects.select_related("merchant")).annotate(
        completed_count=Count("enrollments", filter=Q(enrollments__status=E.COMPLETED)),
        enrollment_count=Count("enrollments"),
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(phone__icontains=search))
    return qs.order_by("name", "id")


def trainee_count(*, reach: Reach) -> int:
    """How many trainees the reach sees (the incubation funnel's first step; one query)."""
    return reach.scope(Trainee.objects.all()).count()


def trainee_get(*, reach: Reach, pk: int) -> Trainee:
    require_reader(reach)
    qs = reach.scope(
        Trainee.objects.select_related("merchant", "user", "team_member")
    ).prefetch_related(
        Prefetch(
            "enrollments",
            queryset=Enrollment.objects.select_related("cohort__course", "certificate").order_by(
                "-created_at"
            ),
        )
    )
    return get_object_or_404(qs, pk=pk)


def enrol_candidates(*, reach: Reach, cohort_id: int, search: str) -> tuple[Cohort, list[Trainee]]:
    """The cohort and the trainees matching ``search`` not yet holding or awaiting a place in it
    (at most 20): the trainer's one-click enrolment list. Asked by a manager: 403 before the
    cohort is looked up."""
    require_trainer(reach)
    cohort = cohort_get(reach=reach, pk=cohort_id)
    if not search:
        return cohort, []
    trainees = (
        trainee_list(reach=reach, search=search)
        .exclude(enrollments__cohort=cohort, enrollments__status__in=[E.ENROLLED, E.WAITLISTED])
        .order_by("name", "id")[:20]
    )
    return cohort, list(trainees)


def trainer_choices(*, reach: Reach) -> QuerySet[User]:
    """The trainers of the base a new cohort may be given: the cohort form is the trainers'."""
    require_trainer(reach)
    return User.objects.filter(role=Role.TRAINER, base_id=reach.base_id, is_active=True).order_by(
        "display_name", "username"
    )


def certificate_list(*, reach: Reach) -> QuerySet[Certificate]:
    """The certificates issued in the base's cohorts, newest first, with what they certify."""
    require_reader(reach)
    return reach.scope(
        Certificate.objects.select_related("enrollment__trainee", "enrollment__cohort__course")
    ).order_by("-issued_at", "-id")


def certificate_get(*, reach: Reach, code: str) -> Certificate:
    require_reader(reach)
    return get_object_or_404(
        reach.scope(
            Certificate.objects.select_related(
                "enrollment__trainee",
                "enrollment__cohort__course__base",
                "enrollment__cohort__trainer",
            )
        ),
        code=code.upper(),
    )


def certificate_verify(*, code: str) -> Certificate | None:
    """The public check of a certificate code: deliberately unscoped (anyone holding a code may
    ask), and the page shows only what the certificate itself says."""
    return (
        Certificate.objects.select_related(
            "enrollment__trainee", "enrollment__cohort__course__base"
        )
        .filter(code=(code or "").strip().upper())
        .first()
    )


# --- the certificate's rule, and what needs doing (the trainer's home) ------------------------

# How far back the home looks for cohort days whose attendance nobody recorded.
ATTENDANCE_LOOKBACK_DAYS = 14


def attendance_suffices(*, present: int, days: int, threshold: int) -> bool:
    """The certificate's attendance rule: present on at least ``threshold`` per cent of the
    cohort's ``days`` (``enrollment_complete`` asks it; ``certificates_due`` says it in SQL)."""
    return present * 100 >= threshold * days


def certificates_due(*, reach: Reach, today: dt.date | None = None) -> QuerySet[Enrollment]:
    """Enrolments ready for their certificate: a trainee whose enrolment may be completed
    (``lifecycle``), in a cohort that is over, present often enough (``attendance_suffices``),
    with no certificate yet; the cohorts that ended first first (one query)."""
    today = today or timezone.localdate(timezone.now(), local_zone())
    cohort_days = Func(
        F("cohort__ends_on"),
        F("cohort__starts_on"),
        template="(%(expressions)s + 1)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )
    present = Count(
        "attendance",
        filter=Q(
            attendance__present=True,
            attendance__day__gte=F("cohort__starts_on"),
            attendance__day__lte=F("cohort__ends_on"),
        ),
    )
    return (
        enrollment_list(reach=reach)
        .filter(
            status__in=lifecycle.BY_ACTION["complete"].sources,
            cohort__ends_on__lt=today,
            certificate__isnull=True,
        )
        .annotate(days_present=present, cohort_days=cohort_days)
        .alias(score=F("days_present") * 100)
        .filter(score__gte=F("cohort__course__attendance_threshold") * cohort_days)
        .order_by("cohort__ends_on", "cohort_id", "trainee__name", "id")
    )


def cohorts_starting(*, reach: Reach, today: dt.date | None = None) -> QuerySet[Cohort]:
    """The cohorts starting this week (Monday to Sunday), with their places taken and waiting."""
    today = today or timezone.localdate(timezone.now(), local_zone())
    monday = week_start(today)
    return (
        cohort_list(reach=reach)
        .filter(starts_on__gte=monday, starts_on__lte=monday + dt.timedelta(days=6))
        .order_by("starts_on", "id")
    )


def waitlists(*, reach: Reach, today: dt.date | None = None) -> QuerySet[Cohort]:
    """The cohorts not over yet with newcomers waiting for a place, the soonest first."""
    today = today or timezone.localdate(timezone.now(), local_zone())
    return (
        cohort_list(reach=reach)
        .filter(ends_on__gte=today, waitlisted_count__gt=0)
        .order_by("starts_on", "id")
    )


def attendance_unrecorded(
    *, reach: Reach, today: dt.date | None = None
) -> list[tuple[Cohort, list[dt.date]]]:
    """The cohorts holding places with past days (up to ``ATTENDANCE_LOOKBACK_DAYS`` ago) on
    which no attendance was recorded, each with those days, the oldest cohort first (one
    query: the recorded days come aggregated with the cohorts)."""
    require_reader(reach)
    today = today or timezone.localdate(timezone.now(), local_zone())
    first = today - dt.timedelta(days=ATTENDANCE_LOOKBACK_DAYS)
    holding = Enrollment.objects.filter(cohort=OuterRef("pk"), status__in=Enrollment.PLACE_HOLDING)
    cohorts = (
        reach.scope(Cohort.objects.select_related("course", "trainer"))
        .filter(starts_on__lt=today, ends_on__gte=first)
        .filter(Exists(holding))
        .annotate(
            recorded=ArrayAgg(
                "enrollments__attendance__day",
                distinct=True,
                filter=Q(enrollments__attendance__day__gte=first),
                default=Value([]),
            )
        )
        .order_by("starts_on", "id")
    )
    missing = []
    for cohort in cohorts:
        recorded = set(cohort.recorded)
        days = [
            day for day in cohort.session_days() if first <= day < today and day not in recorded
        ]
        if days:
            missing.append((cohort, days))
    return missing


def completions_between(*, reach: Reach, first: dt.date, last: dt.date) -> dict:
    """Enrolments completed and certificates issued from ``first`` to ``last`` (local days), in
    the reach's base (one query)."""
    require_reader(reach)
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    done = reach.scope(Enrollment.objects.all()).filter(
        status=Enrollment.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end
    )
    return done.aggregate(completed=Count("id"), certified=Count("certificate", distinct=True))
