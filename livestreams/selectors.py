"""Reads of live rooms and streams shared by pages, API and tasks; every one is scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from psycopg2 import sql

from jingdezhen.core.days import day_bounds, local_zone
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tenancy import MANAGER, Reach
from merchants import permissions as team
from orders.models import Order, OrderLine, Product, ProductPhoto
from orders.ordering.selectors import (
    COUNTED_ORDERS_SQL,
    GMV_SQL,
    counted_orders,
    gmv_params,
    gmv_sum,
    line_revenue_cny,
)

from .models import (
    FeaturedProduct,
    LiveRoom,
    LiveStream,
    StreamSeries,
    StreamSettings,
)
from .usage import room_day_usage_params, room_day_usage_sql, utilisation_figures

# --- rooms ------------------------------------------------------------------------------------


def room_list(*, reach: Reach, active_only: bool = False) -> QuerySet[LiveRoom]:
    qs = reach.scope(LiveRoom.objects.all())
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("name", "id")


def room_get(*, reach: Reach, pk: int) -> LiveRoom:
    return get_object_or_404(room_list(reach=reach), pk=pk)


def settings_get(*, reach: Reach) -> StreamSettings:
    found = reach.scope(StreamSettings.objects.all()).first()
    return found or StreamSettings(base_id=reach.base_id)


@dataclass
class Slot:
    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def room_free_slots(
    *, reach: Reach, room: LiveRoom, day: dt.date, buffer_minutes: int = 0, min_minutes: int = 15
) -> list[Slot]:
    """The free stretches of a room on a day: its opening hours less the active bookings
    (each with its changeover buffer). Two queries at most."""
    start, _end = day_bounds(day)
    opens = start + dt.timedelta(hours=room.opens_hour)
    closes = start + dt.timedelta(hours=room.closes_hour)
    # The room is within reach (room_get); its bookings are read unscoped because only their
    # times are used: a merchant learns when the room is taken, never by whom.
    busy = LiveStream.objects.filter(
        room=room,
        status__in=LiveStream.ACTIVE_STATUSES,
        planned_start__lt=closes,
        blocked_until__gt=opens,
    )
    slots, cursor = [], opens
    if day == timezone.localdate():
        cursor = max(opens, timezone.now().replace(second=0, microsecond=0))
    for s, blocked in busy.order_by("planned_start").values_list("planned_start", "blocked_until"):
        # a new booking must leave its own changeover buffer before the next one
        free_until = min(s - dt.timedelta(minutes=buffer_minutes), closes)
        if free_until > cursor:
            slots.append(Slot(cursor, free_until))
        cursor = max(cursor, blocked)
    if cursor < closes:
        slots.append(Slot(cursor, closes))
    return [s for s in slots if s.minutes >= min_minutes]


# --- streams ----------------------------------------------------------------------------------


def stream_list(*, reach: Reach) -> QuerySet[LiveStream]:
    """Streams within reach; a crew-only team role (a host) sees only the streams it crews."""
    return reach.scope(
        LiveStream.objects.select_related("merchant", "room", "host", "assistant_host", "operator")
    ).filter(team.stream_crew_filter(reach))


def stream_get(*, reach: Reach, pk: int) -> LiveStream:
    return get_object_or_404(stream_list(reach=reach).select_related("series", "showing"), pk=pk)


def stream_with_featured(*, reach: Reach, pk: int) -> LiveStream:
    """A stream with its run sheet (featured products in order, with their current stock)."""
    qs = stream_list(reach=reach).prefetch_related(
        Prefetch(
            "featured",
            queryset=FeaturedProduct.objects.select_related("product").order_by("position", "id"),
        )
    )
    return get_object_or_404(qs, pk=pk)


def stream_for_run_sheet(*, reach: Reach, pk: int) -> LiveStream:
    """A stream with its run sheet for the host's phone page: featured products in order, each
    with its product, current stock and photos (thumbnails only; three queries in all)."""
    photos = ProductPhoto.objects.order_by("position", "id")
    qs = stream_list(reach=reach).prefetch_related(
        Prefetch(
            "featured",
            queryset=FeaturedProduct.objects.select_related("product")
            .prefetch_related(Prefetch("product__photos", queryset=photos))
            .order_by("position", "id"),
        )
    )
    return get_object_or_404(qs, pk=pk)


def stream_picks(
    *, reach: Reach, merchant_id: int, q: str = "", chosen: int | None = None, limit: int = 20
) -> list[LiveStream]:
    """A merchant's streams for a picker (the order form's "live stream"): those whose title
    holds ``q``, nearest in time first -- today's and the coming ones by start, then the past
    ones latest first -- with their room (one query). The ``chosen`` stream, if within reach,
    comes first whatever ``q`` says, so a search never drops the choice already made."""
    today = day_bounds(timezone.localdate())[0]
    qs = reach.scope(LiveStream.objects.select_related("room")).filter(merchant_id=merchant_id)
    found = Q(title__icontains=q) if q else Q()
    if chosen:
        found |= Q(pk=chosen)
    coming = Q(planned_start__gte=today)
    return list(
        qs.filter(found)
        .annotate(
            is_chosen=Case(When(pk=chosen or 0, then=0), default=1),
            is_past=Case(When(coming, then=0), default=1),
            coming_start=Case(When(coming, then=F("planned_start"))),
        )
        .order_by("is_chosen", "is_past", F("coming_start").asc(nulls_last=True), "-planned_start")[
            :limit
        ]
    )


def featured_list(*, reach: Reach) -> QuerySet[FeaturedProduct]:
    """Run-sheet items (featured products) of the streams within reach, stream by stream in
    run-sheet order; a crew-only team role sees those of the streams it crews."""
    qs = reach.scope(FeaturedProduct.objects.select_related("product"))
    return qs.filter(team.stream_crew_filter(reach, prefix="stream__")).order_by(
        "stream_id", "position", "id"
    )


def featured_get(*, reach: Reach, stream_pk: int, pk: int) -> FeaturedProduct:
    qs = reach.scope(FeaturedProduct.objects.select_related("stream__merchant", "product"))
    qs = qs.filter(team.stream_crew_filter(reach, prefix="stream__"))
    return get_object_or_404(qs, pk=pk, stream_id=stream_pk)


def streams_for_api(*, reach: Reach) -> QuerySet[LiveStream]:
    return stream_list(reach=reach).prefetch_related(
        Prefetch(
            "featured",
            queryset=FeaturedProduct.objects.select_related("product").order_by("position", "id"),
        )
    )


def merchant_week(*, reach: Reach, merchant_id: int, monday: dt.date) -> list[dict]:
    """The merchant's streams of a week, grouped by day (one query)."""
    start, _ = day_bounds(monday)
    end, _ = day_bounds(monday + dt.timedelta(days=7))
    streams = (
        stream_list(reach=reach)
        .filter(merchant_id=merchant_id, planned_start__gte=start, planned_start__lt=end)
        .order_by("planned_start", "id")
    )
    days = [{"date": monday + dt.timedelta(days=i), "streams": []} for i in range(7)]
    for stream in streams:
        index = (timezone.localtime(stream.planned_start).date() - monday).days
        days[index]["streams"].append(stream)
    return days


