"""Reads of the turnover rollups shared by the dashboards, the API and the CSV downloads.

Every read is scoped by the caller's reach and touches only rollup tables (plus the merchant and
milestone rows), so a page costs the same whatever the number of orders. The one deliberate
exception to row scoping is ``peer_standing``: it returns only medians and quartiles over the
merchant's peers (never a peer's own figures), and only when there are enough peers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from jingdezhen.core.days import day_bounds, local_zone, month_bounds
from jingdezhen.core.stats import median
from jingdezhen.core.tenancy import Reach
from livestreams.models import LiveStream
from livestreams.selectors import utilisation_figures
from merchants.models import Merchant, Milestone

from .models import (
    DailyBaseBreakdown,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    DailyRoomUsage,
    DailyTurnover,
    DailyTurnoverDetail,
    MonthlyMerchantTurnover,
)

ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
PERIODS = (30, 90, 365)
# Peer figures are shown only over at least this many peers, so no single peer can be read off.
MIN_PEERS = 3
TOP_MERCHANTS = 10


def today() -> dt.date:
    return timezone.localdate(timezone.now(), local_zone())


def merchant_rows(queryset: QuerySet, merchant_id: int) -> QuerySet:
    """One merchant's rows of DailyTurnover or DailyTurnoverDetail.

    Those tables have no (merchant, day) index (the daily roll would write it at 1,400 scattered
    places). A merchant's rows are found through its merchant-day rows instead: the days it sold
    come from DailyMerchantTurnover's (merchant, day) index, and each day's rows from the table's
    unique (day, merchant, ...) index. A merchant sells on a day exactly when it has a merchant-day
    row (the same roll writes both), so no row is lost; the query costs one probe a day it sold,
    not a scan of the base's rows.
    """
    days = DailyMerchantTurnover.objects.filter(merchant_id=merchant_id).values("day")
    return queryset.filter(merchant_id=merchant_id, day__in=days)


def turnover_daily_list(
    *,
    reach: Reach,
    merchant_id: int | None = None,
    platform: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[DailyTurnover]:
    qs = reach.scope(DailyTurnover.objects.select_related("merchant"))
    if reach.is_merchant:
        qs = merchant_rows(qs, reach.merchant_id)
    if merchant_id is not None:
        qs = merchant_rows(qs, merchant_id)
    if platform:
        qs = qs.filter(platform=platform)
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    return qs


def _sums(prefix: str = "") -> dict:
    return {
        "gross": Sum(f"{prefix}gross_cny", default=ZERO),
        "refunded": Sum(f"{prefix}refunded_cny", default=ZERO),
        "net": Sum(f"{prefix}net_cny", default=ZERO),
        "orders": Sum(f"{prefix}orders", default=0),
        "units": Sum(f"{prefix}units", default=0),
    }


@dataclass
class Share:
    key: str
    label: str
    gross: Decimal
    net: Decimal
    orders: int
    share: Decimal = ZERO  # of the period's gross, in percent

    @property
    def aov(self) -> Decimal | None:
        return (self.gross / self.orders).quantize(Decimal("0.01")) if self.orders else None


@dataclass
class Dashboard:
    """What both dashboards show; the merchant's adds a calendar and its peer standing."""

    today: dt.date
    days: int
    series: list[dict]  # one per day of the period, oldest first: day, gross, refunded, net, orders
    today_row: dict
    yesterday_row: dict
    period: dict
    previous: dict
    record: dict | None
    platforms: list[Share]
    countries: list[Share]
    tiers: list[Share]
    overseas_gross: Decimal
    top_merchants: list[dict] = field(default_factory=list)
    room_utilisation: dict | None = None
    funnel: list[dict] = field(default_factory=list)
    calendar: list | None = None
    peers: dict | None = None

    @property
    def growth(self) -> Decimal | None:
        if not self.previous["net"]:
            return None
        change = (self.period["net"] - self.previous["net"]) / self.previous["net"] * 100
        return change.quantize(Decimal("0.1"))

    @property
    def growth_text(self) -> str:
        """The growth with its sign: '+12.5' or '-3.0'."""
        growth = self.growth
        return "" if growth is None else f"{growth:+}"

    @property
    def overseas_share(self) -> Decimal | None:
        if not self.period["gross"]:
            return None
        return (self.overseas_gross / self.period["gross"] * 100).quantize(Decimal("0.1"))


