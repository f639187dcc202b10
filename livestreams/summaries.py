"""What the streams say about a merchant, as annotations of a merchant queryset: the streams run
and the last stream (not a rehearsal, not cancelled, started), each a correlated subquery so a
list of any length costs one query. The merchant list gathers them (jingdezhen.core.extensions)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

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