def base_streams(
    *,
    reach: Reach,
    merchant: str = "",
    platform: str = "",
    room_id: int | None = None,
    status: str = "",
    day: dt.date | None = None,
) -> QuerySet[LiveStream]:
    qs = stream_list(reach=reach)
    if merchant:
        qs = qs.filter(merchant__name__icontains=merchant)
    if platform:
        qs = qs.filter(platform=platform)
    if room_id == 0:
        qs = qs.filter(room__isnull=True)
    elif room_id:
        qs = qs.filter(room_id=room_id)
    if status:
        qs = qs.filter(status=status)
    if day:
        start, end = day_bounds(day)
        qs = qs.filter(planned_start__gte=start, planned_start__lt=end)
    return qs.order_by("-planned_start", "-id")


def series_list(*, reach: Reach) -> QuerySet[StreamSeries]:
    """Recurring schedules within reach, newest first, with how many of their streams are still
    scheduled (one query)."""
    return (
        reach.scope(StreamSeries.objects.select_related("merchant", "room"))
        .annotate(
            scheduled_count=Count("streams", filter=Q(streams__status=LiveStream.Status.SCHEDULED))
        )
        .order_by("-first_date", "-id")
    )


def series_get(*, reach: Reach, pk: int) -> StreamSeries:
    return get_object_or_404(
        reach.scope(StreamSeries.objects.select_related("merchant", "room")), pk=pk
    )


