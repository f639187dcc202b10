"""Every write of training: one transaction each, keyword-only arguments, domain errors raised.

Places in a cohort are decided with the cohort row locked (``SELECT ... FOR UPDATE``): two
enrolments for the last place are served one after the other, so one gets it and the other is
waitlisted. The unique constraint on (cohort, trainee) keeps a newcomer to one row per cohort.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import MANAGER, TRAINER, Reach
from merchants import services as merchant_services
from merchants.models import Merchant, Milestone, Role, TeamMember, User
from merchants.notifications import services as notifications

from . import lifecycle, selectors
from .models import Attendance, Certificate, Cohort, Course, Enrollment, Trainee

E = Enrollment.Status


def _locked_cohort(actor: Reach, cohort_id: int) -> Cohort:
    cohort = (
        actor.scope(Cohort.objects.select_for_update(of=("self",)).select_related("course"))
        .filter(pk=cohort_id)
        .first()
    )
    if cohort is None:
        raise Http404
    return cohort


def _places_taken(cohort_id: int) -> int:
    return Enrollment.objects.filter(
        cohort_id=cohort_id, status__in=Enrollment.PLACE_HOLDING
    ).count()


# --- courses and cohorts -------------------------------------------------------------------------


@transaction.atomic
def course_create(
    *,
    actor: Reach,
    title: str,
    kind: str,
    hours: Decimal = Decimal("8"),
    is_free: bool = True,
    description: str = "",
    attendance_threshold: int = 80,
) -> Course:
    selectors.require_trainer(actor)
    title = bounds.check_text(title or "", field="title", max_length=120).strip()
    description = bounds.check_text(description or "", field="description")
    if not isinstance(attendance_threshold, int) or not 0 <= attendance_threshold <= 100:
        raise DomainError(
            _("The attendance needed is a percentage from 0 to 100."),
            field="attendance_threshold",
        )
    if not title:
        raise DomainError(_("A title is required."), field="title")
    if kind not in Course.Kind.values:
        raise DomainError(_("Choose a kind of course."), field="kind")
    if Decimal(hours) <= 0:
        raise DomainError(_("A course lasts at least half an hour."), field="hours")
    if Course.objects.filter(base_id=actor.base_id, title__iexact=title).exists():
        raise Conflict(_("A course with this title already exists."), field="title")
    return Course.objects.create(
        base_id=actor.base_id,
        title=title,
        kind=kind,
        hours=hours,
        is_free=is_free,
        description=description,
        attendance_threshold=attendance_threshold,
    )


@transaction.atomic
def cohort_create(
    *,
    actor: Reach,
    course: Course,
    trainer: User,
    starts_on: dt.date,
    ends_on: dt.date,
    capacity: int,
    name: str = "",
    room: str = "",
) -> Cohort:
    selectors.require_trainer(actor)
    if not actor.scope(Course.objects.filter(pk=course.pk)).exists():
        raise Http404
    if trainer.role != Role.TRAINER or trainer.base_id != course.base_id:
        raise DomainError(_("Choose a trainer of this base."), field="trainer")
    bounds.check_day(starts_on, field="starts_on")
    bounds.check_day(ends_on, field="ends_on")
    if ends_on < starts_on:
        raise DomainError(_("A cohort ends on or after the day it starts."), field="ends_on")
    if (ends_on - starts_on).days + 1 > bounds.MAX_COHORT_DAYS:
        raise DomainError(
            _("A cohort lasts at most %(days)s days.") % {"days": bounds.MAX_COHORT_DAYS},
            field="ends_on",
        )
    name = bounds.check_text(name or "", field="name", max_length=120)
    room = bounds.check_text(room or "", field="room", max_length=80)
    if capacity is None or capacity < 1:
        raise DomainError(_("A cohort has at least one place."), field="capacity")
    return Cohort.objects.create(
        course=course,
        name=(name or "").strip() or f"{course.title} {starts_on:%Y-%m-%d}",
        trainer=trainer,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        room=room,
    )


@transaction.atomic
def cohort_set_capacity(*, actor: Reach, cohort_id: int, capacity: int) -> Cohort:
    """Change the number of places; new places go to the waitlist, first come first served."""
    selectors.require_trainer(actor)
    cohort = _locked_cohort(actor, cohort_id)
    if capacity is None or capacity < 1:
        raise DomainError(_("A cohort has at least one place."), field="capacity")
    if capacity < _places_taken(cohort.pk):
        raise Conflict(
            _("More trainees hold a place than this capacity; drop some first."), field="capacity"
        )
    cohort.capacity = capacity
    cohort.save(update_fields=["capacity"])
    _promote_waitlisted(cohort)
    return cohort


# --- trainees ------------------------------------------------------------------------------------


@transaction.atomic
def trainee_create(
    *,
    actor: Reach,
    name: str,
    phone: str = "",
    background: str = "",
    user: User | None = None,
    team_member: TeamMember | None = None,
) -> Trainee:
    selectors.require_trainer(actor)
    name = bounds.check_text(name or "", field="name", max_length=80).strip()
    phone = bounds.check_text(phone or "", field="phone", max_length=32).strip()
    background = bounds.check_text(background or "", field="background")
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if phone and Trainee.objects.filter(base_id=actor.base_id, phone=phone).exists():
        raise Conflict(_("A trainee with this phone number is already registered."), field="phone")
    try:
        with transaction.atomic():
            return Trainee.objects.create(
                base_id=actor.base_id,
                name=name,
                phone=phone,
                background=background,
                user=user,
                team_member=team_member,
                merchant_id=team_member.merchant_id if team_member else None,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("A trainee with this phone number is already registered."), field="phone"
        ) from exc


# --- enrolments ----------------------------------------------------------------------------------


@transaction.atomic
def enrollment_create(*, actor: Reach, cohort_id: int, trainee_id: int) -> Enrollment:
    """Give a trainee a place in a cohort, or a spot on its waitlist when the cohort is full.

    A trainee who dropped out comes back on the same row (at the end of the queue).
    """
    selectors.require_trainer(actor)
    cohort = _locked_cohort(actor, cohort_id)
    trainee = actor.scope(Trainee.objects.filter(pk=trainee_id)).first()
    if trainee is None:
        raise DomainError(_("Choose a trainee of this base."), field="trainee")
    existing = Enrollment.objects.filter(cohort=cohort, trainee=trainee).first()
    if existing is not None and existing.status != E.DROPPED:
        raise Conflict(
            _("%(name)s is already in this cohort (%(status)s).")
            % {"name": trainee.name, "status": existing.get_status_display()},
            field="trainee",
        )
    now = timezone.now()
    taken = _places_taken(cohort.pk)
    status = E.ENROLLED if taken < cohort.capacity else E.WAITLISTED
    if taken + 1 >= cohort.capacity:  # this enrolment takes the last place, or finds none
        _tell_cohort_full(cohort)
    if existing is not None:
        existing.status = status
        existing.queued_at = now
        existing.status_changed_at = now
        existing.enrolled_by_id = actor.user_id
        existing.save(update_fields=["status", "queued_at", "status_changed_at", "enrolled_by"])
        return existing
    try:
        with transaction.atomic():
            return Enrollment.objects.create(
                cohort=cohort,
                trainee=trainee,
                status=status,
                enrolled_by_id=actor.user_id,
                created_at=now,
                queued_at=now,
                status_changed_at=now,
            )
    except IntegrityError as exc:  # the constraint is the last word when two requests race
        raise Conflict(_("This trainee is already in this cohort."), field="trainee") from exc


@transaction.atomic
def newcomer_enrol(
    *, actor: Reach, cohort_id: int, name: str, phone: str = "", background: str = ""
) -> Enrollment:
    """Register a newcomer and enrol them into a cohort in one go (both or neither)."""
    trainee = trainee_create(actor=actor, name=name, phone=phone, background=background)
    return enrollment_create(actor=actor, cohort_id=cohort_id, trainee_id=trainee.pk)


def _tell_cohort_full(cohort: Cohort) -> None:
    """The cohort's trainer hears (once per cohort) that newcomers now go on the waitlist."""
    notifications.notify(
        recipients=[cohort.trainer],
        kind="cohort_full",
        params={"cohort": cohort.name, "course": cohort.course.title, "capacity": cohort.capacity},
        base_id=cohort.course.base_id,
        subject=cohort,
    )


