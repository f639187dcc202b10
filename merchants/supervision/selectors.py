"""Reads of supervision, scoped by the caller's reach; every one runs a constant number of queries
whatever the number of merchants (the weekly figures are read for all of them at once).

A week is Monday to Sunday in the base's calendar (``jingdezhen.core.days``). The *last complete
week* is the one before today's; a merchant is behind when that week's streams or GMV are below
its target. Weeks are compared with today's target (a target changed mid-way is not replayed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from jingdezhen.core.days import week_start
from jingdezhen.core.tenancy import Reach

from ..models import Base, Merchant, Review
from . import figures
from .models import (
    SUPERVISED_STAGES,
    FollowUpClosure,
    MerchantTarget,
    PlatformViolation,
    StageTarget,
    SupervisionAlert,
    SupervisionRules,
)

WEEK = dt.timedelta(weeks=1)
# Weeks read back from the last complete one: the longest run of missed weeks counted.
LOOKBACK_WEEKS = 12
SUPERVISED = [stage for stage, _label in SUPERVISED_STAGES]


def require_supervisor(reach: Reach) -> None:
    """Supervision is the base managers' (and admins'); to anyone else its pages do not exist
    (404, as a foreign object: a merchant does not learn what is kept about it)."""
    if not (reach.is_manager or reach.is_admin):
        raise Http404


def last_complete_week(today: dt.date) -> dt.date:
    return week_start(today) - WEEK


@dataclass(frozen=True)
class Target:
    streams_per_week: int | None = None
    gmv_per_week: Decimal | None = None
    # Which figure comes from the merchant's own target (the rest is its stage's).
    own_streams: bool = False
    own_gmv: bool = False

    @property
    def is_set(self) -> bool:
        return self.streams_per_week is not None or self.gmv_per_week is not None

    def missed(self, streams: int, gmv: Decimal) -> bool:
        if self.streams_per_week is not None and streams < self.streams_per_week:
            return True
        return self.gmv_per_week is not None and gmv < self.gmv_per_week


def effective_target(stage: StageTarget | None, own: MerchantTarget | None) -> Target:
    """The merchant's own figure where it set one, its stage's elsewhere."""
    own_streams = own is not None and own.streams_per_week is not None
    own_gmv = own is not None and own.gmv_per_week is not None
    return Target(
        streams_per_week=own.streams_per_week
        if own_streams
        else (stage.streams_per_week if stage else None),
        gmv_per_week=own.gmv_per_week if own_gmv else (stage.gmv_per_week if stage else None),
        own_streams=own_streams,
        own_gmv=own_gmv,
    )


@dataclass
class Standing:
    """How one merchant stands against its target."""

    merchant: Merchant
    target: Target
    week: dt.date  # the last complete week (its Monday)
    streams: int  # in that week
    gmv: Decimal
    weeks_missed: int  # below target in a row, ending with that week
    this_week_streams: int
    this_week_gmv: Decimal
    last_stream_on: dt.date | None
    days_without_stream: int
    history: list[dict] = field(default_factory=list)  # the weeks read, newest first

    @property
    def is_behind(self) -> bool:
        return self.weeks_missed > 0


def rules_for(base_id: int) -> SupervisionRules:
    """The base's rules, or the defaults (unsaved) when it set none."""
    return SupervisionRules.objects.filter(base_id=base_id).first() or SupervisionRules(
        base_id=base_id
    )


def stage_targets(*, reach: Reach, base_id: int) -> dict[str, StageTarget]:
    rows = reach.scope(StageTarget.objects.filter(base_id=base_id))
    return {row.stage: row for row in rows}


def _supervised(reach: Reach) -> QuerySet[Merchant]:
    return reach.scope(
        Merchant.objects.filter(stage__in=SUPERVISED, status=Merchant.Status.ACTIVE)
    ).select_related("target")


def _since(merchant: Merchant) -> dt.date:
    return merchant.incubation_started_on or merchant.joined_on


def standings(
    *, reach: Reach, base_id: int, merchants: list[Merchant], today: dt.date
) -> list[Standing]:
    """The standing of ``merchants`` (of one base, each with ``target`` loaded): two queries for
    the stage targets and the weekly figures' own (one per figure)."""
    targets = stage_targets(reach=reach, base_id=base_id)
    last = last_complete_week(today)
    first = last - WEEK * (LOOKBACK_WEEKS - 1)
    this_week = week_start(today)
    found = figures.weekly_figures(
        base_id=base_id,
        merchant_ids=[m.pk for m in merchants],
        first_week=first,
        last_week=this_week,
    )
    result = []
    for merchant in merchants:
        own = getattr(merchant, "target", None) if _has_target(merchant) else None
        target = effective_target(targets.get(merchant.stage), own)
        numbers = found[merchant.pk]
        since = week_start(_since(merchant))
        history, missed, counting = [], 0, True
        week = last
        while week >= first and week >= since:
            streams, gmv = numbers.streams_in(week), numbers.gmv_in(week)
            below = target.is_set and target.missed(streams, gmv)
            history.append({"week": week, "streams": streams, "gmv": gmv, "below": below})
            if counting and below:
                missed += 1
            else:
                counting = False
            week -= WEEK
        start = numbers.last_stream_on or _since(merchant)
        result.append(
            Standing(
                merchant=merchant,
                target=target,
                week=last,
                streams=numbers.streams_in(last),
                gmv=numbers.gmv_in(last),
                weeks_missed=missed,
                this_week_streams=numbers.streams_in(this_week),
                this_week_gmv=numbers.gmv_in(this_week),
                last_stream_on=numbers.last_stream_on,
                days_without_stream=max((today - start).days, 0),
                history=history,
            )
        )
    return result


