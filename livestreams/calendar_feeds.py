"""Private iCalendar feeds: a host's, a room's or a merchant's streams in the phone's calendar.

A person makes a link (``feed_create``) and subscribes Apple, Google or Outlook calendar to it;
the calendar fetches ``/calendar/<token>.ics`` every hour or so and replaces what it showed, so a
moved stream moves and a cancelled one disappears. The token is random and only its SHA-256 is
stored (as for invitations): the link is shown once, when it is made. Revoking it
(``feed_revoke``) makes the link answer 404.

Who may hold which feed (``may_subscribe``), asked when the link is made and again on every fetch,
so a host who leaves the team, or a manager who leaves the base, stops receiving it:

* a host's feed (the streams they host, assist or run the desk of): the host themself, and the
  merchant's owner and staff;
* a merchant's feed (all its streams): its owner and staff;
* a room's feed (every stream booked in it): the base's managers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import icalendar
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict, NotAllowed
from jingdezhen.core.tenancy import Reach, reach_for
from merchants.models import Merchant, TeamMember

from .models import CalendarFeed, LiveRoom, LiveStream

Kind = CalendarFeed.Kind

# The window a feed covers, by planned start; older and later streams are left out.
DAYS_BACK = 30
DAYS_AHEAD = 90
# A bound on one feed's size: a room booked wall to wall for four months stays far below it.
MAX_EVENTS = 2000
# How often a subscribed calendar is asked to fetch again (clients may wait longer).
REFRESH = dt.timedelta(hours=1)
# Stable across host names, so a moved site does not duplicate every event.
UID_DOMAIN = "jingdezhen-live-base"
PRODID = "-//Jingdezhen Live Base//Stream calendar feeds//EN"
MAX_TOKEN_LENGTH = 64
# Team roles that manage the merchant's calendars (its own and its hosts').
MANAGING_ROLES = (TeamMember.Role.OWNER, TeamMember.Role.STAFF)


@dataclass(frozen=True)
class IssuedFeed:
    """A new feed and its token (the only time the token is known; shown once)."""

    feed: CalendarFeed
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- who may --------------------------------------------------------------------------------


def may_subscribe(
    reach: Reach,
    *,
    kind: str,
    member: TeamMember | None = None,
    room: LiveRoom | None = None,
    merchant: Merchant | None = None,
) -> bool:
    """Whether ``reach`` may hold a feed of this subject (the one rule of this module)."""
    if reach.is_admin:
        return True
    if kind == Kind.HOST and member is not None:
        return (
            reach.is_merchant
            and member.is_active
            and member.merchant_id == reach.merchant_id
            and (member.user_id == reach.user_id or reach.member_role in MANAGING_ROLES)
        )
    if kind == Kind.MERCHANT and merchant is not None:
        return (
            reach.is_merchant
            and merchant.pk == reach.merchant_id
            and reach.member_role in MANAGING_ROLES
        )
    if kind == Kind.ROOM and room is not None:
        return reach.is_manager and room.base_id == reach.base_id
    return False


def _may_hold(reach: Reach, feed: CalendarFeed) -> bool:
    return may_subscribe(
        reach, kind=feed.kind, member=feed.member, room=feed.room, merchant=feed.merchant
    )


def _subject(reach: Reach, kind: str, subject_id: int) -> dict:
    """The feed's subject within reach, as the model's fields (404 when out of reach)."""
    if kind == Kind.HOST:
        member = (
            reach.scope(TeamMember.objects.select_related("merchant")).filter(pk=subject_id).first()
        )
        if member is None:
            raise Http404
        return {"member": member, "merchant": member.merchant, "base_id": member.merchant.base_id}
    if kind == Kind.MERCHANT:
        merchant = reach.scope(Merchant.objects.all()).filter(pk=subject_id).first()
        if merchant is None:
            raise Http404
        return {"merchant": merchant, "base_id": merchant.base_id}
    if kind == Kind.ROOM:
        room = reach.scope(LiveRoom.objects.all()).filter(pk=subject_id).first()
        if room is None:
            raise Http404
        return {"room": room, "base_id": room.base_id}
    raise Http404


# --- writes ---------------------------------------------------------------------------------


@transaction.atomic
def feed_create(*, reach: Reach, kind: str, subject_id: int) -> IssuedFeed:
    """Make a new link for a subject; the caller's earlier link of it stops working."""
    subject = _subject(reach, kind, subject_id)
    if not reach.user_id or not may_subscribe(
        reach,
        kind=kind,
        member=subject.get("member"),
        room=subject.get("room"),
        merchant=subject.get("merchant"),
    ):
        raise NotAllowed(_("You may not make a calendar link for this."))
    fields = {
        "kind": kind,
        "member": subject.get("member"),
        "room": subject.get("room"),
        "merchant": subject.get("merchant"),
    }
    now = timezone.now()
    CalendarFeed.objects.filter(owner_id=reach.user_id, revoked_at__isnull=True, **fields).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(
                owner_id=reach.user_id,
                base_id=subject["base_id"],
                token_hash=token_hash(token),
                **fields,
            )
    except IntegrityError as exc:  # two clicks racing: the other one made the link
        raise Conflict(_("A calendar link was made at the same moment; try again.")) from exc
    return IssuedFeed(feed=feed, token=token)


