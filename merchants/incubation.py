"""Incubation analytics: the stage funnel and the cohorts of newcomers.

The merchants' own figures are read here; what other apps own (trainees, the first day with
turnover) is handed in by jingdezhen.pages.incubation, which combines them, so this app imports
no other app.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Expression, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from jingdezhen.core.days import day_bounds, local_zone
from jingdezhen.core.stats import median
from jingdezhen.core.tenancy import MANAGER, Reach

from .models import Merchant, Milestone, StageChange

FUNNEL_STAGES = (Merchant.Stage.APPLICANT, Merchant.Stage.INCUBATING, Merchant.Stage.GRADUATED)


def stage_funnel(*, reach: Reach) -> list[dict]:
    """Applicants -> incubating -> graduated: how many merchants of the reach are at each stage
    (one query)."""
    reach.require_role(MANAGER)
    by_stage = dict(
        reach.scope(Merchant.objects.all()).order_by().values_list("stage").annotate(n=Count("id"))
    )
    return [
        {"key": stage, "label": stage.label, "count": by_stage.get(stage, 0)}
        for stage in FUNNEL_STAGES
    ]


def _milestone_days(reach: Reach) -> dict[tuple[int, str], dt.date]:
    """The local day of each merchant's first stream and first 10,000 CNY day (one query)."""
    zone = local_zone()
    return {
        (merchant_id, kind): timezone.localtime(reached_at, zone).date()
        for merchant_id, kind, reached_at in (
            reach.scope(Milestone.objects.all())
            .filter(kind__in=[Milestone.Kind.FIRST_STREAM, Milestone.Kind.FIRST_10K_DAY])
            .values_list("merchant_id", "kind", "reached_at")
        )
    }


def incubation_cohorts(*, reach: Reach, first_sale: Expression | None = None) -> list[dict]:
    """Per cohort of newcomers (merchants by the month they joined the base): how many, the
    median days from joining to the first stream and to the first sale, and how many have had a
    10,000 CNY day. First stream and 10k day come from the milestones, the first sale from
    ``first_sale``: an expression of a merchant's first day with turnover (the orders' rollups,
    orders.turnover.selectors.first_sale_day), annotated onto the merchants. Two queries.

    The medians are ``jingdezhen.core.stats.median`` (the mean of the middle two), their one
    definition."""
    reach.require_role(MANAGER)
    merchants = list(
        reach.scope(Merchant.objects.all())
        .exclude(stage=Merchant.Stage.EXITED)
        .annotate(first_sale=first_sale if first_sale is not None else Value(None))
        .values("id", "joined_on", "first_sale")
        .order_by()
    )
    marks = _milestone_days(reach)
    cohorts: dict = {}
    for m in merchants:
        cohort = cohorts.setdefault(
            m["joined_on"].replace(day=1),
            {"size": 0, "to_stream": [], "to_sale": [], "reached_10k": 0},
        )
        cohort["size"] += 1
        stream_day = marks.get((m["id"], Milestone.Kind.FIRST_STREAM))
        if stream_day:
            cohort["to_stream"].append(max((stream_day - m["joined_on"]).days, 0))
        sale_day = m["first_sale"]
        if sale_day:
            cohort["to_sale"].append(max((sale_day - m["joined_on"]).days, 0))
        if (m["id"], Milestone.Kind.FIRST_10K_DAY) in marks:
            cohort["reached_10k"] += 1
    return [_cohort_row(month, cohorts[month]) for month in sorted(cohorts, reverse=True)]


def _cohort_row(month: dt.date, cohort: dict) -> dict:
    return {
        "month": month,
        "size": cohort["size"],
        "streamed": len(cohort["to_stream"]),
        "median_days_to_stream": median(cohort["to_stream"]),
        "sold": len(cohort["to_sale"]),
        "median_days_to_sale": median(cohort["to_sale"]),
        "reached_10k": cohort["reached_10k"],
    }


def stage_moves(*, reach: Reach, first: dt.date, last: dt.date) -> dict[str, int]:
    """How many merchants moved into each stage from ``first`` to ``last`` (local days), read
    from the stage history (one query)."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    rows = (
        reach.scope(StageChange.objects.all())
        .filter(changed_at__gte=start, changed_at__lt=end)
        .values("to_stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["to_stage"]: row["n"] for row in rows}


def stage_counts_at(*, reach: Reach, last: dt.date) -> dict[str, int]:
    """How many merchants were in each stage at the end of ``last``: the stage of their last
    change by then, or, never changed, the stage they have if they had joined (one query)."""
    _, end = day_bounds(last)
    latest = (
        StageChange.objects.filter(merchant=OuterRef("pk"), changed_at__lt=end)
        .order_by("-changed_at", "-id")
        .values("to_stage")[:1]
    )
    rows = (
        reach.scope(Merchant.objects.filter(joined_on__lte=last))
        .annotate(stage_then=Coalesce(Subquery(latest), F("stage")))
        .values("stage_then")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["stage_then"]: row["n"] for row in rows}
