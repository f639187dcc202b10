"""Reconciliation: the turnover rollups compared with the orders they cover, and with each other.

``reconcile`` sums a range of days straight from the orders (by the one definition of what
counts, orders.ordering.selectors.COUNTED_ORDERS_SQL) and sets the sums beside the rolled rows; then
checks that every rollup table adds up to the merchant rows, each merchant's day to its platform
and country/tier rows, and each month to its days. The tables are named by their models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from psycopg2 import sql

from jingdezhen.core.days import day_bounds, month_bounds
from livestreams.models import LiveStream

from ..models import (
    DailyBaseBreakdown,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    DailyTurnover,
    DailyTurnoverDetail,
    MonthlyMerchantTurnover,
    Order,
)
from ..ordering.selectors import COUNTED_ORDERS_SQL
from .statement import table

TABLES = {
    "orders": table(Order),
    "streams": table(LiveStream),
    "platform_days": table(DailyTurnover),
    "detail_days": table(DailyTurnoverDetail),
    "merchant_days": table(DailyMerchantTurnover),
    "base_days": table(DailyBaseTurnover),
    "breakdown_days": table(DailyBaseBreakdown),
    "months": table(MonthlyMerchantTurnover),
}

RECONCILE_MERCHANT_SQL = sql.SQL(
    """
WITH direct AS (
    SELECT (o.placed_at AT TIME ZONE %(tz)s)::date AS day, o.merchant_id, o.platform,
           SUM(o.amount_cny) AS gross, SUM(o.refunded_cny) AS refunded, COUNT(*) AS orders,
           SUM(o.units) AS units,
           COALESCE(SUM(o.amount_cny) FILTER (WHERE o.buyer_country <> 'CN'), 0) AS overseas
    FROM {orders} o
    LEFT JOIN {streams} s ON s.id = o.stream_id
    WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s AND {counted}
    GROUP BY 1, 2, 3
), rolled AS (
    SELECT day, merchant_id, platform, gross_cny AS gross, refunded_cny AS refunded, orders,
           units, overseas_cny AS overseas, net_cny AS net
    FROM {platform_days} WHERE day >= %(first)s AND day <= %(last)s
)
SELECT COALESCE(d.day, r.day), COALESCE(d.merchant_id, r.merchant_id),
       COALESCE(d.platform, r.platform),
       d.gross, r.gross, d.refunded, r.refunded, d.orders, r.orders, d.units, r.units,
       d.overseas, r.overseas, r.net
FROM direct d FULL OUTER JOIN rolled r
  ON r.day = d.day AND r.merchant_id = d.merchant_id AND r.platform = d.platform
WHERE (d.gross, d.refunded, d.orders, d.units, d.overseas, d.gross - d.refunded)
      IS DISTINCT FROM (r.gross, r.refunded, r.orders, r.units, r.overseas, r.net)
ORDER BY 1, 2, 3
"""
).format(counted=sql.SQL(COUNTED_ORDERS_SQL), **TABLES)

# The other rollup tables must add up, per day and base, to the merchant rows.
RECONCILE_TOTALS_SQL = sql.SQL(
    """
WITH m AS (
    SELECT day, base_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u,
           SUM(overseas_cny) os
    FROM {platform_days} WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), d AS (
    SELECT day, base_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u
    FROM {detail_days} WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), md AS (
    SELECT day, base_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u,
           SUM(overseas_cny) os
    FROM {merchant_days} WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), bd AS (
    SELECT day, base_id, gross_cny g, refunded_cny r, orders o, units u, overseas_cny os
    FROM {base_days} WHERE day >= %(first)s AND day <= %(last)s
), bb AS (
    SELECT day, base_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u
    FROM {breakdown_days} WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), keys AS (
    SELECT day, base_id FROM m UNION SELECT day, base_id FROM d UNION SELECT day, base_id FROM md
    UNION SELECT day, base_id FROM bd UNION SELECT day, base_id FROM bb
)
SELECT k.day, k.base_id, m.g, d.g, md.g, bd.g, bb.g, m.o, d.o, md.o, bd.o, bb.o
FROM keys k
LEFT JOIN m ON m.day = k.day AND m.base_id = k.base_id
LEFT JOIN d ON d.day = k.day AND d.base_id = k.base_id
LEFT JOIN md ON md.day = k.day AND md.base_id = k.base_id
LEFT JOIN bd ON bd.day = k.day AND bd.base_id = k.base_id
LEFT JOIN bb ON bb.day = k.day AND bb.base_id = k.base_id
WHERE (m.g, m.r, m.o, m.u) IS DISTINCT FROM (d.g, d.r, d.o, d.u)
   OR (m.g, m.r, m.o, m.u, m.os) IS DISTINCT FROM (md.g, md.r, md.o, md.u, md.os)
   OR (m.g, m.r, m.o, m.u, m.os) IS DISTINCT FROM (bd.g, bd.r, bd.o, bd.u, bd.os)
   OR (m.g, m.r, m.o, m.u) IS DISTINCT FROM (bb.g, bb.r, bb.o, bb.u)
ORDER BY 1, 2
"""
).format(**TABLES)


# Each merchant's day must be the sum of its platform rows and of its country/tier rows: one
# merchant's rows of those tables are read through its merchant-day rows (a merchant-day row
# stands for every day the merchant has rows; orders.turnover.selectors.merchant_rows).
RECONCILE_MERCHANT_DAYS_SQL = sql.SQL(
    """
