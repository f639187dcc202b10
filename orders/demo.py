"""Demo data of the orders app: catalogues with stories and drawn photos, platform prices,
exchange rates, and orders over the last ``ctx.days`` days on several platforms, some overseas,
most of them placed during a stream. A rerun adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from jingdezhen.core.demo import DemoContext
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tenancy import Reach, reach_for
from livestreams.models import LiveStream
from merchants.demo import active_merchants
from merchants.models import Merchant, Milestone, User
from merchants.services import milestone_record
from orders.catalogue import services as catalogue_services
from orders.intake.specs import LineIn, OrderIn
from orders.intake.take_in import take_in
from orders.ordering import flash_deals, lifecycle, money
from orders.ordering.bulk import ShipmentIn, orders_ship_bulk

from .demo_photos import draw_product
from .models import (
    ExchangeRate,
    Order,
    PlatformPrice,
    Product,
    ProductPhoto,
    Shipment,
)

CENT = Decimal("0.01")
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
# Ware type -> (Chinese, English); the English is shown only by the overseas-facing merchant.
WARE_NAMES = {
    W.BLUE_AND_WHITE: ("青花", "Blue-and-white"),
    W.FAMILLE_ROSE: ("粉彩", "Famille-rose"),
    W.CELADON: ("青瓷", "Celadon"),
    W.LINGLONG: ("玲珑", "Linglong"),
    W.COLOUR_GLAZE: ("颜色釉", "Colour-glaze"),
    W.QINGBAI: ("影青", "Qingbai"),
    W.WOOD_FIRED: ("柴烧", "Wood-fired"),
}
CATEGORY_NAMES = {
    C.TEA_SET: ("茶具套组", "tea set", 380, 4200),
    C.CUP: ("品茗杯", "tasting cup", 60, 680),
    C.BOWL: ("茶碗", "bowl", 90, 900),
    C.VASE: ("梅瓶", "plum vase", 480, 12800),
    C.PLATE: ("赏盘", "display plate", 160, 3600),
    C.INCENSE_BURNER: ("香炉", "incense burner", 220, 2600),
    C.FIGURINE: ("瓷塑", "figurine", 260, 5200),
    C.TEAPOT: ("壶", "teapot", 320, 3800),
}
MOTIFS = [
    ("缠枝莲", "lotus scroll"),
    ("山水", "landscape"),
    ("梅花", "plum blossom"),
    ("游鱼", "fish"),
    ("竹", "bamboo"),
    ("牡丹", "peony"),
    ("云龙", "cloud dragon"),
    ("松鹤", "pine and crane"),
]
ARTISANS = ["周乐", "冉祥飞", "刘阿伟", "陈师傅", "李窑工", "王画师", "张拉坯"]
# Chinese text takes full-width punctuation.
STORIES = [
    "由{artisan}拉坯成型，手绘{motif}纹样，{kiln}烧成。每一件都留着手作的痕迹。",  # noqa: RUF001
    "{artisan}在景德镇老窑弄里学得{ware}手艺；这件{category}的{motif}纹要画上整整一天。",  # noqa: RUF001
    "陶溪川工作室出品：高岭土为胎，{artisan}亲手调釉，{kiln}一千三百度烧成，{motif}随手写意。",  # noqa: RUF001
]
STORIES_EN = [
    "Thrown on the wheel by {artisan}, painted by hand with {motif}, fired in a {kiln}. "
    "Each piece keeps the small marks of the hand that made it.",
    "{artisan} learned the {ware} craft in the old kiln lanes of Jingdezhen; this {category} "
    "carries a {motif} pattern that takes a full day to paint.",
    "A {category} from our studio at Taoxichuan: the clay is Gaoling kaolin, the glaze mixed by "
    "{artisan}, the firing a {kiln} at 1,300 °C. {motif} is painted freehand.",
]
KILN_NAMES = {"wood": "柴窑", "gas": "气窑", "electric": "电窑"}
PLATFORM_WEIGHTS = [
    (Platform.DOUYIN, 40),
    (Platform.TAOBAO, 25),
    (Platform.KUAISHOU, 10),
    (Platform.WECHAT, 10),
    (Platform.JD, 6),
    (Platform.XIAOHONGSHU, 5),
    (Platform.TIKTOK, 4),
]


def _products_for(ctx: DemoContext, merchant: Merchant, count: int, english: bool) -> list:
    """The merchant's catalogue: names and stories in Chinese, English alongside for the
    overseas-facing merchant. Bulk-inserted once; photos and prices follow through services."""
    rng = ctx.rng
    wares = list(WARE_NAMES)
    categories = list(CATEGORY_NAMES)
    rows = []
    for i in range(count):
        ware = wares[(i + merchant.pk) % len(wares)]
        category = rng.choice(categories)
        label, label_en, low, high = CATEGORY_NAMES[category]
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
        motif, motif_en = rng.choice(MOTIFS)
        story_at = rng.randrange(len(STORIES))
        one_off = tier == Product.Tier.HIGH_END and rng.random() < 0.5
        name = f"{WARE_NAMES[ware][0]}{motif}{label}"
        story = STORIES[story_at].format(
            artisan=artisan,
            motif=motif,
            kiln=KILN_NAMES.get(kiln, kiln),
            ware=WARE_NAMES[ware][0],
            category=label,
        )
        if english:
            name = f"{name} {WARE_NAMES[ware][1]} {motif_en} {label_en}"
            story += "\n\n" + STORIES_EN[story_at].format(
                artisan=artisan,
                motif=motif_en,
                kiln=Product.Kiln(kiln).label.lower(),
                ware=WARE_NAMES[ware][1].lower(),
                category=label_en,
            )
        rows.append(
            Product(
                merchant=merchant,
                sku=f"DEMO-{merchant.pk}-{i:03d}",
                name=name,
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
                stock=1 if one_off else rng.randint(5, 60),
                story=story,
            )
        )
    Product.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return list(Product.objects.filter(merchant=merchant, sku__startswith="DEMO-").order_by("pk"))


def manager_reach() -> Reach:
    """The base manager's reach: the demo writes catalogues and history through the services as
    the base's manager would (as ``merchants.demo`` does)."""
    return reach_for(User.objects.get(username="manager"))


