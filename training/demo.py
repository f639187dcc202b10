"""Demo data of the training app: the five free courses, cohorts past and present (one full, with
a waitlist), newcomers, attendance, completions with certificates, and graduates ready to apply.

Enrolments, attendance and completions go through the services, as a trainer's clicks would;
a cohort is filled only when it is first created, so a rerun adds nothing. The graduates are left
for the trainer to turn into merchant applicants in the browser (one click on a trainee's page).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from jingdezhen.core.demo import DemoContext
from jingdezhen.core.tenancy import reach_for
from merchants.models import Milestone, Role, TeamMember, User
from merchants.services import milestone_record

from . import selectors, services
from .models import Certificate, Cohort, Course, Enrollment, Trainee

# The finished cohort that leaves one graduate's certificate to the trainer.
AWAITING_CERTIFICATE = "规则 第1期 Rules #1"

COURSES = [
    ("直播带货入门 Live-hosting basics", Course.Kind.LIVE_BASICS, "16"),
    ("瓷器产品摄影 Product photography for porcelain", Course.Kind.PHOTOGRAPHY, "8"),
    ("讲好瓷器故事 Ceramic storytelling", Course.Kind.STORYTELLING, "6"),
    ("平台规则与合规 Platform rules and compliance", Course.Kind.PLATFORM_RULES, "4"),
    ("跨境电商实务 Cross-border e-commerce", Course.Kind.CROSS_BORDER, "12"),
]
BACKGROUNDS = [
    "景漂 陶艺专业毕业 Ceramics graduate, new in town",
    "家族窑口第三代 Third generation of a family kiln",
    "原为实体店店员 Former shop assistant",
    "返乡青年 Came home from Shenzhen",
    "手绘师傅 Hand-painting master",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["小青", "子瓷", "若溪", "明釉", "晓窑", "一彩", "思玲", "景和"]


def seed(ctx: DemoContext) -> None:
    base = ctx.base
    trainer = User.objects.filter(username="trainer", role=Role.TRAINER).first()
    if trainer is None:
        return
    reach = reach_for(trainer)
    today = timezone.localdate()

    courses = []
    for title, kind, hours in COURSES:
        course, _ = Course.objects.get_or_create(
            base=base, title=title, defaults={"kind": kind, "hours": Decimal(hours)}
        )
        courses.append(course)

    Trainee.objects.bulk_create(
        [
            Trainee(
                base=base,
                name=f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[i % len(GIVEN)]}",
                phone=f"1357000{i:04d}",
                background=BACKGROUNDS[i % len(BACKGROUNDS)],
            )
            for i in range(80)
        ],
        ignore_conflicts=True,
    )
    pool = list(Trainee.objects.filter(base=base, phone__startswith="1357000").order_by("phone"))

    # (course index, name, start offset in days, length, capacity, trainees, complete?)
    plans = [
        (0, "直播入门 第1期 Basics #1", -60, 5, 15, 14, True),
        (1, "摄影 第1期 Photography #1", -40, 2, 10, 9, True),
        (2, "故事 第1期 Storytelling #1", -25, 2, 12, 10, True),
        (3, "规则 第1期 Rules #1", -10, 1, 20, 12, True),
        (0, "直播入门 第2期 Basics #2", -2, 5, 12, 15, False),  # full, three waiting
        (4, "跨境 第1期 Cross-border #1", 7, 3, 16, 6, False),
        (1, "摄影 第2期 Photography #2", 0, 2, 10, 5, False),  # starts today: this week's
    ]
    cursor = 0
    finished = []
    for course_index, name, offset, length, capacity, size, complete in plans:
        starts = today + dt.timedelta(days=offset)
        cohort, created = Cohort.objects.get_or_create(
            course=courses[course_index],
            name=name,
            defaults={
                "trainer": trainer,
                "starts_on": starts,
                "ends_on": starts + dt.timedelta(days=length - 1),
                "room": "培训室 Training room " + "AB"[course_index % 2],
                "capacity": capacity,
            },
        )
        group = pool[cursor : cursor + size]
        cursor = (cursor + size) % (len(pool) - 20)
        if not created:
            continue
        enrolments = [
            services.enrollment_create(actor=reach, cohort_id=cohort.pk, trainee_id=t.pk)
            for t in group
        ]
        holding = [e for e in enrolments if e.status == Enrollment.Status.ENROLLED]
        for day in cohort.session_days():
            if day > today:
                break
            present = {e.pk for e in holding if ctx.rng.random() < 0.9}
            services.attendance_record(
                actor=reach, cohort_id=cohort.pk, day=day, present_ids=present
            )
        if complete:
            if len(holding) > 2:
                services.enrollment_drop(actor=reach, enrollment_id=holding[-1].pk)
                holding = holding[:-1]
            # a trainee who missed too many days stays enrolled, without a certificate
            ready = [
                e
                for e in holding
                if selectors.attendance_suffices(
                    present=services.attendance_share(enrollment=e, cohort=cohort)[0],
                    days=len(cohort.session_days()),
                    threshold=cohort.course.attendance_threshold,
                )
            ]
            if name == AWAITING_CERTIFICATE:
                ready = ready[:-1]  # one graduate waits for the trainer (the trainer's home)
            for e in ready:
                services.enrollment_complete(actor=reach, enrollment_id=e.pk)
            finished.append(cohort)

    _link_demo_merchants(ctx, reach, courses[0], trainer)
    basics_cohort = Cohort.objects.filter(
        course=courses[0], name="直播入门 驻场班 Basics for stationed teams"
    ).first()
    _date_completions([*finished, *([basics_cohort] if basics_cohort else [])])
    ctx.write(
        f"training: {Course.objects.filter(base=base).count()} courses, "
        f"{Cohort.objects.filter(course__base=base).count()} cohorts, "
        f"{Enrollment.objects.filter(cohort__course__base=base).count()} enrolments"
    )


def _link_demo_merchants(ctx: DemoContext, reach, basics: Course, trainer: User) -> None:
    """The owners and hosts of the demo merchants took the live-hosting basics in a cohort of
    their own before the demo's history starts (so before their first stream); they may book
    base rooms. Enrolment, attendance and completion go through the services."""
    hosts = list(
        TeamMember.objects.filter(
            merchant__in=ctx.demo_merchants,
            role__in=[TeamMember.Role.OWNER, TeamMember.Role.HOST],
            trainee_records__isnull=True,
        )
        .select_related("merchant")
        .order_by("merchant_id", "id")
    )
    if not hosts:
        return
    starts = timezone.localdate() - dt.timedelta(days=ctx.days + 30)
    cohort, _created = Cohort.objects.get_or_create(
        course=basics,
        name="直播入门 驻场班 Basics for stationed teams",
        defaults={
            "trainer": trainer,
            "starts_on": starts,
            "ends_on": starts + dt.timedelta(days=4),
            "room": "培训室 Training room A",
            "capacity": 24,
        },
    )
    enrolments = []
    for member in hosts:
        trainee = services.trainee_create(
            actor=reach,
            name=member.name,
            background=member.merchant.name,
            user=member.user,
            team_member=member,
        )
        enrolments.append(
            services.enrollment_create(actor=reach, cohort_id=cohort.pk, trainee_id=trainee.pk)
        )
    holding = {e.pk for e in enrolments if e.status == Enrollment.Status.ENROLLED}
    for day in cohort.session_days():
        services.attendance_record(actor=reach, cohort_id=cohort.pk, day=day, present_ids=holding)
    for pk in sorted(holding):
        services.enrollment_complete(actor=reach, enrollment_id=pk)


def _date_completions(cohorts: list[Cohort]) -> None:
    """Completion, its certificate and the merchant's FIRST_COURSE_COMPLETED milestone are dated
    now by the services; a past cohort finished on its last day. The timestamps are moved back
    with one UPDATE per table and cohort here (and the milestone through ``milestone_record``,
    which moves a milestone earlier when an earlier event is reported)."""
    ended_at = {
        c.pk: timezone.make_aware(dt.datetime.combine(c.ends_on, dt.time(17, 0))) for c in cohorts
    }
    if not ended_at:
        return
    done = Enrollment.objects.filter(cohort_id__in=ended_at, status=Enrollment.Status.COMPLETED)
    for pk, at in ended_at.items():
        done.filter(cohort_id=pk).update(completed_at=at, status_changed_at=at)
        Certificate.objects.filter(enrollment__in=done.filter(cohort_id=pk)).update(issued_at=at)
    firsts = (
        done.exclude(trainee__merchant__isnull=True)
        .values("trainee__merchant_id")
        .annotate(first=Min("completed_at"))
        .values_list("trainee__merchant_id", "first")
    )
    for merchant_id, completed in firsts:
        milestone_record(
            merchant_id=merchant_id,
            kind=Milestone.Kind.FIRST_COURSE_COMPLETED,
            reached_at=completed,
        )
