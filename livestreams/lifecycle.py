"""The life of a live stream, declared once.

``TRANSITIONS`` is the only place that says which action moves a stream from which status to
which: the services call ``check`` before they write, and pages, API and templates ask
``actions_for`` which buttons to show. A status missing from a row's ``sources`` cannot take it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.errors import Conflict

from .models import LiveStream

S = LiveStream.Status


@dataclass(frozen=True)
class Transition:
    action: str  # the name pages and the API use (``/streams/<id>/<action>/``)
    sources: tuple[str, ...]
    target: str
    label: Promise
    refusal: Promise  # said when the stream is in another status
    style: str = "btn"  # the button's CSS class on the pages


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "go-live",
        (S.SCHEDULED,),
        S.LIVE,
        _("Go live"),
        _("Only a scheduled stream can go live."),
    ),
    Transition(
        "end",
        (S.LIVE,),
        S.ENDED,
        _("End stream"),
        _("Only a live stream can be ended."),
        "btn btn-danger",
    ),
    Transition(
        "cancel",
        (S.SCHEDULED,),
        S.CANCELLED,
        _("Cancel stream"),
        _("Only a scheduled stream can be cancelled."),
        "btn btn-danger",
    ),
    # The beat job's move of a stream whose planned end passed before it went live.
    Transition(
        "miss",
        (S.SCHEDULED,),
        S.MISSED,
        _("Mark missed"),
        _("Only a scheduled stream can be missed."),
        "btn btn-secondary",
    ),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}
# Actions a person takes on a page or through the API (the beat job takes the rest).
USER_ACTIONS = ("go-live", "end", "cancel")
# A stream in one of these can still be changed (times, crew, room, title).
EDITABLE_STATUSES = (S.SCHEDULED,)
# The run sheet of a stream in one of these can still change.
RUN_SHEET_OPEN = (S.SCHEDULED, S.LIVE)
# Results can be recorded for a stream in one of these.
RESULTS_OPEN = (S.LIVE, S.ENDED)
# A stream in one of these has a report.
REPORTABLE = (S.ENDED,)


def transition(action: str) -> Transition:
    return BY_ACTION[action]


def check(stream: LiveStream, action: str) -> Transition:
    """The transition ``action`` of ``stream``; raises ``Conflict`` when its status forbids it."""
    step = BY_ACTION[action]
    if stream.status not in step.sources:
        raise Conflict(step.refusal, code="invalid_transition")
    return step


def actions_for(stream: LiveStream) -> list[Transition]:
    """The actions a person may take on ``stream`` now, in the table's order."""
    return [BY_ACTION[a] for a in USER_ACTIONS if stream.status in BY_ACTION[a].sources]


def table() -> list[dict]:
    """The table as data (for the API and the docs)."""
    return [
        {"action": t.action, "from": list(t.sources), "to": t.target, "label": str(t.label)}
        for t in TRANSITIONS
    ]
