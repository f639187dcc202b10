"""Demo data of the merchants app: the Taoxichuan base, the demo accounts, its merchants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jingdezhen.core.demo import DEMO_PASSWORD, DemoContext
from jingdezhen.core.tenancy import reach_for

from . import invitations, services
from .models import (
    Base,
    ForeignAgent,
    Invitation,
    Merchant,
    PlatformAccount,
    Review,
    Role,
    StageChange,
    StatusChange,
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
# Kind -> stage of the named merchants: the first PEER_ROWS generated merchants take it, so each
# named merchant has at least five peers of its kind and stage (peer standing needs them).
PEER_STAGES = {
    Merchant.Kind.STORE: Merchant.Stage.GRADUATED,
    Merchant.Kind.STUDIO: Merchant.Stage.INCUBATING,
    Merchant.Kind.ARTIST: Merchant.Stage.INCUBATING,
}
PEER_ROWS = 16
# How many generated merchants stream and sell in the demo history (the named ones always do).
ACTIVE_OTHERS = 40
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


def active_merchants(ctx: DemoContext) -> list[Merchant]:
    """The merchants that stream and take orders in the demo history: the named ones, then the
    first generated ones that are incubating or graduated (never an applicant or an exited one)."""
    named = {m.pk for m in ctx.demo_merchants}
    others = list(
        Merchant.objects.filter(
            base=ctx.base,
            stage__in=[Merchant.Stage.INCUBATING, Merchant.Stage.GRADUATED],
            status=Merchant.Status.ACTIVE,
        )
        .exclude(pk__in=named)
        .order_by("pk")[:ACTIVE_OTHERS]
    )
    return [*ctx.demo_merchants, *others]


def _named_merchant(
    ctx: DemoContext,
    base: Base,
    today: dt.date,
    username: str | None,
    name: str,
    kind: str,
    stage: str,
    owner: str,
    description: str,
) -> Merchant:
    """A named merchant, registered, admitted and graduated through the stage services, as a
    manager would; its team added through the team service."""
    merchant = Merchant.objects.filter(base=base, name=name).first()
    if merchant is not None:
        return merchant
    manager = User.objects.get(username="manager")
    reach = reach_for(manager)
    merchant = services.merchant_create(
        base=base,
        name=name,
        kind=kind,
        description=description,
        created_by=manager,
        reason="提交入驻申请 Applied to the base",
    )
    if stage in (Merchant.Stage.INCUBATING, Merchant.Stage.GRADUATED):
        services.merchant_admit(actor=reach, merchant_id=merchant.pk, reason=REASONS[stage][0])
    if stage == Merchant.Stage.GRADUATED:
        services.merchant_graduate(
            actor=reach, merchant_id=merchant.pk, reason=REASONS[Merchant.Stage.GRADUATED][0]
        )
    # The stage services date every change today; the demo's history is older. Joined 400 days
    # ago, admitted before the first stream of the history, graduated a third of the way into
    # it (after its first streams): the dates are moved back with one UPDATE per row here.
    history_starts = today - dt.timedelta(days=ctx.days)
    joined = today - dt.timedelta(days=400)
    admitted = max(history_starts - dt.timedelta(days=20), joined + dt.timedelta(days=3))
    graduated = min(history_starts + dt.timedelta(days=max(ctx.days // 3, 1)), today)
    dates = {Merchant.Stage.APPLICANT: joined, Merchant.Stage.INCUBATING: admitted}
    dates[Merchant.Stage.GRADUATED] = graduated
    for change in merchant.stage_changes.all():
        StageChange.objects.filter(pk=change.pk).update(
            changed_at=_at(dates[change.to_stage], 15 if change.from_stage else 9)
        )
    merchant.status_changes.filter(from_status="").update(changed_at=_at(joined, 9))
    Merchant.objects.filter(pk=merchant.pk).update(
        joined_on=joined,
        incubation_started_on=admitted if stage != Merchant.Stage.APPLICANT else None,
        incubation_ended_on=graduated if stage == Merchant.Stage.GRADUATED else None,
    )
    user = _user(username, Role.MERCHANT, base, owner) if username else None
    services.team_member_add(
        merchant=merchant, name=owner, role=TeamMember.Role.OWNER, user=user, joined_on=joined
    )
    for n, role in enumerate(
        [
            TeamMember.Role.HOST,
            TeamMember.Role.HOST,
            TeamMember.Role.ASSISTANT,
            TeamMember.Role.OPERATOR,
        ]
    ):
        services.team_member_add(
            merchant=merchant, name=f"{owner}团队{n + 1}号", role=role, joined_on=joined
        )
    merchant.refresh_from_db()
    return merchant


# The SPEC's two team accounts of ``merchant``'s store: a host and its customer service, each
# with what its role may do (merchants.permissions).
TEAM_ACCOUNTS = [
    ("host", "周小雅 Zhou Xiaoya", "周小雅 主播", TeamMember.Role.HOST),
    ("service", "陈小满 Chen Xiaoman", "陈小满 客服", TeamMember.Role.SERVICE),
]


def _team_accounts(base: Base, zhou: Merchant) -> None:
    for username, display, member_name, role in TEAM_ACCOUNTS:
        user = _user(username, Role.MERCHANT, base, display)
        if not TeamMember.objects.filter(user=user).exists():
            services.team_member_add(merchant=zhou, name=member_name, role=role, user=user)
        else:  # a seed of before team roles carried permissions gave service the staff role
            TeamMember.objects.filter(user=user).exclude(role=role).update(role=role)


# One invitation waiting to be accepted, so the first look shows the team card's invitations.
DEMO_INVITEE = ("吴小琴 Wu Xiaoqin", "wu.xiaoqin@example.com", TeamMember.Role.ASSISTANT)


def _pending_invitation(zhou: Merchant) -> None:
    """The owner invites an assistant host, through the service, once per merchant."""
    name, email, role = DEMO_INVITEE
    if Invitation.objects.filter(merchant=zhou, email=email).exists():
        return
    owner = (
        TeamMember.objects.filter(merchant=zhou, role=TeamMember.Role.OWNER, user__isnull=False)
        .select_related("user")
        .first()
    )
    if owner is None:
        return
    invitations.invite_member(
        reach=reach_for(owner.user), merchant=zhou, email=email, name=name, role=role
    )


def _named_reviews(base: Base, demo: list[Merchant], today: dt.date) -> None:
    """Each named merchant's supervision: a good review and a warning whose follow-up is due
    within days, written through the review service as the manager would."""
    manager = User.objects.get(username="manager")
    reach = reach_for(manager)
    for n, merchant in enumerate(demo):
        if merchant.reviews.exists():
            continue
        services.review_create(
            actor=reach,
            merchant=merchant,
            outcome=Review.Outcome.GOOD,
            notes=NOTES[Review.Outcome.GOOD][n % 2],
        )
        services.review_create(
            actor=reach,
            merchant=merchant,
            outcome=Review.Outcome.WARNING,
            notes=NAMED_WARNINGS[n % len(NAMED_WARNINGS)],
            follow_up_on=today + dt.timedelta(days=2 + n),
        )


NAMED_WARNINGS = [
    "两次超时占用直播间 请核对排期 Overran the room twice; check the schedule",
    "跨境包裹破损偏多 请加强包装 Too many parcels broke abroad; pack better",
    "商品描述夸大釉色年代 Overstated a glaze's age in a stream",
]


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
    demo = [_named_merchant(ctx, base, today, *spec) for spec in NAMED_MERCHANTS]
    ctx.demo_merchants = demo

    # The rest of the base, in bulk: names are unique per base, so a rerun adds only what's missing.
    wanted = max(ctx.merchants - len(NAMED_MERCHANTS), 0)
    stages = [s for s, w in STAGE_WEIGHTS for _ in range(w)]
    rows = []
    for i in range(wanted):
        name, kind = generated_name(i)
        # The first generated merchants share the named merchants' kind and stage, so peer
        # standing has enough peers; they are the lowest ids, so they are among the active ones.
        stage = None
        if i < PEER_ROWS:
            # The workshops among them take every stage in turn, so even a small roster shows
            # each stage without taking a peer away from a named merchant.
            stage = PEER_STAGES.get(kind) or Merchant.Stage.values[(i // 4) % 4]
        stage = stage or ctx.rng.choice(stages)
        if stage == Merchant.Stage.APPLICANT:
            joined = today - dt.timedelta(days=ctx.rng.randint(3, 60))
        else:
            # Admitted before the demo's history starts, so every stream and order of the
            # history falls inside its incubation (or after its graduation).
            joined = today - dt.timedelta(days=ctx.rng.randint(ctx.days + 25, ctx.days + 1500))
        rows.append(Merchant(base=base, name=name, kind=kind, stage=stage, joined_on=joined))
    Merchant.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    _every_stage_present(base)
    _stage_history(ctx, base, today)
    _profiles(ctx, base, demo)
    _team_accounts(base, demo[0])
    _pending_invitation(demo[0])
    _reviews(ctx, base, today)
    _named_reviews(base, demo, today)
    ctx.write(f"merchants: {Merchant.objects.filter(base=base).count()} at {base}")


def _every_stage_present(base: Base) -> None:
    """A small roster drawn at random may miss a stage; the demo shows every one."""
    present = set(Merchant.objects.filter(base=base).values_list("stage", flat=True))
    # A peer of the named merchants (the first generated ones) only when the roster is too
    # small to spare another: every stage shown comes first.
    peers = [generated_name(i)[0] for i in range(PEER_ROWS)]
    spare = Merchant.objects.filter(
        base=base, stage=Merchant.Stage.INCUBATING, team__isnull=True, stage_changes__isnull=True
    ).order_by("-pk")
    for stage in Merchant.Stage.values:
        if stage not in present:
            merchant = spare.exclude(name__in=peers).first() or spare.first()
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
    history_starts = today - dt.timedelta(days=ctx.days)
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
            if m.stage == S.GRADUATED and admitted < history_starts:
                # A graduate streamed and sold during the history: it graduates inside it,
                # after its first weeks there, never before its first stream.
                first = history_starts + dt.timedelta(days=max(ctx.days // 4, 1))
                left = first + dt.timedelta(days=ctx.rng.randint(0, max((today - first).days, 0)))
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
    _status_history(base, today, manager)


def _status_history(base: Base, today: dt.date, manager: User | None) -> None:
    """Each merchant's registration as active (as ``merchant_create`` records it) and, for a
    suspended one, its suspension; only for merchants without any, so a rerun adds nothing."""
    rows = []
    for m in Merchant.objects.filter(base=base, status_changes__isnull=True).iterator(
        chunk_size=2000
    ):
        joined = min(m.joined_on, today - dt.timedelta(days=3))
        rows.append(
            StatusChange(
                merchant=m,
                from_status="",
                to_status=Merchant.Status.ACTIVE,
                changed_by=manager,
                changed_at=_at(joined, 9),
                reason="Registered",
            )
        )
        if m.status == Merchant.Status.SUSPENDED:
            rows.append(
                StatusChange(
                    merchant=m,
                    from_status=Merchant.Status.ACTIVE,
                    to_status=Merchant.Status.SUSPENDED,
                    changed_by=manager,
                    changed_at=_at(today - dt.timedelta(days=2)),
                    reason="违规直播，暂停使用基地直播间 Streaming rule violation",  # noqa: RUF001
                )
            )
    StatusChange.objects.bulk_create(rows, batch_size=2000)


# (named merchant index, name, city, country, contact, commission %)
AGENTS = [
    (1, "Elin Lindqvist", "Stockholm", "SE", "elin@nordic-porcelain.example", "12.00"),
    (1, "Daan de Vries", "Amsterdam", "NL", "+31 20 555 0142", "10.00"),
    (1, "Camille Dubois", "Brussels", "BE", "camille@atelier-bxl.example", "11.50"),
    (0, "Thabo Nkosi", "Johannesburg", "ZA", "thabo@capeclay.example", "9.00"),
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
    # Ran Xiangfei's agents of the report, and the South African agent through whom Zhou Le's
    # overseas orders (mostly South Africa) come: through the service, as the owner adds them.
    reach = reach_for(User.objects.get(username="manager"))
    for index, name, city, country, contact, rate in AGENTS:
        merchant = demo[index]
        if not ForeignAgent.objects.filter(merchant=merchant, city=city).exists():
            services.foreign_agent_add(
                actor=reach,
                merchant=merchant,
                name=name,
                city=city,
                country=country,
                contact=contact,
                commission_rate=Decimal(rate),
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
    # The named merchants' reviews go through the review service (_named_reviews).
    reviewed = (
        Merchant.objects.filter(base=base, reviews__isnull=True)
        .exclude(stage=Merchant.Stage.APPLICANT)
        .exclude(name__in=[n[1] for n in NAMED_MERCHANTS])
    )
    for m in reviewed.iterator(chunk_size=2000):
        # Two in five merchants have no review yet (decided by id, so a rerun decides the same).
        if m.pk % 5 in (1, 3):
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
