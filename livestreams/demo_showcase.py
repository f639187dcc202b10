"""Demo streams that show what the bulk history cannot: a rehearsal, recurring series, a stream
that is live right now with its run sheet, one that should be live and is not (the manager's
home lists it), and the reminders the hosts and owners get.

Everything here goes through the livestreams services with the merchant's own reach, as the
merchant's clicks would; runs after the orders seed (the run sheet needs the catalogue) and
before the bulk run sheets (which fill only streams that have none).
Idempotent: each piece is made only when it is not there yet (a stream live "now" is made again
only once the previous one has ended).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from jingdezhen.core.demo import DemoContext
from jingdezhen.core.errors import DomainError
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tenancy import Reach, reach_for
from merchants.models import Merchant, Notification, TeamMember, User
from orders.models import Product

from .models import LiveStream, StreamSeries
from .services import notifications as notification_services
from .services import runsheet as runsheet_services
from .services import series as series_services
from .services import streams as stream_services

LIVE_TITLE = "青花秒杀专场 Blue-and-white flash sale"
LATE_TITLE = "柴烧开窑直播 Wood-fired kiln opening"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _owner_reach(merchant: Merchant) -> tuple[User | None, Reach | None]:
    owner = (
        TeamMember.objects.filter(merchant=merchant, role=TeamMember.Role.OWNER, user__isnull=False)
        .select_related("user")
        .first()
    )
    if owner is None:
        return None, None
    return owner.user, reach_for(owner.user)


def _hosts(merchant: Merchant) -> list[TeamMember]:
    """Hosts who log in first: their streams are the ones booked here."""
    return list(
        TeamMember.objects.filter(merchant=merchant, role=TeamMember.Role.HOST, is_active=True)
        .order_by(F("user").asc(nulls_last=True), "id")
        .select_related("user")
    )


def _book(reach: Reach, merchant: Merchant, hosts: list, **plan) -> LiveStream | None:
    """Book in the own studio with the first host free at that time (or no host)."""
    for host in [*hosts, None]:
        try:
            return stream_services.stream_schedule(
                reach=reach, merchant=merchant, host=host, **plan
            )
        except DomainError:
            continue
    return None


def _rehearsal(reach: Reach, merchant: Merchant, hosts: list) -> None:
    if LiveStream.objects.filter(merchant=merchant, is_rehearsal=True).exists():
        return
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    _book(
        reach,
        merchant,
        hosts,
        title="彩排：新款梅瓶讲解 Rehearsal: the new plum vases",  # noqa: RUF001 - Chinese colon
        platform=Platform.DOUYIN,
        planned_start=_at(tomorrow, 16, 40),
        planned_end=_at(tomorrow, 17, 30),
        is_rehearsal=True,
    )


# (merchant index, title, platform, start, minutes, weekdays)
SERIES = [
    (0, "周三青花夜话 Wednesday blue-and-white talk", Platform.XIAOHONGSHU, (11, 40), 60, "2"),
    (1, "周末海外专场 Weekend overseas special", Platform.TIKTOK, (10, 0), 90, "56"),
]


def _series(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for index, title, platform, (hour, minute), minutes, weekdays in SERIES:
        if index >= len(ctx.demo_merchants):
            continue
        merchant = ctx.demo_merchants[index]
        if StreamSeries.objects.filter(merchant=merchant).exists():
            continue
        _user, reach = _owner_reach(merchant)
        hosts = _hosts(merchant)
        if reach is None:
            continue
        series_services.series_create(
            reach=reach,
            merchant=merchant,
            title=title,
            platform=platform,
            start_time=dt.time(hour, minute),
            duration_minutes=minutes,
            first_date=today + dt.timedelta(days=1),
            last_date=today + dt.timedelta(days=28),
            weekdays=weekdays,
            host=hosts[0] if hosts else None,
        )


def live_now(merchant: Merchant) -> LiveStream | None:
    """The merchant's stream that is live at this moment, if any."""
    return (
        LiveStream.objects.filter(
            merchant=merchant, status=LiveStream.Status.LIVE, planned_end__gt=timezone.now()
        )
        .order_by("-actual_start")
        .first()
    )