def _promote_waitlisted(cohort: Cohort) -> list[Enrollment]:
    """Fill free places from the head of the waitlist (the cohort row is locked by the caller)."""
    free = cohort.capacity - _places_taken(cohort.pk)
    if free <= 0:
        return []
    waiting = list(
        Enrollment.objects.filter(cohort=cohort, status=E.WAITLISTED).order_by("queued_at", "id")[
            :free
        ]
    )
    now = timezone.now()
    promote = lifecycle.BY_ACTION["promote"]
    for enrollment in waiting:
        enrollment.status = promote.target
        enrollment.status_changed_at = now
    Enrollment.objects.bulk_update(waiting, ["status", "status_changed_at"])
    return waiting


def _locked_enrollment(actor: Reach, enrollment_id: int) -> tuple[Enrollment, Cohort]:
    row = actor.scope(Enrollment.objects.filter(pk=enrollment_id)).values("cohort_id").first()
    if row is None:
        raise Http404
    cohort = _locked_cohort(actor, row["cohort_id"])  # lock the cohort first, always
    enrollment = Enrollment.objects.select_related("trainee").get(pk=enrollment_id)
    return enrollment, cohort


@transaction.atomic
def enrollment_drop(*, actor: Reach, enrollment_id: int) -> Enrollment:
    """A trainee gives up a place (or a waitlist spot); a freed place goes to the first waiting."""
    selectors.require_trainer(actor)
    enrollment, cohort = _locked_enrollment(actor, enrollment_id)
    enrollment.status = lifecycle.check(enrollment, "drop").target
    enrollment.status_changed_at = timezone.now()
    enrollment.save(update_fields=["status", "status_changed_at"])
    _promote_waitlisted(cohort)
    return enrollment