def _has_target(merchant: Merchant) -> bool:
    try:
        merchant.target  # noqa: B018 - loaded by select_related; missing raises
    except MerchantTarget.DoesNotExist:
        return False
    return True


def _base_ids(reach: Reach) -> list[int]:
    if reach.base_id is not None:
        return [reach.base_id]
    return list(reach.scope(Base.objects.all()).values_list("pk", flat=True))


def supervised_standings(*, reach: Reach, today: dt.date) -> list[Standing]:
    """Every supervised merchant's standing in the reach (active, incubating or graduated)."""
    require_supervisor(reach)
    merchants = list(_supervised(reach))
    result: list[Standing] = []
    for base_id in _base_ids(reach):  # one base for a manager
        of_base = [m for m in merchants if m.base_id == base_id]
        if of_base:
            result += standings(reach=reach, base_id=base_id, merchants=of_base, today=today)
    return result


def merchants_falling_behind(*, reach: Reach, today: dt.date) -> list[Standing]:
    """The merchants whose last complete week was below target, with the figure against the
    target and the weeks missed in a row; longest behind first."""
    behind = [s for s in supervised_standings(reach=reach, today=today) if s.is_behind]
    return sorted(behind, key=lambda s: (-s.weeks_missed, s.merchant.name, s.merchant.pk))


def open_follow_ups(*, reach: Reach) -> QuerySet[Review]:
    """Reviews with a follow-up date not yet closed, in reach."""
    require_supervisor(reach)
    closed = FollowUpClosure.objects.filter(review=OuterRef("pk"))
    return (
        reach.scope(Review.objects.filter(follow_up_on__isnull=False))
        .exclude(Exists(closed))
        .select_related("merchant", "reviewer")
        .order_by("follow_up_on", "merchant__name", "pk")
    )


def follow_ups_due(*, reach: Reach, today: dt.date) -> QuerySet[Review]:
    """Open follow-ups due today or overdue, the oldest first (one query)."""
    return open_follow_ups(reach=reach).filter(follow_up_on__lte=today)


def follow_up_get(*, reach: Reach, review_id: int) -> Review:
    """An open follow-up in reach; a closed, missing or foreign one is a 404."""
    return get_object_or_404(open_follow_ups(reach=reach), pk=review_id)


def open_alerts(*, reach: Reach) -> QuerySet[SupervisionAlert]:
    require_supervisor(reach)
    return reach.scope(SupervisionAlert.objects.filter(closed_at__isnull=True)).select_related(
        "merchant"
    )


def alert_get(*, reach: Reach, pk: int) -> SupervisionAlert:
    require_supervisor(reach)
    return get_object_or_404(
        reach.scope(SupervisionAlert.objects.select_related("merchant")), pk=pk
    )


def violation_get(*, reach: Reach, pk: int) -> PlatformViolation:
    require_supervisor(reach)
    return get_object_or_404(reach.scope(PlatformViolation.objects.all()), pk=pk)


def violations_counted(*, merchant_id: int, rules: SupervisionRules, today: dt.date) -> int:
    """The violations of the rules' window (the last N days, today included)."""
    since = today - dt.timedelta(days=rules.violation_window_days - 1)
    return PlatformViolation.objects.filter(
        merchant_id=merchant_id, occurred_on__gte=since, occurred_on__lte=today
    ).count()


def merchant_supervision(*, reach: Reach, merchant_id: int, today: dt.date) -> dict:
    """The supervision panel of one merchant's page: its target and standing, open alerts,
    follow-ups and platform violations (a constant number of queries)."""
    require_supervisor(reach)
    merchant = get_object_or_404(
        reach.scope(Merchant.objects.select_related("target")), pk=merchant_id
    )
    rules = rules_for(merchant.base_id)
    own = merchant.target if _has_target(merchant) else None
    standing = standings(reach=reach, base_id=merchant.base_id, merchants=[merchant], today=today)[
        0
    ]
    follow_ups = list(
        reach.scope(Review.objects.filter(merchant_id=merchant.pk, follow_up_on__isnull=False))
        .select_related("follow_up_closure__closed_by", "reviewer")
        .order_by("-follow_up_on", "-pk")[:20]
    )
    violations = list(
        reach.scope(PlatformViolation.objects.filter(merchant_id=merchant.pk)).select_related(
            "recorded_by"
        )[:50]
    )
    return {
        "merchant": merchant,
        "rules": rules,
        "own_target": own,
        "standing": standing,
        "supervised": merchant.stage in SUPERVISED and merchant.status == Merchant.Status.ACTIVE,
        "alerts": list(open_alerts(reach=reach).filter(merchant_id=merchant.pk)),
        "follow_ups": follow_ups,
        "violations": violations,
        "violations_counted": violations_counted(merchant_id=merchant.pk, rules=rules, today=today),
        "today": today,
    }
