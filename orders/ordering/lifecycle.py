"""The order lifecycle, declared once: a table of transitions.

Services enforce it (``check``), the intake walks it to reach an imported row's status (``path_to``)
so an imported refund gives its units back exactly like a refund in the app, and pages, the API
and templates read the actions an order offers from it (``actions_for``) instead of comparing
status literals.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingdezhen.core.errors import Conflict
from orders.models import Order

S = Order.Status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    label: object
    # The sources from which this move gives the order's units back (to stock or their deal).
    releases_from: tuple[str, ...] = ()

    def releases(self, source: str) -> bool:
        return source in self.releases_from


TRANSITIONS: tuple[Transition, ...] = (
    Transition("pay", (S.PENDING,), S.PAID, gettext_lazy("Mark paid")),
    Transition("ship", (S.PAID,), S.SHIPPED, gettext_lazy("Mark shipped")),
    Transition("deliver", (S.SHIPPED,), S.DELIVERED, gettext_lazy("Mark delivered")),
    Transition("complete", (S.SHIPPED, S.DELIVERED), S.COMPLETED, gettext_lazy("Complete")),
    Transition("cancel", (S.PENDING,), S.CANCELLED, gettext_lazy("Cancel order"), (S.PENDING,)),
    # A whole refund before shipping gives the units back; after shipping they left the shelf.
    Transition(
        "refund",
        (S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED),
        S.REFUNDED,
        gettext_lazy("Refund"),
        (S.PAID,),
    ),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}
# Not a move of the status, but offered by the same table's states: a breakage claim needs the
# porcelain to have left the shelf.
CLAIMABLE = (S.SHIPPED, S.DELIVERED, S.COMPLETED)
# The status every order starts in, whichever door it came through.
INITIAL = S.PENDING


def transition(action: str) -> Transition:
    return BY_ACTION[action]


def check(action: str, status: str) -> Transition:
    """The transition ``action`` if an order in ``status`` may take it; Conflict otherwise."""
    move = BY_ACTION[action]
    if status not in move.sources:
        raise Conflict(
            _("A %(status)s order cannot be moved to %(to)s.")
            % {"status": S(status).label, "to": S(move.target).label},
            field="status",
        )
    return move


def actions_for(status: str) -> dict[str, bool]:
    """Every action name -> whether an order in ``status`` offers it (templates read this)."""
    actions = {t.action: status in t.sources for t in TRANSITIONS}
    actions["claim"] = status in CLAIMABLE
    return actions


def available(status: str) -> list[str]:
    return [name for name, offered in actions_for(status).items() if offered]


def _paths() -> dict[str, tuple[tuple[Transition, str], ...]]:
    """The shortest walk from ``INITIAL`` to every status, as (transition, from status) steps;
    ties go to the transition listed first, so 'completed' is reached by paying and shipping."""
    paths: dict[str, tuple] = {INITIAL: ()}
    queue = deque([INITIAL])
    while queue:
        status = queue.popleft()
        for move in TRANSITIONS:
            if status in move.sources and move.target not in paths:
                paths[move.target] = (*paths[status], (move, status))
                queue.append(move.target)
    return paths


PATHS = _paths()


def path_to(status: str) -> tuple[tuple[Transition, str], ...]:
    """The moves that take a new order to ``status`` (KeyError if no walk reaches it)."""
    return PATHS[status]


def keeps_units(status: str) -> bool:
    """Whether an order walked to ``status`` still holds its units at the end of the walk."""
    return not any(move.releases(source) for move, source in PATHS[status])
