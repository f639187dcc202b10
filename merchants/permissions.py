"""What each team role may do inside its merchant: one table, asked by every service, selector,
page and menu that a member's role decides.

``CAPABILITIES`` maps a team role to what it may do. ``member_may(reach, capability, merchant)``
is the one question: a member of ``merchant`` may when their role holds the capability; a base
manager of the merchant's base (and an admin) acts for every merchant of the base, as before team
roles carried permissions; anybody else may not. ``require(...)`` refuses with ``RoleRefused``
(403, the reason said) when the merchant is the caller's own, and with 404 when it is not (a
foreign merchant and a missing one look the same).

Crew-only roles (``STREAMS_CREW_ONLY``: hosts, assistant hosts, control-desk operators) see and
run only the streams they crew: ``stream_crew_filter`` narrows a stream query, and
``require_stream`` checks one stream.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.errors import NotAllowed
from jingdezhen.core.tenancy import Reach

from .models import Merchant, TeamMember

R = TeamMember.Role

# --- capabilities ------------------------------------------------------------------------------
MERCHANT_EDIT = "merchant.edit"  # the store's profile, platform accounts, foreign agents
TEAM_MANAGE = "team.manage"  # invite, add, take off and re-role team members
CATALOGUE_READ = "catalogue.read"
CATALOGUE_EDIT = "catalogue.edit"  # products, photos, platform prices
STREAMS_READ = "streams.read"  # the stream calendar and pages (crew-only roles: their own)
STREAMS_SCHEDULE = "streams.schedule"  # book, change, cancel streams and series
STREAMS_RUN = "streams.run"  # go live, end, the run sheet's "showing now", results
STREAMS_FEATURE = "streams.feature"  # add, move and remove the run sheet's products
FLASH_DEALS_RUN = "flash_deals.run"
ORDERS_READ = "orders.read"  # orders, claims, imports, payment deadlines
ORDERS_HANDLE = "orders.handle"  # take in, import, pay, ship, refund, claims, deadlines
TURNOVER_READ = "turnover.read"
STREAMS_CREW_ONLY = "streams.crew_only"  # a limit, not a right: only the streams one crews

EVERYTHING = frozenset(
    {
        MERCHANT_EDIT,
        TEAM_MANAGE,
        CATALOGUE_READ,
        CATALOGUE_EDIT,
        STREAMS_READ,
        STREAMS_SCHEDULE,
        STREAMS_RUN,
        STREAMS_FEATURE,
        FLASH_DEALS_RUN,
        ORDERS_READ,
        ORDERS_HANDLE,
        TURNOVER_READ,
    }
)
_CREW = frozenset({CATALOGUE_READ, STREAMS_READ, STREAMS_RUN, STREAMS_CREW_ONLY})

CAPABILITIES: dict[str, frozenset[str]] = {
    # The owner and operations staff do everything of the merchant.
    R.OWNER: EVERYTHING,
    R.OPERATIONS: EVERYTHING,
    # A host sees the streams they crew, runs their run sheets, records results, reads the
    # catalogue, and calls the flash deals on air (秒杀 is the host's line: the sticky bar of the
    # run sheet starts one in a tap); an assistant host the same, without the deals.
    R.HOST: _CREW | {FLASH_DEALS_RUN},
    R.ASSISTANT: _CREW,
    # The control-desk operator also features products and runs flash deals.
    R.OPERATOR: _CREW | {STREAMS_FEATURE, FLASH_DEALS_RUN},
    # Customer service handles orders (pay, ship, refund, claims) but sees no turnover.
    R.SERVICE: frozenset({CATALOGUE_READ, STREAMS_READ, ORDERS_READ, ORDERS_HANDLE}),
    # Staff read only.
    R.STAFF: frozenset({CATALOGUE_READ, STREAMS_READ, ORDERS_READ, TURNOVER_READ}),
}

# What the refusal says, by capability.
REFUSALS = {
    MERCHANT_EDIT: _("Your team role may not change the store's profile or accounts."),
    TEAM_MANAGE: _("Your team role may not manage the team."),
    CATALOGUE_READ: _("Your team role may not read the catalogue."),
    CATALOGUE_EDIT: _("Your team role may not change the catalogue."),
    STREAMS_READ: _("Your team role may not read the streams."),
    STREAMS_SCHEDULE: _("Your team role may not schedule, change or cancel streams."),
    STREAMS_RUN: _("Your team role may not run this stream."),
    STREAMS_FEATURE: _("Your team role may not change the products of a run sheet."),
    FLASH_DEALS_RUN: _("Your team role may not run flash deals."),
    ORDERS_READ: _("Your team role may not read orders."),
    ORDERS_HANDLE: _("Your team role may not handle orders."),
    TURNOVER_READ: _("Your team role may not read the turnover."),
}


class RoleRefused(NotAllowed, PermissionDenied):
    """The caller's team role does not hold the capability: 403 with the reason, on pages (as a
    PermissionDenied) and in the API (as NotAllowed)."""


def capabilities_of(member_role: str | None) -> frozenset[str]:
    return CAPABILITIES.get(member_role or "", frozenset())


def member_may(reach: Reach, capability: str, merchant: Merchant | None = None) -> bool:
    """Whether ``reach`` may do ``capability`` for ``merchant`` (by default the member's own).

    Members: their team role's capabilities, for their own merchant only. Base managers act for
    the merchants of their base, admins for all; trainers and visitors for none."""
    if reach.is_admin:
        return True
    if reach.is_manager:
        return merchant is not None and reach.base_id == merchant.base_id
    if not reach.is_merchant:
        return False
    if merchant is not None and merchant.pk != reach.merchant_id:
        return False
    return capability in capabilities_of(reach.member_role)


def role_may(reach: Reach, capability: str) -> bool:
    """For menus and pages that name no merchant: managers and admins see their entries by their
    own rules; a member by the table."""
    if reach.is_admin or reach.is_manager:
        return True
    return reach.is_merchant and capability in capabilities_of(reach.member_role)


def require(reach: Reach, capability: str, merchant: Merchant | None = None) -> None:
    """Refuse unless ``member_may``: 404 for a merchant out of reach, 403 (with the reason) for
    the caller's own merchant when the team role does not hold the capability."""
    if member_may(reach, capability, merchant):
        return
    own = reach.is_merchant and (merchant is None or merchant.pk == reach.merchant_id)
    if not own:
        raise Http404
    raise RoleRefused(REFUSALS.get(capability, _("Your team role may not do this.")))


def require_role(reach: Reach, capability: str) -> None:
    """For reads that name no merchant (a list scoped by the reach): a member whose role lacks
    the capability is refused with 403; every other caller is left to the app's own rule."""
    if reach.is_merchant and capability not in capabilities_of(reach.member_role):
        raise RoleRefused(REFUSALS.get(capability, _("Your team role may not do this.")))


def is_crew_only(reach: Reach) -> bool:
    return reach.is_merchant and STREAMS_CREW_ONLY in capabilities_of(reach.member_role)


def stream_crew_filter(reach: Reach, prefix: str = "") -> Q:
    """A filter of streams (``prefix``: the path to the stream, e.g. ``"stream__"``) to those the
    reach may see: all of them, or for a crew-only role those it crews."""
    if not is_crew_only(reach):
        return Q()
    user_id = reach.user_id
    return (
        Q(**{f"{prefix}host__user_id": user_id})
        | Q(**{f"{prefix}assistant_host__user_id": user_id})
        | Q(**{f"{prefix}operator__user_id": user_id})
    )


def crews(reach: Reach, stream) -> bool:
    """Whether the reach's user is on the stream's crew (host, assistant host or operator)."""
    crew_ids = [stream.host_id, stream.assistant_host_id, stream.operator_id]
    crew_ids = [pk for pk in crew_ids if pk is not None]
    if not crew_ids or reach.user_id is None:
        return False
    return TeamMember.objects.filter(pk__in=crew_ids, user_id=reach.user_id).exists()


def require_stream(reach: Reach, capability: str, stream) -> None:
    """``require`` for one stream's merchant, and for a crew-only role, a stream it crews (one
    it does not crew is not found: 404, as it does not see it)."""
    require(reach, capability, stream.merchant)
    if is_crew_only(reach) and not crews(reach, stream):
        raise Http404


def team_roles_grantable(reach: Reach) -> list[tuple[str, str]]:
    """The team roles ``reach`` may give: all of them, but the owner's only by an owner, a base
    manager or an admin (operations staff manage the team, they do not make owners)."""
    if reach.is_merchant and reach.member_role != R.OWNER:
        return [(value, label) for value, label in R.choices if value != R.OWNER]
    return list(R.choices)
