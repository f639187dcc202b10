"""Reads of what needs doing about streams and rooms, for the homes (jingdezhen/pages/home/):
streams that should be live and are not, rooms free tonight, a merchant's streams of today and
tomorrow, and the products short for a coming stream. Selectors like those of ``selectors``
(scoped by the reach, one query each); kept apart so that neither file outgrows its room."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from jingdezhen.core.days import day_bounds, local_zone
from jingdezhen.core.tenancy import MANAGER, Reach
from merchants import permissions as team
from orders.catalogue.selectors import products_low_in_stock
from orders.models import Product

from .models import LiveRoom, LiveStream, StreamSettings
from .selectors import room_list, stream_list


def _hours_after(start, hours) -> ExpressionWrapper:
    """``start`` plus a whole number of hours (a column), as a timestamp in SQL."""
    span = ExpressionWrapper(hours * Value(dt.timedelta(hours=1)), DurationField())
    return ExpressionWrapper(start + span, DateTimeField())


def streams_overdue(*, reach: Reach, now: dt.datetime | None = None) -> QuerySet[LiveStream]:
    """Today's streams that should be live and are not: still scheduled, their planned start
    more than the base's late-stream grace ago (``StreamSettings.missed_after_minutes``, the rule
    the late-stream notification flags by), their planned end still ahead; oldest first (one
    query); the base's managers only (403)."""
    reach.require_role(MANAGER)
    now = now or timezone.now()
    day_start, _end = day_bounds(timezone.localtime(now, local_zone()).date())
    grace = StreamSettings.objects.filter(base_id=OuterRef("merchant__base_id")).values(
        "missed_after_minutes"
    )[:1]
    default = StreamSettings._meta.get_field("missed_after_minutes").default
    return (
        stream_list(reach=reach)
        .filter(
            status=LiveStream.Status.SCHEDULED,
            is_rehearsal=False,
            planned_start__gte=day_start,
            planned_start__lt=now,
            planned_end__gt=now,
        )
        .alias(grace=Coalesce(Subquery(grace), Value(default), output_field=IntegerField()))
        .alias(
            late_from=ExpressionWrapper(
                F("planned_start")
                + ExpressionWrapper(F("grace") * Value(dt.timedelta(minutes=1)), DurationField()),
                DateTimeField(),
            )
        )
        .filter(late_from__lte=now)
        .order_by("planned_start", "id")
    )


def rooms_free_tonight(*, reach: Reach, now: dt.datetime | None = None) -> QuerySet[LiveRoom]:
    """The base's active rooms with no booking in tonight's prime time (each room's own
    ``prime_start_hour``..``prime_end_hour``, the hours the live board and the room grid call
    prime), while that prime time is not over (one query); the base's managers only (403)."""
    reach.require_role(MANAGER)
    now = now or timezone.now()
    day_start, _end = day_bounds(timezone.localtime(now, local_zone()).date())
    prime_from = _hours_after(Value(day_start), OuterRef("prime_start_hour"))
    prime_until = _hours_after(Value(day_start), OuterRef("prime_end_hour"))
    booked = LiveStream.objects.filter(
        room_id=OuterRef("pk"),
        status__in=LiveStream.ACTIVE_STATUSES,
        planned_start__lt=prime_until,
        blocked_until__gt=prime_from,
    )
    return (
        room_list(reach=reach, active_only=True)
        .filter(prime_end_hour__gt=timezone.localtime(now, local_zone()).hour)
        .exclude(Exists(booked))
    )


def streams_soon(*, reach: Reach, today: dt.date | None = None) -> QuerySet[LiveStream]:
    """The streams of today and tomorrow still to run or running (a crew-only role: those it
    crews), soonest first, with the number of products on each run sheet (one query)."""
    team.require_role(reach, team.STREAMS_READ)
    today = today or timezone.localdate(timezone.now(), local_zone())
    start, _end = day_bounds(today)
    _start, end = day_bounds(today + dt.timedelta(days=1))
    return (
        stream_list(reach=reach)
        .filter(
            status__in=LiveStream.ACTIVE_STATUSES, planned_start__gte=start, planned_start__lt=end
        )
        .annotate(featured_count=Count("featured"))
        .order_by("planned_start", "id")
    )


def products_short_for_streams(
    *, reach: Reach, now: dt.datetime | None = None
) -> QuerySet[Product]:
    """Products low in stock or sold out (``orders.catalogue.selectors.LOW_STOCK``) that a
    scheduled or live stream still to end features, each with the soonest such stream; fewest
    units first (one query)."""
    team.require_role(reach, team.CATALOGUE_READ)
    now = now or timezone.now()
    streams = (
        stream_list(reach=reach)
        .filter(
            featured__product_id=OuterRef("pk"),
            status__in=LiveStream.ACTIVE_STATUSES,
            planned_end__gt=now,
        )
        .order_by("planned_start", "id")
    )
    return (
        products_low_in_stock(reach=reach)
        .filter(Exists(streams))
        .annotate(
            next_stream_id=Subquery(streams.values("pk")[:1]),
            next_stream_title=Subquery(streams.values("title")[:1]),
            next_stream_start=Subquery(streams.values("planned_start")[:1]),
        )
        .order_by("stock", "next_stream_start", "id")
    )
