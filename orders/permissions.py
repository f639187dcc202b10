"""Who may change a merchant's things: the one answer every write of the catalogue, orders and
deals asks (``require_act``), pages show their buttons by (``may_act``), and the rule that an
exited merchant sells nothing (``require_selling``).

A merchant's things out of the caller's reach answer 404, like any foreign object. System sweeps
(expired holds, due flash deals) act for no one and take no reach; the demo acts with its
people's reaches.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict
from jingdezhen.core.tenancy import Reach
from merchants import lifecycle as merchant_lifecycle
from merchants.models import Merchant


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
