"""The merchant page's history: who moved its stage or status and who changed its team (who
joined, left, or took another role), recorded by the triggers declared on the models
(``jingdezhen.core.history``)."""

from __future__ import annotations

from jingdezhen.core import history
from jingdezhen.core.history import HistoryPage
from jingdezhen.core.tenancy import Reach

from .models import Merchant, TeamMember


def merchant_history(*, reach: Reach, merchant: Merchant, page: object = 1) -> HistoryPage | None:
    """One page of a merchant's changes and its team's, for the readers of both (its base's
    managers and its own members); None for the others who read the page (trainers)."""
    if not history.may_read(reach, Merchant, TeamMember):
        return None
    return history.history_page(merchant, Merchant, TeamMember, page=page)
