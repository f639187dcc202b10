"""A merchant's two lifecycles, declared once: its incubation stage and its status.

The services (``merchants.services``) enforce these tables; pages, API and templates read the
available moves from them (``stage_moves``, ``status_moves``), and the other apps ask the
questions at the bottom (``may_book_rooms`` ...) instead of comparing stage or status themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.errors import Conflict

from .models import Merchant

Stage = Merchant.Stage
Status = Merchant.Status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    label: Promise
    style: str = "btn"


# applicant -> incubating -> graduated, or exited from any of them; an exited merchant may be
# admitted again.
STAGE_TRANSITIONS: tuple[Transition, ...] = (
    Transition("admit", (Stage.APPLICANT, Stage.EXITED), Stage.INCUBATING, _("Admit")),
    Transition("graduate", (Stage.INCUBATING,), Stage.GRADUATED, _("Graduate")),
    Transition(
        "exit",
        (Stage.APPLICANT, Stage.INCUBATING, Stage.GRADUATED),
        Stage.EXITED,
        _("Exit"),
        "btn btn-danger",
    ),
)
# active <-> suspended: a base manager's action with a reason, lifted the same way.
STATUS_TRANSITIONS: tuple[Transition, ...] = (
    Transition("suspend", (Status.ACTIVE,), Status.SUSPENDED, _("Suspend"), "btn btn-danger"),
    Transition("reinstate", (Status.SUSPENDED,), Status.ACTIVE, _("Reinstate")),
)
STAGE_BY_ACTION = {t.action: t for t in STAGE_TRANSITIONS}
STATUS_BY_ACTION = {t.action: t for t in STATUS_TRANSITIONS}


def stage_moves(stage: str) -> list[Transition]:
    return [t for t in STAGE_TRANSITIONS if stage in t.sources]


def status_moves(status: str) -> list[Transition]:
    return [t for t in STATUS_TRANSITIONS if status in t.sources]


def stage_targets(stage: str) -> list[str]:
    """The stages a merchant in ``stage`` may be moved to."""
    return [t.target for t in stage_moves(stage)]


def stage_transition_to(stage: str, to_stage: str) -> Transition | None:
    return next((t for t in stage_moves(stage) if t.target == to_stage), None)


def check_stage(merchant: Merchant, action: str) -> Transition:
    step = STAGE_BY_ACTION[action]
    if merchant.stage not in step.sources:
        raise Conflict(
            _("A merchant cannot move from %(from)s to %(to)s.")
            % {"from": merchant.get_stage_display(), "to": Stage(step.target).label},
            field="stage",
            code="invalid_transition",
        )
    return step


def check_status(merchant: Merchant, action: str) -> Transition:
    step = STATUS_BY_ACTION[action]
    if merchant.status not in step.sources:
        raise Conflict(
            _("A merchant who is %(status)s cannot be moved to %(to)s.")
            % {"status": merchant.get_status_display().lower(), "to": Status(step.target).label},
            field="status",
            code="invalid_transition",
        )
    return step


# --- what a stage and a status allow (asked by the other apps) ---------------------------------


def may_schedule_streams(merchant: Merchant) -> bool:
    """An exited merchant books nothing."""
    return merchant.stage != Stage.EXITED


def may_sell(merchant: Merchant) -> bool:
    """An exited merchant takes no orders and imports none; a suspended one still serves the
    buyers it has (suspension stops base-room bookings only)."""
    return merchant.stage != Stage.EXITED


def may_book_rooms(merchant: Merchant) -> bool:
    """Base rooms are for merchants stationed at the base and in good standing."""
    return merchant.stage != Stage.EXITED and merchant.status == Status.ACTIVE


def table() -> dict[str, list[dict]]:
    def rows(transitions):
        return [
            {"action": t.action, "from": list(t.sources), "to": t.target, "label": str(t.label)}
            for t in transitions
        ]

    return {"stage": rows(STAGE_TRANSITIONS), "status": rows(STATUS_TRANSITIONS)}
