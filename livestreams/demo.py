"""Demo data of the livestreams app: the base's rooms, its booking rules and a season of streams.

The demo merchants stream over the past ``ctx.days`` days and the next 14: Zhou Le 6-7 times a
day (room 1 and the own studio), Ran Xiangfei twice, Liu Awei every evening; other merchants of
the base fill rooms 4-8. Bulk inserts; a rerun adds only streams not there yet.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from jingdezhen.core.demo import DemoContext
from jingdezhen.core.platforms import Platform
from merchants.demo import active_merchants
from merchants.models import Milestone, TeamMember
from merchants.services import milestone_record

from .models import CrewBooking, LiveRoom, LiveStream, StreamSettings

ROOMS = [
    ("1号直播间 Room 1", 4, "Three-camera set, ring lights, turntable for vases"),
    ("2号直播间 Room 2", 4, "Tea table set, macro lens for glaze close-ups"),
    ("3号直播间 Room 3", 6, "Large room with display shelves for sets"),
    ("4号直播间 Room 4", 3, "Compact room, vertical phone rig"),
    ("5号直播间 Room 5", 3, "Compact room, vertical phone rig"),
    ("6号直播间 Room 6", 8, "Studio with kiln backdrop for craft stories"),
    ("7号直播间 Room 7", 4, "Bilingual set for cross-border streams (TikTok Shop)"),
    ("8号直播间 Room 8", 4, "Standard room"),
]

# (start, minutes, room index or None for the own studio, platform)
ZHOU_LE = [
    ((8, 0), 90, None, Platform.DOUYIN),
    ((10, 0), 90, 0, Platform.TAOBAO),
    ((13, 0), 90, 0, Platform.KUAISHOU),
    ((15, 0), 90, None, Platform.XIAOHONGSHU),
    ((18, 0), 90, 0, Platform.WECHAT),
    ((20, 0), 120, 0, Platform.DOUYIN),
    ((22, 30), 75, None, Platform.JD),  # the seventh, on some days
]
RAN = [((14, 0), 120, 1, Platform.TIKTOK), ((20, 0), 120, 1, Platform.DOUYIN)]
LIU = [((20, 0), 120, 2, Platform.DOUYIN)]
OTHER_SLOTS = [(9, 120), (13, 120), (16, 120), (20, 120)]
TITLES = [
    "青花茶器专场",
    "粉彩新品首发",
    "柴烧品鉴夜",
    "玲珑杯福利场",
    "手作茶盏直播",
    "窑口故事会",
]


def _aware(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def seed(ctx: DemoContext) -> None:
    for name, capacity, equipment in ROOMS:
        LiveRoom.objects.get_or_create(
            base=ctx.base, name=name, defaults={"capacity": capacity, "equipment": equipment}
        )
    StreamSettings.objects.get_or_create(
        base=ctx.base, defaults={"changeover_minutes": 15, "room_hours_per_day": 16}
    )
    rooms = list(LiveRoom.objects.filter(base=ctx.base).order_by("name"))
    ctx.write(f"rooms: {len(rooms)}")
    if not ctx.demo_merchants:
        return
    with transaction.atomic():
        created = _streams(ctx, rooms)
    ctx.write(
        f"streams: {created} new, {LiveStream.objects.filter(room__base=ctx.base).count()} in rooms"
    )


def _streams(ctx: DemoContext, rooms: list[LiveRoom]) -> int:
    rng = ctx.rng
    today = timezone.localdate()
    now = timezone.now()
    days = [today + dt.timedelta(days=d) for d in range(-ctx.days, 15)]
    plans = []  # (merchant, hosts, [(start, minutes, room, platform)] per day)
    named = ctx.demo_merchants
    schedules = [ZHOU_LE, RAN, LIU]
    for merchant, schedule in zip(named, schedules, strict=False):
        # The hosts who log in (the ``host`` account) are left out of the daily rota: their
        # streams are the ones the showcase books for them through the services.
        hosts = list(
            TeamMember.objects.filter(
                merchant=merchant, role=TeamMember.Role.HOST, user__isnull=True
            ).order_by("id")
        )
        plans.append((merchant, hosts, schedule))
    others = active_merchants(ctx)[len(named) :]
    existing = set(
        LiveStream.objects.filter(
            merchant__base=ctx.base,
            planned_start__gte=_aware(days[0], 0, 0),
        ).values_list("merchant_id", "planned_start")
    )
    taken = set(
        LiveStream.objects.filter(
            room__base=ctx.base, planned_start__gte=_aware(days[0], 0, 0)
        ).values_list("room_id", "planned_start")
    )
    rows = []

    def add(merchant, start, minutes, room, platform, host, buffer):
        if (merchant.pk, start) in existing or (room and (room.pk, start) in taken):
            return
        end = start + dt.timedelta(minutes=minutes)
        stream = LiveStream(
            merchant=merchant,
            room=room,
            platform=platform,
            host=host,
            title=rng.choice(TITLES),
            planned_start=start,
            planned_end=end,
            blocked_until=end + dt.timedelta(minutes=buffer if room else 0),
        )
        if end < now:
            if rng.random() < 0.03:
                stream.status = LiveStream.Status.CANCELLED
                stream.cancelled_at = start - dt.timedelta(days=1)
            else:
                stream.status = LiveStream.Status.ENDED
                stream.actual_start = start + dt.timedelta(minutes=rng.randint(0, 6))
                stream.actual_end = end + dt.timedelta(minutes=rng.randint(-5, 10))
                viewers = rng.randint(800, 30000)
                stream.unique_viewers = viewers
                stream.peak_viewers = max(1, viewers // rng.randint(6, 15))
                stream.avg_watch_seconds = rng.randint(40, 240)
                stream.new_followers = viewers // rng.randint(40, 120)
                stream.product_clicks = viewers // rng.randint(3, 8)
                stream.results_recorded_at = stream.actual_end
        rows.append(stream)
        existing.add((merchant.pk, start))
        if room:
            taken.add((room.pk, start))

    for day in days:
        for merchant, hosts, schedule in plans:
            for n, ((hour, minute), minutes, room_index, platform) in enumerate(schedule):
                if n == 6 and day.toordinal() % 2:
                    continue  # 6 or 7 a day
                room = rooms[room_index] if room_index is not None and rooms else None
                host = hosts[n % len(hosts)] if hosts else None
                add(merchant, _aware(day, hour, minute), minutes, room, platform, host, 15)
        for room in rooms[3:]:
            for hour, minutes in OTHER_SLOTS:
                # chosen from the date and slot, not the shared rng, so a rerun picks the same
                pick = random.Random(f"{day.isoformat()}-{room.name}-{hour}")
                if not others or pick.random() < 0.3:
                    continue
                merchant = others[pick.randrange(len(others))]
                platform = pick.choice(list(Platform.values))
                add(merchant, _aware(day, hour, 0), minutes, room, platform, None, 15)
    LiveStream.objects.bulk_create(rows, batch_size=2000)
    # The crew the booking service holds for every scheduled stream (here: its host).
    CrewBooking.objects.bulk_create(
        [
            CrewBooking(
                stream=s,
                member_id=s.host_id,
                part=CrewBooking.Part.HOST,
                starts_at=s.planned_start,
                ends_at=s.planned_end,
            )
            for s in rows
            if s.host_id and s.status in LiveStream.ACTIVE_STATUSES
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    stream_milestones([m.pk for m in active_merchants(ctx)])
    return len(rows)


def stream_milestones(merchant_ids: list[int]) -> None:
    """FIRST_STREAM and TENTH_STREAM of each merchant, from its ended streams (rehearsals never
    count), as ``stream_end`` records them; a merchant that never streamed gets neither."""
    ranked = (
        LiveStream.objects.filter(
            merchant_id__in=merchant_ids,
            status=LiveStream.Status.ENDED,
            is_rehearsal=False,
            actual_end__isnull=False,
        )
        .annotate(
            n=Window(
                RowNumber(), partition_by=[F("merchant_id")], order_by=[F("actual_end"), F("id")]
            )
        )
        .values_list("merchant_id", "n", "actual_end")
    )
    for merchant_id, n, ended in ranked.filter(n__in=[1, 10]):
        kind = Milestone.Kind.FIRST_STREAM if n == 1 else Milestone.Kind.TENTH_STREAM
        milestone_record(merchant_id=merchant_id, kind=kind, reached_at=ended)
