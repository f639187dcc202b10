"""Demo data of the merchants app: the Taoxichuan base, the demo accounts, its merchants."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jingdezhen.demo import DEMO_PASSWORD, DemoContext

from . import services
from .models import (
    Base,
    ForeignAgent,
    Merchant,
    PlatformAccount,
    Review,
    Role,
    StageChange,
    TeamMember,
    User,
)

BASE_NAME = "陶溪川直播基地 Taoxichuan Live Base"

# The two demo merchants come from the report: Zhou Le's store and Ran Xiangfei's studio.
NAMED_MERCHANTS = [
    (
        "merchant",
        "周乐陶瓷 Zhou Le Ceramics",
        Merchant.Kind.STORE,
        Merchant.Stage.GRADUATED,
        "周乐",
        "Seven years in ceramics; 6-7 live sessions a day on different platforms.",
    ),
    (
        "merchant2",
        "冉祥飞手作瓷 Ran Xiangfei Handmade",
        Merchant.Kind.STUDIO,
        Merchant.Stage.INCUBATING,
        "冉祥飞",
        "Handmade porcelain studio with foreign agents in Stockholm, Amsterdam and Brussels.",
    ),
    (
        None,
        "刘阿伟青花 Liu Awei Blue-and-White",
        Merchant.Kind.ARTIST,
        Merchant.Stage.INCUBATING,
        "刘阿伟",
        "A 'Jing drift' of ten years; streams at a fixed time every evening.",
    ),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
)
GIVEN = [
    "瓷",
    "青",
    "窑",
    "釉",
    "彩",
    "白",
    "山",
    "溪",
    "泥",
    "火",
    "玲",
    "珑",
    "岚",
    "雅",
    "朴",
    "韵",
]
WARES = ["青花", "粉彩", "青瓷", "玲珑", "颜色釉", "影青", "柴烧", "手绘", "茶器", "雕塑"]
KINDS = [
    ("工作室", Merchant.Kind.STUDIO),
    ("旗舰店", Merchant.Kind.STORE),
    ("窑坊", Merchant.Kind.WORKSHOP),
    ("艺术", Merchant.Kind.ARTIST),
]
STAGE_WEIGHTS = [
    (Merchant.Stage.APPLICANT, 8),
    (Merchant.Stage.INCUBATING, 55),
    (Merchant.Stage.GRADUATED, 32),
    (Merchant.Stage.EXITED, 5),
]


def _user(username: str, role: str, base: Base, display_name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "base": base, "display_name": display_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def generated_name(i: int) -> tuple[str, str]:
    surname = SURNAMES[i % len(SURNAMES)]
    given = GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
    ware = WARES[(i // 7) % len(WARES)]
    kind_word, kind = KINDS[i % len(KINDS)]
    return f"{surname}{given}{ware}{kind_word} No.{i:04d}", kind


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    base, _ = Base.objects.get_or_create(
        name=BASE_NAME, defaults={"city": "Jingdezhen", "opened_on": dt.date(2020, 8, 1)}
    )
    ctx.base = base
    _user("manager", Role.MANAGER, base, "陈曦 Chen Xi")
    _user("trainer", Role.TRAINER, base, "李老师 Teacher Li")

    today = timezone.localdate()
    demo = []
    for username, name, kind, stage, owner, description in NAMED_MERCHANTS:
        merchant, _ = Merchant.objects.get_or_create(
            base=base,
            name=name,
            defaults={
                "kind": kind,
                "stage": stage,
                "description": description,
                "joined_on": today - dt.timedelta(days=400),
            },
        )
        if not merchant.team.exists():
            user = _user(username, Role.MERCHANT, base, owner) if username else None
            TeamMember.objects.create(
                merchant=merchant, user=user, name=owner, role=TeamMember.Role.OWNER
            )
            for n, role in enumerate(
                [
                    TeamMember.Role.HOST,
                    TeamMember.Role.HOST,
                    TeamMember.Role.ASSISTANT,
                    TeamMember.Role.OPERATOR,
                ]
            ):
                TeamMember.objects.create(
                    merchant=merchant, name=f"{owner}团队{n + 1}号", role=role
                )
        demo.append(merchant)
    ctx.demo_merchants = demo

    # The rest of the base, in bulk: names are unique per base, so a rerun adds only what's missing.
    wanted = max(ctx.merchants - len(NAMED_MERCHANTS), 0)
    stages = [s for s, w in STAGE_WEIGHTS for _ in range(w)]
    rows = []
    for i in range(wanted):
        name, kind = generated_name(i)
        rows.append(
            Merchant(
                base=base,
                name=name,
                kind=kind,
                stage=ctx.rng.choice(stages),
                joined_on=today - dt.timedelta(days=ctx.rng.randint(10, 1500)),
            )
        )
    Merchant.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    _every_stage_present(base)
    _stage_history(ctx, base, today)
    _profiles(ctx, base, demo)
    _reviews(ctx, base, today)
    ctx.write(f"merchants: {Merchant.objects.filter(base=base).count()} at {base}")


def _every_stage_present(base: Base) -> None:
    """A small roster drawn at random may miss a stage; the demo shows every one."""
    present = set(Merchant.objects.filter(base=base).values_list("stage", flat=True))
    spare = Merchant.objects.filter(base=base, stage=Merchant.Stage.INCUBATING, team__isnull=True)
    for stage in Merchant.Stage.values:
        if stage not in present:
            merchant = spare.exclude(stage_changes__isnull=False).first()
            if merchant is not None:
                Merchant.objects.filter(pk=merchant.pk).update(stage=stage)


REASONS = {
    Merchant.Stage.INCUBATING: [
        "样品与直播计划通过评审 Samples and streaming plan approved",
        "完成新手培训后入驻 Admitted after the newcomer course",
    ],
    Merchant.Stage.GRADUATED: [
        "连续三个月日销过万 Three months of 10,000 CNY days",
        "团队与账号独立运营 Team and accounts run on their own",
    ],
    Merchant.Stage.EXITED: [
        "迁往杭州发展 Moved to Hangzhou",
        "未按约定开播 Did not stream as agreed",
    ],
}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _stage_history(ctx: DemoContext, base: Base, today: dt.date) -> None:
    """Registered -> admitted -> graduated/exited, dated between joining and today; only for
    merchants that have no history yet, so a rerun adds nothing."""
    manager = User.objects.filter(username="manager").first()
    pending = Merchant.objects.filter(base=base, stage_changes__isnull=True)
    changes, updated = [], []
    S = Merchant.Stage
    for m in pending.iterator(chunk_size=2000):
        joined = min(m.joined_on, today - dt.timedelta(days=3))
        span = max((today - joined).days, 3)
        changes.append(
            StageChange(
                merchant=m,
                from_stage="",
                to_stage=S.APPLICANT,
                changed_by=manager,
                changed_at=_at(joined, 9),
                reason="提交入驻申请 Applied to the base",
            )
        )
        if m.stage == S.APPLICANT:
            continue
        admitted = joined + dt.timedelta(days=min(ctx.rng.randint(3, 20), span - 2))
        m.incubation_started_on = admitted
        changes.append(
            StageChange(
                merchant=m,
                from_stage=S.APPLICANT,
                to_stage=S.INCUBATING,
                changed_by=manager,
                changed_at=_at(admitted),
                reason=ctx.rng.choice(REASONS[S.INCUBATING]),
            )
        )
        if m.stage in (S.GRADUATED, S.EXITED):
            left = admitted + dt.timedelta(days=ctx.rng.randint(1, max((today - admitted).days, 1)))
            left = min(left, today)
            m.incubation_ended_on = left
            changes.append(
                StageChange(
                    merchant=m,
                    from_stage=S.INCUBATING,
                    to_stage=m.stage,
                    changed_by=manager,
                    changed_at=_at(left, 15),
                    reason=ctx.rng.choice(REASONS[m.stage]),
                )
            )
        updated.append(m)
    StageChange.objects.bulk_create(changes, batch_size=2000)
    Merchant.objects.bulk_update(
        updated, ["incubation_started_on", "incubation_ended_on"], batch_size=2000
    )


AGENTS = [
    ("Elin Lindqvist", "Stockholm", "SE", "elin@nordic-porcelain.example", "12.00"),
    ("Daan de Vries", "Amsterdam", "NL", "+31 20 555 0142", "10.00"),
    ("Camille Dubois", "Brussels", "BE", "camille@atelier-bxl.example", "11.50"),
]
PLATFORMS = ["douyin", "taobao", "kuaishou", "wechat", "jd", "xiaohongshu", "tiktok"]
SPECIALITIES = ["blue_white", "famille_rose", "celadon", "linglong", "colour_glaze", "qingbai"]


def _profiles(ctx: DemoContext, base: Base, demo: list[Merchant]) -> None:
    zhou, ran, liu = demo
    if not zhou.specialities:
        Merchant.objects.filter(pk=zhou.pk).update(specialities=["blue_white", "famille_rose"])
        Merchant.objects.filter(pk=ran.pk).update(specialities=["celadon", "qingbai"])
        Merchant.objects.filter(pk=liu.pk).update(specialities=["blue_white"])
    # Zhou Le's live team grew past ten people: added through the service, which records
    # the TEAM_OF_10 milestone.
    roles = [TeamMember.Role.HOST, TeamMember.Role.OPERATOR, TeamMember.Role.STAFF]
    for n in range(zhou.team.count(), 12):
        services.team_member_add(merchant=zhou, name=f"周乐团队{n}号", role=roles[n % 3])
    for name, city, country, contact, rate in AGENTS:
        ForeignAgent.objects.get_or_create(
            merchant=ran,
            city=city,
            defaults={
                "name": name,
                "country": country,
                "contact": contact,
                "commission_rate": rate,
            },
        )
    accounts = []
    without = Merchant.objects.filter(base=base, platform_accounts__isnull=True)
    for m in without.exclude(stage=Merchant.Stage.APPLICANT):
        picks = ctx.rng.sample(PLATFORMS, 4 if m in demo else ctx.rng.randint(1, 2))
        for platform in picks:
            accounts.append(
                PlatformAccount(
                    merchant=m,
                    platform=platform,
                    handle=f"jdz{m.pk:05d}{platform[:2]}",
                    followers=ctx.rng.randint(200, 250_000),
                )
            )
    PlatformAccount.objects.bulk_create(accounts, batch_size=2000, ignore_conflicts=True)
    plain = list(Merchant.objects.filter(base=base, specialities=[]).only("pk", "specialities"))
    for m in plain:
        m.specialities = ctx.rng.sample(SPECIALITIES, ctx.rng.randint(1, 2))
    Merchant.objects.bulk_update(plain, ["specialities"], batch_size=2000)


NOTES = {
    Review.Outcome.GOOD: [
        "直播准时 直播间整洁 Streams on time, room left tidy",
        "商品故事讲得好 Tells each piece's story well",
    ],
    Review.Outcome.WARNING: [
        "两次超时占用直播间 Overran the room twice",
        "商品描述夸大 Overstated a glaze's age",
    ],
    Review.Outcome.VIOLATION: ["售卖非本地烧制产品 Sold pieces not fired in Jingdezhen"],
}


def _reviews(ctx: DemoContext, base: Base, today: dt.date) -> None:
    manager = User.objects.filter(username="manager").first()
    outcomes = [Review.Outcome.GOOD] * 7 + [Review.Outcome.WARNING] * 2 + [Review.Outcome.VIOLATION]
    rows = []
    reviewed = Merchant.objects.filter(base=base, reviews__isnull=True).exclude(
        stage=Merchant.Stage.APPLICANT
    )
    for m in reviewed.iterator(chunk_size=2000):
        # Two in five merchants have no review yet (decided by id, so a rerun decides the same).
        if m.pk % 5 in (1, 3) and m.name not in {n[1] for n in NAMED_MERCHANTS}:
            continue
        for _n in range(ctx.rng.randint(1, 2)):
            outcome = ctx.rng.choice(outcomes)
            written = today - dt.timedelta(days=ctx.rng.randint(1, 80))
            rows.append(
                Review(
                    merchant=m,
                    reviewer=manager,
                    outcome=outcome,
                    notes=ctx.rng.choice(NOTES[outcome]),
                    follow_up_on=(
                        written + dt.timedelta(days=30) if outcome != Review.Outcome.GOOD else None
                    ),
                    created_at=_at(written, 16),
                )
            )
    Review.objects.bulk_create(rows, batch_size=2000)
