"""Demo orders that show what the bulk history cannot, all through the orders services: a flash
deal running in the stream that is live right now with buyers taking it, breakage claims with a
buyer's photo (one refunded, one reshipped, one open), and a past Douyin CSV export with a bad
row. Runs after ``livestreams.demo_showcase`` (which starts the live stream). Idempotent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from jingdezhen.core.demo import DemoContext
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tenancy import Reach, reach_for
from livestreams.demo_showcase import live_now
from merchants.models import Merchant, TeamMember, User
from orders.intake import jobs
from orders.intake.specs import LineIn
from orders.ordering import claims, flash_deals, services

from .demo import manager_reach
from .demo_photos import draw_breakage
from .models import BreakageClaim, FlashDeal, Order, OrderImport, Product

LIVE_BUYERS = ["青瓷爱好者", "景德镇老客", "茶席小白", "瓷迷阿May", "深圳陈先生"]


def _owner(merchant: Merchant) -> User | None:
    member = (
        TeamMember.objects.filter(merchant=merchant, role=TeamMember.Role.OWNER, user__isnull=False)
        .select_related("user")
        .first()
    )
    return member.user if member else None


def _reach(actor: User | None) -> Reach:
    """The owner's reach, as the owner would act in the app; the base manager's if none."""
    return reach_for(actor) if actor is not None else manager_reach()


def _live_deal(merchant: Merchant, actor: User | None) -> FlashDeal | None:
    """A flash deal running in the live stream, until the stream's planned end, and the orders
    its buyers placed (paid, but one) plus orders at the run sheet's live price."""
    stream = live_now(merchant)
    if stream is None:
        return None
    now = timezone.now()
    running = stream.flash_deals.filter(ended=False, ends_at__gt=now).first()
    if running is not None:
        return running
    featured = list(stream.featured.select_related("product").order_by("position"))
    if not featured:
        return None
    product = max((f.product for f in featured), key=lambda p: (p.stock, -p.pk))
    if product.stock < 1:
        return None
    reach = _reach(actor)
    deal = flash_deals.flash_deal_create(
        reach=reach,
        stream=stream,
        product=product,
        deal_price=(product.price * Decimal("0.6")).quantize(Decimal("1")),
        quantity=min(12, product.stock),
        per_buyer_limit=2,
        starts_at=now - dt.timedelta(minutes=5),
        duration=stream.planned_end - now + dt.timedelta(minutes=5),
    )
    for n, buyer in enumerate(LIVE_BUYERS):
        order = services.order_place(
            reach=reach,
            merchant=merchant,
            platform=stream.platform,
            lines=[LineIn(product_id=product.pk, quantity=1, flash_deal_id=deal.pk)],
            buyer_name=buyer,
            stream_id=stream.pk,
            actor=actor,
        )
        if n < len(LIVE_BUYERS) - 1:  # the last buyer has not paid yet
            services.order_pay(reach=reach, order=order, actor=actor)
    # Orders from the stream of the other featured pieces: the intake charges the run sheet's
    # live price by itself.
    for n, item in enumerate(f for f in featured if f.product_id != product.pk):
        if item.product.stock < 1:
            continue
        order = services.order_place(
            reach=reach,
            merchant=merchant,
            platform=stream.platform,
            lines=[LineIn(product_id=item.product_id, quantity=1)],
            buyer_name=f"直播间买家{n + 1}",
            stream_id=stream.pk,
            actor=actor,
        )
        services.order_pay(reach=reach, order=order, actor=actor)
    return deal


CLAIM_NOTES = [
    "收到时瓶口碎裂，买家附照片 The rim arrived broken; the buyer sent a photo",  # noqa: RUF001
    "盘子裂成两半，快递外箱有压痕 The plate arrived in two; the box was crushed",  # noqa: RUF001
    "杯子缺一只角 A cup arrived chipped",
]


def _claims(merchant: Merchant, actor: User | None, *, overseas: bool = False) -> int:
    """Breakage claims on shipped orders: the first refunded, the second reshipped, the third
    still open for the merchant to decide."""
    if BreakageClaim.objects.filter(order__merchant=merchant).exists():
        return 0
    orders = Order.objects.filter(
        merchant=merchant,
        status__in=[Order.Status.DELIVERED, Order.Status.COMPLETED],
        refunded_cny=0,
    )
    if overseas:
        orders = orders.exclude(buyer_country="CN")
    outcomes = [BreakageClaim.Outcome.REFUNDED, BreakageClaim.Outcome.RESHIPPED, None]
    reach = _reach(actor)
    made = 0
    for n, order in enumerate(orders.order_by("-placed_at")[: len(outcomes)]):
        line = order.lines.order_by("pk").first()
        if line is None:
            continue
        claim = claims.claim_file(
            reach=reach,
            order=order,
            line_ids=[line.pk],
            photo=ContentFile(draw_breakage(index=order.pk), name="broken.jpg"),
            note=CLAIM_NOTES[n % len(CLAIM_NOTES)],
            actor=actor,
        )
        if outcomes[n] is not None:
            claims.claim_decide(reach=reach, claim=claim, outcome=outcomes[n], actor=actor)
        made += 1
    return made


def douyin_export(merchant: Merchant) -> tuple[bytes, int]:
    """A Douyin order export of twelve days ago, as the platform writes it (Chinese headers,
    Chinese statuses), with one row whose SKU is not in the catalogue. Returns the file and the
    number of rows in it."""
    products = list(Product.objects.filter(merchant=merchant, is_active=True).order_by("pk")[:4])
    day = timezone.localdate() - dt.timedelta(days=12)
    header = "主订单编号,商家编码,商品数量,商品单价,订单状态,订单提交时间,收件人"
    rows = [header]
    for n, product in enumerate(products):
        placed = f"{day:%Y-%m-%d} {10 + n:02d}:{15 + n * 7:02d}:00"
        rows.append(f"DY{day:%Y%m%d}{n:04d},{product.sku},1,{product.price},已完成,{placed},王女士")
    rows.append(f"DY{day:%Y%m%d}9999,NO-SUCH-SKU,1,88.00,已完成,{day:%Y-%m-%d} 16:00:00,李先生")
    return ("\n".join(rows) + "\n").encode("utf-8"), len(rows) - 1


def _import(merchant: Merchant, actor: User | None) -> None:
    if OrderImport.objects.filter(merchant=merchant).exists():
        return
    data, _rows = douyin_export(merchant)
    day = timezone.localdate() - dt.timedelta(days=12)
    # As the upload page does it: an import job; the demo runs it at once instead of a worker
    # (a worker handed it after the commit finds it done and leaves it).
    job = jobs.import_job_create(
        reach=_reach(actor),
        merchant=merchant,
        kind="orders",
        platform=Platform.DOUYIN,
        upload=ContentFile(data, name=f"抖店订单导出_{day:%Y%m%d}.csv"),
        actor=actor,
    )
    jobs.import_job_run(job_id=job.pk)


def seed(ctx: DemoContext) -> None:
    if not ctx.demo_merchants:
        return
    zhou = ctx.demo_merchants[0]
    owner = _owner(zhou)
    deal = _live_deal(zhou, owner)
    claims = _claims(zhou, owner)
    if len(ctx.demo_merchants) > 1:
        ran = ctx.demo_merchants[1]
        claims += _claims(ran, _owner(ran), overseas=True)
    _import(zhou, owner)
    ctx.write(
        f"showcase orders: live deal {deal.pk if deal else '-'}, {claims} new claims, "
        f"{OrderImport.objects.filter(merchant=zhou).count()} import"
    )