@transaction.atomic
def feed_revoke(*, reach: Reach, feed_id: int) -> CalendarFeed:
    """Stop a link: its owner, or anyone who may hold its subject's feed, may (404 otherwise)."""
    feed = (
        reach.scope(CalendarFeed.objects.select_related("member", "room", "merchant"))
        .select_for_update(of=("self",))
        .filter(pk=feed_id, revoked_at__isnull=True)
        .first()
    )
    if feed is None or not (feed.owner_id == reach.user_id or _may_hold(reach, feed)):
        raise Http404
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    return feed


# --- reads ----------------------------------------------------------------------------------


def feed_for_token(token: str) -> tuple[CalendarFeed, Reach] | None:
    """The live feed of a link and its owner's reach, or None (unknown, revoked, or no longer
    its owner's to hold)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.select_related("owner", "member", "room", "merchant")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        return None
    reach = reach_for(feed.owner)
    if not _may_hold(reach, feed):
        return None
    return feed, reach


def feed_streams(
    feed: CalendarFeed, *, reach: Reach, now: dt.datetime | None = None
) -> list[LiveStream]:
    """The feed's streams in its window, cancelled ones left out, within its owner's ``reach``
    (one query)."""
    now = now or timezone.now()
    streams = reach.scope(LiveStream.objects.select_related("room", "host", "merchant"))
    if feed.kind == Kind.HOST:
        member_id = feed.member_id
        streams = streams.filter(
            Q(host_id=member_id) | Q(assistant_host_id=member_id) | Q(operator_id=member_id)
        )
    elif feed.kind == Kind.ROOM:
        streams = streams.filter(room_id=feed.room_id)
    else:
        streams = streams.filter(merchant_id=feed.merchant_id)
    return list(
        streams.filter(
            planned_start__gte=now - dt.timedelta(days=DAYS_BACK),
            planned_start__lt=now + dt.timedelta(days=DAYS_AHEAD),
        )
        .exclude(status=LiveStream.Status.CANCELLED)
        .order_by("planned_start", "id")[:MAX_EVENTS]
    )


def feed_name(feed: CalendarFeed) -> str:
    if feed.kind == Kind.HOST:
        return _("Streams of %(name)s") % {"name": feed.member.name}
    if feed.kind == Kind.ROOM:
        return _("Streams in %(room)s") % {"room": feed.room.name}
    return _("Streams of %(name)s") % {"name": feed.merchant.name}


def feed_calendar(
    feed: CalendarFeed, *, reach: Reach, run_sheet_url, now: dt.datetime | None = None
) -> bytes:
    """The feed as an iCalendar document, read within its owner's ``reach``;
    ``run_sheet_url(stream)`` gives a stream's link.

    Every event keeps its UID across fetches; SEQUENCE and LAST-MODIFIED move with the stream's
    ``updated_at``, so calendars that compare them take the change; a cancelled stream is no
    longer in the document, and a subscribed calendar drops it on its next fetch.
    """
    now = now or timezone.now()
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        name=feed_name(feed),
        method="PUBLISH",
        calscale="GREGORIAN",
        uid=f"feed-{feed.pk}@{UID_DOMAIN}",
    )
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    calendar.add("x-wr-timezone", timezone.get_default_timezone_name())
    for stream in feed_streams(feed, reach=reach, now=now):
        calendar.add_component(_event(stream, run_sheet_url(stream), now=now))
    return calendar.to_ical()


def _event(stream: LiveStream, link: str, *, now: dt.datetime) -> icalendar.Event:
    utc = dt.UTC
    updated = stream.updated_at or stream.created_at
    lines = [_("Merchant: %(name)s") % {"name": stream.merchant.name}]
    if stream.host is not None:
        lines.append(_("Host: %(name)s") % {"name": stream.host.name})
    if stream.is_rehearsal:
        lines.append(_("Rehearsal"))
    lines.append(_("Run sheet: %(url)s") % {"url": link})
    return icalendar.Event.new(
        uid=f"stream-{stream.pk}@{UID_DOMAIN}",
        summary=f"{stream.title} · {stream.get_platform_display()}",
        start=stream.planned_start.astimezone(utc),
        end=stream.planned_end.astimezone(utc),
        location=stream.room.name if stream.room is not None else _("Own studio"),
        description="\n".join(str(line) for line in lines),
        url=link,
        status="CONFIRMED",
        stamp=now.astimezone(utc),
        created=stream.created_at.astimezone(utc),
        last_modified=updated.astimezone(utc),
        # Seconds since the stream was made: grows with every change, fits a 32-bit integer.
        sequence=max(0, int((updated - stream.created_at).total_seconds())),
    )


@dataclass
class FeedSection:
    """One subject's calendar link on a page: what it is, the caller's live link of it, and the
    link itself right after it was made."""

    kind: str
    subject_id: int
    label: str
    feed: CalendarFeed | None = None
    token: str | None = None


def _label(reach: Reach, kind: str, subject: dict) -> str:
    if kind == Kind.HOST:
        member = subject["member"]
        if member.user_id is not None and member.user_id == reach.user_id:
            return _("My streams")
        return _("Streams of %(name)s") % {"name": member.name}
    if kind == Kind.ROOM:
        return _("Streams in %(room)s") % {"room": subject["room"].name}
    return _("All streams of %(name)s") % {"name": subject["merchant"].name}


def member_sections(*, reach: Reach) -> list[FeedSection]:
    """The links a merchant member's streams page offers: their own (as a host) and, for the
    owner and staff, the merchant's (two queries)."""
    if not reach.is_merchant:
        return []
    member = (
        reach.scope(TeamMember.objects.select_related("merchant"))
        .filter(user_id=reach.user_id, is_active=True)
        .first()
    )
    if member is None:
        return []
    subject = {"member": member, "merchant": member.merchant}
    sections = [FeedSection(Kind.HOST, member.pk, _label(reach, Kind.HOST, subject))]
    if reach.member_role in MANAGING_ROLES:
        sections.append(
            FeedSection(Kind.MERCHANT, member.merchant_id, _label(reach, Kind.MERCHANT, subject))
        )
    return _with_live_feeds(reach, sections, other_hosts=reach.member_role in MANAGING_ROLES)


