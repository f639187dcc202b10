"""What the streams say about a merchant, as annotations of a merchant queryset: the streams run
and the last stream (not a rehearsal, not cancelled, started), each a correlated subquery so a
list of any length costs one query. The merchant list gathers them (jingdezhen.core.extensions)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DateField, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from jingdezhen.core.days import day_bounds, local_zone

from .models import LiveStream


def merchant_stream_summary() -> dict:
    started = LiveStream.objects.filter(
        merchant=OuterRef("pk"), is_rehearsal=False, planned_start__lte=timezone.now()
    ).exclude(status=LiveStream.Status.CANCELLED)
    ended = (
        LiveStream.objects.filter(
            merchant=OuterRef("pk"), is_rehearsal=False, status=LiveStream.Status.ENDED
        )
        .order_by()
        .values("merchant")
        .annotate(n=Count("id"))
        .values("n")
    )
    return {
        "streams_run": Coalesce(Subquery(ended, output_field=IntegerField()), Value(0)),
        "last_stream_at": Subquery(started.order_by("-planned_start").values("planned_start")[:1]),
    }


def _local_week(expression):

    return TruncWeek(expression, tzinfo=local_zone(), output_field=DateField())


def streams_run_per_week(
    *, reach, merchant_ids: list[int], first_week: dt.date, last_week: dt.date
) -> dict[tuple[int, dt.date], int]:
    """The streams each merchant ran (ended, not rehearsals) per local week (keyed by merchant
    id and the week's Monday), from the Monday ``first_week`` through the week of ``last_week``:
    one grouped query for all the merchants."""

    start = day_bounds(first_week)[0]
    end = day_bounds(last_week + dt.timedelta(days=6))[1]
    rows = (
        reach.scope(LiveStream.objects.all())
        .filter(
            merchant_id__in=merchant_ids,
            is_rehearsal=False,
            status=LiveStream.Status.ENDED,
            actual_start__gte=start,
            actual_start__lt=end,
        )
        .annotate(week=_local_week("actual_start"))
        .order_by()
        .values("merchant_id", "week")
        .annotate(n=Count("id"))
    )
    return {(row["merchant_id"], row["week"]): row["n"] for row in rows}


def last_stream_started(*, reach, merchant_ids: list[int]) -> dict[int, dt.date]:
    """The local day each merchant last went live (a stream live or ended, not a rehearsal):
    one grouped query."""

    rows = (
        reach.scope(LiveStream.objects.all())
        .filter(
            merchant_id__in=merchant_ids,
            is_rehearsal=False,
            status__in=(LiveStream.Status.LIVE, LiveStream.Status.ENDED),
            actual_start__isnull=False,
        )
        .order_by()
        .values("merchant_id")
        .annotate(last=Max("actual_start"))
    )
    zone = local_zone()
    return {row["merchant_id"]: row["last"].astimezone(zone).date() for row in rows}
