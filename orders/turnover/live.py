"""Today's turnover up to the minute, for the live board: the rollups plus what changed since.

The day's rollup rows (base, breakdown, merchant-day, ten-minute slots) all hold the orders as
the day's latest roll saw them; the slot rows carry that roll's time (``rolled_at``). To them the
board adds one bounded read of the orders written since (``Order.updated_at`` index, today's
placed range): each such order counts with its state now, less its state at the roll, which its
events (``OrderEvent``: status moves and refunds, each stamped) tell. So the cost follows the
writes of the few minutes since the roll, never the orders already rolled. What counts is the one
definition (``orders.ordering.selectors.COUNTED_ORDERS_SQL`` and ``GMV_SQL``).

A write that commits while a roll's statement runs may be counted twice, or not at all, until the
next roll (minutes): a board's honest margin, not a ledger's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone
from psycopg2 import sql

from jingdezhen.core.days import day_bounds, local_zone
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tenancy import MANAGER, Reach
from livestreams.models import LiveStream
from merchants.models import Merchant

from ..models import (
    DailyBaseBreakdown,
    DailyBaseSlotTurnover,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    Order,
    OrderEvent,
)
from ..ordering.selectors import COUNTED_ORDERS_SQL, GMV_SQL, gmv_params
from .slots import SLOT_MINUTES, slot_minute
from .statement import HOME_COUNTRY, Ident, column, table

ZERO = Decimal("0")
TOP_MERCHANTS = 8


def _o(name: str) -> sql.Identifier:
    return Ident("o", column(Order, name))


def _c(name: str) -> sql.Identifier:
    return Ident("c", column(Order, name))


# The orders of one base placed today and written since the roll, each twice: as it is now (+1)
# and as it was at the roll (-1, from its last event then; nothing for an order made after the
# roll; an order without events is taken as unchanged). Then the counted ones are summed for the
# whole day, each slot, platform, merchant and home/abroad in one GROUPING SETS.
_DELTA = """
WITH changed AS MATERIALIZED (
    SELECT {c_cols}
    FROM {orders} o JOIN {merchants} m ON {m_id} = {o_merchant}
    WHERE {m_base} = %(base)s AND {o_placed} >= %(start)s AND {o_placed} < %(end)s {since}
),
signed AS (
    SELECT 1 AS sign, {c_id} AS id, {c_merchant} AS merchant_id, {c_platform} AS platform,
           {c_country} AS buyer_country, {c_placed} AS placed_at, {c_stream} AS stream_id,
           {c_status} AS status, {c_amount} AS amount_cny, {c_refunded} AS refunded_cny,
           {c_units} AS units
    FROM changed c
    {then}
)
SELECT GROUPING(minute, o.platform, o.merchant_id, abroad) AS grouping,
       minute, o.platform, o.merchant_id, abroad,
       COALESCE(SUM(o.amount_cny), 0) AS gross, {gmv} AS net, COALESCE(SUM(o.sign), 0) AS orders
FROM (
    SELECT *, {minute} AS minute, (buyer_country <> {home}) AS abroad,
           sign * amount_cny AS signed_amount, sign * refunded_cny AS signed_refunded
    FROM signed
) x
CROSS JOIN LATERAL (
    SELECT x.sign, x.merchant_id, x.platform, x.stream_id, x.status,
           x.signed_amount AS amount_cny, x.signed_refunded AS refunded_cny
) o
LEFT JOIN {streams} s ON {s_id} = o.stream_id
WHERE {counted}
GROUP BY GROUPING SETS ((), (minute), (o.platform), (o.merchant_id), (abroad))
"""

_THEN = """
    UNION ALL
    SELECT -1, {c_id}, {c_merchant}, {c_platform}, {c_country}, {c_placed}, {c_stream},
           COALESCE(ev.status, {c_status}),
           {c_amount},
           CASE WHEN ev.status IS NULL THEN {c_refunded} ELSE COALESCE(rf.refunded, 0) END,
           {c_units}
    FROM changed c
    LEFT JOIN LATERAL (
        SELECT e.{e_to} AS status FROM {events} e
        WHERE e.{e_order} = {c_id} AND e.{e_at} <= %(since)s
        ORDER BY e.{e_at} DESC, e.{e_id} DESC LIMIT 1
    ) ev ON TRUE
    LEFT JOIN LATERAL (
        SELECT SUM(e.{e_refund}) AS refunded FROM {events} e
        WHERE e.{e_order} = {c_id} AND e.{e_at} <= %(since)s
    ) rf ON TRUE
    WHERE {c_created} <= %(since)s
