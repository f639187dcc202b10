"""A stream's life: schedule, change, cancel, go live, end, record its results.

Booking and changing a stream check the plan (``booking_rules``) and its clashes, then save it
through ``booking.save_guarded``: the exclusion constraints in ``LiveStream.Meta`` and
``CrewBooking.Meta`` are the final guard against a double booking. Going live is checked here and
guarded by the partial unique indexes of ``LiveStream.Meta``: one live stream per host and per
room. Which action may move a stream from which status is declared once, in
``livestreams.lifecycle``.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict, DomainError, NotAllowed
from jingdezhen.core.tenancy import Reach
from merchants import permissions as team
from merchants.models import Merchant, Milestone, TeamMember
from merchants.services import milestone_record

from .. import lifecycle
from ..models import LiveRoom, LiveStream, StreamSeries
from .booking import check_clashes, release_crew, save_guarded
from .booking_rules import StreamPlan, check_rules, check_times, locked_merchant
from .rooms import settings_for

LIVE_HOST_CONSTRAINT = "stream_one_live_per_host"
LIVE_ROOM_CONSTRAINT = "stream_one_live_per_room"

# The fields of a plan: what booking takes and what a change may touch.
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

RESULT_FIELDS = (
    "unique_viewers",
    "peak_viewers",
    "avg_watch_seconds",
    "new_followers",
    "product_clicks",
)


def require_merchant_write(
    reach: Reach, merchant: Merchant, capability: str = team.STREAMS_SCHEDULE
) -> None:
    """Only the merchant's own team (or the base acting for it) writes its streams, and of the
    team only the roles whose capabilities (``merchants.permissions``) hold ``capability``."""
    if team.member_may(reach, capability, merchant):
        return
    if reach.is_merchant and reach.merchant_id == merchant.pk:
        raise team.RoleRefused(team.REFUSALS[capability])
    raise NotAllowed(_("You may only schedule your own streams."))


def locked_stream(
    reach: Reach, stream: LiveStream, capability: str = team.STREAMS_SCHEDULE
) -> LiveStream:
    """The stream row, locked, once the reach may do ``capability`` with it: a crew-only team
    role (a host) only with a stream it crews."""
    stream = LiveStream.objects.select_for_update().select_related("merchant").get(pk=stream.pk)
    require_merchant_write(reach, stream.merchant, capability)
    if team.is_crew_only(reach) and not team.crews(reach, stream):
        raise team.RoleRefused(_("You may only run the streams you crew."))
    return stream


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
    require_merchant_write(reach, merchant)
    merchant = locked_merchant(merchant.pk)
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
    check_times(plan, now=now or timezone.now())
    check_rules(plan, rules=rules, exclude_id=None)
    buffer = rules.changeover_minutes if room is not None else 0
    blocked_until = planned_end + dt.timedelta(minutes=buffer)
    check_clashes(
        plan, blocked_until=blocked_until, buffer=rules.changeover_minutes, exclude_id=None
    )
    stream = LiveStream(
        merchant=merchant,
        room=room,
        platform=platform,
        host=host,
        assistant_host=assistant_host,
        operator=operator,
        series=series,
        title=plan.title.strip(),
        planned_start=planned_start,
        planned_end=planned_end,
        blocked_until=blocked_until,
        is_rehearsal=is_rehearsal,
        created_by_id=reach.user_id,
    )
    save_guarded(stream, plan, buffer=rules.changeover_minutes)
    return stream


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
    merchant = locked_merchant(merchant_id)  # the merchant first, as when booking
    stream = LiveStream.objects.select_for_update().get(pk=stream.pk)
    stream.merchant = merchant
    require_merchant_write(reach, merchant)
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
    check_times(plan, now=(now or timezone.now()) if moved else None)
    rebooked = moved or plan.room != stream.room
    check_rules(plan, rules=rules, exclude_id=stream.pk, new_booking=rebooked)
    values["title"] = plan.title
    buffer = rules.changeover_minutes if plan.room is not None else 0
    blocked_until = plan.planned_end + dt.timedelta(minutes=buffer)
    check_clashes(
        plan, blocked_until=blocked_until, buffer=rules.changeover_minutes, exclude_id=stream.pk
    )
    for name, value in values.items():
        setattr(stream, name, value.strip() if name == "title" else value)
    stream.blocked_until = blocked_until
    save_guarded(stream, plan, buffer=rules.changeover_minutes)
    return stream


@transaction.atomic
def stream_cancel(*, reach: Reach, stream: LiveStream) -> LiveStream:
    stream = locked_stream(reach, stream)
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
    stream = locked_stream(reach, stream, team.STREAMS_RUN)
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
    stream = locked_stream(reach, stream, team.STREAMS_RUN)
    step = lifecycle.check(stream, "end")
    at = at or timezone.now()
    stream.status = step.target
    stream.actual_end = max(at, stream.actual_start or at)
    stream.save(update_fields=["status", "actual_end"])
    release_crew(stream_ids=[stream.pk])
    if not stream.is_rehearsal:
        _record_milestones(stream.merchant_id)
    return stream


def _record_milestones(merchant_id: int) -> None:
    """The first and tenth ended real streams, at the time each of them ended."""
    ends = list(
        LiveStream.objects.filter(
            merchant_id=merchant_id,
            status=LiveStream.Status.ENDED,
            is_rehearsal=False,
            actual_end__isnull=False,
        )
        .order_by("actual_end", "id")
        .values_list("actual_end", flat=True)[:10]
    )
    milestone_record(merchant_id=merchant_id, kind=Milestone.Kind.FIRST_STREAM, reached_at=ends[0])
    if len(ends) >= 10:
        milestone_record(
            merchant_id=merchant_id, kind=Milestone.Kind.TENTH_STREAM, reached_at=ends[9]
        )


@transaction.atomic
def stream_record_results(*, reach: Reach, stream: LiveStream, **results) -> LiveStream:
    stream = locked_stream(reach, stream, team.STREAMS_RUN)
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