def _empty_row(day: dt.date | None = None) -> dict:
    return {"day": day, "gross": ZERO, "refunded": ZERO, "net": ZERO, "orders": 0, "units": 0}


def _daily_series(rows, *, today_: dt.date, days: int) -> tuple[list, dict, dict, dict, dict]:
    """Fill gaps with zero days; split into this period and the one before it."""
    by_day = {row["day"]: row for row in rows}
    series = []
    for n in range(days - 1, -1, -1):
        day = today_ - dt.timedelta(days=n)
        series.append(by_day.get(day) or _empty_row(day))

    def total(lo: dt.date, hi: dt.date) -> dict:
        out = _empty_row()
        for day, row in by_day.items():
            if lo <= day <= hi:
                for key in ("gross", "refunded", "net", "orders", "units"):
                    out[key] += row[key]
        return out

    first = today_ - dt.timedelta(days=days - 1)
    period = total(first, today_)
    previous = total(first - dt.timedelta(days=days), first - dt.timedelta(days=1))
    return (
        series,
        by_day.get(today_) or _empty_row(today_),
        by_day.get(today_ - dt.timedelta(days=1)) or _empty_row(today_ - dt.timedelta(days=1)),
        period,
        previous,
    )


def _shares(rows: dict, labels: dict, total_gross: Decimal) -> list[Share]:
    shares = []
    for key, acc in rows.items():
        share = Share(
            key, str(labels.get(key, key or "—")), acc["gross"], acc["net"], acc["orders"]
        )
        if total_gross:
            share.share = (acc["gross"] / total_gross * 100).quantize(Decimal("0.1"))
        shares.append(share)
    return sorted(shares, key=lambda s: (-s.gross, s.key))


def _breakdown(rows, dimension: str) -> dict:
    out: dict = {}
    for row in rows:
        acc = out.setdefault(row[dimension], {"gross": ZERO, "net": ZERO, "orders": 0})
        acc["gross"] += row["gross"]
        acc["net"] += row["net"]
        acc["orders"] += row["orders"]
    return out


def _labels():
    from jingdezhen.core.platforms import Platform

    from .models import Product

    tiers = dict(Product.Tier.choices)
    tiers[""] = _unclassified()
    return dict(Platform.choices), tiers


def _unclassified():
    from django.utils.translation import gettext_lazy as _

    return _("Without lines")


def base_dashboard(*, reach: Reach, days: int = 30, today_: dt.date | None = None) -> Dashboard:
    """The base manager's dashboard over the last ``days`` days (7 queries, none over orders)."""
    today_ = today_ or today()
    since = today_ - dt.timedelta(days=2 * days - 1)
    first = today_ - dt.timedelta(days=days - 1)
    base_rows = reach.scope(DailyBaseTurnover.objects.all())
    daily = base_rows.filter(day__gte=since, day__lte=today_).values("day").annotate(**_sums())
    series, today_row, yesterday_row, period, previous = _daily_series(
        daily.order_by(), today_=today_, days=days
    )
    record = base_rows.values("day").annotate(**_sums()).order_by("-net", "day").first()
    cube = list(
        reach.scope(DailyBaseBreakdown.objects.all())
        .filter(day__gte=first, day__lte=today_)
        .values("platform", "country", "tier")
        .annotate(**_sums())
        .order_by()
    )
    platform_labels, tier_labels = _labels()
    overseas = sum((r["gross"] for r in cube if r["country"] != "CN"), ZERO)
    top = top_merchants(reach=reach, first=first, last=today_, today_=today_)
    utilisation = room_utilisation(reach=reach, first=first, last=today_)
    return Dashboard(
        today=today_,
        days=days,
        series=series,
        today_row=today_row,
        yesterday_row=yesterday_row,
        period=period,
        previous=previous,
        record=record,
        platforms=_shares(_breakdown(cube, "platform"), platform_labels, period["gross"]),
        countries=_shares(_breakdown(cube, "country"), {}, period["gross"]),
        tiers=_shares(_breakdown(cube, "tier"), tier_labels, period["gross"]),
        overseas_gross=overseas,
        top_merchants=top,
        room_utilisation=utilisation,
        funnel=incubation_funnel(reach=reach),
    )