def _live_stream(reach: Reach, merchant: Merchant, hosts: list) -> LiveStream | None:
    now = timezone.now()
    # A live stream of an earlier run whose time is up ends now, with its results.
    for stale in LiveStream.objects.filter(
        merchant=merchant, status=LiveStream.Status.LIVE, planned_end__lte=now
    ):
        ended = stream_services.stream_end(reach=reach, stream=stale, at=stale.planned_end)
        stream_services.stream_record_results(
            reach=reach,
            stream=ended,
            unique_viewers=9800,
            peak_viewers=1200,
            avg_watch_seconds=130,
            new_followers=210,
            product_clicks=2400,
        )
    current = live_now(merchant)
    if current is not None:
        return current
    # Twenty minutes ago, but not before today's midnight (a stream never crosses it: seeded at
    # 00:05, yesterday's 23:45 would end at once).
    today_starts = _at(timezone.localdate(), 0)
    start = max((now - dt.timedelta(minutes=20)).replace(second=0, microsecond=0), today_starts)
    stream = _book(
        reach,
        merchant,
        hosts,
        title=LIVE_TITLE,
        platform=Platform.DOUYIN,
        planned_start=start,
        # two hours, ended by midnight at the latest
        planned_end=min(start + dt.timedelta(minutes=120), today_starts + dt.timedelta(days=1)),
        now=start,  # booked as it was when it started
    )
    if stream is None:
        return None
    products = Product.objects.filter(merchant=merchant, is_active=True, stock__gte=15).order_by(
        "-price"
    )[:4]
    for product in products:
        runsheet_services.featured_add(
            reach=reach,
            stream=stream,
            product=product,
            talking_points=product.story[:400],
            live_price=(product.price * Decimal("0.88")).quantize(Decimal("1")),
        )
    stream = stream_services.stream_go_live(
        reach=reach, stream=stream, at=min(start + dt.timedelta(minutes=2), now)
    )
    featured = stream.featured.order_by("position").first()
    if featured is not None:
        runsheet_services.featured_mark_showing(reach=reach, featured=featured)
    return stream


def _late_stream(merchant: Merchant) -> LiveStream | None:
    """A stream from the merchant's own studio that should have started half an hour ago and
    has not: what the late-stream flag and the manager's home are for. Written as the bulk
    history writes its streams (a booking in the past is refused by the booking service); made
    again only once the previous one's time is up."""
    now = timezone.now()
    late = LiveStream.objects.filter(
        merchant=merchant, title=LATE_TITLE, planned_end__gt=now
    ).first()
    if late is not None:
        return late
    # Not before today's midnight: the manager's home lists today's streams.
    start = max(
        (now - dt.timedelta(minutes=30)).replace(second=0, microsecond=0),
        _at(timezone.localdate(), 0),
    )
    end = start + dt.timedelta(minutes=120)
    return LiveStream.objects.create(
        merchant=merchant,
        room=None,
        platform=Platform.KUAISHOU,
        title=LATE_TITLE,
        planned_start=start,
        planned_end=end,
        blocked_until=end,
    )


def _reminders(merchant: Merchant, user: User) -> None:
    """The reminders the beat job sends an hour ahead, sent for the merchant's next streams
    (the job is asked as if it ran 30 minutes before each): the owner hears of each, a host who
    logs in of their own (the rehearsal)."""
    if Notification.objects.filter(recipient=user).exists():
        return
    upcoming = LiveStream.objects.filter(
        merchant=merchant,
        status=LiveStream.Status.SCHEDULED,
        planned_start__gt=timezone.now() + dt.timedelta(minutes=30),
        reminder_sent_at__isnull=True,
    ).order_by("planned_start")
    due = [
        *upcoming.filter(Q(host__isnull=True) | Q(host__user__isnull=True))[:2],
        *upcoming.filter(is_rehearsal=True)[:1],
    ]
    for stream in due:
        notification_services.reminders_send(now=stream.planned_start - dt.timedelta(minutes=30))


def seed(ctx: DemoContext) -> None:
    if not ctx.demo_merchants:
        return
    zhou = ctx.demo_merchants[0]
    _owner, reach = _owner_reach(zhou)
    if reach is None:
        return
    hosts = _hosts(zhou)
    _rehearsal(reach, zhou, hosts)
    _series(ctx)
    stream = _live_stream(reach, zhou, hosts)
    late = _late_stream(ctx.demo_merchants[-1]) if len(ctx.demo_merchants) > 2 else None
    for merchant in ctx.demo_merchants[:2]:
        owner, _reach = _owner_reach(merchant)
        if owner is not None:
            _reminders(merchant, owner)
    ctx.write(
        f"showcase streams: live now {stream.pk if stream else '-'}, "
        f"late {late.pk if late else '-'}, "
        f"{Notification.objects.filter(merchant__in=ctx.demo_merchants).count()} notifications"
    )