def _photos(reach: Reach, products: list[Product]) -> int:
    """One drawn photo per product that has none, through the photo service (checked,
    re-encoded, thumbnail made) exactly as an upload from the catalogue form."""
    with_photo = set(
        ProductPhoto.objects.filter(product__in=products).values_list("product_id", flat=True)
    )
    made = 0
    for index, product in enumerate(products):
        if product.pk in with_photo:
            continue
        data = draw_product(
            ware_type=product.ware_type,
            category=product.category,
            index=index,
            seed=str(product.merchant_id),
            mark=product.sku,
        )
        catalogue_services.product_photo_add(
            reach=reach, product=product, upload=ContentFile(data, name=f"{product.sku}.jpg")
        )
        made += 1
    return made


# Platform -> the share of the product's price it sells at there (a few platforms differ).
PLATFORM_MARKUPS = {Platform.TAOBAO: Decimal("0.95"), Platform.TIKTOK: Decimal("1.25")}


def _platform_prices(reach: Reach, merchant: Merchant, products: list[Product]) -> None:
    """Every third product is priced differently on Taobao, and every product of a merchant
    selling abroad on TikTok Shop: through the platform price service."""
    if PlatformPrice.objects.filter(product__merchant=merchant).exists():
        return
    sells_abroad = merchant.platform_accounts.filter(platform=Platform.TIKTOK).exists()
    for n, product in enumerate(products):
        for platform, share in PLATFORM_MARKUPS.items():
            if platform == Platform.TIKTOK and not sells_abroad:
                continue
            if platform == Platform.TAOBAO and n % 3:
                continue
            money.platform_price_set(
                reach=reach,
                product=product,
                platform=platform,
                price=(product.price * share).quantize(Decimal("1")),
            )


def _ended_streams(merchant: Merchant) -> list:
    return list(
        LiveStream.objects.filter(
            merchant=merchant,
            is_rehearsal=False,
            status=LiveStream.Status.ENDED,
            actual_start__isnull=False,
            actual_end__isnull=False,
        ).order_by("actual_start")
    )


def _status_for(rng, placed: dt.datetime, now: dt.datetime) -> str:
    S = Order.Status
    age = (now - placed).days
    roll = rng.random()
    if age < 1:
        return S.PENDING if roll < 0.3 else S.PAID
    if age < 4:
        return S.PAID if roll < 0.3 else S.SHIPPED
    if age < 10:
        return S.DELIVERED if roll < 0.6 else S.COMPLETED
    return S.CANCELLED if roll < 0.05 else S.REFUNDED if roll < 0.08 else S.COMPLETED