def _new_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
    return "".join(secrets.choice(alphabet) for _n in range(10))


def attendance_share(*, enrollment: Enrollment, cohort: Cohort) -> tuple[int, int]:
    """(days present, days of the cohort) of one enrolment."""
    present = Attendance.objects.filter(
        enrollment=enrollment,
        present=True,
        day__gte=cohort.starts_on,
        day__lte=cohort.ends_on,
    ).count()
    return present, (cohort.ends_on - cohort.starts_on).days + 1


@transaction.atomic
def enrollment_complete(
    *, actor: Reach, enrollment_id: int, today: dt.date | None = None
) -> Enrollment:
    """Mark a course completed: issues the certificate and, for a trainee linked to a merchant,
    records the merchant's FIRST_COURSE_COMPLETED milestone.

    Only after the cohort's last day, and only for a trainee who attended at least the course's
    ``attendance_threshold`` per cent of the cohort's days.
    """
    selectors.require_trainer(actor)
    enrollment, cohort = _locked_enrollment(actor, enrollment_id)
    step = lifecycle.check(enrollment, "complete")
    today = today or timezone.localdate()
    if today <= cohort.ends_on:
        raise Conflict(
            _("The course is completed after the cohort's last day (%(day)s).")
            % {"day": cohort.ends_on.isoformat()},
            field="status",
            code="cohort_not_over",
        )
    present, days = attendance_share(enrollment=enrollment, cohort=cohort)
    threshold = cohort.course.attendance_threshold
    if not selectors.attendance_suffices(present=present, days=days, threshold=threshold):
        raise Conflict(
            _(
                "%(name)s attended %(present)s of %(days)s days; the certificate needs "
                "%(threshold)s%% attendance."
            )
            % {
                "name": enrollment.trainee.name,
                "present": present,
                "days": days,
                "threshold": threshold,
            },
            field="attendance",
            code="attendance_below_threshold",
        )
    now = timezone.now()
    enrollment.status = step.target
    enrollment.completed_at = now
    enrollment.status_changed_at = now
    enrollment.save(update_fields=["status", "completed_at", "status_changed_at"])
    Certificate.objects.create(
        enrollment=enrollment, code=_new_code(), issued_at=now, issued_by_id=actor.user_id
    )
    for merchant_id in _merchants_of(enrollment.trainee):
        merchant_services.milestone_record(
            merchant_id=merchant_id, kind=Milestone.Kind.FIRST_COURSE_COMPLETED, reached_at=now
        )
    return enrollment


def _merchants_of(trainee: Trainee) -> set[int]:
    ids = {trainee.merchant_id} if trainee.merchant_id else set()
    if trainee.team_member_id:
        ids |= set(
            TeamMember.objects.filter(pk=trainee.team_member_id).values_list(
                "merchant_id", flat=True
            )
        )
    return ids


