"""What a stream plan must satisfy before it is booked or changed, checked before any write:
its times (one local day, not in the past, at most a year ahead, at most 12 hours), the
merchant's stage and status, a crew from its own team, a room of its base within the room's
opening hours, the base's room-hour quota and, where the base asks for it, a host who completed
the live-hosting basics course.

Whether the room or the crew is free at that time is ``booking``'s question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import DomainError
from merchants import lifecycle as merchant_lifecycle
from merchants.models import Merchant, TeamMember
from training.selectors import host_has_completed_basics

from ..models import LiveRoom, LiveStream, StreamSettings

CREW_PARTS = ("host", "assistant_host", "operator")


@dataclass
class StreamPlan:
    """What a stream is to be; checked by ``check_times`` and ``check_rules`` before any write."""

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


def crew_of(plan: StreamPlan) -> list[tuple[str, TeamMember]]:
    """The plan's crew as (part, member), the parts left empty left out."""
    return [(part, getattr(plan, part)) for part in CREW_PARTS if getattr(plan, part) is not None]


def locked_merchant(merchant_id: int) -> Merchant:
    """The merchant row, locked: bookings of one merchant are decided one after the other, so
    its room-hour cap holds when they race, and its stage and status are read as they are."""
    return Merchant.objects.select_for_update().get(pk=merchant_id)


def check_times(plan: StreamPlan, *, now: dt.datetime | None) -> None:
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
        timezone.localtime(plan.planned_start).date() > last
    ):
        raise DomainError(
            _("A stream is booked at most a year ahead (until %(day)s).") % {"day": last},
            field="planned_start",
        )
    if plan.planned_end - plan.planned_start > dt.timedelta(hours=12):
        raise DomainError(_("A stream lasts at most 12 hours."), field="planned_end")
    # A stream may end at midnight, not after: its day (the turnover day, the room's day) is one.
    if (
        timezone.localtime(plan.planned_start).date()
        != timezone.localtime(plan.planned_end - dt.timedelta.resolution).date()
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


def _check_merchant(plan: StreamPlan, *, new_booking: bool) -> None:
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


def _check_crew(plan: StreamPlan) -> None:
    """Each part is someone active of the merchant's own team, nobody in two parts."""
    seen: set[int] = set()
    for name, member in crew_of(plan):
        if member.merchant_id != plan.merchant.pk or not member.is_active:
            raise DomainError(_("Choose someone from your own team."), field=name)
        if member.pk in seen:
            raise DomainError(
                _("%(person)s already has another part in this stream.") % {"person": member.name},
                field=name,
            )
        seen.add(member.pk)


def check_rules(
    plan: StreamPlan,
    *,
    rules: StreamSettings,
    exclude_id: int | None,
    new_booking: bool = True,
) -> None:
    """The plan keeps the base's rules; ``exclude_id`` is the stream being changed (its own
    hours do not count against the quota). Normalises ``plan.title``."""
    plan.title = bounds.check_text(plan.title or "", field="title", max_length=160)
    if not plan.title.strip():
        raise DomainError(_("Give the stream a title."), field="title")
    _check_crew(plan)
    _check_merchant(plan, new_booking=new_booking)
    room = plan.room
    if room is None:
        return
    if room.base_id != plan.merchant.base_id or not room.is_active:
        raise DomainError(_("This room is not available at your base."), field="room")
    _check_opening_hours(plan, room)
    _check_quota(plan, rules, exclude_id)
    if rules.require_host_basics:
        _check_host_basics(plan)


def _check_opening_hours(plan: StreamPlan, room: LiveRoom) -> None:
    start, end = timezone.localtime(plan.planned_start), timezone.localtime(plan.planned_end)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    opens = midnight + dt.timedelta(hours=room.opens_hour)
    closes = midnight + dt.timedelta(hours=room.closes_hour)
    if start < opens or end > closes:
        raise DomainError(
            _("%(room)s is open from %(opens)02d:00 to %(closes)02d:00.")
            % {"room": room.name, "opens": room.opens_hour, "closes": room.closes_hour},
            field="room",
        )


def _check_host_basics(plan: StreamPlan) -> None:
    """The base asks for a host who completed the live-hosting basics course (training app)."""
    if plan.host is None:
        raise DomainError(
            _("This base requires a host who completed the live-hosting basics course."),
            field="host",
        )
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
    """The merchant's room hours stay within the base's caps per day and per week. Counted with
    the merchant row locked (``locked_merchant``), so racing bookings never exceed them."""
    if rules.room_hours_per_day is None and rules.room_hours_per_week is None:
        return
    hours = (plan.planned_end - plan.planned_start).total_seconds() / 3600
    start = timezone.localtime(plan.planned_start)
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    booked = LiveStream.objects.filter(
        merchant=plan.merchant, room__isnull=False, status__in=LiveStream.ACTIVE_STATUSES
    )
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
