"""Reads of merchants shared by pages, API and tasks; every one is scoped by the caller's reach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from jingdezhen.core import extensions
from jingdezhen.core.tenancy import MANAGER, Reach

from .models import (
    Base,
    ForeignAgent,
    Invitation,
    Merchant,
    Milestone,
    PlatformAccount,
    Review,
    StageChange,
    StatusChange,
    TeamMember,
)


def require_base_manager(reach: Reach) -> None:
    """The base's management pages (the merchant list, the applicant form) are its managers'
    (and admins'); anyone else is refused with 403. The API's merchant list answers trainers too
    (the merchant's name and stage are theirs to read), so this rule is the pages', asked by
    ``merchant_overview_for_manager`` and by the form that reads nothing."""
    reach.require_role(MANAGER)


def is_base_manager(reach: Reach) -> bool:
    """Whether the merchant page shows this reach the manager's forms (stage, status, review)."""
    return reach.is_manager or reach.is_admin


def merchant_list(*, reach: Reach) -> QuerySet[Merchant]:
    return reach.scope(Merchant.objects.select_related("base"))


def merchant_get(*, reach: Reach, pk: int) -> Merchant:
    """One merchant within reach; a missing and a forbidden one both raise Http404."""
    return get_object_or_404(merchant_list(reach=reach), pk=pk)


# The sort keys the manager's list offers: key -> ORDER BY (nulls last for dates).
MERCHANT_SORTS = {
    "name": [F("name").asc(), "id"],
    "-name": [F("name").desc(), "-id"],
    "stage": ["stage", "name", "id"],
    "days": [F("incubation_started_on").asc(nulls_last=True), "id"],
    "-days": [F("incubation_started_on").desc(nulls_last=True), "id"],
    "milestones": ["milestone_count", "name", "id"],
    "-milestones": ["-milestone_count", "name", "id"],
    "last_stream": [F("last_stream_at").asc(nulls_last=True), "id"],
    "-last_stream": [F("last_stream_at").desc(nulls_last=True), "id"],
    "last_review": [F("last_review_at").asc(nulls_last=True), "id"],
    "-last_review": [F("last_review_at").desc(nulls_last=True), "id"],
}


def _with_summary(qs: QuerySet[Merchant], reach: Reach) -> QuerySet[Merchant]:
    """Annotate milestones reached, team size, last review and what other apps contribute (the
    last stream, streams run), each a correlated subquery: one query whatever the number of rows."""
    reviews = Review.objects.filter(merchant=OuterRef("pk")).order_by("-created_at", "-id")
    # Whoever may not read reviews (trainers) does not learn their outcome from the summary.
    reviews_readable = not reach.scope(Review.objects.all()).query.is_empty()
    no_value = Value(None, output_field=CharField())

    def count_of(model, **filters):
        rows = model.objects.filter(merchant=OuterRef("pk"), **filters).order_by()
        counted = rows.values("merchant").annotate(n=Count("id")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    return qs.annotate(
        milestone_count=count_of(Milestone),
        team_size=count_of(TeamMember, is_active=True),
        last_review_at=(
            Subquery(reviews.values("created_at")[:1])
            if reviews_readable
            else Value(None, output_field=DateTimeField())
        ),
        last_review_outcome=(
            Subquery(reviews.values("outcome")[:1]) if reviews_readable else no_value
        ),
        # streams run and the last stream: contributed by the top layer from livestreams
        **extensions.gather(extensions.MERCHANT_SUMMARY),
    )


def merchant_overview(
    *,
    reach: Reach,
    stage: str = "",
    milestone: str = "",
    search: str = "",
    sort: str = "name",
) -> QuerySet[Merchant]:
    """The base manager's merchant list: each row carries its milestones reached, last stream and
    last review as subqueries, so a page costs the same few queries whatever its length."""
    qs = _with_summary(merchant_list(reach=reach), reach)
    qs = qs.prefetch_related(
        Prefetch("milestones", queryset=reach.scope(Milestone.objects.order_by("reached_at")))
    )
    if stage in Merchant.Stage.values:
        qs = qs.filter(stage=stage)
    if milestone in Milestone.Kind.values:
        qs = qs.filter(Q(milestones__kind=milestone))
    if search:
        qs = qs.filter(name__icontains=search.strip())
    return qs.order_by(*MERCHANT_SORTS.get(sort, MERCHANT_SORTS["name"]))


def merchant_overview_for_manager(
    *, reach: Reach, stage: str = "", milestone: str = "", search: str = "", sort: str = "name"
) -> QuerySet[Merchant]:
    """``merchant_overview`` as the manager's list page reads it: refused (403) to anyone but a
    base manager, before anything is read."""
    require_base_manager(reach)
    return merchant_overview(
        reach=reach, stage=stage, milestone=milestone, search=search, sort=sort
    )


def merchant_detail(*, reach: Reach, pk: int, with_summary: bool = False) -> Merchant:
    """One merchant with its team, accounts, agents, milestones, stage history and reviews."""
    qs = merchant_list(reach=reach)
    if with_summary:
        qs = _with_summary(qs, reach)
    # Each related list is scoped too: a trainer may read a merchant's name and stage, but not
    # its team, accounts or supervision reviews.
    scoped = reach.scope
    qs = qs.prefetch_related(
        Prefetch("team", queryset=scoped(TeamMember.objects.select_related("user"))),
        Prefetch("platform_accounts", queryset=scoped(PlatformAccount.objects.all())),
        Prefetch("agents", queryset=scoped(ForeignAgent.objects.all())),
        Prefetch("milestones", queryset=scoped(Milestone.objects.order_by("reached_at"))),
        Prefetch(
            "stage_changes",
            queryset=scoped(
                StageChange.objects.select_related("changed_by").order_by("changed_at", "id")
            ),
        ),
        Prefetch(
            "status_changes",
            queryset=scoped(
                StatusChange.objects.select_related("changed_by").order_by("changed_at", "id")
            ),
        ),
        Prefetch("reviews", queryset=scoped(Review.objects.select_related("reviewer"))),
    )
    return get_object_or_404(qs, pk=pk)


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # "stage", "status", "milestone" or "review"
    obj: object


def incubation_timeline(merchant: Merchant) -> list[TimelineEntry]:
    """Stage changes, milestones and reviews of a merchant (from ``merchant_detail``), by date."""
    entries = [TimelineEntry(c.changed_at, "stage", c) for c in merchant.stage_changes.all()]
    # the standing's history beyond the registration (every merchant starts active)
    entries += [
        TimelineEntry(c.changed_at, "status", c)
        for c in merchant.status_changes.all()
        if c.from_status
    ]
    entries += [TimelineEntry(m.reached_at, "milestone", m) for m in merchant.milestones.all()]
    entries += [TimelineEntry(r.created_at, "review", r) for r in merchant.reviews.all()]
    return sorted(entries, key=lambda e: e.at)


def team_list(*, reach: Reach, merchant_id: int | None = None) -> QuerySet[TeamMember]:
    qs = reach.scope(TeamMember.objects.select_related("merchant", "user"))
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return qs


def review_list(*, reach: Reach, merchant_id: int | None = None) -> QuerySet[Review]:
    qs = reach.scope(Review.objects.select_related("merchant", "reviewer"))
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return qs


def platform_account_get(*, reach: Reach, pk: int) -> PlatformAccount:
    return get_object_or_404(reach.scope(PlatformAccount.objects.select_related("merchant")), pk=pk)


def foreign_agent_get(*, reach: Reach, pk: int) -> ForeignAgent:
    return get_object_or_404(reach.scope(ForeignAgent.objects.select_related("merchant")), pk=pk)


def team_member_get(*, reach: Reach, pk: int) -> TeamMember:
    return get_object_or_404(team_list(reach=reach), pk=pk)


def base_list(*, reach: Reach) -> QuerySet[Base]:
    return reach.scope(Base.objects.all())


def invitations_pending(*, reach: Reach, merchant_id: int | None = None) -> QuerySet[Invitation]:
    """Invitations not yet used nor expired, within reach (a merchant's, or all of the base's)."""
    rows = reach.scope(Invitation.objects.select_related("merchant", "invited_by")).filter(
        accepted_at__isnull=True, expires_at__gt=timezone.now()
    )
    return rows if merchant_id is None else rows.filter(merchant_id=merchant_id)


def applicants_waiting(*, reach: Reach) -> QuerySet[Merchant]:
    """Merchants at the applicant stage, waiting to be admitted (or turned away), the longest
    waiting first; the base's managers only (403)."""
    require_base_manager(reach)
    return (
        merchant_list(reach=reach)
        .filter(stage=Merchant.Stage.APPLICANT)
        .order_by("created_at", "id")
    )