def _orders_for(
    reach: Reach,
    ctx: DemoContext,
    merchant: Merchant,
    products: list[Product],
    *,
    per_stream: tuple[int, int],
    off_stream: tuple[int, int],
    deals: int,
) -> int:
    """The merchant's order history: orders placed during each of its ended streams (so every
    stream has results and the medians are real) and a few between streams each day.

    Everything goes through the intake (``orders.intake.take_in``), like any other door: prices
    by the price rule in the buyer's currency at the base's rate, stock taken (an order the
    shelf cannot serve is left out), each order walked to its status through the lifecycle.
    A few older streams ran a flash deal; the deal and its buyers' orders are made as at the
    moment the stream was live (the services' ``at``/``now`` for recorded history), so the rule
    that deals and their orders need a live stream holds for the demo too.
    """
    if Order.objects.filter(merchant=merchant, external_id__startswith="DEMO-").exists():
        return 0
    rng = ctx.rng
    platforms = [p for p, w in PLATFORM_WEIGHTS for _ in range(w)]
    overseas = [o for o in OVERSEAS for _ in range(o[2])]
    now = timezone.now()
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    S = Order.Status
    seq = 0

    def spec(placed, platform, stream=None, deal=None, status=None) -> OrderIn:
        nonlocal seq
        seq += 1
        country, currency = "CN", "CNY"
        if platform == Platform.TIKTOK or rng.random() < 0.04:
            country, currency, _w = rng.choice(overseas)
        if deal is not None:
            lines = [LineIn(product_id=deal.product_id, quantity=1, flash_deal_id=deal.pk)]
        else:
            lines = [
                LineIn(product_id=product.pk, quantity=rng.choice([1, 1, 1, 2]))
                for product in rng.sample(
                    products, k=min(len(products), rng.choice([1, 1, 1, 2, 3]))
                )
            ]
        return OrderIn(
            platform=platform,
            lines=lines,
            external_id=f"DEMO-{merchant.pk}-{placed:%Y%m%d}-{seq:05d}",
            stream_id=stream.pk if stream else None,
            buyer_name=f"买家{rng.randint(1000, 99999)}"
            if country == "CN"
            else f"Buyer {rng.randint(100, 999)}",
            buyer_country=country,
            currency=currency,
            placed_at=placed,
            status=status or _status_for(rng, placed, now),
        )

    made = 0
    history: list[OrderIn] = []
    streams = _ended_streams(merchant)
    deal_streams = {s.pk for s in streams if s.actual_end < now - dt.timedelta(days=10)}
    deal_streams = set(sorted(deal_streams)[-deals:]) if deals else set()
    for stream in streams:
        # A deal 15 minutes into the stream, for 10 minutes, only where the stream was still
        # live when the deal's buyers ordered.
        deal_at = stream.actual_start + dt.timedelta(minutes=15)
        if stream.pk in deal_streams and stream.actual_end > deal_at + dt.timedelta(minutes=10):
            product = max(products, key=lambda p: (p.stock, -p.pk))
            if product.stock >= 5:
                deal = flash_deals.flash_deal_create(
                    reach=reach,
                    stream=stream,
                    product=product,
                    deal_price=(product.price * Decimal("0.7")).quantize(Decimal("1")),
                    quantity=min(10, product.stock),
                    starts_at=deal_at,
                    duration=dt.timedelta(minutes=10),
                    at=deal_at,
                )
                product.stock -= deal.quantity
                buyers = [
                    spec(
                        deal_at + dt.timedelta(seconds=rng.uniform(0, 290)),
                        stream.platform,
                        stream,
                        deal,
                        status=S.COMPLETED,  # a deal's buyers paid: its units are sold
                    )
                    for _n in range(rng.randint(3, deal.quantity))
                ]
                made += len(
                    take_in(
                        merchant=merchant,
                        orders=buyers,
                        partial=True,
                        note="demo",
                        now=deal_at + dt.timedelta(minutes=5),
                    ).orders
                )
                # The deal ended with its stream's slot, through the service: what was left
                # goes back to stock.
                flash_deals.flash_deal_end(reach=reach, deal_id=deal.pk)
        span = max((stream.actual_end - stream.actual_start).total_seconds(), 60)
        for _n in range(rng.randint(*per_stream)):
            placed = stream.actual_start + dt.timedelta(seconds=rng.uniform(0, span))
            if placed <= now:
                history.append(spec(placed, stream.platform, stream))
    for back in range(ctx.days, -1, -1):
        day = today - dt.timedelta(days=back)
        for _n in range(rng.randint(*off_stream)):
            placed = dt.datetime.combine(day, dt.time(rng.randint(9, 23), rng.randint(0, 59)))
            placed = placed.replace(tzinfo=tz)
            if placed <= now:
                history.append(spec(placed, rng.choice(platforms)))
    history.sort(key=lambda o: o.placed_at)
    # The kilns delivered what those months sold (through the restock service), so the history
    # leaves each shelf as the catalogue seeded it.
    sold: dict[int, int] = {}
    for order in history:
        if lifecycle.keeps_units(order.status):
            for line in order.lines:
                sold[line.product_id] = sold.get(line.product_id, 0) + line.quantity
    for product in products:
        if sold.get(product.pk):
            catalogue_services.product_restock(
                reach=reach, product=product, change=sold[product.pk]
            )
    made += len(take_in(merchant=merchant, orders=history, partial=True, note="demo").orders)
    return made