def room_utilisation(*, reach: Reach, first: dt.date, last: dt.date) -> dict:
    """The base's room utilisation from ``first`` to ``last`` (inclusive), read from the daily
    room-usage rollup: the rule of livestreams.selectors (booked over each room's own opening
    hours), summed over the rooms and days (one query)."""
    usage = (
        reach.scope(DailyRoomUsage.objects.all())
        .filter(day__gte=first, day__lte=last)
        .aggregate(minutes=Sum("booked_minutes", default=0), open=Sum("open_minutes", default=0))
    )
    return utilisation_figures(usage["minutes"], usage["open"])


def _month_plan(first: dt.date, last: dt.date, today_: dt.date):
    """How to sum ``first``..``last`` from monthly and merchant-day rows, reading the fewest
    rows: (months to read whole, day ranges to add, day ranges to subtract).

    A month wholly inside the range is one monthly row a merchant. A month the range cuts is
    either its included days, or its monthly row less its excluded days, whichever reads fewer
    rows; excluded days after today have no rows yet, so the current month costs one monthly row
    (and its later days are still subtracted, in case an order was dated ahead).
    """
    months, add, subtract = [], [], []
    month = first.replace(day=1)
    while month <= last:
        after = month_bounds(month)[1]
        month_last = after - dt.timedelta(days=1)
        inside = (max(first, month), min(last, month_last))
        included = (inside[1] - inside[0]).days + 1
        excluded = [
            (start, end)
            for start, end in ((month, inside[0] - ONE_DAY), (inside[1] + ONE_DAY, month_last))
            if start <= end
        ]
        # What reading them costs: days after today have no rows (yet).
        excluded_days = sum(max(0, (min(end, today_) - start).days + 1) for start, end in excluded)
        if excluded_days < included:
            months.append(month)
            subtract.extend(excluded)
        else:
            add.append(inside)
        month = after
    return months, add, subtract


def top_merchants(
    *, reach: Reach, first: dt.date, last: dt.date, today_: dt.date | None = None
) -> list[dict]:
    """The merchants with the highest net turnover from ``first`` to ``last``.

    Read from the monthly rollup where the range holds (most of) a month and from the
    merchant-day rollup for the rest (``_month_plan``): a year reads about twelve rows a merchant
    plus a few days, however many days the merchants sold on. Then the ten names. At most four
    queries.
    """
    months, add, subtract = _month_plan(first, last, today_ or today())
    figures = ("net", "gross", "refunded", "orders", "units")
    sums = _sums()

    def between(ranges):
        condition = Q(pk__in=[])
        for start, end in ranges:
            condition |= Q(day__gte=start, day__lte=end)
        return condition

    days = reach.scope(DailyMerchantTurnover.objects.all())
    parts = []
    if months:
        parts.append((1, reach.scope(MonthlyMerchantTurnover.objects.filter(month__in=months))))
    if add:
        parts.append((1, days.filter(between(add))))
    if subtract:
        parts.append((-1, days.filter(between(subtract))))
    totals: dict[int, dict] = {}
    for sign, rows in parts:
        for row in rows.values("merchant_id").annotate(**sums).order_by():
            total = totals.setdefault(
                row["merchant_id"],
                {"merchant_id": row["merchant_id"], **_empty_row()},
            )
            for name in figures:
                total[name] += sign * row[name]
    ranked = [row for row in totals.values() if row["orders"]]
    top = sorted(ranked, key=lambda row: (-row["net"], row["merchant_id"]))[:TOP_MERCHANTS]
    names = dict(
        reach.scope(Merchant.objects.all())
        .filter(pk__in=[row["merchant_id"] for row in top])
        .values_list("pk", "name")
    )
    for row in top:
        row["merchant__name"] = names.get(row["merchant_id"], "")
    return top