def team_for_links(*, reach: Reach) -> list[TeamMember]:
    """The colleagues an owner or staff member may make a host's link for (one query)."""
    if not reach.is_merchant or reach.member_role not in MANAGING_ROLES:
        return []
    team = reach.scope(TeamMember.objects.all()).filter(
        merchant_id=reach.merchant_id, is_active=True
    )
    return list(team.exclude(user_id=reach.user_id).order_by("name", "id"))


def room_sections(*, reach: Reach, room: LiveRoom) -> list[FeedSection]:
    """The link a room's page offers its base's managers (one query)."""
    if not may_subscribe(reach, kind=Kind.ROOM, room=room):
        return []
    section = FeedSection(Kind.ROOM, room.pk, _label(reach, Kind.ROOM, {"room": room}))
    return _with_live_feeds(reach, [section])


def section_for(*, reach: Reach, kind: str, subject_id: int) -> FeedSection:
    """One subject's section, for the page fragment answered after a change (404 out of reach)."""
    subject = _subject(reach, kind, subject_id)
    section = FeedSection(kind, subject_id, _label(reach, kind, subject))
    return _with_live_feeds(reach, [section])[0]


def _with_live_feeds(
    reach: Reach, sections: list[FeedSection], *, other_hosts: bool = False
) -> list[FeedSection]:
    """The caller's live link of each section (one query); with ``other_hosts``, a section more
    for each live link the caller made for a colleague, so it can be revoked."""
    live = CalendarFeed.objects.filter(
        owner_id=reach.user_id, revoked_at__isnull=True
    ).select_related("member")
    by_subject = {
        (feed.kind, feed.member_id or feed.room_id or feed.merchant_id): feed for feed in live
    }
    for section in sections:
        section.feed = by_subject.pop((section.kind, section.subject_id), None)
    if other_hosts:
        for (kind, subject_id), feed in sorted(by_subject.items()):
            if kind == Kind.HOST and feed.merchant_id == reach.merchant_id:
                label = _label(reach, kind, {"member": feed.member})
                sections.append(FeedSection(kind, subject_id, label, feed=feed))
    return sections