def order_milestones(merchant_ids: list[int]) -> None:
    """FIRST_ORDER and FIRST_OVERSEAS_ORDER of each merchant, from its orders, as
    ``order_place`` records them; a merchant without orders gets neither."""
    firsts = (
        Order.objects.filter(merchant_id__in=merchant_ids)
        .values("merchant_id")
        .annotate(
            first=Min("placed_at"),
            abroad=Min("placed_at", filter=~Q(buyer_country="CN")),
        )
    )
    for row in firsts:
        milestone_record(
            merchant_id=row["merchant_id"], kind=Milestone.Kind.FIRST_ORDER, reached_at=row["first"]
        )
        if row["abroad"] is not None:
            milestone_record(
                merchant_id=row["merchant_id"],
                kind=Milestone.Kind.FIRST_OVERSEAS_ORDER,
                reached_at=row["abroad"],
            )


# Generated merchants whose catalogue gets drawn photos too (the named ones always do): enough
# for the base's pages to look lived-in, few enough that --merchants 1400 stays quick.
PHOTOGRAPHED_OTHERS = 3


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    base = ctx.base
    since = timezone.localdate() - dt.timedelta(days=ctx.days + 30)
    for currency, rate in RATES.items():
        ExchangeRate.objects.get_or_create(
            base=base, currency=currency, valid_from=since, defaults={"cny_per_unit": Decimal(rate)}
        )
    demo_ids = {m.pk for m in ctx.demo_merchants}
    overseas_facing = ctx.demo_merchants[1] if len(ctx.demo_merchants) > 1 else None
    made = photos = shipped = 0
    reach = manager_reach()
    active = active_merchants(ctx)
    for n, merchant in enumerate(active):
        demo = merchant.pk in demo_ids
        products = _products_for(
            ctx, merchant, 60 if demo else 10, english=merchant == overseas_facing
        )
        if not products:
            continue
        if demo or n < len(demo_ids) + PHOTOGRAPHED_OTHERS:
            photos += _photos(reach, products)
        if demo:
            _platform_prices(reach, merchant, products)
        made += _orders_for(
            reach,
            ctx,
            merchant,
            products,
            per_stream=(2, 5) if demo else (1, 3),
            off_stream=(0, 2) if demo else (0, 1),
            deals=3 if demo else 0,
        )
        if demo:
            shipped += _shipments(reach, merchant)
    order_milestones([m.pk for m in active])
    ctx.write(
        f"orders: {Product.objects.filter(merchant__base=base).count()} products, "
        f"{photos} photos drawn, {made} new orders, {shipped} parcels shipped"
    )


# The parcels of a demo merchant's latest paid orders: (carrier, tracking prefix, insured share).
PARCELS = (("sf", "SF", Decimal("1")), ("jd", "JDVA", Decimal("1")), ("ems", "EE", Decimal("0")))


def _shipments(reach: Reach, merchant: Merchant) -> int:
    """A few of the merchant's latest paid orders shipped through the shipping service, each
    with its carrier, tracking number and insured value; once (a second seed ships none)."""
    if Shipment.objects.filter(order__merchant=merchant).exists():
        return 0
    paid = list(
        Order.objects.filter(merchant=merchant, status=Order.Status.PAID).order_by(
            "-placed_at", "-id"
        )[: len(PARCELS)]
    )
    rows = [
        ShipmentIn(
            order_id=order.pk,
            carrier=carrier,
            tracking_number=f"{prefix}{order.pk:011d}",
            insured_value=(order.amount_cny * share).quantize(CENT),
        )
        for order, (carrier, prefix, share) in zip(paid, PARCELS, strict=False)
    ]
    if not rows:
        return 0
    return len(orders_ship_bulk(reach=reach, shipments=rows))