def incubation_funnel(*, reach: Reach) -> list[dict]:
    """Trainees (when the training app provides them) -> applicants -> incubating -> graduated."""
    from django.utils.translation import gettext_lazy as _

    by_stage = dict(
        reach.scope(Merchant.objects.all()).order_by().values_list("stage").annotate(n=Count("id"))
    )
    steps = []
    trainees = _trainee_count(reach)
    if trainees is not None:
        steps.append({"key": "trainees", "label": _("Trainees"), "count": trainees})
    for stage in (Merchant.Stage.APPLICANT, Merchant.Stage.INCUBATING, Merchant.Stage.GRADUATED):
        steps.append({"key": stage, "label": stage.label, "count": by_stage.get(stage, 0)})
    return steps


def _trainee_model():
    if not apps.is_installed("training"):
        return None
    try:
        return apps.get_model("training", "Trainee")
    except LookupError:
        return None


def _trainee_count(reach: Reach) -> int | None:
    model = _trainee_model()
    if model is None:
        return None
    try:
        return reach.scope(model.objects.all()).count()
    except ImproperlyConfigured:  # a Trainee without a tenancy rule cannot be counted safely
        return None


def merchant_dashboard(
    *, reach: Reach, merchant: Merchant, days: int = 30, today_: dt.date | None = None
) -> Dashboard:
    """One merchant's dashboard; ``merchant`` must come from a scoped selector (merchant_get)."""
    today_ = today_ or today()
    since = today_ - dt.timedelta(days=2 * days - 1)
    first = today_ - dt.timedelta(days=days - 1)
    rows = reach.scope(DailyMerchantTurnover.objects.all()).filter(merchant_id=merchant.pk)
    daily = (
        rows.filter(day__gte=since, day__lte=today_)
        .values("day")
        .annotate(**_sums(), overseas=Sum("overseas_cny", default=ZERO))
    )
    series, today_row, yesterday_row, period, previous = _daily_series(
        daily.order_by(), today_=today_, days=days
    )
    record = rows.values("day").annotate(**_sums()).order_by("-net", "day").first()
    platform_rows = list(
        merchant_rows(reach.scope(DailyTurnover.objects.all()), merchant.pk)
        .filter(day__gte=first, day__lte=today_)
        .values("platform")
        .annotate(**_sums())
        .order_by()
    )
    detail = list(
        merchant_rows(reach.scope(DailyTurnoverDetail.objects.all()), merchant.pk)
        .filter(day__gte=first, day__lte=today_)
        .values("country", "tier")
        .annotate(**_sums())
        .order_by()
    )
    platform_labels, tier_labels = _labels()
    return Dashboard(
        today=today_,
        days=days,
        series=series,
        today_row=today_row,
        yesterday_row=yesterday_row,
        period=period,
        previous=previous,
        record=record,
        platforms=_shares(_breakdown(platform_rows, "platform"), platform_labels, period["gross"]),
        countries=_shares(_breakdown(detail, "country"), {}, period["gross"]),
        tiers=_shares(_breakdown(detail, "tier"), tier_labels, period["gross"]),
        overseas_gross=sum(
            (r.get("overseas", ZERO) for r in series if r["day"] and r["day"] >= first), ZERO
        ),
        calendar=stream_calendar(reach=reach, merchant=merchant, month=today_.replace(day=1)),
        peers=peer_standing(merchant=merchant, days=days, today_=today_),
    )


