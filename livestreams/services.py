"""Every write of the live-streams domain: one transaction each, keyword-only arguments.

No double booking is decided twice: first by a query here, which names the clashing stream in a
clear message; then by the exclusion constraints in ``LiveStream.Meta``, which stop two racing
requests that both passed the query. The loser's IntegrityError is turned
into the same Conflict. The same holds for the whole crew (host, assistant host, operator: one
``CrewBooking`` row each, under one exclusion constraint) and for going live (a partial unique
index per host and per room).

Which action may move a stream from which status is declared once, in ``lifecycle``.

Every service takes the caller's ``reach`` and decides itself what it may do; views and viewsets
check nothing of their own.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError, NotAllowed
from jingdezhen.core.tenancy import Reach
from merchants import lifecycle as merchant_lifecycle
from merchants.models import Base, Merchant, Milestone, TeamMember

from . import lifecycle
from .models import (
    CrewBooking,
    FeaturedProduct,
    LiveRoom,
    LiveStream,
    Notification,
    StreamSeries,
    StreamSettings,
)

logger = logging.getLogger(__name__)

ROOM_CONSTRAINT = "stream_room_no_overlap"
HOST_CONSTRAINT = "stream_host_no_overlap"
CREW_CONSTRAINT = "crew_member_no_overlap"
LIVE_HOST_CONSTRAINT = "stream_one_live_per_host"
LIVE_ROOM_CONSTRAINT = "stream_one_live_per_room"
CREW_PARTS = ("host", "assistant_host", "operator")


def settings_for(*, base_id: int) -> StreamSettings:
    """The base's booking rules; a base that never set them gets the defaults."""
    obj = StreamSettings.objects.filter(base_id=base_id).first()
    return obj or StreamSettings(base_id=base_id)


@transaction.atomic
def settings_update(*, reach: Reach, base: Base, **values) -> StreamSettings:
    reach.require_role("manager")
    if not reach.is_admin and reach.base_id != base.pk:
        raise NotAllowed(_("You may change only your own base's rules."))
    obj, _created = StreamSettings.objects.get_or_create(base=base)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def room_save(*, reach: Reach, base: Base, room: LiveRoom | None = None, **values) -> LiveRoom:
    reach.require_role("manager")
    if not reach.is_admin and reach.base_id != base.pk:
        raise NotAllowed(_("You may change only your own base's rooms."))
    room = room or LiveRoom(base=base)
    for name in ("name", "equipment"):
        if isinstance(values.get(name), str):
            bounds.check_text(values[name], field=name)
    for name, value in values.items():
        setattr(room, name, value)
    if room.closes_hour <= room.opens_hour:
        raise DomainError(_("A room must close after it opens."), field="closes_hour")
    if room.prime_end_hour < room.prime_start_hour:
        raise DomainError(_("Prime time must end after it starts."), field="prime_end_hour")
    if LiveRoom.objects.filter(base=base, name=room.name).exclude(pk=room.pk).exists():
        raise Conflict(_("The base already has a room of this name."), field="name")
    room.save()
    return room


# --- scheduling -------------------------------------------------------------------------------


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def _span(start: dt.datetime, end: dt.datetime) -> str:
    start, end = _local(start), _local(end)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}-{end:%Y-%m-%d %H:%M}"


def _active(qs):
    return qs.filter(status__in=LiveStream.ACTIVE_STATUSES)


