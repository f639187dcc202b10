"""Who may see what: a user's reach, computed once per request and applied to every query.

Every model that pages, API or tasks read declares an inner ``Tenancy`` class::

    class Product(models.Model):
        class Tenancy:
            merchant = "merchant"        # lookup path to the owning Merchant (None: base-level)
            base = "merchant__base"      # lookup path to the owning Base
            roles = {"manager", "merchant"}   # roles that may read it at all

``reach.scope(queryset)`` then narrows any queryset of that model: base managers and trainers to
their base, merchant members to their merchant (or, for base-level objects such as live rooms, to
their base); a role not listed sees nothing. A model without ``Tenancy`` raises, so no selector
can forget it. Selectors call ``scope``; views and viewsets only call selectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest

ADMIN = "admin"
MANAGER = "manager"
TRAINER = "trainer"
MERCHANT = "merchant"
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Reach:
    """What one user may reach: their role, base and (for merchant members) merchant."""

    role: str
    user_id: int | None = None
    base_id: int | None = None
    merchant_id: int | None = None
    member_role: str | None = None
    # A member's own merchant row, read with the reach in one query when the reach is a
    # request's (``get_reach``), so ``merchants.selectors.merchant_get`` of it costs nothing.
    # Not part of what the reach *is*: equality and hashing ignore it.
    merchant: object | None = field(default=None, compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == MANAGER

    @property
    def is_trainer(self) -> bool:
        return self.role == TRAINER

    @property
    def is_merchant(self) -> bool:
        return self.role == MERCHANT and self.merchant_id is not None

    @property
    def is_authenticated(self) -> bool:
        return self.role != ANONYMOUS

    def scope(self, queryset: QuerySet) -> QuerySet:
        """Narrow ``queryset`` to the rows this reach may read."""
        policy = _policy(queryset.model)
        if self.is_admin:
            return queryset
        if self.role not in policy.roles or self.base_id is None:
            return queryset.none()
        if self.role == MERCHANT:
            if self.merchant_id is None:
                return queryset.none()
            if policy.merchant is not None:
                return queryset.filter(**{_id_path(policy.merchant): self.merchant_id})
        return queryset.filter(**{_id_path(policy.base): self.base_id})

    def can_read(self, obj: Model) -> bool:
        """Whether one already-loaded object is within reach (one query)."""
        return self.scope(type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def can_act_for_merchant(self, merchant_id: int, merchant_base_id: int) -> bool:
        """Whether this reach may change a merchant's own things (catalogue, streams, orders)."""
        if self.is_admin:
            return True
        if self.role == MERCHANT:
            return self.merchant_id == merchant_id
        return self.is_manager and self.base_id == merchant_base_id

    def require_role(self, *roles: str) -> None:
        if not (self.is_admin or self.role in roles):
            raise PermissionDenied


def _id_path(path: str) -> str:
    return "pk" if path == "id" else f"{path}_id"


def _policy(model: type[Model]):
    policy = getattr(model, "Tenancy", None)
    if policy is None:
        raise ImproperlyConfigured(f"{model.__name__} declares no Tenancy: it cannot be scoped.")
    return policy


ANONYMOUS_REACH = Reach(role=ANONYMOUS)


def reach_for(user, *, with_merchant: bool = False) -> Reach:
    """Compute a user's reach (at most one query, for a merchant member's team row).

    ``with_merchant`` keeps a member's merchant row on the reach (``Reach.merchant``); only a
    reach that lives as long as one request does (``get_reach``), so it is never stale."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_REACH
    if user.is_superuser:
        return Reach(role=ADMIN, user_id=user.pk, base_id=user.base_id)
    if user.role == MERCHANT:
        # The user model (merchants.User) knows its team row; the core asks, it imports no app.
        member = user.team_membership()
        if member is None:
            return Reach(role=MERCHANT, user_id=user.pk, base_id=user.base_id)
        return Reach(
            role=MERCHANT,
            user_id=user.pk,
            base_id=member["merchant__base_id"],
            merchant_id=member["merchant_id"],
            member_role=member["role"],
            merchant=member["merchant"] if with_merchant else None,
        )
    return Reach(role=user.role, user_id=user.pk, base_id=user.base_id)


def get_reach(request: HttpRequest) -> Reach:
    """The reach of the request's user, computed once per request and user.

    Works for DRF requests too (token users are known only after DRF authenticates), because the
    cache is keyed by the user's id.
    """
    http_request = getattr(request, "_request", request)
    user = getattr(request, "user", None)
    key = getattr(user, "pk", None)
    cached = getattr(http_request, "_jdz_reach", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    reach = reach_for(user, with_merchant=True)
    http_request._jdz_reach = (key, reach)
    return reach
