"""Demo step of the turnover rollups: runs after orders.demo and rolls up the demo history.

If the orders app's own demo made no orders (it lands separately), a modest history of orders is
bulk-created first, so the dashboards have figures to show. Idempotent: orders are created only
when the base has none, and rolling a day up twice gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from psycopg2 import sql

from jingdezhen.core.days import local_zone
from jingdezhen.core.demo import DemoContext
from jingdezhen.core.platforms import Platform
from livestreams.models import LiveStream
from merchants.models import Merchant

from ..models import Order, OrderLine, Product
from . import dirty, rollup

PLATFORM_WEIGHTS = [
    (Platform.DOUYIN, 40),
    (Platform.TAOBAO, 25),
    (Platform.KUAISHOU, 12),
    (Platform.WECHAT, 10),
    (Platform.JD, 5),
    (Platform.XIAOHONGSHU, 5),
    (Platform.TIKTOK, 3),
]
OVERSEAS = [
    ("ZA", "ZAR", Decimal("0.39")),
    ("SE", "SEK", Decimal("0.68")),
    ("NL", "EUR", Decimal("7.80")),
    ("BE", "EUR", Decimal("7.80")),
]


def _fallback_orders(ctx: DemoContext) -> int:
    rng = ctx.rng
    merchants = list(
        Merchant.objects.filter(base=ctx.base)
        .exclude(stage__in=[Merchant.Stage.APPLICANT, Merchant.Stage.EXITED])
        .values_list("id", flat=True)
    )
    demo_ids = {m.pk for m in ctx.demo_merchants}
    platforms = [p for p, w in PLATFORM_WEIGHTS for _ in range(w)]
    statuses = (
        [Order.Status.COMPLETED] * 6
        + [Order.Status.SHIPPED] * 2
        + [
            Order.Status.PAID,
            Order.Status.REFUNDED,
            Order.Status.CANCELLED,
        ]
    )
    zone = local_zone()
    today = timezone.localdate(timezone.now(), zone)
    now = timezone.now()
    rows, n = [], 0
    for back in range(ctx.days - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        for merchant_id in merchants:
            busy = merchant_id in demo_ids
            for _ in range(rng.randint(2, 9) if busy else rng.randint(0, 3)):
                n += 1
                placed = dt.datetime.combine(
                    day, dt.time(rng.randint(9, 23), rng.randint(0, 59)), tzinfo=zone
                )
                if placed > now:
                    continue
                cny = Decimal(rng.choice([68, 128, 199, 268, 399, 688, 1280, 2680, 8800]))
                country, currency, rate = "CN", "CNY", Decimal("1")
                platform = rng.choice(platforms)
                if platform == Platform.TIKTOK or rng.random() < 0.02:
                    country, currency, rate = rng.choice(OVERSEAS)
                status = rng.choice(statuses)
                rows.append(
                    Order(
                        merchant_id=merchant_id,
                        platform=platform,
                        external_id=f"DEMO-{merchant_id}-{n:07d}",
                        buyer_country=country,
                        currency=currency,
                        amount=(cny / rate).quantize(Decimal("0.01")),
                        amount_cny=cny,
                        refunded_cny=cny if status == Order.Status.REFUNDED else Decimal("0"),
                        units=rng.randint(1, 3),
                        status=status,
                        placed_at=placed,
                    )
                )
    Order.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def seed(ctx: DemoContext) -> None:
    if not Order.objects.filter(merchant__base=ctx.base).exists():
        made = _fallback_orders(ctx)
        ctx.write(f"turnover: {made} demo orders (the orders demo made none)")
    # The seeds before this one bulk-wrote months of orders a moment ago, possibly inside one
    # transaction that autovacuum cannot see: fresh statistics, or the planner may take tables
    # of thousands of rows for empty ones and the day statements crawl (seen on PostgreSQL 18).
    _analyze(Order, OrderLine, Product, LiveStream)
    today = timezone.localdate(timezone.now(), local_zone())
    started = timezone.now()
    results = rollup.rollup_days(start=today - dt.timedelta(days=ctx.days), end=today)
    # The days are rolled: the periodic job starts from here (orders written later are re-rolled).
    dirty.set_watermark(now=started)
    ctx.write(f"turnover: rolled up {len(results)} days")


def _analyze(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table)))
