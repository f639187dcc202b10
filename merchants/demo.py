"""Demo data of the merchants app: the Taoxichuan base, the demo accounts, its merchants."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jingdezhen.demo import DEMO_PASSWORD, DemoContext

from .models import Base, Merchant, Role, TeamMember, User

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
    ctx.write(f"merchants: {Merchant.objects.filter(base=base).count()} at {base}")