"""

_COLS = (
    "id",
    "merchant",
    "platform",
    "buyer_country",
    "placed_at",
    "stream",
    "status",
    "amount_cny",
    "refunded_cny",
    "units",
    "created_at",
)


def _delta_sql(*, since: bool) -> sql.Composed:
    names = {
        "c_id": _c("id"),
        "c_merchant": _c("merchant"),
        "c_platform": _c("platform"),
        "c_country": _c("buyer_country"),
        "c_placed": _c("placed_at"),
        "c_stream": _c("stream"),
        "c_status": _c("status"),
        "c_amount": _c("amount_cny"),
        "c_refunded": _c("refunded_cny"),
        "c_units": _c("units"),
    }
    then = sql.SQL("")
    if since:
        then = sql.SQL(_THEN).format(
            **names,
            c_created=_c("created_at"),
            events=table(OrderEvent),
            e_to=Ident(column(OrderEvent, "to_status")),
            e_order=Ident(column(OrderEvent, "order")),
            e_at=Ident(column(OrderEvent, "at")),
            e_id=Ident(column(OrderEvent, "id")),
            e_refund=Ident(column(OrderEvent, "refund_cny")),
        )
    since_filter = sql.SQL("AND {} > %(since)s").format(_o("updated_at")) if since else sql.SQL("")
    return sql.SQL(_DELTA).format(
        **names,
        c_cols=sql.SQL(", ").join(_o(n) for n in _COLS),
        orders=table(Order),
        merchants=table(Merchant),
        m_id=Ident("m", column(Merchant, "id")),
        m_base=Ident("m", column(Merchant, "base")),
        o_merchant=_o("merchant"),
        o_placed=_o("placed_at"),
        since=since_filter,
        then=then,
        gmv=sql.SQL(GMV_SQL),
        minute=slot_minute(Ident("placed_at")),
        home=sql.Literal(HOME_COUNTRY),
        streams=table(LiveStream),
        s_id=Ident("s", column(LiveStream, "id")),
        counted=sql.SQL(COUNTED_ORDERS_SQL),
    )


DELTA_SINCE_SQL = _delta_sql(since=True)
DELTA_WHOLE_DAY_SQL = _delta_sql(since=False)  # the day was never rolled: all of it is new

STREAM_GMV_SQL = sql.SQL(
    """
