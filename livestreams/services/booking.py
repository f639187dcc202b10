"""A room, a host and each crew member are never double-booked.

No double booking is decided twice. First by the queries here (``check_clashes``), which name
the clashing stream in a clear message. Then by the database: the exclusion constraints in
``livestreams/models.py`` Meta are the final guard, deciding even when two requests race past
the queries: ``LiveStream.Meta`` keeps a room from two active streams overlapping on
[planned_start, blocked_until), the changeover buffer included (``stream_room_no_overlap``), and
a host from two overlapping on their planned times (``stream_host_no_overlap``);
``CrewBooking.Meta`` keeps any person of a crew, in whatever part, from two overlapping crew
bookings (``crew_member_no_overlap``). ``save_guarded`` turns the loser's IntegrityError into the
same Conflict as the query's, by the constraint names below.

Which plan may be booked at all is ``booking_rules``' question; the services that book and
change streams (``stream_schedule``, ``stream_update``) are in ``streams``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict

from ..models import CrewBooking, LiveStream
from .booking_rules import CREW_PARTS, StreamPlan, crew_of

ROOM_CONSTRAINT = "stream_room_no_overlap"
HOST_CONSTRAINT = "stream_host_no_overlap"
CREW_CONSTRAINT = "crew_member_no_overlap"


def _span(start: dt.datetime, end: dt.datetime) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}-{end:%Y-%m-%d %H:%M}"


def _active_streams():
    return LiveStream.objects.filter(status__in=LiveStream.ACTIVE_STATUSES)


def room_clash(
    *, room_id: int, start: dt.datetime, blocked_until: dt.datetime, exclude_id: int | None = None
) -> LiveStream | None:
    """The active stream holding ``room_id`` somewhere in [start, blocked_until), if any."""
    qs = _active_streams().filter(
        room_id=room_id, planned_start__lt=blocked_until, blocked_until__gt=start
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.select_related("merchant", "room").order_by("planned_start").first()


def host_clash(
    *, host_id: int, start: dt.datetime, end: dt.datetime, exclude_id: int | None = None
) -> LiveStream | None:
    """The active stream ``host_id`` hosts somewhere in [start, end), if any."""
    qs = _active_streams().filter(host_id=host_id, planned_start__lt=end, planned_end__gt=start)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.select_related("merchant", "host").order_by("planned_start").first()


def crew_clash(
    *, member_id: int, start: dt.datetime, end: dt.datetime, exclude_id: int | None = None
) -> CrewBooking | None:
    """The crew booking holding ``member_id`` somewhere in [start, end), in any part, if any."""
    qs = CrewBooking.objects.filter(member_id=member_id, starts_at__lt=end, ends_at__gt=start)
    if exclude_id:
        qs = qs.exclude(stream_id=exclude_id)
    return qs.select_related("stream", "member").order_by("starts_at").first()


def _room_clash_message(clash: LiveStream, merchant_id: int, buffer: int) -> str:
    span = _span(clash.planned_start, clash.planned_end)
    if clash.merchant_id == merchant_id:
        who = _("your stream “%(title)s”") % {"title": clash.title}
    else:
        who = _("another merchant's stream")
    return _(
        "%(room)s is already booked for %(who)s (%(span)s, plus %(buffer)s minutes changeover)."
    ) % {"room": clash.room.name, "who": who, "span": span, "buffer": buffer}


def _host_clash_message(clash: LiveStream) -> str:
    return _("%(host)s already hosts “%(title)s” at that time (%(span)s).") % {
        "host": clash.host.name,
        "title": clash.title,
        "span": _span(clash.planned_start, clash.planned_end),
    }


def _crew_clash_message(clash: CrewBooking) -> str:
    return _("%(person)s is already booked as %(part)s of “%(title)s” at that time (%(span)s).") % {
        "person": clash.member.name,
        "part": clash.get_part_display().lower(),
        "title": clash.stream.title,
        "span": _span(clash.starts_at, clash.ends_at),
    }


def _check_crew_clashes(plan: StreamPlan, exclude_id: int | None) -> None:
    for part, member in crew_of(plan):
        clash = crew_clash(
            member_id=member.pk,
            start=plan.planned_start,
            end=plan.planned_end,
            exclude_id=exclude_id,
        )
        if clash is not None:
            raise Conflict(_crew_clash_message(clash), field=part)


def check_clashes(
    plan: StreamPlan, *, blocked_until: dt.datetime, buffer: int, exclude_id: int | None
) -> None:
    """Raise a Conflict naming the stream that already holds the plan's room (up to
    ``blocked_until``, the end plus the changeover), host or any crew member.
    ``exclude_id`` is the stream being changed."""
    if plan.room is not None:
        clash = room_clash(
            room_id=plan.room.pk,
            start=plan.planned_start,
            blocked_until=blocked_until,
            exclude_id=exclude_id,
        )
        if clash is not None:
            raise Conflict(_room_clash_message(clash, plan.merchant.pk, buffer), field="room")
    if plan.host is not None:
        clash = host_clash(
            host_id=plan.host.pk,
            start=plan.planned_start,
            end=plan.planned_end,
            exclude_id=exclude_id,
        )
        if clash is not None:
            raise Conflict(_host_clash_message(clash), field="host")
    _check_crew_clashes(plan, exclude_id)


def _book_crew(stream: LiveStream) -> None:
    """Hold the stream's crew for its planned time (again, after a change)."""
    CrewBooking.objects.filter(stream=stream).delete()
    CrewBooking.objects.bulk_create(
        [
            CrewBooking(
                stream=stream,
                member_id=getattr(stream, f"{part}_id"),
                part=part,
                starts_at=stream.planned_start,
                ends_at=stream.planned_end,
            )
            for part in CREW_PARTS
            if getattr(stream, f"{part}_id") is not None
        ]
    )