def series_streams(*, reach: Reach, series: StreamSeries) -> QuerySet[LiveStream]:
    return stream_list(reach=reach).filter(series=series).order_by("planned_start")


# --- the base's day grid and week utilisation -------------------------------------------------


@dataclass
class GridRow:
    room: LiveRoom
    cells: list = field(default_factory=list)  # one per hour: {"hour", "streams", "prime", "open"}
    booked_minutes: int = 0


def room_day_grid(*, reach: Reach, day: dt.date) -> dict:
    """Rooms x hours for one day at the reach's base. Three queries whatever the number of
    merchants or streams: the rooms, the room streams of the day, a per-platform count of all
    the base's streams that day."""
    rooms = list(room_list(reach=reach, active_only=True))
    start, end = day_bounds(day)
    hours = range(
        min((r.opens_hour for r in rooms), default=8),
        max((r.closes_hour for r in rooms), default=24),
    )
    rows = {room.pk: GridRow(room=room) for room in rooms}
    for row in rows.values():
        row.cells = [
            {
                "hour": h,
                "streams": [],
                "prime": row.room.is_prime(h),
                "open": row.room.opens_hour <= h < row.room.closes_hour,
            }
            for h in hours
        ]
    streams = (
        reach.scope(LiveStream.objects.all())
        .filter(
            room_id__in=list(rows),  # the rooms are in hand: the (room, planned_start) index
            planned_start__lt=end,
            planned_end__gt=start,
            status__in=[*LiveStream.ACTIVE_STATUSES, LiveStream.Status.ENDED],
        )
        .select_related("merchant")
        .only(
            "id",
            "title",
            "status",
            "room_id",
            "planned_start",
            "planned_end",
            "merchant__name",
            "is_rehearsal",
        )
        .order_by("planned_start")
    )
    first = hours.start if hours else 0
    for stream in streams:
        row = rows.get(stream.room_id)
        if row is None:
            continue
        s = max(timezone.localtime(stream.planned_start), timezone.localtime(start))
        e = min(timezone.localtime(stream.planned_end), timezone.localtime(end))
        row.booked_minutes += int((e - s).total_seconds() // 60)
        last_hour = 24 if e.date() > s.date() else e.hour + (1 if e.minute or e.second else 0)
        for h in range(s.hour, last_hour):
            index = h - first
            if 0 <= index < len(row.cells):
                row.cells[index]["streams"].append(stream)
    by_platform = list(
        reach.scope(LiveStream.objects.all())
        .filter(planned_start__gte=start, planned_start__lt=end)
        .exclude(status=LiveStream.Status.CANCELLED)
        .values("platform")
        .annotate(n=Count("id"), in_rooms=Count("id", filter=Q(room__isnull=False)))
        .order_by("-n")
    )
    labels = dict(Platform.choices)
    for p in by_platform:
        p["label"] = labels.get(p["platform"], p["platform"])
    # The header marks an hour that is prime time in any room (each room's own prime time, its
    # prime_start_hour..prime_end_hour, is what the room's cells mark).
    return {
        "day": day,
        "hours": [{"hour": h, "prime": any(r.is_prime(h) for r in rooms)} for h in hours],
        "rows": list(rows.values()),
        "by_platform": by_platform,
        "total": sum(p["n"] for p in by_platform),
    }


# Room utilisation is defined once, in livestreams.usage (the rule, its rollup, the dashboard's
# read); the utilisation page reads the rule per room and day here.


def room_usage(*, reach: Reach, first: dt.date, last: dt.date) -> list[dict]:
    """The rule per active room of the reach and day from ``first`` to ``last`` (one query)."""
    rooms = list(room_list(reach=reach, active_only=True).values_list("pk", flat=True))
    if not rooms:
        return []
    params = room_day_usage_params(first=first, last=last, rooms=rooms)
    with connection.cursor() as cursor:
        cursor.execute(room_day_usage_sql(only_rooms=True), params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def room_utilisation(*, reach: Reach, monday: dt.date) -> dict:
    """Booked hours over opening hours per room and day of a week, and over all rooms (two
    queries: the rooms, and the rule's SQL)."""
    rooms = list(room_list(reach=reach, active_only=True))
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    table = {
        (u["room_id"], u["day"]): u for u in room_usage(reach=reach, first=days[0], last=days[-1])
    }
    rows = []
    day_totals = {day: [0, 0, 0] for day in days}
    for room in rooms:
        cells = []
        week = [0, 0]
        for day in days:
            u = table.get((room.pk, day)) or {"booked_minutes": 0, "open_minutes": 0, "streams": 0}
            week[0] += u["booked_minutes"]
            week[1] += u["open_minutes"]
            totals = day_totals[day]
            totals[0] += u["booked_minutes"]
            totals[1] += u["open_minutes"]
            totals[2] += u["streams"]
            cells.append(
                {
                    "day": day,
                    "streams": u["streams"],
                    **utilisation_figures(u["booked_minutes"], u["open_minutes"]),
                }
            )
        rows.append({"room": room, "cells": cells, **utilisation_figures(*week)})
    total_cells = [
        {"day": day, "streams": t[2], **utilisation_figures(t[0], t[1])}
        for day, t in day_totals.items()
    ]
    total = utilisation_figures(
        sum(t[0] for t in day_totals.values()), sum(t[1] for t in day_totals.values())
    )
    return {
        "monday": monday,
        "days": days,
        "rows": rows,
        "total": {"cells": total_cells, **total},
    }


# --- viewers ---------------------------------------------------------------------------------


def ended_stream_viewers_sql(*, merchant_ids: sql.Composable) -> sql.Composed:
    """SQL of (merchant_id, viewers): the unique viewers of the ended streams (rehearsals never
    count) planned from ``%(starts)s`` to before ``%(ends)s`` of the merchants ``merchant_ids``
    (a subquery), for a statement of another app to embed (the peers' GPM)."""
    return sql.SQL(
        """SELECT s.merchant_id, SUM(s.unique_viewers) AS viewers
    FROM {streams} s
    WHERE s.merchant_id IN ({merchant_ids})
      AND s.status = {ended} AND NOT s.is_rehearsal AND s.unique_viewers > 0
      AND s.planned_start >= %(starts)s AND s.planned_start < %(ends)s
    GROUP BY s.merchant_id"""
    ).format(
        streams=sql.Identifier(LiveStream._meta.db_table),
        merchant_ids=merchant_ids,
        ended=sql.Literal(str(LiveStream.Status.ENDED)),
    )


# --- the post-stream report -------------------------------------------------------------------


CENT = Decimal("0.01")

PERCENTILE_SQL = """
WITH per_stream AS (
    SELECT s.id, s.merchant_id, {gmv} AS gmv
    FROM livestreams_livestream s
    JOIN merchants_merchant m ON m.id = s.merchant_id
    LEFT JOIN orders_order o ON o.stream_id = s.id AND {counted}
    WHERE m.base_id = %(base_id)s AND s.status = 'ended' AND NOT s.is_rehearsal
    GROUP BY s.id, s.merchant_id
)
SELECT
    percentile_cont(0.5) WITHIN GROUP (ORDER BY gmv)
        FILTER (WHERE merchant_id = %(merchant_id)s),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY gmv),
    percentile_cont(0.75) WITHIN GROUP (ORDER BY gmv),
    COUNT(*) FILTER (WHERE merchant_id = %(merchant_id)s),
    COUNT(*)
FROM per_stream
"""


def _benchmarks(*, base_id: int, merchant_id: int) -> dict:
    """Median GMV per stream of the merchant; median and top-quarter line of the base. The
    medians are SQL's percentile_cont (their one definition, as for the peers' figures in
    orders.turnover.selectors; at 0.5 it is jingdezhen.core.stats.median's mean of the middle
    two)."""
    with connection.cursor() as cursor:
        cursor.execute(
            PERCENTILE_SQL.format(gmv=GMV_SQL, counted=COUNTED_ORDERS_SQL),
            {**gmv_params(), "base_id": base_id, "merchant_id": merchant_id},
        )
        own, median, top, own_n, n = cursor.fetchone()

    def q(v):
        # percentile_cont answers double precision: back to money at the fen.
        return None if v is None else Decimal(str(v)).quantize(CENT)

    return {
        "merchant_median": q(own),
        "base_median": q(median),
        "base_top_quarter": q(top),
        "merchant_streams": own_n,
        "base_streams": n,
    }


def stream_report(*, reach: Reach, stream: LiveStream) -> dict:
    """GMV, orders, units, AOV, GPM, conversion, viewers, watch time, top products and how the
    stream compares with the merchant's median and the base's median and top quarter. Every
    amount is in CNY (GMV as orders.ordering.selectors defines it; a line's revenue is its share
    of its order's CNY amount)."""
    orders = reach.scope(Order.objects.all()).filter(stream=stream)
    if not stream.is_rehearsal:  # a rehearsal's own report shows its test orders
        orders = counted_orders(orders)
    else:
        orders = orders.filter(status__in=Order.COUNTED_STATUSES)
    totals = orders.aggregate(gmv=gmv_sum(), n=Count("id"), units=Sum("units"))
    # Quantized at the fen whatever scale the driver hands back: the page prints it as it is.
    gmv = (totals["gmv"] or Decimal("0")).quantize(CENT)
    n = totals["n"] or 0
    viewers = stream.unique_viewers or 0
    top_products = list(
        reach.scope(OrderLine.objects.all())
        .filter(order__in=orders)
        .values("product_id", "product__name")
        .annotate(units=Sum("quantity"), revenue=line_revenue_cny())
        .order_by("-revenue", "product_id")[:5]
    )
    for product in top_products:
        product["revenue"] = (product["revenue"] or Decimal("0")).quantize(CENT)
    report = {
        "gmv": gmv,
        "orders": n,
        "units": totals["units"] or 0,
        "aov": (gmv / n).quantize(CENT) if n else None,
        "gpm": (gmv * 1000 / viewers).quantize(CENT) if viewers else None,
        "conversion": round(100 * n / viewers, 2) if viewers else None,
        "unique_viewers": stream.unique_viewers,
        "peak_viewers": stream.peak_viewers,
        "avg_watch_seconds": stream.avg_watch_seconds,
        "top_products": top_products,
    }
    report.update(_benchmarks(base_id=stream.merchant.base_id, merchant_id=stream.merchant_id))
    return report


def products_for_run_sheet(*, reach: Reach, merchant_id: int):
    return reach.scope(Product.objects.all()).filter(merchant_id=merchant_id, is_active=True)


# --- the live board ---------------------------------------------------------------------------


def streams_live_now(*, reach: Reach) -> QuerySet[LiveStream]:
    """The base's streams live now (rehearsals left out: they sell nothing), with their room,
    host and merchant (one query); the base's managers only (403)."""
    reach.require_role(MANAGER)
    return (
        stream_list(reach=reach)
        .filter(status=LiveStream.Status.LIVE, is_rehearsal=False)
        .order_by("actual_start", "id")
    )


def rooms_idle_in_prime_time(*, reach: Reach, now: dt.datetime | None = None) -> QuerySet[LiveRoom]:
    """The base's active rooms whose own prime time holds ``now`` and in which nothing is live
    (one query); the base's managers only (403)."""
    reach.require_role(MANAGER)
    hour = timezone.localtime(now or timezone.now(), local_zone()).hour
    live_here = LiveStream.objects.filter(room_id=OuterRef("pk"), status=LiveStream.Status.LIVE)
    return (
        room_list(reach=reach, active_only=True)
        .filter(prime_start_hour__lte=hour, prime_end_hour__gt=hour)
        .exclude(Exists(live_here))
    )


def streams_run_between(*, reach: Reach, first: dt.date, last: dt.date) -> dict:
    """Streams that went live from ``first`` to ``last`` (local days), rehearsals left out: how
    many, and by how many merchants (one query)."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    ran = stream_list(reach=reach).filter(
        is_rehearsal=False, actual_start__gte=start, actual_start__lt=end
    )
    return ran.aggregate(streams=Count("id"), merchants=Count("merchant", distinct=True))
