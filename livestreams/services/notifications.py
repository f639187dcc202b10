"""Telling people about streams: late streams flagged (and the unstarted ones marked missed),
reminders before a stream. The flagging and the reminders are run by Celery beat
(``livestreams.tasks``) and are safe to run any number of times. Each event goes through
``merchants.notifications.services.notify`` to everyone concerned: the stream's crew (host,
assistant host, control-desk operator, those who log in) and the merchant's owners; a missed
stream also to the base's managers."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone

from merchants.models import User
from merchants.notifications import services as notifications

from .. import lifecycle
from ..models import LiveStream, StreamSettings
from .booking import release_crew

# What a stream's notifications need, loaded with the stream.
_RELATED = ("merchant", "room", "host__user", "assistant_host__user", "operator__user")


def stream_crew_users(stream: LiveStream) -> list[User]:
    """The users of the stream's crew (members without a login are told through the owners)."""
    crew = (stream.host, stream.assistant_host, stream.operator)
    return [member.user for member in crew if member is not None and member.user is not None]


def _stream_params(stream: LiveStream) -> dict:
    return {
        "title": stream.title,
        "start": stream.planned_start,
        "place": stream.room.name if stream.room else "",
        "platform": stream.platform,
    }


def _tell(stream: LiveStream, kind: str, *, managers: bool = False) -> None:
    recipients = [
        *stream_crew_users(stream),
        *notifications.merchant_owners(merchant_id=stream.merchant_id),
    ]
    if managers:
        recipients += notifications.base_managers(base_id=stream.merchant.base_id)
    notifications.notify(
        recipients=recipients,
        kind=kind,
        params=_stream_params(stream),
        base_id=stream.merchant.base_id,
        merchant_id=stream.merchant_id,
        subject=stream,
    )


def streams_flag_late(*, now: dt.datetime | None = None) -> int:
    """Flag scheduled streams that should have started but did not, and tell the crew and the
    owners; streams whose planned end passed unstarted become missed. Idempotent."""
    now = now or timezone.now()
    flagged = 0
    grace = {s.base_id: s.missed_after_minutes for s in StreamSettings.objects.all()}
    default = StreamSettings().missed_after_minutes
    candidates = (
        LiveStream.objects.filter(
            status=LiveStream.Status.SCHEDULED,
            late_flagged_at__isnull=True,
            planned_start__lt=now,
            is_rehearsal=False,
        )
        .select_related(*_RELATED)
        .order_by("planned_start")[:1000]
    )
    for stream in candidates:
        minutes = grace.get(stream.merchant.base_id, default)
        if stream.planned_start + dt.timedelta(minutes=minutes) > now:
            continue
        with transaction.atomic():
            updated = LiveStream.objects.filter(pk=stream.pk, late_flagged_at__isnull=True).update(
                late_flagged_at=now, updated_at=Now()
            )
            if not updated:
                continue
            flagged += 1
            _tell(stream, "stream_late")
    _mark_missed(now)
    return flagged


def _mark_missed(now: dt.datetime) -> None:
    """Streams whose planned end passed before they went live are missed; their crew is free,
    and the crew, the owners and the base's managers hear of the no-show (rehearsals aside)."""
    miss = lifecycle.transition("miss")
    with transaction.atomic():
        missed = list(
            LiveStream.objects.select_for_update(skip_locked=True)
            .filter(status__in=miss.sources, planned_end__lt=now)
            .values_list("pk", flat=True)
        )
        LiveStream.objects.filter(pk__in=missed).update(status=miss.target, updated_at=Now())
        release_crew(stream_ids=missed)
        for stream in LiveStream.objects.filter(pk__in=missed, is_rehearsal=False).select_related(
            *_RELATED
        ):
            _tell(stream, "stream_missed", managers=True)


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind the crew and the owners of streams starting within the base's reminder time.
    Idempotent."""
    now = now or timezone.now()
    sent = 0
    lead = {s.base_id: s.reminder_minutes for s in StreamSettings.objects.all()}
    default = StreamSettings().reminder_minutes
    horizon = now + dt.timedelta(minutes=max([default, *lead.values()]))
    candidates = LiveStream.objects.filter(
        status=LiveStream.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        planned_start__gt=now,
        planned_start__lte=horizon,
    ).select_related(*_RELATED)
    for stream in candidates:
        minutes = lead.get(stream.merchant.base_id, default)
        if stream.planned_start - dt.timedelta(minutes=minutes) > now:
            continue
        with transaction.atomic():
            updated = LiveStream.objects.filter(pk=stream.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now, updated_at=Now()
            )
            if not updated:
                continue
            sent += 1
            _tell(stream, "stream_reminder")
    return sent