def release_crew(*, stream_ids: Iterable[int]) -> int:
    """Free the crew of streams that are no longer scheduled or live (set-based, idempotent)."""
    deleted, _rows = (
        CrewBooking.objects.filter(stream_id__in=stream_ids)
        .exclude(stream__status__in=LiveStream.ACTIVE_STATUSES)
        .delete()
    )
    return deleted


def save_guarded(stream: LiveStream, plan: StreamPlan, *, buffer: int) -> None:
    """Save the stream and book its crew; a lost race against the exclusion constraints becomes
    a Conflict naming the winner."""
    try:
        with transaction.atomic():
            stream.save()
            _book_crew(stream)
    except IntegrityError as exc:
        text = str(exc)
        if CREW_CONSTRAINT in text:
            for part, member in crew_of(plan):
                clash = crew_clash(
                    member_id=member.pk,
                    start=plan.planned_start,
                    end=plan.planned_end,
                    exclude_id=stream.pk,
                )
                if clash is not None:
                    raise Conflict(_crew_clash_message(clash), field=part) from exc
            raise Conflict(
                _("Someone of this crew was booked at the same moment."), field="host"
            ) from exc
        if ROOM_CONSTRAINT in text and plan.room is not None:
            clash = room_clash(
                room_id=plan.room.pk,
                start=plan.planned_start,
                blocked_until=stream.blocked_until,
                exclude_id=stream.pk,
            )
            if clash is not None:
                raise Conflict(
                    _room_clash_message(clash, plan.merchant.pk, buffer), field="room"
                ) from exc
            raise Conflict(_("Someone booked this room at the same moment."), field="room") from exc
        if HOST_CONSTRAINT in text and plan.host is not None:
            clash = host_clash(
                host_id=plan.host.pk,
                start=plan.planned_start,
                end=plan.planned_end,
                exclude_id=stream.pk,
            )
            if clash is not None:
                raise Conflict(_host_clash_message(clash), field="host") from exc
            raise Conflict(_("This host was booked at the same moment."), field="host") from exc
        raise
