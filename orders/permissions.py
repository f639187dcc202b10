"""Who may read and change a merchant's things: who reads the orders app at all
(``require_reader``: its pages and its API ask it first), the merchant a member's intake pages
are for (``member_merchant``), the one answer every write of the catalogue, orders and deals asks
(``require_act``), pages show their buttons by (``may_act``), and the rule that an exited merchant
sells nothing (``require_selling``).

A merchant's things out of the caller's reach answer 404, like any foreign object. System sweeps
(expired holds, due flash deals) act for no one and take no reach; the demo acts with its
people's reaches.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict
from jingdezhen.core.tenancy import MANAGER, MERCHANT, Reach
from merchants import lifecycle as merchant_lifecycle
from merchants import selectors as merchant_selectors
from merchants.models import Merchant


def require_reader(reach: Reach) -> None:
    """Base managers and merchant members (and admins) read the catalogue, orders, flash deals and
    rates; anyone else (a trainer) is refused with 403."""
    reach.require_role(MANAGER, MERCHANT)


def member_merchant(reach: Reach) -> Merchant:
    """The merchant a member acts for: the pages that take things in (a new product, an order
    form, an import) are for merchant members; anyone else finds no such page (404)."""
    if not reach.is_merchant:
        raise Http404
    return merchant_selectors.merchant_get(reach=reach, pk=reach.merchant_id)


def may_act(reach: Reach, merchant: Merchant) -> bool:
    """Whether ``reach`` may change this merchant's catalogue, orders and deals: the one answer
    pages show their buttons by, and every write below asks before it writes."""
    return reach.can_act_for_merchant(merchant.pk, merchant.base_id)


def require_act(reach: Reach, merchant: Merchant) -> None:
    """Refuse a write for a merchant out of the caller's reach with a 404, as for any foreign
    object (a missing object and a forbidden one look the same)."""
    if not may_act(reach, merchant):
        raise Http404


def require_selling(merchant: Merchant) -> None:
    if not merchant_lifecycle.may_sell(merchant):
        raise Conflict(
            _("This merchant has exited the base and can no longer take orders."),
            field="merchant",
            code="merchant_exited",
        )
