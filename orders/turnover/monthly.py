"""The base's turnover over a span of days for the monthly report (月报): the totals with the
overseas share, and the turnover by week and platform. Read from the base's daily rollups (the
same rows the dashboard reads), two queries whatever the number of orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncWeek

from jingdezhen.core.tenancy import Reach

from ..models import DailyBaseBreakdown, DailyBaseTurnover
from .selectors import require_reader

ZERO = Decimal("0")


def _sums() -> dict:
    return {
        "gross": Sum("gross_cny", default=ZERO),
        "refunded": Sum("refunded_cny", default=ZERO),
        "net": Sum("net_cny", default=ZERO),
        "orders": Sum("orders", default=0),
        "units": Sum("units", default=0),
    }


def base_span_totals(*, reach: Reach, first: dt.date, last: dt.date) -> dict:
    """Gross, refunded, net, orders, units and the overseas gross (CNY) from ``first`` to
    ``last``, with the overseas share of the gross in percent (None without sales)."""
    require_reader(reach)
    totals = (
        reach.scope(DailyBaseTurnover.objects.all())
        .filter(day__gte=first, day__lte=last)
        .aggregate(**_sums(), overseas=Sum("overseas_cny", default=ZERO))
    )
    gross = totals["gross"]
    totals["overseas_share"] = (
        (totals["overseas"] / gross * 100).quantize(Decimal("0.1")) if gross else None
    )
    return totals


def base_weeks_by_platform(*, reach: Reach, first: dt.date, last: dt.date) -> list[dict]:
    """One row per week (its Monday; the first and last weeks cut to the span) and platform:
    gross, refunded, net, orders, units; weeks in order, platforms by gross."""
    require_reader(reach)
    rows = (
        reach.scope(DailyBaseBreakdown.objects.all())
        .filter(day__gte=first, day__lte=last)
        .annotate(week=TruncWeek("day"))
        .values("week", "platform")
        .annotate(**_sums())
        .order_by("week", "-gross", "platform")
    )
    return [{**row, "week": max(row["week"], first)} for row in rows]
