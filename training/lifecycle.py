"""The life of an enrolment, declared once.

Services (``training.services``) check a transition here before they write; pages, API and
templates ask ``actions_for`` which buttons to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.errors import Conflict

from .models import Enrollment

E = Enrollment.Status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    label: Promise
    refusal: Promise
    style: str = "btn"


TRANSITIONS: tuple[Transition, ...] = (
    # the base's own moves: a freed place goes to the first waiting, a dropped trainee returns
    Transition(
        "promote",
        (E.WAITLISTED,),
        E.ENROLLED,
        _("Give a place"),
        _("Only a waitlisted trainee can be given a place."),
    ),
    Transition(
        "complete",
        (E.ENROLLED,),
        E.COMPLETED,
        _("Completed"),
        _("Only an enrolled trainee can complete the course."),
    ),
    Transition(
        "drop",
        (E.ENROLLED, E.WAITLISTED),
        E.DROPPED,
        _("Drop"),
        _("Only an enrolled or waitlisted trainee can drop out."),
        "btn btn-secondary",
    ),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}
# What a trainer does from the cohort's roster.
USER_ACTIONS = ("complete", "drop")


def check(enrollment: Enrollment, action: str) -> Transition:
    step = BY_ACTION[action]
    if enrollment.status not in step.sources:
        raise Conflict(step.refusal, field="status", code="invalid_transition")
    return step


def actions_for(enrollment: Enrollment) -> list[Transition]:
    return [BY_ACTION[a] for a in USER_ACTIONS if enrollment.status in BY_ACTION[a].sources]


def table() -> list[dict]:
    return [
        {"action": t.action, "from": list(t.sources), "to": t.target, "label": str(t.label)}
        for t in TRANSITIONS
    ]