SELECT {stream}, {gmv}, COUNT(*) FROM {orders} o
JOIN {streams} s ON {s_id} = {stream}
JOIN {merchants} m ON {m_id} = {s_merchant}
WHERE {stream} = ANY(%(streams)s) AND {m_base} = %(base)s AND {counted}
GROUP BY {stream}
"""
).format(
    stream=_o("stream"),
    s_merchant=Ident("s", column(LiveStream, "merchant")),
    merchants=table(Merchant),
    m_id=Ident("m", column(Merchant, "id")),
    m_base=Ident("m", column(Merchant, "base")),
    gmv=sql.SQL(GMV_SQL),
    orders=table(Order),
    streams=table(LiveStream),
    s_id=Ident("s", column(LiveStream, "id")),
    counted=sql.SQL(COUNTED_ORDERS_SQL),
)


@dataclass
class Share:
    key: str
    label: str
    net: Decimal
    share: Decimal = ZERO  # of today's net, in percent


@dataclass
class LiveTurnover:
    """Today's turnover of one base, up to the minute."""

    now: dt.datetime
    today: dt.date
    net: Decimal
    gross: Decimal
    orders: int
    yesterday_by_now: Decimal  # yesterday's net placed before this ten-minute slot
    yesterday_net: Decimal
    record: dict | None  # the best day before today: {"day", "net"}
    by_hour: list[dict]  # 24 rows: hour, today, yesterday (net)
    platforms: list[Share]
    overseas_gross: Decimal
    overseas_share: Decimal  # of today's gross, in percent
    top_merchants: list[dict]  # merchant_id, name, net, orders
    rolled_at: dt.datetime | None  # the day's latest roll (None: not rolled yet)
    since_roll_orders: int = 0  # counted orders the board added to the rollups
    extra: dict = field(default_factory=dict)

    @property
    def is_record(self) -> bool:
        return bool(self.net > 0 and (self.record is None or self.net > self.record["net"]))

    @property
    def against_yesterday(self) -> Decimal | None:
        """Today against yesterday by this time, in percent (+12.5 = an eighth more)."""
        if not self.yesterday_by_now:
            return None
        return ((self.net / self.yesterday_by_now - 1) * 100).quantize(Decimal("0.1"))

    @property
    def of_record(self) -> Decimal | None:
        """Today as a percentage of the record day."""
        if not self.record or not self.record["net"]:
            return None
        return (self.net / self.record["net"] * 100).quantize(Decimal("0.1"))


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(Decimal("0.1")) if whole else ZERO


def _delta(*, base_id: int, start, end, since: dt.datetime | None) -> list[dict]:
    params = {
        **gmv_params(),
        "base": base_id,
        "start": start,
        "end": end,
        "since": since,
        "tz": settings.TIME_ZONE,
    }
    statement = DELTA_SINCE_SQL if since else DELTA_WHOLE_DAY_SQL
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# GROUPING(minute, platform, merchant_id, abroad): the bit of each column left out is set.
_TOTAL, _BY_MINUTE, _BY_PLATFORM, _BY_MERCHANT, _BY_ABROAD = 0b1111, 0b0111, 0b1011, 0b1101, 0b1110