@transaction.atomic
def attendance_record(*, actor: Reach, cohort_id: int, day: dt.date, present_ids: set[int]) -> int:
    """Record one day of a cohort on one screen: ``present_ids`` are the enrolments that were
    there, every other enrolled trainee was absent. Returns the number of rows written."""
    selectors.require_trainer(actor)
    cohort = _locked_cohort(actor, cohort_id)
    if not cohort.starts_on <= day <= cohort.ends_on:
        raise DomainError(_("This day is outside the cohort's dates."), field="day")
    if day > timezone.localdate():
        raise DomainError(_("Attendance cannot be recorded ahead of the day."), field="day")
    roster = set(
        Enrollment.objects.filter(cohort=cohort, status__in=Enrollment.PLACE_HOLDING).values_list(
            "pk", flat=True
        )
    )
    strangers = set(present_ids) - roster
    if strangers:
        raise DomainError(
            _("Some trainees marked present are not in this cohort."), field="present"
        )
    rows = [
        Attendance(
            enrollment_id=pk, day=day, present=pk in present_ids, recorded_by_id=actor.user_id
        )
        for pk in sorted(roster)
    ]
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["enrollment", "day"],
        update_fields=["present", "recorded_by", "recorded_at"],
    )
    return len(rows)


# --- from graduate trainee to merchant applicant -------------------------------------------------


@transaction.atomic
def trainee_to_applicant(
    *,
    actor: Reach,
    trainee_id: int,
    merchant_name: str,
    kind: str = Merchant.Kind.STUDIO,
    description: str = "",
) -> Merchant:
    """Turn a newcomer who completed a course into a merchant applicant, in one step: the merchant,
    its owner on the team, the trainee's links to both, and the milestone of the course done."""
    actor.require_role(TRAINER, MANAGER)
    trainee = (
        actor.scope(Trainee.objects.select_for_update(of=("self",)))
        .select_related("user")
        .filter(pk=trainee_id)
        .first()
    )
    if trainee is None:
        raise Http404
    if trainee.merchant_id is not None:
        raise Conflict(_("This trainee is already linked to a merchant."), field="trainee")
    first_completed = Enrollment.objects.filter(trainee=trainee, status=E.COMPLETED).aggregate(
        first=Min("completed_at")
    )["first"]
    if first_completed is None:
        raise Conflict(
            _("Only a trainee who completed a course can apply as a merchant."), field="trainee"
        )
    if trainee.user_id and TeamMember.objects.filter(user_id=trainee.user_id).exists():
        raise Conflict(_("This trainee's user is already on a merchant's team."), field="trainee")
    merchant = merchant_services.merchant_create(
        base=trainee.base,
        name=merchant_name,
        kind=kind,
        stage=Merchant.Stage.APPLICANT,
        description=description,
        created_by=User.objects.filter(pk=actor.user_id).first(),
        reason=str(_("Applied after completing training as %(name)s")) % {"name": trainee.name},
    )
    owner = merchant_services.team_member_add(
        merchant=merchant,
        name=trainee.name,
        role=TeamMember.Role.OWNER,
        user=trainee.user,
        phone=trainee.phone,
    )
    trainee.merchant = merchant
    trainee.team_member = owner
    trainee.save(update_fields=["merchant", "team_member"])
    merchant_services.milestone_record(
        merchant_id=merchant.pk,
        kind=Milestone.Kind.FIRST_COURSE_COMPLETED,
        reached_at=first_completed,
    )
    return merchant


@transaction.atomic
def trainee_link_member(*, actor: Reach, trainee_id: int, username: str) -> Trainee:
    """Link a trainee to the team member they became (a newly hired host of a merchant of the
    base), found by the username they log in with; the rule that a host booking a base room
    completed the live-hosting course (``selectors.host_has_completed_basics``) then counts
    their training. Trainers only."""
    selectors.require_trainer(actor)
    trainee = selectors.trainee_get(reach=actor, pk=trainee_id)
    username = bounds.check_text(username or "", field="username", max_length=150).strip()
    member = (
        TeamMember.objects.filter(
            user__username__iexact=username, merchant__base_id=trainee.base_id, is_active=True
        )
        .select_related("merchant")
        .first()
    )
    if member is None:
        raise DomainError(
            _("No active team member of a merchant of this base logs in with this username."),
            field="username",
        )
    trainee.team_member = member
    trainee.merchant = trainee.merchant or member.merchant
    trainee.save(update_fields=["team_member", "merchant"])
    return trainee
