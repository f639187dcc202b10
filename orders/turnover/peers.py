"""A merchant against its peers: the medians and top quarters of merchants of the same kind and
stage at its base, for daily net turnover, average order value and GPM. The one deliberate
exception to row scoping in the turnover reads: it returns only medians and quartiles over the
peers (never a peer's own figures), and only when there are enough peers (``MIN_PEERS``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from psycopg2 import sql

from jingdezhen.core.days import day_bounds, today
from livestreams.selectors import ended_stream_viewers_sql
from merchants.models import Merchant

from ..models import DailyMerchantTurnover, MonthlyMerchantTurnover
from .periods import month_plan
from .statement import Ident, column, table

MIN_PEERS = 3
ZERO = Decimal("0")


def _peers_sql(period_rows: sql.Composable) -> sql.Composed:
    """The peer statement over ``period_rows`` (``_period_rows``). The medians and quarters are
    SQL's ``percentile_cont`` (interpolating), their one definition: no peer figure is ever
    computed in Python."""
    return sql.SQL(
        """
WITH cohort AS (
    SELECT {m_id} AS id FROM {merchants} m
    WHERE {m_base} = %(base)s AND {m_kind} = %(kind)s AND {m_stage} = %(stage)s
), per_merchant AS (
    -- The period's sums, from monthly and merchant-day rows (_period_rows, periods.month_plan).
    SELECT t.merchant_id,
           SUM(t.net) AS net,
           SUM(t.gross) / NULLIF(SUM(t.orders), 0) AS aov
    FROM ({period_rows}) t
    GROUP BY t.merchant_id
), viewers AS (
    -- Unique viewers of the period's ended streams, as the live streams count them.
    {viewers}
), peers AS (
    SELECT c.id,
           COALESCE(p.net, 0) / %(days)s AS daily_net,
           p.aov,
           COALESCE(p.net, 0) * 1000 / v.viewers AS gpm
    FROM cohort c
    LEFT JOIN per_merchant p ON p.merchant_id = c.id
    LEFT JOIN viewers v ON v.merchant_id = c.id
)
SELECT COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY daily_net),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY daily_net),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY aov),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY aov),
       MAX(daily_net) FILTER (WHERE id = %(merchant)s),
       MAX(aov) FILTER (WHERE id = %(merchant)s),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY gpm),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY gpm),
       MAX(gpm) FILTER (WHERE id = %(merchant)s)
FROM peers
"""
    ).format(
        m_id=Ident("m", column(Merchant, "id")),
        merchants=table(Merchant),
        m_base=Ident("m", column(Merchant, "base")),
        m_kind=Ident("m", column(Merchant, "kind")),
        m_stage=Ident("m", column(Merchant, "stage")),
        period_rows=period_rows,
        viewers=ended_stream_viewers_sql(merchant_ids=sql.SQL("SELECT id FROM cohort")),
    )


def _period_part(model, condition: sql.Composable, sign: str = "") -> sql.Composed:
    """One model's rows (merchant_id, net, gross, orders) of the cohort, signed."""
    signed = sql.SQL(sign)
    return sql.SQL(
        """
    SELECT {merchant} AS merchant_id, {sign}{net} AS net, {sign}{gross} AS gross,
           {sign}{orders} AS orders
    FROM {table}
    WHERE {condition} AND {merchant} IN (SELECT id FROM cohort)"""
    ).format(
        merchant=Ident(column(model, "merchant")),
        sign=signed,
        net=Ident(column(model, "net_cny")),
        gross=Ident(column(model, "gross_cny")),
        orders=Ident(column(model, "orders")),
        table=table(model),
        condition=condition,
    )


def _period_rows(first: dt.date, last: dt.date, today_: dt.date) -> tuple[sql.Composed, dict]:
    """The rows (merchant_id, net, gross, orders) that sum to ``first``..``last`` for each
    merchant of a ``cohort`` CTE, read as ``periods.month_plan`` says (whole months from the monthly
    rollup, the days of cut months added or subtracted from the merchant-day one), and their
    parameters."""
    months, add, subtract = month_plan(first, last, today_)
    month = Ident(column(MonthlyMerchantTurnover, "month"))
    parts = [_period_part(MonthlyMerchantTurnover, sql.SQL("{} = ANY(%(months)s)").format(month))]
    params: dict = {"months": months}
    day = Ident(column(DailyMerchantTurnover, "day"))
    for sign, ranges in (("", add), ("-", subtract)):
        for start, end in ranges:
            key = f"range_{len(params)}"
            params.update({f"{key}_from": start, f"{key}_to": end})
            condition = sql.SQL("{day} >= {low} AND {day} <= {high}").format(
                day=day, low=sql.Placeholder(f"{key}_from"), high=sql.Placeholder(f"{key}_to")
            )
            parts.append(_period_part(DailyMerchantTurnover, condition, sign))
    return sql.SQL("\n    UNION ALL").join(parts), params


def peer_standing(*, merchant: Merchant, days: int = 30, today_: dt.date | None = None) -> dict:
    """The merchant's daily net turnover and average order value against the median and the top
    quarter of merchants of the same kind and stage at its base, and its GPM: net turnover per
    thousand unique viewers of its ended streams in the period (merchants without recorded
    viewers have no GPM and are left out of its median). Medians and quarters: SQL's
    percentile_cont (``_peers_sql``). One query."""
    today_ = today_ or today()
    first = today_ - dt.timedelta(days=days - 1)
    period_rows, period_params = _period_rows(first, today_, today_)
    params = {
        **period_params,
        "days": days,
        "base": merchant.base_id,
        "kind": merchant.kind,
        "stage": merchant.stage,
        "starts": day_bounds(first)[0],
        "ends": day_bounds(today_)[1],
        "merchant": merchant.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(_peers_sql(period_rows), params)
        row = cursor.fetchone()
    count, med_net, top_net, med_aov, top_aov, own_net, own_aov, med_gpm, top_gpm, own_gpm = row

    def money(value):
        return None if value is None else Decimal(value).quantize(Decimal("0.01"))

    enough = count >= MIN_PEERS
    return {
        "peers": count,
        "enough": enough,
        "kind": merchant.get_kind_display(),
        "stage": merchant.get_stage_display(),
        "own_daily_net": money(own_net) or ZERO,
        "own_aov": money(own_aov),
        "median_daily_net": money(med_net) if enough else None,
        "top_quarter_daily_net": money(top_net) if enough else None,
        "median_aov": money(med_aov) if enough else None,
        "top_quarter_aov": money(top_aov) if enough else None,
        "own_gpm": money(own_gpm),
        "median_gpm": money(med_gpm) if enough else None,
        "top_quarter_gpm": money(top_gpm) if enough else None,
    }
