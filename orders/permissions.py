"""Who may read and change a merchant's things: who reads the orders app at all
(``require_reader``: its pages and its API ask it first), who reads its orders
(``require_orders_reader``: not the hosts), the merchant a member's intake pages are for
(``member_merchant``), the one answer every write of the catalogue, orders and deals asks
(``require_act``, with the capability of ``merchants.permissions`` the write needs), pages show
their buttons by (``may_act``), and the rule that an exited merchant sells nothing
(``require_selling``).

A merchant's things out of the caller's reach answer 404, like any foreign object; the caller's
own merchant, when its team role lacks the capability, 403 with the reason.

System sweeps (expired holds, due flash deals) act for no one and take no reach; the demo acts
with its people's reaches.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict
from jingdezhen.core.tenancy import MANAGER, MERCHANT, Reach
from merchants import lifecycle as merchant_lifecycle
from merchants import permissions as team
from merchants import selectors as merchant_selectors
from merchants.models import Merchant

# The capabilities the orders app's writes and reads name (merchants.permissions holds the table).
CATALOGUE_EDIT = team.CATALOGUE_EDIT
ORDERS_READ = team.ORDERS_READ
ORDERS_HANDLE = team.ORDERS_HANDLE
FLASH_DEALS_RUN = team.FLASH_DEALS_RUN


def require_reader(reach: Reach) -> None:
    """Base managers and merchant members (and admins) read the catalogue, flash deals and
    rates; anyone else (a trainer) is refused with 403."""
    reach.require_role(MANAGER, MERCHANT)
    team.require_role(reach, team.CATALOGUE_READ)


def require_orders_reader(reach: Reach) -> None:
    """Orders, claims, imports and payment deadlines: ``require_reader``, and a member whose team
    role reads no orders (a host) is refused with 403."""
    require_reader(reach)
    team.require_role(reach, ORDERS_READ)


def require_member_role(reach: Reach, capability: str) -> None:
    """For a page that names no merchant yet (a new product): a member whose team role lacks
    ``capability`` is refused with 403 before the form is shown."""
    team.require_role(reach, capability)


def member_merchant(reach: Reach, capability: str = ORDERS_HANDLE) -> Merchant:
    """The merchant a member acts for: the pages that take things in (a new product, an order
    form, an import, payment deadlines) are for merchant members whose role holds
    ``capability`` (else 403); anyone else finds no such page (404)."""
    if not reach.is_merchant:
        raise Http404
    merchant = merchant_selectors.merchant_get(reach=reach, pk=reach.merchant_id)
    team.require(reach, capability, merchant)
    return merchant


def may_act(reach: Reach, merchant: Merchant, capability: str) -> bool:
    """Whether ``reach`` may do ``capability`` for this merchant: the one answer pages show their
    buttons by, and every write below asks before it writes."""
    return team.member_may(reach, capability, merchant)


def may_handle_orders(reach: Reach) -> bool:
    """Whether the order list offers its bulk actions (the services still check each order's
    merchant): base managers, and members whose team role handles orders."""
    return team.role_may(reach, ORDERS_HANDLE)


def require_act(reach: Reach, merchant: Merchant, capability: str) -> None:
    """Refuse a write for a merchant out of the caller's reach with a 404, as for any foreign
    object (a missing object and a forbidden one look the same), and one the caller's team role
    may not make with a 403 that says so."""
    team.require(reach, capability, merchant)


def require_stream_act(reach: Reach, stream, capability: str) -> None:
    """``require_act`` for a stream's merchant, and for a crew-only team role (an operator) a
    stream it crews: one it does not crew is not found (404)."""
    team.require_stream(reach, capability, stream)


def require_selling(merchant: Merchant) -> None:
    if not merchant_lifecycle.may_sell(merchant):
        raise Conflict(
            _("This merchant has exited the base and can no longer take orders."),
            field="merchant",
            code="merchant_exited",
        )
