"""Demo data of the orders app: catalogues with stories, exchange rates, and orders over the
last ``ctx.days`` days on several platforms, some overseas. Bulk inserts; a rerun adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jingdezhen.demo import DemoContext
from jingdezhen.platforms import Platform
from merchants.models import Merchant, Milestone
from merchants.services import milestone_record

from .models import ExchangeRate, Order, OrderEvent, OrderLine, Product

RATES = {"ZAR": "0.390000", "EUR": "7.800000", "SEK": "0.680000", "USD": "7.200000"}
OVERSEAS = [
    ("ZA", "ZAR", 6),
    ("SE", "SEK", 2),
    ("NL", "EUR", 2),
    ("BE", "EUR", 1),
    ("US", "USD", 1),
]

W = Product.WareType
C = Product.Category
WARE_NAMES = {
    W.BLUE_AND_WHITE: "青花 Blue-and-white",
    W.FAMILLE_ROSE: "粉彩 Famille-rose",
    W.CELADON: "青瓷 Celadon",
    W.LINGLONG: "玲珑 Linglong",
    W.COLOUR_GLAZE: "颜色釉 Colour-glaze",
    W.QINGBAI: "影青 Qingbai",
    W.WOOD_FIRED: "柴烧 Wood-fired",
}
CATEGORY_NAMES = {
    C.TEA_SET: ("茶具套组 tea set", 380, 4200),
    C.CUP: ("品茗杯 tasting cup", 60, 680),
    C.BOWL: ("茶碗 bowl", 90, 900),
    C.VASE: ("梅瓶 plum vase", 480, 12800),
    C.PLATE: ("赏盘 display plate", 160, 3600),
    C.INCENSE_BURNER: ("香炉 incense burner", 220, 2600),
    C.FIGURINE: ("瓷塑 figurine", 260, 5200),
    C.TEAPOT: ("壶 teapot", 320, 3800),
}
MOTIFS = [
    "缠枝莲 lotus scroll",
    "山水 landscape",
    "梅花 plum blossom",
    "游鱼 fish",
    "竹 bamboo",
    "牡丹 peony",
    "云龙 cloud dragon",
    "松鹤 pine and crane",
]
ARTISANS = ["周乐", "冉祥飞", "刘阿伟", "陈师傅", "李窑工", "王画师", "张拉坯"]
STORIES = [
    "Thrown on the wheel by {artisan}, painted by hand with {motif}, fired in a {kiln}. "
    "Each piece keeps the small marks of the hand that made it.",
    "{artisan} learned the {ware} craft in the old kiln lanes of Jingdezhen; this {category} "
    "carries a {motif} pattern that takes a full day to paint.",
    "A {category} from our studio at Taoxichuan: the clay is Gaoling kaolin, the glaze mixed by "
    "{artisan}, the firing a {kiln} at 1,300 °C. {motif} is painted freehand.",
]
PLATFORM_WEIGHTS = [
    (Platform.DOUYIN, 40),
    (Platform.TAOBAO, 25),
    (Platform.KUAISHOU, 10),
    (Platform.WECHAT, 10),
    (Platform.JD, 6),
    (Platform.XIAOHONGSHU, 5),
    (Platform.TIKTOK, 4),
]


def _products_for(ctx: DemoContext, merchant: Merchant, count: int) -> list[Product]:
    rng = ctx.rng
    wares = list(WARE_NAMES)
    categories = list(CATEGORY_NAMES)
    rows = []
    for i in range(count):
        ware = wares[(i + merchant.pk) % len(wares)]
        category = rng.choice(categories)
        label, low, high = CATEGORY_NAMES[category]
        price = Decimal(rng.randint(low, high))
        tier = (
            Product.Tier.HIGH_END
            if price > 2000
            else Product.Tier.MEDIUM
            if price > 500
            else Product.Tier.DAILY
        )
        kiln = rng.choice(Product.Kiln.values)
        artisan = rng.choice(ARTISANS)
        motif = rng.choice(MOTIFS)
        one_off = tier == Product.Tier.HIGH_END and rng.random() < 0.5
        rows.append(
            Product(
                merchant=merchant,
                sku=f"DEMO-{merchant.pk}-{i:03d}",
                name=f"{WARE_NAMES[ware]} {motif.split()[0]}{label}",
                ware_type=ware,
                category=category,
                technique=rng.choice(Product.Technique.values),
                kiln=kiln,
                artisan=artisan,
                tier=tier,
                length_mm=rng.randint(60, 400),
                width_mm=rng.randint(60, 400),
                height_mm=rng.randint(40, 500),
                weight_g=rng.randint(80, 4000),
                price=price,
                stock=1 if one_off else rng.randint(0, 60),
                story=rng.choice(STORIES).format(
                    artisan=artisan,
                    motif=motif,
                    kiln=Product.Kiln(kiln).label,
                    ware=WARE_NAMES[ware],
                    category=label,
                ),
            )
        )
    Product.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return list(Product.objects.filter(merchant=merchant, sku__startswith="DEMO-"))


def _streams_by_day(merchant: Merchant) -> dict:
    from livestreams.models import LiveStream

    by_day: dict = {}
    for stream in LiveStream.objects.filter(merchant=merchant, is_rehearsal=False).exclude(
        status=LiveStream.Status.CANCELLED
    ):
        by_day.setdefault(timezone.localdate(stream.planned_start), []).append(stream)
    return by_day


def _orders_for(ctx, merchant: Merchant, products: list[Product], per_day: tuple[int, int]) -> int:
    if Order.objects.filter(merchant=merchant, external_id__startswith="DEMO-").exists():
        return 0
    rng = ctx.rng
    platforms = [p for p, w in PLATFORM_WEIGHTS for _ in range(w)]
    overseas = [o for o in OVERSEAS for _ in range(o[2])]
    streams = _streams_by_day(merchant)
    now = timezone.now()
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    S = Order.Status
    orders: list[Order] = []
    lines_of: list[list[OrderLine]] = []
    for back in range(ctx.days, -1, -1):
        day = today - dt.timedelta(days=back)
        day_streams = streams.get(day, [])
        for n in range(rng.randint(*per_day)):
            stream = rng.choice(day_streams) if day_streams and rng.random() < 0.7 else None
            if stream is not None:
                span = max((stream.planned_end - stream.planned_start).total_seconds(), 60)
                placed = stream.planned_start + dt.timedelta(seconds=rng.uniform(0, span))
                platform = stream.platform
            else:
                placed = dt.datetime.combine(day, dt.time(rng.randint(9, 23), rng.randint(0, 59)))
                placed = placed.replace(tzinfo=tz)
                platform = rng.choice(platforms)
            if placed > now:
                continue
            country, currency = "CN", "CNY"
            if platform == Platform.TIKTOK or rng.random() < 0.04:
                country, currency, _w = rng.choice(overseas)
            rate = Decimal(RATES.get(currency, "1"))
            lines = []
            for product in rng.sample(products, k=min(len(products), rng.choice([1, 1, 1, 2, 3]))):
                unit = (product.price / rate).quantize(Decimal("0.01"))
                lines.append(
                    OrderLine(product=product, quantity=rng.choice([1, 1, 1, 2]), unit_price=unit)
                )
            amount = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
            amount_cny = (amount * rate).quantize(Decimal("0.01"))
            age = (now - placed).days
            roll = rng.random()
            if age < 1:
                status = S.PENDING if roll < 0.3 else S.PAID
            elif age < 4:
                status = S.PAID if roll < 0.3 else S.SHIPPED
            elif age < 10:
                status = S.DELIVERED if roll < 0.6 else S.COMPLETED
            else:
                status = S.CANCELLED if roll < 0.05 else S.REFUNDED if roll < 0.08 else S.COMPLETED
            refunded = amount_cny if status == S.REFUNDED else Decimal("0")
            if status == S.COMPLETED and roll > 0.97:
                refunded = (amount_cny * Decimal("0.2")).quantize(Decimal("0.01"))  # a breakage
            orders.append(
                Order(
                    merchant=merchant,
                    platform=platform,
                    external_id=f"DEMO-{merchant.pk}-{day:%Y%m%d}-{n:03d}",
                    stream=stream,
                    buyer_name=f"买家{rng.randint(1000, 99999)}"
                    if country == "CN"
                    else f"Buyer {rng.randint(100, 999)}",
                    buyer_country=country,
                    currency=currency,
                    amount=amount,
                    amount_cny=amount_cny,
                    refunded_cny=refunded,
                    units=sum(line.quantity for line in lines),
                    status=status,
                    placed_at=placed,
                    hold_until=now + dt.timedelta(minutes=30) if status == S.PENDING else None,
                )
            )
            lines_of.append(lines)
    Order.objects.bulk_create(orders, batch_size=2000)
    all_lines = []
    for order, lines in zip(orders, lines_of, strict=True):
        for line in lines:
            line.order = order
            all_lines.append(line)
    OrderLine.objects.bulk_create(all_lines, batch_size=5000)
    OrderEvent.objects.bulk_create(
        (
            OrderEvent(order=o, from_status="", to_status=o.status, at=o.placed_at, note="demo")
            for o in orders
        ),
        batch_size=5000,
    )
    taken = [o for o in orders if o.status != S.CANCELLED]
    if taken:
        milestone_record(
            merchant_id=merchant.pk,
            kind=Milestone.Kind.FIRST_ORDER,
            reached_at=min(o.placed_at for o in taken),
        )
        abroad = [o.placed_at for o in taken if o.buyer_country != "CN"]
        if abroad:
            milestone_record(
                merchant_id=merchant.pk,
                kind=Milestone.Kind.FIRST_OVERSEAS_ORDER,
                reached_at=min(abroad),
            )
    return len(orders)


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    base = ctx.base
    since = timezone.localdate() - dt.timedelta(days=ctx.days + 30)
    for currency, rate in RATES.items():
        ExchangeRate.objects.get_or_create(
            base=base, currency=currency, valid_from=since, defaults={"cny_per_unit": Decimal(rate)}
        )
    demo_ids = {m.pk for m in ctx.demo_merchants}
    merchants = list(
        Merchant.objects.filter(base=base)
        .exclude(stage=Merchant.Stage.APPLICANT)
        .order_by("pk")[:40]
    )
    for m in ctx.demo_merchants:
        if m not in merchants:
            merchants.append(m)
    made = 0
    for merchant in merchants:
        demo = merchant.pk in demo_ids
        products = _products_for(ctx, merchant, 60 if demo else 10)
        if products:
            made += _orders_for(ctx, merchant, products, (4, 9) if demo else (0, 2))
    ctx.write(
        f"orders: {Product.objects.filter(merchant__base=base).count()} products, {made} new orders"
    )
