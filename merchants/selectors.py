"""Reads of merchants shared by pages, API and tasks; every one is scoped by the caller's reach."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from jingdezhen.tenancy import Reach

from .models import Base, Merchant, TeamMember


def merchant_list(*, reach: Reach) -> QuerySet[Merchant]:
    return reach.scope(Merchant.objects.select_related("base"))


def merchant_get(*, reach: Reach, pk: int) -> Merchant:
    """One merchant within reach; a missing and a forbidden one both raise Http404."""
    return get_object_or_404(merchant_list(reach=reach), pk=pk)


def team_list(*, reach: Reach, merchant_id: int | None = None) -> QuerySet[TeamMember]:
    qs = reach.scope(TeamMember.objects.select_related("merchant", "user"))
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return qs


def base_list(*, reach: Reach) -> QuerySet[Base]:
    return reach.scope(Base.objects.all())