def room_clash(
    *, room_id: int, start: dt.datetime, blocked_until: dt.datetime, exclude_id: int | None = None
) -> LiveStream | None:
    """The active stream holding ``room_id`` somewhere in [start, blocked_until), if any."""
    qs = _active(LiveStream.objects.filter(room_id=room_id)).filter(
        planned_start__lt=blocked_until, blocked_until__gt=start
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.select_related("merchant", "room").order_by("planned_start").first()


def host_clash(
    *, host_id: int, start: dt.datetime, end: dt.datetime, exclude_id: int | None = None
) -> LiveStream | None:
    qs = _active(LiveStream.objects.filter(host_id=host_id)).filter(
        planned_start__lt=end, planned_end__gt=start
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.select_related("merchant", "host").order_by("planned_start").first()


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


@dataclass
class StreamPlan:
    """What a stream is to be; checked by ``_check_plan`` before any write."""

    merchant: Merchant
    title: str
    platform: str
    planned_start: dt.datetime
    planned_end: dt.datetime
    room: LiveRoom | None = None
    host: TeamMember | None = None
    assistant_host: TeamMember | None = None
    operator: TeamMember | None = None
    is_rehearsal: bool = False
    errors: list = field(default_factory=list)


def _check_times(plan: StreamPlan, now: dt.datetime | None) -> None:
    """A stream lies within one local day, not in the past. ``now`` None: no check of the past
    (a change that keeps the stream's times)."""
    if plan.planned_end <= plan.planned_start:
        raise DomainError(_("The stream must end after it starts."), field="planned_end")
    if plan.planned_start < bounds.earliest_instant():
        raise DomainError(
            _("A stream starts no earlier than %(day)s.") % {"day": bounds.EARLIEST_DAY},
            field="planned_start",
        )
    last = timezone.localdate() + dt.timedelta(days=bounds.PAGE_DAYS_AHEAD)
    # Compared as instants first: a local time of year 9999 would overflow.
    if plan.planned_start > timezone.now() + dt.timedelta(days=bounds.PAGE_DAYS_AHEAD + 1) or (
        _local(plan.planned_start).date() > last
    ):
        raise DomainError(
            _("A stream is booked at most a year ahead (until %(day)s).") % {"day": last},
            field="planned_start",
        )
    if plan.planned_end - plan.planned_start > dt.timedelta(hours=12):
        raise DomainError(_("A stream lasts at most 12 hours."), field="planned_end")
    # A stream may end at midnight, not after: its day (the turnover day, the room's day) is one.
    if (
        _local(plan.planned_start).date()
        != _local(plan.planned_end - dt.timedelta.resolution).date()
    ):
        raise DomainError(
            _(
                "A stream cannot cross midnight: end it by 24:00 and book the rest as a stream "
                "of the next day."
            ),
            field="planned_end",
        )
    if now is not None and plan.planned_start < now - bounds.CLOCK_SLACK:
        raise DomainError(
            _("A stream cannot be booked or moved into the past."), field="planned_start"
        )


def _check_merchant(plan: StreamPlan, *, new_booking: bool = True) -> None:
    """The merchant's stage and status allow this booking (the merchant row is locked).
    ``new_booking`` False: a change that keeps the stream's room and times (a new title, another
    host) is no new booking, and a suspended merchant may still make it."""
    if not new_booking:
        return
    merchant = plan.merchant
    if not merchant_lifecycle.may_schedule_streams(merchant):
        raise DomainError(
            _("%(merchant)s has left the base and cannot book streams.")
            % {"merchant": merchant.name},
            field="room" if plan.room is not None else "merchant",
            code="merchant_exited",
        )
    if plan.room is not None and not merchant_lifecycle.may_book_rooms(merchant):
        raise DomainError(
            _("%(merchant)s is suspended and cannot book base rooms until it is reinstated.")
            % {"merchant": merchant.name},
            field="room",
            code="merchant_suspended",
        )


def _crew(plan: StreamPlan) -> list[tuple[str, TeamMember]]:
    return [(part, getattr(plan, part)) for part in CREW_PARTS if getattr(plan, part) is not None]


def _check_rules(
    plan: StreamPlan, rules: StreamSettings, exclude_id: int | None, *, new_booking: bool = True
) -> None:
    plan.title = bounds.check_text(plan.title or "", field="title", max_length=160)
    if not plan.title.strip():
        raise DomainError(_("Give the stream a title."), field="title")
    seen: set[int] = set()
    for name, member in _crew(plan):
        if member.merchant_id != plan.merchant.pk or not member.is_active:
            raise DomainError(_("Choose someone from your own team."), field=name)
        if member.pk in seen:
            raise DomainError(
                _("%(person)s already has another part in this stream.") % {"person": member.name},
                field=name,
            )
        seen.add(member.pk)
    _check_merchant(plan, new_booking=new_booking)
    room = plan.room
    if room is None:
        return
    if room.base_id != plan.merchant.base_id or not room.is_active:
        raise DomainError(_("This room is not available at your base."), field="room")
    start, end = _local(plan.planned_start), _local(plan.planned_end)
    opens = start.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(
        hours=room.opens_hour
    )
    closes = start.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(
        hours=room.closes_hour
    )
    if start < opens or end > closes:
        raise DomainError(
            _("%(room)s is open from %(opens)02d:00 to %(closes)02d:00.")
            % {"room": room.name, "opens": room.opens_hour, "closes": room.closes_hour},
            field="room",
        )
    _check_quota(plan, rules, exclude_id)
    if rules.require_host_basics:
        if plan.host is None:
            raise DomainError(
                _("This base requires a host who completed the live-hosting basics course."),
                field="host",
            )
        from training.selectors import host_has_completed_basics  # the training app, lazily

        if not host_has_completed_basics(team_member_id=plan.host.pk):
            raise DomainError(
                _(
                    "%(host)s has not completed the live-hosting basics course, which this base "
                    "requires before a base room is booked."
                )
                % {"host": plan.host.name},
                field="host",
            )


def _room_hours(qs) -> float:
    total = qs.aggregate(t=Sum(F("planned_end") - F("planned_start")))["t"]
    return total.total_seconds() / 3600 if total else 0.0


def _check_quota(plan: StreamPlan, rules: StreamSettings, exclude_id: int | None) -> None:
    if rules.room_hours_per_day is None and rules.room_hours_per_week is None:
        return
    hours = (plan.planned_end - plan.planned_start).total_seconds() / 3600
    start = _local(plan.planned_start)
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    booked = _active(LiveStream.objects.filter(merchant=plan.merchant, room__isnull=False))
    if exclude_id:
        booked = booked.exclude(pk=exclude_id)
    if rules.room_hours_per_day is not None:
        used = _room_hours(
            booked.filter(planned_start__gte=day, planned_start__lt=day + dt.timedelta(days=1))
        )
        if used + hours > rules.room_hours_per_day:
            raise DomainError(
                _(
                    "This booking would take you over the base's cap of %(cap)s room hours a day "
                    "(%(used)s already booked that day)."
                )
                % {"cap": rules.room_hours_per_day, "used": f"{used:g}"},
                field="room",
            )
    if rules.room_hours_per_week is not None:
        monday = day - dt.timedelta(days=day.weekday())
        used = _room_hours(
            booked.filter(planned_start__gte=monday, planned_start__lt=monday + dt.timedelta(7))
        )
        if used + hours > rules.room_hours_per_week:
            raise DomainError(
                _(
                    "This booking would take you over the base's cap of %(cap)s room hours a week "
                    "(%(used)s already booked that week)."
                )
                % {"cap": rules.room_hours_per_week, "used": f"{used:g}"},
                field="room",
            )


def crew_clash(
    *, member_id: int, start: dt.datetime, end: dt.datetime, exclude_id: int | None = None
) -> CrewBooking | None:
    """The crew booking holding ``member_id`` somewhere in [start, end), in any part, if any."""
    qs = CrewBooking.objects.filter(member_id=member_id, starts_at__lt=end, ends_at__gt=start)
    if exclude_id:
        qs = qs.exclude(stream_id=exclude_id)
    return qs.select_related("stream", "member").order_by("starts_at").first()


def _crew_clash_message(clash: CrewBooking) -> str:
    return _("%(person)s is already booked as %(part)s of “%(title)s” at that time (%(span)s).") % {
        "person": clash.member.name,
        "part": clash.get_part_display().lower(),
        "title": clash.stream.title,
        "span": _span(clash.starts_at, clash.ends_at),
    }


def _check_crew_clashes(plan: StreamPlan, exclude_id: int | None) -> None:
    for part, member in _crew(plan):
        clash = crew_clash(
            member_id=member.pk,
            start=plan.planned_start,
            end=plan.planned_end,
            exclude_id=exclude_id,
        )
        if clash is not None:
            raise Conflict(_crew_clash_message(clash), field=part)


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


def release_crew(*, stream_ids) -> int:
    """Free the crew of streams that are no longer scheduled or live (set-based, idempotent)."""
    deleted, _rows = (
        CrewBooking.objects.filter(stream_id__in=stream_ids)
        .exclude(stream__status__in=LiveStream.ACTIVE_STATUSES)
        .delete()
    )
    return deleted


def _check_clashes(plan: StreamPlan, blocked_until: dt.datetime, buffer: int, exclude_id) -> None:
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


def _save_guarded(stream: LiveStream, plan: StreamPlan, buffer: int) -> None:
    """Save; a lost race against the exclusion constraints becomes a Conflict naming the winner."""
    try:
        with transaction.atomic():
            stream.save()
            _book_crew(stream)
    except IntegrityError as exc:
        text = str(exc)
        if CREW_CONSTRAINT in text:
            for part, member in _crew(plan):
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


def _require_merchant_write(reach: Reach, merchant: Merchant) -> None:
    if not reach.can_act_for_merchant(merchant.pk, merchant.base_id):
        raise NotAllowed(_("You may only schedule your own streams."))


def _locked_merchant(merchant_id: int) -> Merchant:
    """The merchant row, locked: bookings of one merchant are decided one after the other, so
    its room-hour cap holds when they race, and its stage and status are read as they are."""
    return Merchant.objects.select_for_update().get(pk=merchant_id)


@transaction.atomic
def stream_schedule(
    *,
    reach: Reach,
    merchant: Merchant,
    title: str,
    platform: str,
    planned_start: dt.datetime,
    planned_end: dt.datetime,
    room: LiveRoom | None = None,
    host: TeamMember | None = None,
    assistant_host: TeamMember | None = None,
    operator: TeamMember | None = None,
    is_rehearsal: bool = False,
    series: StreamSeries | None = None,
    now: dt.datetime | None = None,
) -> LiveStream:
    """Book a stream; raises DomainError (rules) or Conflict (room or crew already taken).

    A stream starts no earlier than ``now`` (the server's clock, with a few minutes' slack).
    Only the demo's history passes ``now``: a booking as it was made at that instant.
    """
    _require_merchant_write(reach, merchant)
    merchant = _locked_merchant(merchant.pk)
    plan = StreamPlan(
        merchant=merchant,
        title=title,
        platform=platform,
        planned_start=planned_start,
        planned_end=planned_end,
        room=room,
        host=host,
        assistant_host=assistant_host,
        operator=operator,
        is_rehearsal=is_rehearsal,
    )
    rules = settings_for(base_id=merchant.base_id)
    _check_times(plan, now or timezone.now())
    _check_rules(plan, rules, None)
    title = plan.title
    buffer = rules.changeover_minutes if room is not None else 0
    blocked_until = planned_end + dt.timedelta(minutes=buffer)
    _check_clashes(plan, blocked_until, rules.changeover_minutes, None)
    stream = LiveStream(
        merchant=merchant,
        room=room,
        platform=platform,
        host=host,
        assistant_host=assistant_host,
        operator=operator,
        series=series,
        title=title.strip(),
        planned_start=planned_start,
        planned_end=planned_end,
        blocked_until=blocked_until,
        is_rehearsal=is_rehearsal,
        created_by_id=reach.user_id,
    )
    _save_guarded(stream, plan, rules.changeover_minutes)
    return stream


EDITABLE = (
    "title",
    "platform",
    "planned_start",
    "planned_end",
    "room",
    "host",
    "assistant_host",
    "operator",
    "is_rehearsal",
)


@transaction.atomic
def stream_update(
    *, reach: Reach, stream: LiveStream, now: dt.datetime | None = None, **changes
) -> LiveStream:
    """Change a scheduled stream; the same rules and clash checks as booking it. A stream whose
    times change is not moved into the past (``now`` as in ``stream_schedule``)."""
    merchant_id = (
        LiveStream.objects.filter(pk=stream.pk).values_list("merchant_id", flat=True).first()
    )
    if merchant_id is None:
        raise Http404
    merchant = _locked_merchant(merchant_id)  # the merchant first, as when booking
    stream = LiveStream.objects.select_for_update().get(pk=stream.pk)
    stream.merchant = merchant
    _require_merchant_write(reach, merchant)
    if stream.status not in lifecycle.EDITABLE_STATUSES:
        raise Conflict(_("Only a scheduled stream can be changed."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    values = {name: getattr(stream, name) for name in EDITABLE}
    values.update(changes)
    plan = StreamPlan(merchant=merchant, **values)
    rules = settings_for(base_id=merchant.base_id)
    moved = (plan.planned_start, plan.planned_end) != (stream.planned_start, stream.planned_end)
    _check_times(plan, (now or timezone.now()) if moved else None)
    rebooked = moved or plan.room != stream.room
    _check_rules(plan, rules, stream.pk, new_booking=rebooked)
    values["title"] = plan.title
    buffer = rules.changeover_minutes if plan.room is not None else 0
    blocked_until = plan.planned_end + dt.timedelta(minutes=buffer)
    _check_clashes(plan, blocked_until, rules.changeover_minutes, stream.pk)
    for name, value in values.items():
        setattr(stream, name, value.strip() if name == "title" else value)
    stream.blocked_until = blocked_until
    _save_guarded(stream, plan, rules.changeover_minutes)
    return stream


def _locked(reach: Reach, stream: LiveStream) -> LiveStream:
    stream = LiveStream.objects.select_for_update().select_related("merchant").get(pk=stream.pk)
    _require_merchant_write(reach, stream.merchant)
    return stream


@transaction.atomic
def stream_cancel(*, reach: Reach, stream: LiveStream) -> LiveStream:
    stream = _locked(reach, stream)
    step = lifecycle.check(stream, "cancel")
    stream.status = step.target
    stream.cancelled_at = timezone.now()
    stream.save(update_fields=["status", "cancelled_at"])
    release_crew(stream_ids=[stream.pk])
    return stream


@transaction.atomic
def stream_go_live(
    *, reach: Reach, stream: LiveStream, at: dt.datetime | None = None
) -> LiveStream:
    """Start a stream. One host, and one room, are live in one stream at a time: checked here
    for a clear message, and by partial unique indexes when two go-lives race."""
    stream = _locked(reach, stream)
    at = at or timezone.now()
    step = lifecycle.check(stream, "go-live")
    if at < stream.planned_start - dt.timedelta(hours=1):
        raise Conflict(_("A stream can go live at most one hour before its planned start."))
    if at > stream.planned_end:
        raise Conflict(_("The planned end has passed; schedule a new stream."))
    live = LiveStream.objects.filter(status=LiveStream.Status.LIVE).exclude(pk=stream.pk)
    if stream.host_id and live.filter(host_id=stream.host_id).exists():
        raise Conflict(_host_live_message(stream), field="host")
    if stream.room_id and live.filter(room_id=stream.room_id).exists():
        raise Conflict(_room_live_message(stream), field="room")
    stream.status = step.target
    stream.actual_start = at
    try:
        with transaction.atomic():
            stream.save(update_fields=["status", "actual_start"])
    except IntegrityError as exc:
        if LIVE_HOST_CONSTRAINT in str(exc):
            raise Conflict(_host_live_message(stream), field="host") from exc
        if LIVE_ROOM_CONSTRAINT in str(exc):
            raise Conflict(_room_live_message(stream), field="room") from exc
        raise
    return stream


def _host_live_message(stream: LiveStream) -> str:
    return _("%(host)s is already live in another stream; end that one first.") % {
        "host": stream.host.name
    }


def _room_live_message(stream: LiveStream) -> str:
    return _("%(room)s already carries a live stream; end that one first.") % {
        "room": stream.room.name
    }


@transaction.atomic
def stream_end(*, reach: Reach, stream: LiveStream, at: dt.datetime | None = None) -> LiveStream:
    """End a live stream; the merchant's first and tenth real streams are milestones."""
    from merchants.services import milestone_record

    stream = _locked(reach, stream)
    step = lifecycle.check(stream, "end")
    at = at or timezone.now()
    stream.status = step.target
    stream.actual_end = max(at, stream.actual_start or at)
    stream.save(update_fields=["status", "actual_end"])
    release_crew(stream_ids=[stream.pk])
    if not stream.is_rehearsal:
        ends = list(
            LiveStream.objects.filter(
                merchant_id=stream.merchant_id,
                status=LiveStream.Status.ENDED,
                is_rehearsal=False,
                actual_end__isnull=False,
            )
            .order_by("actual_end", "id")
            .values_list("actual_end", flat=True)[:10]
        )
        milestone_record(
            merchant_id=stream.merchant_id, kind=Milestone.Kind.FIRST_STREAM, reached_at=ends[0]
        )
        if len(ends) >= 10:
            milestone_record(
                merchant_id=stream.merchant_id, kind=Milestone.Kind.TENTH_STREAM, reached_at=ends[9]
            )
    return stream


RESULT_FIELDS = (
    "unique_viewers",
    "peak_viewers",
    "avg_watch_seconds",
    "new_followers",
    "product_clicks",
)


@transaction.atomic
def stream_record_results(*, reach: Reach, stream: LiveStream, **results) -> LiveStream:
    stream = _locked(reach, stream)
    if stream.status not in lifecycle.RESULTS_OPEN:
        raise Conflict(_("Results can be recorded once the stream has gone live."))
    for name in RESULT_FIELDS:
        value = results.get(name)
        if value is not None and value < 0:
            raise DomainError(_("Enter a number of zero or more."), field=name)
        setattr(stream, name, value)
    if (
        stream.peak_viewers is not None
        and stream.unique_viewers is not None
        and stream.peak_viewers > stream.unique_viewers
    ):
        raise DomainError(
            _("Peak concurrent viewers cannot exceed unique viewers."), field="peak_viewers"
        )
    stream.results_recorded_at = timezone.now()
    stream.save(update_fields=[*RESULT_FIELDS, "results_recorded_at"])
    return stream


# --- run sheet --------------------------------------------------------------------------------


@transaction.atomic
def featured_add(
    *,
    reach: Reach,
    stream: LiveStream,
    product,
    talking_points: str = "",
    live_price: Decimal | None = None,
) -> FeaturedProduct:
    stream = _locked(reach, stream)
    if product.merchant_id != stream.merchant_id:
        raise DomainError(_("Choose a product from your own catalogue."), field="product")
    bounds.check_text(talking_points or "", field="talking_points")
    if stream.status not in lifecycle.RUN_SHEET_OPEN:
        raise Conflict(_("The run sheet of a finished stream cannot change."))
    if live_price is not None and live_price < 0:
        raise DomainError(_("The live price cannot be negative."), field="live_price")
    if stream.featured.filter(product=product).exists():
        raise Conflict(_("This product is already on the run sheet."), field="product")
    last = stream.featured.aggregate(m=Max("position"))["m"] or 0
    return FeaturedProduct.objects.create(
        stream=stream,
        product=product,
        position=last + 1,
        talking_points=talking_points or product.story,
        live_price=live_price,
    )


@transaction.atomic
def featured_remove(*, reach: Reach, featured: FeaturedProduct) -> None:
    stream = _locked(reach, featured.stream)
    if stream.status not in lifecycle.RUN_SHEET_OPEN:
        raise Conflict(_("The run sheet of a finished stream cannot change."))
    if stream.showing_id == featured.pk:
        stream.showing = None
        stream.save(update_fields=["showing"])
    featured.delete()


@transaction.atomic
def featured_move(*, reach: Reach, featured: FeaturedProduct, up: bool) -> None:
    """Swap a featured product with its neighbour above (``up``) or below."""
    stream = _locked(reach, featured.stream)
    items = list(stream.featured.order_by("position", "id"))
    index = next(i for i, item in enumerate(items) if item.pk == featured.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
    FeaturedProduct.objects.bulk_update(items, ["position"])


@transaction.atomic
def featured_mark_showing(*, reach: Reach, featured: FeaturedProduct) -> LiveStream:
    stream = _locked(reach, featured.stream)
    if featured.stream_id != stream.pk:
        raise DomainError(_("This product is not on the run sheet."))
    now = timezone.now()
    stream.showing = featured
    stream.save(update_fields=["showing"])
    FeaturedProduct.objects.filter(pk=featured.pk).update(shown_at=now)
    return stream


# --- recurring schedules ----------------------------------------------------------------------


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
    _require_merchant_write(reach, merchant)
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


def _series_streams_from(series: StreamSeries, from_date: dt.date):
    start = _at(from_date, dt.time(0, 0))
    return series.streams.filter(
        status=LiveStream.Status.SCHEDULED, planned_start__gte=start
    ).order_by("planned_start")


@transaction.atomic
def series_cancel_from(*, reach: Reach, series: StreamSeries, from_date: dt.date) -> int:
    """Cancel the series' scheduled streams from ``from_date`` on; returns how many."""
    _require_merchant_write(reach, series.merchant)
    streams = _series_streams_from(series, from_date)
    ids = list(streams.values_list("pk", flat=True))
    count = LiveStream.objects.filter(
        pk__in=ids, status__in=lifecycle.transition("cancel").sources
    ).update(status=lifecycle.transition("cancel").target, cancelled_at=timezone.now())
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
    _require_merchant_write(reach, series.merchant)
    outcome = SeriesOutcome(series=series)
    for stream in _series_streams_from(series, from_date):
        changes = {}
        day = _local(stream.planned_start).date()
        if start_time is not None or duration_minutes is not None:
            time = start_time or _local(stream.planned_start).time()
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


# --- reminders and missed streams (Celery beat) -----------------------------------------------


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
                late_flagged_at=now
            )
            if not updated:
                continue
            flagged += 1
            message = _("“%(title)s” was due to start at %(start)s and has not gone live.") % {
                "title": stream.title,
                "start": f"{_local(stream.planned_start):%H:%M}",
            }
            _notify(stream, Notification.Kind.LATE, message)
    miss = lifecycle.transition("miss")
    with transaction.atomic():
        missed = list(
            LiveStream.objects.select_for_update(skip_locked=True)
            .filter(status__in=miss.sources, planned_end__lt=now)
            .values_list("pk", flat=True)
        )
        LiveStream.objects.filter(pk__in=missed).update(status=miss.target)
        release_crew(stream_ids=missed)
    return flagged


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
                reminder_sent_at=now
            )
            if not updated:
                continue
            sent += 1
            where = stream.room.name if stream.room else _("your own studio")
            message = _(
                "Reminder: “%(title)s” starts at %(start)s in %(where)s on %(platform)s."
            ) % {
                "title": stream.title,
                "start": f"{_local(stream.planned_start):%H:%M}",
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


def q_active() -> Q:
    return Q(status__in=LiveStream.ACTIVE_STATUSES)
