"""Demo run sheets: products featured in the demo merchants' recent and coming streams.

Runs after the orders seed (it needs the catalogue), so it is its own step in DEMO_MODULES.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jingdezhen.core.demo import DemoContext
from orders.models import Product

from .models import FeaturedProduct, LiveStream


def seed(ctx: DemoContext) -> None:
    now = timezone.now()
    rows = []
    for merchant in ctx.demo_merchants:
        products = list(
            Product.objects.filter(merchant=merchant, is_active=True).order_by("pk")[:40]
        )
        if not products:
            continue
        streams = (
            LiveStream.objects.filter(
                merchant=merchant,
                planned_start__gte=now - dt.timedelta(days=3),
                planned_start__lte=now + dt.timedelta(days=14),
            )
            .exclude(status=LiveStream.Status.CANCELLED)
            .filter(featured__isnull=True)
            .order_by("planned_start")
        )
        for n, stream in enumerate(streams):
            for position in range(1, 5):
                product = products[(n * 4 + position) % len(products)]
                rows.append(
                    FeaturedProduct(
                        stream=stream,
                        product=product,
                        position=position,
                        talking_points=(product.story or product.name)[:400],
                        live_price=(product.price * Decimal("0.9")).quantize(Decimal("0.01")),
                    )
                )
    FeaturedProduct.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    ctx.write(f"run sheets: {len(rows)} featured products")