def live_turnover(*, reach: Reach, now: dt.datetime | None = None) -> LiveTurnover:
    """The base's turnover today so far, by hour against yesterday, its platform mix, overseas
    share and top merchants, to the minute (six queries, none growing with the rolled orders).
    The base's managers only (403)."""
    reach.require_role(MANAGER)
    now = now or timezone.now()
    local_now = timezone.localtime(now, local_zone())
    today, yesterday = local_now.date(), local_now.date() - dt.timedelta(days=1)
    start, end = day_bounds(today)
    slot_now = (local_now.hour * 60 + local_now.minute) // SLOT_MINUTES * SLOT_MINUTES

    slot_rows = list(
        reach.scope(DailyBaseSlotTurnover.objects.all())
        .filter(day__in=[today, yesterday])
        .values_list("day", "minute", "net_cny", "gross_cny", "orders", "overseas_cny", "rolled_at")
    )
    rolled_at = max((r[6] for r in slot_rows if r[0] == today), default=None)
    delta = _delta(base_id=reach.base_id, start=start, end=end, since=rolled_at)
    by = {g: [row for row in delta if row["grouping"] == g] for g in (_BY_MINUTE, _BY_PLATFORM)}
    total = next((row for row in delta if row["grouping"] == _TOTAL), None) or {
        "gross": ZERO,
        "net": ZERO,
        "orders": 0,
    }

    hours = [{"hour": h, "today": ZERO, "yesterday": ZERO} for h in range(24)]
    net, gross, orders, overseas = total["net"], total["gross"], total["orders"], ZERO
    yesterday_by_now = yesterday_net = ZERO
    for day, minute, row_net, row_gross, row_orders, row_overseas, _ in slot_rows:
        if day == today:
            hours[minute // 60]["today"] += row_net
            net, gross, orders = net + row_net, gross + row_gross, orders + row_orders
            overseas += row_overseas
        else:
            hours[minute // 60]["yesterday"] += row_net
            yesterday_net += row_net
            if minute < slot_now:
                yesterday_by_now += row_net
    for row in by[_BY_MINUTE]:
        hours[row["minute"] // 60]["today"] += row["net"]
    for row in delta:
        if row["grouping"] == _BY_ABROAD and row["abroad"]:
            overseas += row["gross"]

    best = (
        reach.scope(DailyBaseTurnover.objects.all())
        .exclude(day=today)
        .order_by("-net_cny", "day")
        .values_list("day", "net_cny")
        .first()
    )
    record = {"day": best[0], "net": best[1]} if best else None

    mix: dict[str, Decimal] = {}
    platform_rows = (
        reach.scope(DailyBaseBreakdown.objects.filter(day=today))
        .values("platform")
        .annotate(net=Sum("net_cny"))
        .order_by()
    )
    for row in [*platform_rows, *by[_BY_PLATFORM]]:
        mix[row["platform"]] = mix.get(row["platform"], ZERO) + row["net"]
    labels = dict(Platform.choices)
    platforms = sorted(
        (Share(k, str(labels.get(k, k)), v, _percent(v, net)) for k, v in mix.items() if v),
        key=lambda s: (-s.net, s.key),
    )

    return LiveTurnover(
        now=now,
        today=today,
        net=net,
        gross=gross,
        orders=orders,
        yesterday_by_now=yesterday_by_now,
        yesterday_net=yesterday_net,
        record=record,
        by_hour=hours,
        platforms=platforms,
        overseas_gross=overseas,
        overseas_share=_percent(overseas, gross),
        top_merchants=_top_merchants(reach=reach, today=today, delta=delta),
        rolled_at=rolled_at,
        since_roll_orders=total["orders"],
    )


def _top_merchants(*, reach: Reach, today: dt.date, delta: list[dict]) -> list[dict]:
    """Today's best merchants by net: the rollup's leaders and every merchant with orders since
    the roll (so a leader's refund lets the next one in), added up; then their names (2 queries).
    """
    moved = {row["merchant_id"]: row for row in delta if row["grouping"] == _BY_MERCHANT}
    rows = reach.scope(DailyMerchantTurnover.objects.filter(day=today))
    leaders = rows.order_by("-net_cny", "merchant_id").values("pk")[: TOP_MERCHANTS + len(moved)]
    totals = {
        merchant_id: {"merchant_id": merchant_id, "net": net_, "orders": orders_}
        for merchant_id, net_, orders_ in rows.filter(
            Q(pk__in=leaders) | Q(merchant_id__in=list(moved))
        ).values_list("merchant_id", "net_cny", "orders")
    }
    for merchant_id, row in moved.items():
        entry = totals.setdefault(
            merchant_id, {"merchant_id": merchant_id, "net": ZERO, "orders": 0}
        )
        entry["net"] += row["net"]
        entry["orders"] += row["orders"]
    ranked = [row for row in totals.values() if row["orders"] > 0]
    top = sorted(ranked, key=lambda row: (-row["net"], row["merchant_id"]))[:TOP_MERCHANTS]
    names = dict(
        reach.scope(Merchant.objects.all())
        .filter(pk__in=[row["merchant_id"] for row in top])
        .values_list("pk", "name")
    )
    for row in top:
        row["name"] = names.get(row["merchant_id"], "")
    return top


def stream_gmv(*, reach: Reach, stream_ids: list[int]) -> dict[int, tuple[Decimal, int]]:
    """GMV so far and counted orders of each of these streams (the base's managers; one query
    over the streams' own orders, by their stream index)."""
    reach.require_role(MANAGER)
    if not stream_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            STREAM_GMV_SQL,
            {**gmv_params(), "streams": list(stream_ids), "base": reach.base_id},
        )
        return {stream: (gmv, count) for stream, gmv, count in cursor.fetchall()}
