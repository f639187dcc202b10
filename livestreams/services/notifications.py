"""Telling people about streams: late streams flagged (and the unstarted ones marked missed),
reminders before a stream, the stored notifications with their e-mail. The flagging and the
reminders are run by Celery beat (``livestreams.tasks``) and are safe to run any number of
times."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core.tenancy import Reach
from merchants.models import TeamMember

from .. import lifecycle
from ..models import LiveStream, Notification, StreamSettings
from .booking import release_crew


def streams_flag_late(*, now: dt.datetime | None = None) -> int:
    """Flag scheduled streams that should have started but did not, and tell the merchant's
    owners and the host; streams whose planned end passed unstarted become missed. Idempotent."""
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
        .select_related("merchant", "host__user")
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
            message = _("“%(title)s” was due to start at %(start)s and has not gone live.") % {
                "title": stream.title,
                "start": f"{timezone.localtime(stream.planned_start):%H:%M}",
            }
            _notify(stream, Notification.Kind.LATE, message)
    _mark_missed(now)
    return flagged


def _mark_missed(now: dt.datetime) -> None:
    """Streams whose planned end passed before they went live are missed; their crew is free."""
    miss = lifecycle.transition("miss")
    with transaction.atomic():
        missed = list(
            LiveStream.objects.select_for_update(skip_locked=True)
            .filter(status__in=miss.sources, planned_end__lt=now)
            .values_list("pk", flat=True)
        )
        LiveStream.objects.filter(pk__in=missed).update(status=miss.target, updated_at=Now())
        release_crew(stream_ids=missed)


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind hosts of streams starting within the base's reminder time. Idempotent."""
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
    ).select_related("merchant", "host__user", "room")
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
            where = stream.room.name if stream.room else _("your own studio")
            message = _(
                "Reminder: “%(title)s” starts at %(start)s in %(where)s on %(platform)s."
            ) % {
                "title": stream.title,
                "start": f"{timezone.localtime(stream.planned_start):%H:%M}",
                "where": where,
                "platform": stream.get_platform_display(),
            }
            _notify(stream, Notification.Kind.REMINDER, message)
    return sent


def _notify(stream: LiveStream, kind: str, message: str) -> None:
    """Store a notification for the host's user (or the merchant's owners without one) and
    e-mail it after the transaction commits."""
    recipients = []
    if stream.host_id and stream.host.user_id:
        recipients.append(stream.host.user)
    if not recipients:
        recipients = [
            m.user
            for m in TeamMember.objects.filter(
                merchant_id=stream.merchant_id,
                role=TeamMember.Role.OWNER,
                user__isnull=False,
                is_active=True,
            ).select_related("user")
        ]
    for user in recipients:
        _obj, created = Notification.objects.get_or_create(
            recipient=user,
            stream=stream,
            kind=kind,
            defaults={"merchant_id": stream.merchant_id, "message": message[:300]},
        )
        if created and user.email:
            email = user.email
            transaction.on_commit(
                lambda email=email: send_mail(
                    _("Jingdezhen Live Base"),
                    message,
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                    fail_silently=True,
                )
            )


@transaction.atomic
def notification_mark_read(*, reach: Reach, notification_id: int) -> None:
    Notification.objects.filter(
        pk=notification_id, recipient_id=reach.user_id, read_at__isnull=True
    ).update(read_at=timezone.now())
