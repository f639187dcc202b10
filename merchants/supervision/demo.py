"""The demo's supervision, written through the services as the base's manager would: targets
per stage, an override of one named merchant, the base's rules, a platform violation with a
screenshot as evidence, a follow-up due today, then the daily run (alerts and reminders).
Run after the turnover is rolled up (last in ``jingdezhen.demo.DEMO_MODULES``); a second run
adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from jingdezhen.core.days import today as base_today
from jingdezhen.core.demo import DemoContext
from jingdezhen.core.tenancy import reach_for

from .. import services as merchant_services
from ..models import Merchant, PlatformViolation, Review, User
from . import selectors, services

STAGE_TARGETS = {
    "incubating": (5, Decimal("20000.00")),
    "graduated": (10, Decimal("80000.00")),
}


def _screenshot() -> SimpleUploadedFile:
    """A drawn stand-in for a platform's notice: a red banner on a white page."""
    image = Image.new("RGB", (360, 640), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 360, 96), fill=(220, 50, 50))
    for row in range(6):
        draw.rectangle((24, 140 + row * 48, 336 - row * 30, 160 + row * 48), fill=(200, 200, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("notice.png", buffer.getvalue(), content_type="image/png")


def seed(ctx: DemoContext) -> None:
    manager = User.objects.filter(username="manager").first()
    if manager is None or len(ctx.demo_merchants) < 3:
        return
    reach = reach_for(manager)
    today = base_today()
    for stage, (streams, gmv) in STAGE_TARGETS.items():
        services.stage_target_set(
            actor=reach, stage=stage, streams_per_week=streams, gmv_per_week=gmv
        )
    zhou, ran, third = ctx.demo_merchants[:3]
    # The busiest store is held to more streams than its stage: 6-7 a day.
    services.merchant_target_set(
        actor=reach, merchant_id=zhou.pk, streams_per_week=30, gmv_per_week=None
    )
    if not PlatformViolation.objects.filter(merchant=ran).exists():
        services.violation_record(
            actor=reach,
            merchant_id=ran.pk,
            platform="douyin",
            occurred_on=today - dt.timedelta(days=5),
            kind=PlatformViolation.Kind.TRAFFIC_RESTRICTED,
            points=0,
            reason="直播中出现站外引流信息 Showed an off-platform contact in a stream",
            evidence=_screenshot(),
        )
    if not Review.objects.filter(merchant=third, follow_up_on=today).exists():
        merchant_services.review_create(
            actor=reach,
            merchant=Merchant.objects.get(pk=third.pk),
            outcome=Review.Outcome.WARNING,
            notes="直播间卫生需改进 The room needs tidying before streams",
            follow_up_on=today,
        )
    done = services.supervision_daily(today=today)
    behind = len(selectors.merchants_falling_behind(reach=reach, today=today))
    ctx.write(
        f"supervision: {behind} merchants behind target, {done['alerts']} alerts opened, "
        f"{done['reminders']} follow-up reminders"
    )
