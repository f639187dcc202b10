"""Shared helpers of the turnover tests."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.db.models import Count, Sum

from orders.models import (
    DailyBaseBreakdown,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    DailyTurnover,
    DailyTurnoverDetail,
    Order,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 14)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def direct_totals(day: dt.date) -> dict:
    """The day's turnover summed straight from the orders, per merchant and platform."""
    start = local(day, 0)
    end = start + dt.timedelta(days=1)
    rows = (
        Order.objects.filter(
            placed_at__gte=start, placed_at__lt=end, status__in=Order.COUNTED_STATUSES
        )
        .exclude(stream__is_rehearsal=True)
        .values("merchant_id", "platform")
        .annotate(
            gross=Sum("amount_cny"), refunded=Sum("refunded_cny"), n=Count("id"), units=Sum("units")
        )
    )
    return {
        (r["merchant_id"], r["platform"]): (
            r["gross"],
            r["refunded"],
            r["gross"] - r["refunded"],
            r["n"],
            r["units"],
        )
        for r in rows
    }


def rolled_totals(day: dt.date) -> dict:
    return {
        (r.merchant_id, r.platform): (r.gross_cny, r.refunded_cny, r.net_cny, r.orders, r.units)
        for r in DailyTurnover.objects.filter(day=day)
    }


def snapshot(day: dt.date) -> list:
    """Every rollup row of a day, without the time it was rolled."""
    fields = ["gross_cny", "refunded_cny", "net_cny", "orders", "units"]
    return [
        sorted(
            DailyTurnover.objects.filter(day=day).values_list(
                "merchant_id", "platform", *fields, "overseas_cny", "overseas_orders"
            )
        ),
        sorted(
            DailyTurnoverDetail.objects.filter(day=day).values_list(
                "merchant_id", "country", "tier", *fields
            )
        ),
        sorted(
            DailyBaseBreakdown.objects.filter(day=day).values_list(
                "base_id", "platform", "country", "tier", *fields
            )
        ),
        sorted(
            DailyMerchantTurnover.objects.filter(day=day).values_list(
                "merchant_id", *fields, "overseas_cny", "overseas_orders"
            )
        ),
        sorted(
            DailyBaseTurnover.objects.filter(day=day).values_list(
                "base_id", *fields, "overseas_cny", "overseas_orders", "merchants_selling"
            )
        ),
    ]


ZERO = Decimal("0")
