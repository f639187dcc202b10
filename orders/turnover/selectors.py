"""Reads of the turnover rollups shared by the dashboards, the API and the CSV downloads.

Every read is scoped by the caller's reach and touches only rollup tables (plus the merchant
rows, and for the peers' GPM the viewers the live streams report), so a page costs the same
whatever the number of orders. The one deliberate exception to row scoping is
``peer_standing``: it returns only medians and quartiles over the merchant's peers (never a
peer's own figures), and only when there are enough peers.

The dashboards here hold the turnover figures; jingdezhen.pages.dashboard adds what other apps
own (room utilisation, the incubation funnel, the stream calendar). Net is always the rollups'
``net_cny`` (gross - refunded, orders.ordering.selectors' GMV); a period's sum is read as
``periods.month_plan`` says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DateField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.days import today
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tenancy import MANAGER, MERCHANT, Reach
from merchants import permissions as team
from merchants.models import Merchant

from ..models import (
    DailyBaseBreakdown,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    DailyTurnover,
    DailyTurnoverDetail,
    MonthlyMerchantTurnover,
    Product,
)
from .peers import peer_standing
from .periods import month_plan

ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
PERIODS = (30, 90, 365)
# Peer figures are shown only over at least this many peers, so no single peer can be read off.
TOP_MERCHANTS = 10


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


def require_reader(reach: Reach) -> None:
    """Who reads turnover: the base's managers and merchant members (their own) whose team role
    reads it (not hosts, not customer service: ``merchants.permissions``); others 403."""
    reach.require_role(MANAGER, MERCHANT)
    team.require_role(reach, team.TURNOVER_READ)


def turnover_daily_list(
    *,
    reach: Reach,
    merchant_id: int | None = None,
    platform: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[DailyTurnover]:
    require_reader(reach)
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
    tiers = dict(Product.Tier.choices)
    tiers[""] = _("Without lines")
    return dict(Platform.choices), tiers


def base_dashboard(*, reach: Reach, days: int = 30, today_: dt.date | None = None) -> Dashboard:
    """The base manager's turnover over the last ``days`` days (5 queries, none over orders);
    jingdezhen.pages.dashboard adds the room utilisation and the incubation funnel. The base's
    managers only (403)."""
    reach.require_role(MANAGER)
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
    )


def top_merchants(
    *, reach: Reach, first: dt.date, last: dt.date, today_: dt.date | None = None
) -> list[dict]:
    """The merchants with the highest net turnover from ``first`` to ``last``.

    Read from the monthly rollup where the range holds (most of) a month and from the
    merchant-day rollup for the rest (``periods.month_plan``): a year reads about twelve rows a
    merchant plus a few days, however many days the merchants sold on. Then the ten names. At
    most four queries.
    """
    months, add, subtract = month_plan(first, last, today_ or today())
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


def merchant_dashboard(
    *, reach: Reach, merchant: Merchant, days: int = 30, today_: dt.date | None = None
) -> Dashboard:
    """One merchant's turnover and peer standing; ``merchant`` must come from a scoped selector
    (merchant_get). jingdezhen.pages.dashboard adds the stream calendar. The base's managers and
    the merchant's members only (403)."""
    require_reader(reach)
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


def merchant_net_by_day(
    *, reach: Reach, merchant_id: int, first: dt.date, last: dt.date
) -> dict[dt.date, Decimal]:
    """A merchant's net turnover per day it sold from ``first`` to ``last`` (one query)."""
    return dict(
        reach.scope(DailyMerchantTurnover.objects.all())
        .filter(merchant_id=merchant_id, day__gte=first, day__lte=last)
        .values_list("day", "net_cny")
    )


def net_per_week(
    *, reach: Reach, merchant_ids: list[int], first_week: dt.date, last_week: dt.date
) -> dict[tuple[int, dt.date], Decimal]:
    """Each merchant's net turnover (the GMV of the dashboards) per week, keyed by merchant id
    and the week's Monday, from the Monday ``first_week`` through the week of ``last_week``:
    one grouped query over the merchant-day rollups for all the merchants."""
    rows = (
        reach.scope(DailyMerchantTurnover.objects.all())
        .filter(
            merchant_id__in=merchant_ids,
            day__gte=first_week,
            day__lte=last_week + dt.timedelta(days=6),
        )
        .annotate(week=TruncWeek("day", output_field=DateField()))
        .order_by()
        .values("merchant_id", "week")
        .annotate(net=Sum("net_cny"))
    )
    return {(row["merchant_id"], row["week"]): row["net"] for row in rows}


def first_sale_day(*, reach: Reach, merchant: OuterRef | None = None) -> Subquery:
    """The first day with turnover of the merchant ``merchant`` (``OuterRef("pk")`` by default),
    as a subquery to annotate merchants with: one probe of the merchant-day index a merchant,
    however long it has sold."""
    return Subquery(
        reach.scope(DailyMerchantTurnover.objects.all())
        .filter(merchant_id=merchant or OuterRef("pk"), orders__gt=0)
        .order_by("day")
        .values("day")[:1]
    )


def own_board_merchant(reach: Reach) -> int:
    """The merchant whose turnover a member's own board (/turnover/) shows: merchant members
    only (403), and only with a team (404)."""
    reach.require_role(MERCHANT)
    if reach.merchant_id is None:
        raise Http404
    return reach.merchant_id