def merchant_weekly_trend(
    *, reach: Reach, merchant_id: int, weeks: int = 8, today_: dt.date | None = None
) -> list[dict]:
    """A merchant's net turnover and orders per week (Monday to Sunday) over the last ``weeks``
    weeks, oldest first, the current week so far included: one query over the merchant-day
    rollups (at most 7 x ``weeks`` rows)."""
    today_ = today_ or today()
    first = today_ - dt.timedelta(days=today_.weekday(), weeks=weeks - 1)
    trend = [
        {"week": first + dt.timedelta(weeks=n), "net": ZERO, "orders": 0} for n in range(weeks)
    ]
    rows = (
        reach.scope(DailyMerchantTurnover.objects.all())
        .filter(merchant_id=merchant_id, day__gte=first, day__lte=today_)
        .values_list("day", "net_cny", "orders")
    )
    for day, net, orders in rows:
        week = trend[(day - first).days // 7]
        week["net"] += net
        week["orders"] += orders
    return trend


GMV_BUCKETS = (Decimal("0"), Decimal("1000"), Decimal("5000"), Decimal("10000"), Decimal("50000"))


def gmv_bucket(net: Decimal) -> int:
    """0 for a day without sales, then 1..5 by the marks above (CSS classes gmv-0..gmv-5)."""
    if net <= 0:
        return 0
    return sum(1 for mark in GMV_BUCKETS if net >= mark)


def stream_calendar(*, reach: Reach, merchant: Merchant, month: dt.date) -> list[list[dict]]:
    """Weeks (Monday first) of ``month``: each day's streams and net turnover, shaded by it."""
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    last = next_month - dt.timedelta(days=1)
    net_by_day = dict(
        reach.scope(DailyMerchantTurnover.objects.all())
        .filter(merchant_id=merchant.pk, day__gte=month, day__lte=last)
        .values_list("day", "net_cny")
    )
    start, _ = day_bounds(month)
    end, _ = day_bounds(next_month)
    streams_by_day: dict = {}
    streams = (
        reach.scope(LiveStream.objects.all())
        .filter(merchant_id=merchant.pk, planned_start__gte=start, planned_start__lt=end)
        .exclude(status=LiveStream.Status.CANCELLED)
        .only("id", "title", "platform", "planned_start", "is_rehearsal", "status")
        .order_by("planned_start")
    )
    zone = local_zone()
    for stream in streams:
        day = timezone.localtime(stream.planned_start, zone).date()
        streams_by_day.setdefault(day, []).append(stream)
    weeks, week = [], [None] * month.weekday()
    day = month
    while day <= last:
        net = net_by_day.get(day, ZERO)
        week.append(
            {
                "day": day,
                "net": net,
                "bucket": gmv_bucket(net),
                "streams": streams_by_day.get(day, []),
            }
        )
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += dt.timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks


PEERS_SQL = """
WITH cohort AS (
    SELECT m.id FROM merchants_merchant m
    WHERE m.base_id = %(base)s AND m.kind = %(kind)s AND m.stage = %(stage)s
), per_merchant AS (
    -- The period's sums, from monthly and merchant-day rows (_period_rows, _month_plan).
    SELECT t.merchant_id,
           SUM(t.net) AS net,
           SUM(t.gross) / NULLIF(SUM(t.orders), 0) AS aov
    FROM ({period_rows}) t
    GROUP BY t.merchant_id
), viewers AS (
    -- Unique viewers of the period's ended streams (rehearsals never count).
    SELECT s.merchant_id, SUM(s.unique_viewers) AS viewers
    FROM livestreams_livestream s
    WHERE s.merchant_id IN (SELECT id FROM cohort)
      AND s.status = 'ended' AND NOT s.is_rehearsal AND s.unique_viewers > 0
      AND s.planned_start >= %(starts)s AND s.planned_start < %(ends)s
    GROUP BY s.merchant_id
), peers AS (
    SELECT c.id,
           COALESCE(p.net, 0) / %(days)s AS daily_net,
           p.aov,
           COALESCE(p.net, 0) * 1000 / v.viewers AS gpm
    FROM cohort c
    LEFT JOIN per_merchant p ON p.merchant_id = c.id
    LEFT JOIN viewers v ON v.merchant_id = c.id
)
SELECT COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY daily_net),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY daily_net),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY aov),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY aov),
       MAX(daily_net) FILTER (WHERE id = %(merchant)s),
       MAX(aov) FILTER (WHERE id = %(merchant)s),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY gpm),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY gpm),
       MAX(gpm) FILTER (WHERE id = %(merchant)s)
FROM peers
"""


# The rows whose sums per merchant are a period's figures for the cohort: whole months from the
# monthly rollup, the days of cut months added or subtracted (signs) from the merchant-day one.
_PERIOD_MONTHS = """
    SELECT merchant_id, net_cny AS net, gross_cny AS gross, orders
    FROM orders_monthlymerchantturnover
    WHERE month = ANY(%(months)s) AND merchant_id IN (SELECT id FROM cohort)"""
_PERIOD_DAYS = """
    SELECT merchant_id, {sign}net_cny, {sign}gross_cny, {sign}orders
    FROM orders_dailymerchantturnover
    WHERE merchant_id IN (SELECT id FROM cohort)
      AND day >= %({key}_from)s AND day <= %({key}_to)s"""


def _period_rows(first: dt.date, last: dt.date, today_: dt.date) -> tuple[str, dict]:
    """The SQL of the rows (merchant_id, net, gross, orders) that sum to ``first``..``last`` for
    each merchant of a ``cohort`` CTE, read as ``_month_plan`` says, and its parameters."""
    months, add, subtract = _month_plan(first, last, today_)
    parts, params = [_PERIOD_MONTHS], {"months": months}
    for sign, ranges in (("", add), ("-", subtract)):
        for start, end in ranges:
            key = f"range_{len(params)}"
            params.update({f"{key}_from": start, f"{key}_to": end})
            parts.append(_PERIOD_DAYS.format(sign=sign, key=key))
    return "\n    UNION ALL".join(parts), params


def peer_standing(*, merchant: Merchant, days: int = 30, today_: dt.date | None = None) -> dict:
    """The merchant's daily net turnover and average order value against the median and the top
    quarter of merchants of the same kind and stage at its base, and its GPM: net turnover per
    thousand unique viewers of its ended streams in the period (merchants without recorded
    viewers have no GPM and are left out of its median)."""
    today_ = today_ or today()
    first = today_ - dt.timedelta(days=days - 1)
    period_rows, period_params = _period_rows(first, today_, today_)
    params = {
        **period_params,
        "days": days,
        "base": merchant.base_id,
        "kind": merchant.kind,
        "stage": merchant.stage,
        "starts": day_bounds(first)[0],
        "ends": day_bounds(today_)[1],
        "merchant": merchant.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(PEERS_SQL.format(period_rows=period_rows), params)
        row = cursor.fetchone()
    count, med_net, top_net, med_aov, top_aov, own_net, own_aov, med_gpm, top_gpm, own_gpm = row

    def money(value):
        return None if value is None else Decimal(value).quantize(Decimal("0.01"))

    enough = count >= MIN_PEERS
    return {
        "peers": count,
        "enough": enough,
        "kind": merchant.get_kind_display(),
        "stage": merchant.get_stage_display(),
        "own_daily_net": money(own_net) or ZERO,
        "own_aov": money(own_aov),
        "median_daily_net": money(med_net) if enough else None,
        "top_quarter_daily_net": money(top_net) if enough else None,
        "median_aov": money(med_aov) if enough else None,
        "top_quarter_aov": money(top_aov) if enough else None,
        "own_gpm": money(own_gpm),
        "median_gpm": money(med_gpm) if enough else None,
        "top_quarter_gpm": money(top_gpm) if enough else None,
    }


def incubation_cohorts(*, reach: Reach) -> list[dict]:
    """Per cohort of newcomers (merchants by the month they joined the base): how many, the
    median days from joining to the first stream and to the first sale, and how many have had a
    10,000 CNY day. First stream and 10k day come from the milestones, first sale from the
    rollups (the first day with turnover: one probe of the merchant-day index a merchant, however
    long it has sold). Two queries."""
    first_sale = (
        reach.scope(DailyMerchantTurnover.objects.all())
        .filter(merchant_id=OuterRef("pk"), orders__gt=0)
        .order_by("day")
        .values("day")[:1]
    )
    merchants = list(
        reach.scope(Merchant.objects.all())
        .exclude(stage=Merchant.Stage.EXITED)
        .annotate(first_sale=Subquery(first_sale))
        .values("id", "joined_on", "first_sale")
        .order_by()
    )
    marks = {}
    for merchant_id, kind, reached_at in (
        reach.scope(Milestone.objects.all())
        .filter(kind__in=[Milestone.Kind.FIRST_STREAM, Milestone.Kind.FIRST_10K_DAY])
        .values_list("merchant_id", "kind", "reached_at")
    ):
        marks[(merchant_id, kind)] = timezone.localtime(reached_at, local_zone()).date()
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
    out = []
    for month in sorted(cohorts, reverse=True):
        c = cohorts[month]
        out.append(
            {
                "month": month,
                "size": c["size"],
                "streamed": len(c["to_stream"]),
                "median_days_to_stream": median(c["to_stream"]),
                "sold": len(c["to_sale"]),
                "median_days_to_sale": median(c["to_sale"]),
                "reached_10k": c["reached_10k"],
            }
        )
    return out
