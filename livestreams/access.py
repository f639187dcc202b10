"""Who may open which live-stream pages: the rules, written once for pages, API and services.

The base's management pages (the room grid, the week's utilisation, the base's streams, the rooms
and booking rules) are its managers' (``require_base_manager``); the room services ask the same
rule before they write. A merchant member's own pages (calendar, new stream, new series) open on
the member's merchant (``member_merchant``); a base manager asking one is sent to the base's
streams instead (``sees_base_pages``). The API's streams are read by managers and merchant
members (``require_stream_reader``). Inside a merchant, what a member may do follows their team
role (``merchants.permissions``): ``member_merchant`` names the capability a page needs, and
``stream_offers`` says which of a stream's actions its page shows.

These rules sit beside ``selectors`` rather than inside its reads: merchants read rooms through the
same selectors (to book them), and the manager pages check before they parse their parameters,
so a refused caller is told 403 whatever the query string says.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from jingdezhen.core.tenancy import MANAGER, MERCHANT, Reach
from merchants import permissions as team
from merchants import selectors as merchant_selectors
from merchants.models import Merchant


def require_base_manager(reach: Reach) -> None:
    """Only the base's managers (and admins) read and change its rooms, rules and grid (403)."""
    reach.require_role(MANAGER)


def sees_base_pages(reach: Reach) -> bool:
    """Whether this reach opens the base's pages (a member page sends it there instead)."""
    return reach.is_manager or reach.is_admin


def member_merchant(*, reach: Reach, capability: str = team.STREAMS_READ) -> Merchant:
    """The merchant whose member pages this reach opens; anyone but a member, and a member whose
    team role does not hold ``capability``, is refused (403)."""
    if not reach.is_merchant:
        raise PermissionDenied
    merchant = merchant_selectors.merchant_get(reach=reach, pk=reach.merchant_id)
    team.require(reach, capability, merchant)
    return merchant


def require_stream(reach: Reach, stream, capability: str) -> None:
    """A page that changes one stream asks this first: 403 for a team role without
    ``capability``, 404 for a stream the reach does not crew when it may only run its own."""
    team.require_stream(reach, capability, stream)


def stream_offers(reach: Reach, stream) -> dict[str, bool]:
    """Which of a stream's actions its pages offer this reach (the services refuse the rest).
    The stream is within reach already (crew-only roles see only the streams they crew)."""
    return {
        "schedule": team.member_may(reach, team.STREAMS_SCHEDULE, stream.merchant),
        "run": team.member_may(reach, team.STREAMS_RUN, stream.merchant),
        "feature": team.member_may(reach, team.STREAMS_FEATURE, stream.merchant),
        "deals": team.member_may(reach, team.FLASH_DEALS_RUN, stream.merchant),
    }


def require_stream_reader(reach: Reach) -> None:
    """Streams are base managers' and merchant members' to read through the API (403 else)."""
    reach.require_role(MANAGER, MERCHANT)
