"""Who may open which live-stream pages: the rules, written once for pages, API and services.

The base's management pages (the room grid, the week's utilisation, the base's streams, the rooms
and booking rules) are its managers' (``require_base_manager``); the room services ask the same
rule before they write. A merchant member's own pages (calendar, new stream, new series) open on
the member's merchant (``member_merchant``); a base manager asking one is sent to the base's
streams instead (``sees_base_pages``). The API's streams are read by managers and merchant
members (``require_stream_reader``).

These rules sit beside ``selectors`` rather than inside its reads: merchants read rooms through the
same selectors (to book them), and the manager pages check before they parse their parameters,
so a refused caller is told 403 whatever the query string says.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from jingdezhen.core.tenancy import MANAGER, MERCHANT, Reach
from merchants import selectors as merchant_selectors
from merchants.models import Merchant


def require_base_manager(reach: Reach) -> None:
    """Only the base's managers (and admins) read and change its rooms, rules and grid (403)."""
    reach.require_role(MANAGER)


def sees_base_pages(reach: Reach) -> bool:
    """Whether this reach opens the base's pages (a member page sends it there instead)."""
    return reach.is_manager or reach.is_admin


def member_merchant(*, reach: Reach) -> Merchant:
    """The merchant whose member pages this reach opens; anyone but a member is refused (403)."""
    if not reach.is_merchant:
        raise PermissionDenied
    return merchant_selectors.merchant_get(reach=reach, pk=reach.merchant_id)


def require_stream_reader(reach: Reach) -> None:
    """Streams are base managers' and merchant members' to read through the API (403 else)."""
    reach.require_role(MANAGER, MERCHANT)