WITH p AS (
    SELECT day, merchant_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u,
           SUM(overseas_cny) os
    FROM {platform_days} WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), c AS (
    SELECT day, merchant_id, SUM(gross_cny) g, SUM(refunded_cny) r, SUM(orders) o, SUM(units) u
    FROM {detail_days} WHERE day >= %(first)s AND day <= %(last)s GROUP BY 1, 2
), md AS (
    SELECT day, merchant_id, gross_cny g, refunded_cny r, orders o, units u, overseas_cny os
    FROM {merchant_days} WHERE day >= %(first)s AND day <= %(last)s
)
SELECT COALESCE(md.day, p.day, c.day), COALESCE(md.merchant_id, p.merchant_id, c.merchant_id),
       md.g, p.g, c.g, md.o, p.o, c.o
FROM md
FULL JOIN p ON p.day = md.day AND p.merchant_id = md.merchant_id
FULL JOIN c ON c.day = COALESCE(md.day, p.day)
           AND c.merchant_id = COALESCE(md.merchant_id, p.merchant_id)
WHERE (md.g, md.r, md.o, md.u, md.os) IS DISTINCT FROM (p.g, p.r, p.o, p.u, p.os)
   OR (md.g, md.r, md.o, md.u) IS DISTINCT FROM (c.g, c.r, c.o, c.u)
ORDER BY 1, 2
"""
).format(**TABLES)


# A merchant's month must equal the sum of its merchant-day rows (the months overlapping the range).
RECONCILE_MONTHS_SQL = sql.SQL(
    """
WITH days AS (
    SELECT date_trunc('month', day)::date AS month, merchant_id, SUM(gross_cny) AS gross,
           SUM(net_cny) AS net, SUM(orders) AS orders, SUM(refunded_cny) AS refunded,
           SUM(units) AS units, SUM(overseas_cny) AS overseas,
           SUM(overseas_orders) AS overseas_orders
    FROM {merchant_days} WHERE day >= %(first)s AND day < %(after)s
    GROUP BY 1, 2
), months AS (
    SELECT month, merchant_id, gross_cny AS gross, net_cny AS net, orders,
           refunded_cny AS refunded, units, overseas_cny AS overseas, overseas_orders
    FROM {months} WHERE month >= %(first)s AND month < %(after)s
)
SELECT COALESCE(d.month, m.month), COALESCE(d.merchant_id, m.merchant_id),
       d.gross, m.gross, d.net, m.net, d.orders, m.orders
FROM days d FULL OUTER JOIN months m ON m.month = d.month AND m.merchant_id = d.merchant_id
WHERE (d.gross, d.net, d.orders, d.refunded, d.units, d.overseas, d.overseas_orders)
      IS DISTINCT FROM (m.gross, m.net, m.orders, m.refunded, m.units, m.overseas,
                        m.overseas_orders)
ORDER BY 1, 2
"""
).format(**TABLES)


@dataclass(frozen=True)
class Difference:
    table: str
    day: dt.date
    key: str
    orders_say: str
    rollup_says: str

    def __str__(self) -> str:
        return (
            f"{self.day} {self.table} {self.key}: "
            f"orders {self.orders_say}, rollup {self.rollup_says}"
        )


def reconcile(*, start: dt.date, end: dt.date) -> list[Difference]:
    """Compare the rollups of ``start``..``end`` (inclusive) with the orders they cover.

    Returns one Difference per group whose figures disagree (an empty list when all agree).
    """
    first_start, _ = day_bounds(start)
    _, last_end = day_bounds(end)
    params = {
        "tz": settings.TIME_ZONE,
        "start": first_start,
        "end": last_end,
        "first": start,
        "last": end,
        "statuses": list(Order.COUNTED_STATUSES),
    }
    differences = []
    with connection.cursor() as cursor:
        cursor.execute(RECONCILE_MERCHANT_SQL, params)
        for day, merchant_id, platform, *figures in cursor.fetchall():
            direct = figures[0::2][:5]
            rolled = figures[1::2][:5]
            differences.append(
                Difference(
                    "daily_turnover",
                    day,
                    f"merchant={merchant_id} platform={platform}",
                    "gross/refunded/orders/units/overseas=" + "/".join(map(str, direct)),
                    "gross/refunded/orders/units/overseas=" + "/".join(map(str, rolled)),
                )
            )
        cursor.execute(RECONCILE_TOTALS_SQL, params)
        for day, base_id, *figures in cursor.fetchall():
            gross, orders = figures[:5], figures[5:]
            differences.append(
                Difference(
                    "rollup totals",
                    day,
                    f"base={base_id}",
                    f"merchant/platform rows gross={gross[0]} orders={orders[0]}",
                    "detail, merchant-day, base-day, breakdown gross="
                    + "/".join(map(str, gross[1:]))
                    + " orders="
                    + "/".join(map(str, orders[1:])),
                )
            )
        cursor.execute(RECONCILE_MERCHANT_DAYS_SQL, params)
        for (
            day,
            merchant_id,
            day_gross,
            p_gross,
            c_gross,
            day_orders,
            p_orders,
            c_orders,
        ) in cursor.fetchall():
            differences.append(
                Difference(
                    "daily merchant turnover",
                    day,
                    f"merchant={merchant_id}",
                    f"merchant-day row gross={day_gross} orders={day_orders}",
                    f"platform, country/tier rows gross={p_gross}/{c_gross} "
                    f"orders={p_orders}/{c_orders}",
                )
            )
        first_month, _ = month_bounds(start)
        _, after_last = month_bounds(end)
        cursor.execute(RECONCILE_MONTHS_SQL, {"first": first_month, "after": after_last})
        for month, merchant_id, *figures in cursor.fetchall():
            differences.append(
                Difference(
                    "monthly merchant turnover",
                    month,
                    f"merchant={merchant_id}",
                    "merchant-day rows gross/net/orders=" + "/".join(map(str, figures[0::2])),
                    "gross/net/orders=" + "/".join(map(str, figures[1::2])),
                )
            )
    return differences
