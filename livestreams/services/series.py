"""Recurring schedules ("every day at 20:00 for four weeks on Douyin in room 3"): every free date
is booked through ``streams.stream_schedule`` and every clash reported; a series is changed or
cancelled from a date on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import DomainError
from jingdezhen.core.tenancy import Reach
from merchants.models import Merchant, TeamMember

from .. import lifecycle
from ..models import LiveRoom, LiveStream, StreamSeries
from .booking import release_crew
from .streams import require_merchant_write, stream_schedule, stream_update


@dataclass
class SeriesOutcome:
    series: StreamSeries
    created: list = field(default_factory=list)
    clashes: list = field(default_factory=list)  # (date, message)


def _series_dates(first: dt.date, last: dt.date, weekdays: str) -> list[dt.date]:
    days = []
    day = first
    while day <= last:
        if str(day.weekday()) in weekdays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@transaction.atomic
def series_create(
    *,
    reach: Reach,
    merchant: Merchant,
    title: str,
    platform: str,
    start_time: dt.time,
    duration_minutes: int,
    first_date: dt.date,
    last_date: dt.date,
    weekdays: str = "0123456",
    room: LiveRoom | None = None,
    host: TeamMember | None = None,
    assistant_host: TeamMember | None = None,
    operator: TeamMember | None = None,
) -> SeriesOutcome:
    """Create a recurring schedule in one step: every date that clashes is reported, the rest
    booked."""
    require_merchant_write(reach, merchant)
    title = bounds.check_text(title or "", field="title", max_length=160)
    bounds.check_day(first_date, field="first_date")
    bounds.check_day(last_date, field="last_date")
    weekdays = "".join(sorted(set(weekdays) & set("0123456")))
    if not weekdays:
        raise DomainError(_("Choose at least one weekday."), field="weekdays")
    if last_date < first_date:
        raise DomainError(_("The last date must not be before the first."), field="last_date")
    if (last_date - first_date).days > 92:
        raise DomainError(_("A series spans at most three months."), field="last_date")
    if not 15 <= duration_minutes <= 720:
        raise DomainError(_("A stream lasts 15 minutes to 12 hours."), field="duration_minutes")
    series = StreamSeries.objects.create(
        merchant=merchant,
        title=title.strip(),
        platform=platform,
        room=room,
        start_time=start_time,
        duration_minutes=duration_minutes,
        first_date=first_date,
        last_date=last_date,
        weekdays=weekdays,
    )
    outcome = SeriesOutcome(series=series)
    for day in _series_dates(first_date, last_date, weekdays):
        start = _at(day, start_time)
        try:
            outcome.created.append(
                stream_schedule(
                    reach=reach,
                    merchant=merchant,
                    title=title,
                    platform=platform,
                    planned_start=start,
                    planned_end=start + dt.timedelta(minutes=duration_minutes),
                    room=room,
                    host=host,
                    assistant_host=assistant_host,
                    operator=operator,
                    series=series,
                )
            )
        except DomainError as exc:
            outcome.clashes.append((day, exc.message))
    return outcome


def _series_streams_from(series: StreamSeries, from_date: dt.date) -> QuerySet[LiveStream]:
    start = _at(from_date, dt.time(0, 0))
    return series.streams.filter(
        status=LiveStream.Status.SCHEDULED, planned_start__gte=start
    ).order_by("planned_start")


@transaction.atomic
def series_cancel_from(*, reach: Reach, series: StreamSeries, from_date: dt.date) -> int:
    """Cancel the series' scheduled streams from ``from_date`` on; returns how many."""
    require_merchant_write(reach, series.merchant)
    streams = _series_streams_from(series, from_date)
    ids = list(streams.values_list("pk", flat=True))
    count = LiveStream.objects.filter(
        pk__in=ids, status__in=lifecycle.transition("cancel").sources
    ).update(
        status=lifecycle.transition("cancel").target,
        cancelled_at=timezone.now(),
        updated_at=Now(),
    )
    release_crew(stream_ids=ids)
    StreamSeries.objects.filter(pk=series.pk, last_date__gte=from_date).update(
        last_date=max(from_date - dt.timedelta(days=1), series.first_date)
    )
    return count


@transaction.atomic
def series_change_from(
    *,
    reach: Reach,
    series: StreamSeries,
    from_date: dt.date,
    start_time: dt.time | None = None,
    duration_minutes: int | None = None,
    title: str | None = None,
    host: TeamMember | None = None,
    change_host: bool = False,
) -> SeriesOutcome:
    """Move or rename the series' scheduled streams from ``from_date`` on. A date whose new time
    clashes keeps its old time and is reported."""
    require_merchant_write(reach, series.merchant)
    outcome = SeriesOutcome(series=series)
    for stream in _series_streams_from(series, from_date):
        changes = {}
        day = timezone.localtime(stream.planned_start).date()
        if start_time is not None or duration_minutes is not None:
            time = start_time or timezone.localtime(stream.planned_start).time()
            minutes = duration_minutes or int(
                (stream.planned_end - stream.planned_start).total_seconds() // 60
            )
            changes["planned_start"] = _at(day, time)
            changes["planned_end"] = changes["planned_start"] + dt.timedelta(minutes=minutes)
        if title:
            changes["title"] = title
        if change_host:
            changes["host"] = host
        try:
            with transaction.atomic():
                outcome.created.append(stream_update(reach=reach, stream=stream, **changes))
        except DomainError as exc:
            outcome.clashes.append((day, exc.message))
    fields = {}
    if start_time is not None:
        fields["start_time"] = start_time
    if duration_minutes is not None:
        fields["duration_minutes"] = duration_minutes
    if title:
        fields["title"] = title
    if fields and from_date <= series.first_date:
        StreamSeries.objects.filter(pk=series.pk).update(**fields)
    return outcome
