#!/usr/bin/env python
"""Turnover benchmark: a base-sized year of orders, its rollups, and the dashboard's server time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jdz_bench \\
        .venv/bin/python bench/turnover.py --scale 1.0 [--days 365] [--out FILE.json]

At ``--scale 1.0``: 1,400 merchants and 50,000 orders a day for 365 days (~18 million orders),
generated on the server with ``INSERT ... SELECT FROM generate_series(...)`` (indexes dropped
during the load and rebuilt after). Order lines are not generated: the rollup reads lines only to
find an order's tier, and every order here counts as "without lines" (the tier join still runs,
over an empty set). It reports, as JSON:

- ``one_day``: one day's rollup (the one set-based statement, room usage and the milestone
  check) -- rolled for the first time ("cold"), re-rolled unchanged, and re-rolled after 1% of
  its orders changed -- against ``same_aggregate_s``, the same aggregate (the same orders, figures
  and five groupings) as one plain SELECT whose rows are fetched (each ``ratio`` should stay
  within 2x); ``finest_grouping_s`` is the finest grouping alone, for reference;
- ``year_rollup_s``: re-rolling the whole year, day by day;
- ``dashboard_ms``: the base dashboard's server time (in-process request, median of several) with
  1% of the orders loaded and with 100% (``ratio`` should stay within 1.5x);
- ``merchant_pages_ms``: the same for one merchant's pages (the one that sells most), read by
  its base's manager: its dashboard over 30 and 365 days and its first page of
  ``/api/v1/turnover/daily/`` (these read rollup tables without a merchant-first index, through
  the merchant's days);
- ``reconcile``: the differences found between the year's rollups and its orders (should be 0).

It TRUNCATES the order and rollup tables: it refuses to run on a database whose name does not
contain "bench" unless given ``--force``. The test suite runs it at a tiny scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MERCHANTS_AT_FULL_SCALE = 1400
ORDERS_PER_DAY_AT_FULL_SCALE = 50_000
# The rollup tables with a row per day (the monthly one is summed from the merchant-day one).
DAY_TABLES = [
    "orders_dailyturnover",
    "orders_dailyturnoverdetail",
    "orders_dailymerchantturnover",
    "orders_dailybaseturnover",
    "orders_dailybasebreakdown",
    "orders_dailybaseslotturnover",
]
ROLLUP_TABLES = [
    "orders_dailyturnover",
    "orders_dailyturnoverdetail",
    "orders_dailymerchantturnover",
    "orders_dailybaseturnover",
    "orders_dailybasebreakdown",
    "orders_dailybaseslotturnover",
    "orders_monthlymerchantturnover",
    "orders_dailyroomusage",
    "orders_turnoverwatermark",
]

# Orders of the days d0..d1 (day numbers from the first day), per_day each, random through the day.
# Merchants are skewed (a few sell much more), platforms weighted as on the base, ~5% overseas.
ORDERS_SQL = """
INSERT INTO orders_order
    (merchant_id, platform, external_id, buyer_name, buyer_country, currency, amount, amount_cny,
     refunded_cny, units, status, placed_at, created_at, updated_at)
SELECT mids[1 + floor(power(r1, 1.7) * n_m)::int],
       (ARRAY['douyin','douyin','douyin','douyin','douyin','douyin','douyin','douyin',
              'taobao','taobao','taobao','taobao','taobao','kuaishou','kuaishou','kuaishou',
              'wechat','wechat','jd','xiaohongshu','tiktok'])[1 + floor(r2 * 21)::int],
       %(prefix)s || d || '-' || g,
       '',
       CASE WHEN r3 < 0.035 THEN 'ZA' WHEN r3 < 0.045 THEN 'SE' WHEN r3 < 0.05 THEN 'NL'
            ELSE 'CN' END,
       CASE WHEN r3 < 0.035 THEN 'ZAR' WHEN r3 < 0.045 THEN 'SEK' WHEN r3 < 0.05 THEN 'EUR'
            ELSE 'CNY' END,
       amount, amount,
       CASE WHEN r5 < 0.03 THEN amount ELSE 0 END,
       1 + floor(r4 * 3)::int,
       CASE WHEN r5 < 0.03 THEN 'refunded' WHEN r5 < 0.06 THEN 'cancelled'
            WHEN r5 < 0.07 THEN 'pending' WHEN r5 < 0.15 THEN 'paid'
            WHEN r5 < 0.30 THEN 'shipped' ELSE 'completed' END,
       ts, ts, ts
FROM (
    SELECT d, g, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
           random() AS r5,
           round((40 + 320 * power(random(), 2) + CASE WHEN random() > 0.985 THEN 2600 ELSE 0 END
                 )::numeric, 2) AS amount,
           %(first)s::timestamptz + d * INTERVAL '1 day' + random() * INTERVAL '1 day' AS ts
    FROM generate_series(%(d0)s::int, %(d1)s::int) AS d,
         generate_series(1, %(per_day)s::int) AS g
) AS x,
(SELECT array_agg(id ORDER BY id) AS mids, COUNT(*) AS n_m
   FROM merchants_merchant WHERE base_id = %(base)s) AS m
"""

MERCHANTS_SQL = """
INSERT INTO merchants_merchant
    (base_id, name, kind, stage, status, description, joined_on, created_at, specialities,
     store_url)
SELECT %(base)s, 'Bench merchant ' || lpad(i::text, 5, '0'),
       (ARRAY['studio','store','workshop','artist'])[1 + i %% 4],
       (ARRAY['incubating','incubating','graduated','applicant'])[1 + (i / 4) %% 4],
       'active', '', %(joined)s::date - (i %% 900), now(), '[]'::jsonb, ''
FROM generate_series(1, %(n)s::int) AS i
ON CONFLICT DO NOTHING
"""

# The finest grouping alone (merchant, platform, country), fetched: a floor for reference.
PLAIN_AGGREGATE_SQL = """
SELECT merchant_id, platform, buyer_country,
       SUM(amount_cny), SUM(refunded_cny), COUNT(*), SUM(units)
FROM orders_order
WHERE placed_at >= %(start)s AND placed_at < %(end)s AND status = ANY(%(statuses)s)
GROUP BY merchant_id, platform, buyer_country
"""

# The same aggregate the rollup computes -- the same orders (counted statuses, no rehearsal
# streams), the same figures, the same five groupings (merchant x platform, merchant x country x
# tier, merchant, base x platform x country x tier, base) -- as one plain SELECT, written the
# way a careful hand would: the orders aggregated once at the finest grain, the five groupings
# summed from that (GROUPING SETS). GROUPING(...) tells the groupings apart.
SAME_AGGREGATE_SQL = """
SELECT GROUPING(merchant_id, platform, country, tier) AS grouping,
       base_id, merchant_id, platform, country, tier,
       SUM(gross), SUM(refunded), SUM(gross) - SUM(refunded), SUM(orders), SUM(units),
       COALESCE(SUM(gross) FILTER (WHERE country <> 'CN'), 0),
       COALESCE(SUM(orders) FILTER (WHERE country <> 'CN'), 0)
FROM (
    SELECT m.base_id, o.merchant_id, o.platform, o.buyer_country AS country,
           COALESCE(CASE t.rank WHEN 3 THEN 'high_end' WHEN 2 THEN 'medium'
                                WHEN 1 THEN 'daily' END, '') AS tier,
           SUM(o.amount_cny) AS gross, SUM(o.refunded_cny) AS refunded, COUNT(*) AS orders,
           SUM(o.units) AS units
    FROM orders_order o
    JOIN merchants_merchant m ON m.id = o.merchant_id
    LEFT JOIN livestreams_livestream s ON s.id = o.stream_id
    LEFT JOIN (
        SELECT l.order_id,
               MAX(CASE p.tier WHEN 'high_end' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) AS rank
        FROM orders_orderline l
        JOIN orders_product p ON p.id = l.product_id
        JOIN orders_order lo ON lo.id = l.order_id
        WHERE lo.placed_at >= %(start)s AND lo.placed_at < %(end)s
        GROUP BY l.order_id
    ) t ON t.order_id = o.id
    WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s
      AND o.status = ANY(%(statuses)s) AND (s.id IS NULL OR NOT s.is_rehearsal)
    GROUP BY 1, 2, 3, 4, 5
) x
GROUP BY GROUPING SETS (
    (base_id, merchant_id, platform),
    (base_id, merchant_id, country, tier),
    (base_id, merchant_id),
    (base_id, platform, country, tier),
    (base_id)
)
"""
# Timed as the rollup is: computed on the server, one row back (every figure is consumed, so
# the planner can drop none of them).
SAME_AGGREGATE_TIMED_SQL = f"""
SELECT COUNT(*), SUM(g), SUM(r), SUM(n), SUM(o), SUM(u), SUM(og), SUM(oo)
FROM ({SAME_AGGREGATE_SQL}) q (grouping, b, m, p, c, t, g, r, n, o, u, og, oo)
"""
# Which stored table each grouping is, and its key columns there.
GROUPING_TABLES = {
    0b0011: ("orders_dailyturnover", ("merchant_id", "platform")),
    0b0100: ("orders_dailyturnoverdetail", ("merchant_id", "country", "tier")),
    0b0111: ("orders_dailymerchantturnover", ("merchant_id",)),
    0b1000: ("orders_dailybasebreakdown", ("platform", "country", "tier")),
    0b1111: ("orders_dailybaseturnover", ()),
}


def _same_as_stored(cursor, day, params) -> bool:
    """Whether every grouping of SAME_AGGREGATE_SQL equals the rollup rows stored for ``day``
    (gross, refunded, orders and units of every group): the baseline is the same aggregate."""
    cursor.execute(SAME_AGGREGATE_SQL, params)
    computed: dict = {}
    for grouping, base, merchant, on, country, tier, *figures in cursor.fetchall():
        values = {"merchant_id": merchant, "platform": on, "country": country, "tier": tier}
        _table, key = GROUPING_TABLES[grouping]
        group = (grouping, base, *(values[column] for column in key))
        computed[group] = (figures[0], figures[1], figures[3], figures[4])
    stored: dict = {}
    for grouping, (table, key) in GROUPING_TABLES.items():
        columns = ", ".join(("base_id", *key))
        cursor.execute(
            f"SELECT {columns}, gross_cny, refunded_cny, orders, units FROM {table} WHERE day = %s",
            [day],
        )
        for row in cursor.fetchall():
            stored[(grouping, *row[: len(key) + 1])] = tuple(row[len(key) + 1 :])
    return computed == stored


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingdezhen.settings")
    import django

    django.setup()


def _order_indexes(cursor) -> list[str]:
    """The statements that rebuild orders_order's secondary indexes and unique constraints."""
    cursor.execute(
        """
        SELECT 'ALTER TABLE orders_order ADD CONSTRAINT ' || quote_ident(conname) || ' '
               || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE conrelid = 'orders_order'::regclass AND contype = 'u'
        """
    )
    constraints = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """
        SELECT i.indexdef FROM pg_indexes i
        WHERE i.tablename = 'orders_order' AND i.indexname NOT IN (
            SELECT conname FROM pg_constraint
            WHERE conrelid = 'orders_order'::regclass AND contype IN ('p', 'u'))
        """
    )
    return constraints + [row[0] for row in cursor.fetchall()]


def _drop_order_indexes(cursor) -> list[str]:
    rebuild = _order_indexes(cursor)
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'orders_order'::regclass "
        "AND contype = 'u'"
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'ALTER TABLE orders_order DROP CONSTRAINT "{name}"')
    cursor.execute(
        """
        SELECT indexname FROM pg_indexes WHERE tablename = 'orders_order' AND indexname NOT IN (
            SELECT conname FROM pg_constraint
            WHERE conrelid = 'orders_order'::regclass AND contype = 'p')
        """
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
    return rebuild


def _load_orders(cursor, *, base_id, first, days, per_day, prefix, log) -> float:
    """Bulk-load ``per_day`` orders for each of ``days`` days; returns seconds."""
    if per_day <= 0:
        return 0.0
    started = time.perf_counter()
    rebuild = _drop_order_indexes(cursor)
    # Rows reference merchants generated a moment ago: skip the per-row FK triggers.
    cursor.execute("SET session_replication_role = replica")
    chunk = 15
    for d0 in range(0, days, chunk):
        d1 = min(d0 + chunk, days) - 1
        cursor.execute(
            ORDERS_SQL,
            {
                "prefix": prefix,
                "first": first,
                "d0": d0,
                "d1": d1,
                "per_day": per_day,
                "base": base_id,
            },
        )
        log(f"  orders of days {d0}..{d1} loaded ({time.perf_counter() - started:.0f}s)")
    cursor.execute("RESET session_replication_role")
    for statement in rebuild:
        cursor.execute(statement)
    log(f"  indexes rebuilt ({time.perf_counter() - started:.0f}s)")
    return time.perf_counter() - started


def _analyze(cursor, *, vacuum: bool) -> None:
    verb = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    for table in ["orders_order", *ROLLUP_TABLES]:
        cursor.execute(f"{verb} {table}")


def _server_ms(client, url: str, repeat: int) -> float:
    """The median time of an in-process GET of ``url`` (after one to warm up), in ms, over
    three times ``repeat`` requests: one request here varies by half from one to the next."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(3 * repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return round(statistics.median(times), 1)


def _dashboard_ms(client, repeat: int) -> dict:
    return {
        f"{days}_days": _server_ms(client, f"/dashboard/?days={days}", repeat) for days in (30, 365)
    }


def _merchant_pages_ms(client, merchant_id: int, repeat: int) -> dict:
    """One merchant's pages, read as its base's manager: its dashboard and its API rows."""
    return {
        "dashboard_30_days": _server_ms(
            client, f"/dashboard/merchants/{merchant_id}/?days=30", repeat
        ),
        "dashboard_365_days": _server_ms(
            client, f"/dashboard/merchants/{merchant_id}/?days=365", repeat
        ),
        "api_daily_turnover": _server_ms(
            client, f"/api/v1/turnover/daily/?merchant={merchant_id}", repeat
        ),
    }


def run_benchmark(
    *, scale: float, days: int, repeat: int = 5, vacuum: bool = True, log=print
) -> dict:
    """Build the dataset and measure. Expects Django set up on a throw-away PostgreSQL database."""
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from jingdezhen.core.days import day_bounds, local_zone, month_bounds
    from merchants.models import Base, Merchant, Role, User
    from orders.models import DailyBaseTurnover, DailyTurnover, Order
    from orders.turnover import reconcile, rollup

    n_merchants = max(4, round(MERCHANTS_AT_FULL_SCALE * scale))
    per_day = max(40, round(ORDERS_PER_DAY_AT_FULL_SCALE * scale))
    per_day_small = max(1, round(per_day * 0.01))
    today = timezone.localdate(timezone.now(), local_zone())
    first_day = today - dt.timedelta(days=days - 1)
    first, _ = day_bounds(first_day)
    log(f"scale {scale}: {n_merchants} merchants, {per_day} orders a day, {days} days")

    base, _ = Base.objects.get_or_create(name="Bench base")
    manager, _ = User.objects.get_or_create(
        username="bench-manager", defaults={"role": Role.MANAGER, "base": base}
    )
    client = Client()
    client.force_login(manager)
    result: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "scale": scale,
        "merchants": n_merchants,
        "orders_per_day": per_day,
        "days": days,
        "order_lines": "not generated (every order's tier is 'without lines')",
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        result["machine"]["postgresql"] = cursor.fetchone()[0]
        cursor.execute(
            "TRUNCATE orders_orderline, orders_order, " + ", ".join(ROLLUP_TABLES) + " CASCADE"
        )
        cursor.execute(MERCHANTS_SQL, {"base": base.pk, "joined": first_day, "n": n_merchants})

        # 1% of the orders: roll up, measure the dashboard.
        log("loading 1% of the orders")
        _load_orders(
            cursor,
            base_id=base.pk,
            first=first,
            days=days,
            per_day=per_day_small,
            prefix="A",
            log=log,
        )
        _analyze(cursor, vacuum=vacuum)
    rollup.rollup_days(start=first_day, end=today)
    with connection.cursor() as cursor:
        _analyze(cursor, vacuum=vacuum)
    small = _dashboard_ms(client, repeat)
    log(f"dashboard at 1%: {small}")
    # The merchant that sells most (the skew puts it first): the most rows of any merchant.
    top_merchant = Merchant.objects.filter(base=base).order_by("pk").values_list("pk", flat=True)[0]
    small_merchant = _merchant_pages_ms(client, top_merchant, repeat)
    log(f"merchant pages at 1%: {small_merchant}")

    # The other 99%: load, re-roll the whole year (timed), measure the dashboard again.
    log("loading the other 99% of the orders")
    with connection.cursor() as cursor:
        load_s = _load_orders(
            cursor,
            base_id=base.pk,
            first=first,
            days=days,
            per_day=per_day - per_day_small,
            prefix="B",
            log=log,
        )
        _analyze(cursor, vacuum=vacuum)
    result["load_s"] = round(load_s, 1)
    result["orders"] = Order.objects.count()
    log(f"{result['orders']} orders; re-rolling the year")
    started = time.perf_counter()
    rollup.rollup_days(start=first_day, end=today)
    result["year_rollup_s"] = round(time.perf_counter() - started, 2)
    log(f"year re-rolled in {result['year_rollup_s']}s")
    with connection.cursor() as cursor:
        _analyze(cursor, vacuum=vacuum)
    full = _dashboard_ms(client, repeat)
    log(f"dashboard at 100%: {full}")
    result["dashboard_ms"] = {
        "at_1_percent": small,
        "at_100_percent": full,
        "ratio_30_days": round(full["30_days"] / small["30_days"], 2),
        "ratio_365_days": round(full["365_days"] / small["365_days"], 2),
    }
    full_merchant = _merchant_pages_ms(client, top_merchant, repeat)
    log(f"merchant pages at 100%: {full_merchant}")
    result["merchant_pages_ms"] = {
        "merchant": top_merchant,
        "at_1_percent": small_merchant,
        "at_100_percent": full_merchant,
        "ratios": {k: round(full_merchant[k] / small_merchant[k], 2) for k in full_merchant},
    }

    # One day: the rollup against the plain aggregate over the same rows, alternating. "cold"
    # rolls a day with no rollup rows yet (every row inserted: each run takes another day whose
    # rows were removed and vacuumed away beforehand); "rerun" re-rolls a day unchanged (the
    # periodic job's usual case: nothing rewritten); "changed" after 1% of its orders changed.
    day = today - dt.timedelta(days=days // 2)
    start, end = day_bounds(day)
    params = {"start": start, "end": end, "statuses": list(Order.COUNTED_STATUSES)}
    cold_days = [today - dt.timedelta(days=n) for n in range(1, repeat + 1)]
    with connection.cursor() as cursor:
        for table in DAY_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE day = ANY(%s)", [cold_days])
    # As if those days had never been rolled: their months no longer hold them either.
    for month in sorted({month_bounds(cold_day)[0] for cold_day in cold_days}):
        rollup.rollup_month(day=month)
    with connection.cursor() as cursor:
        if vacuum:
            _analyze(cursor, vacuum=True)
    times: dict = {"same": [], "finest": [], "cold": [], "rerun": [], "changed": []}

    def timed(key, fn):
        started = time.perf_counter()
        fn()
        times[key].append(time.perf_counter() - started)

    def plain(sql):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")  # as the rollup has
            cursor.execute(sql, params)
            cursor.fetchall()

    def change_orders():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_order SET refunded_cny = amount_cny * 0.5, updated_at = now() "
                "WHERE id IN (SELECT id FROM orders_order WHERE placed_at >= %s AND "
                "placed_at < %s AND status = 'completed' AND refunded_cny = 0 "
                "ORDER BY random() LIMIT %s)",
                [start, end, max(1, per_day // 100)],
            )

    plain(SAME_AGGREGATE_TIMED_SQL)  # warm them all
    plain(PLAIN_AGGREGATE_SQL)
    rollup.rollup_day(day=day)
    for cold_day in cold_days:
        timed("same", lambda: plain(SAME_AGGREGATE_TIMED_SQL))
        timed("finest", lambda: plain(PLAIN_AGGREGATE_SQL))
        timed("cold", lambda d=cold_day: rollup.rollup_day(day=d))
        timed("rerun", lambda: rollup.rollup_day(day=day))
        change_orders()
        timed("changed", lambda: rollup.rollup_day(day=day))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM orders_order WHERE placed_at >= %s AND placed_at < %s",
            [start, end],
        )
        day_orders = cursor.fetchone()[0]
        same_as_stored = _same_as_stored(cursor, day, params)
    med = {key: statistics.median(values) for key, values in times.items()}
    result["one_day"] = {
        "day": day.isoformat(),
        "orders": day_orders,
        "same_aggregate_s": round(med["same"], 4),
        "finest_grouping_s": round(med["finest"], 4),
        "rollup_cold_s": round(med["cold"], 4),
        "rollup_rerun_unchanged_s": round(med["rerun"], 4),
        "rollup_after_1pct_changed_s": round(med["changed"], 4),
        # The rollup against the same aggregate as one plain query: the overhead of keeping it.
        "ratio_cold": round(med["cold"] / med["same"], 2),
        "ratio_rerun": round(med["rerun"] / med["same"], 2),
        "ratio_changed": round(med["changed"] / med["same"], 2),
        # And against the finest grouping alone, for reference.
        "ratio_cold_to_finest": round(med["cold"] / med["finest"], 2),
        "ratio_changed_to_finest": round(med["changed"] / med["finest"], 2),
    }
    log(f"one day: {result['one_day']}")

    started = time.perf_counter()
    differences = reconcile.reconcile(start=first_day, end=today)
    result["reconcile"] = {
        "differences": len(differences),
        "seconds": round(time.perf_counter() - started, 1),
    }
    result["rollup_rows"] = {
        "daily_turnover": DailyTurnover.objects.count(),
        "base_days": DailyBaseTurnover.objects.count(),
    }
    result["merchants_in_base"] = Merchant.objects.filter(base=base).count()
    result["checks"] = {
        "one_day_within_2x": max(
            result["one_day"][key] for key in ("ratio_cold", "ratio_rerun", "ratio_changed")
        )
        <= 2.0,
        "dashboard_within_1_5x": max(
            result["dashboard_ms"]["ratio_30_days"], result["dashboard_ms"]["ratio_365_days"]
        )
        <= 1.5,
        "merchant_pages_within_1_5x": max(result["merchant_pages_ms"]["ratios"].values()) <= 1.5,
        "rollups_equal_orders": not differences,
        "baseline_is_the_same_aggregate": same_as_stored,
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,400 merchants, 50k/day")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "turnover.json"))
    parser.add_argument("--force", action="store_true", help="run on a database not named *bench*")
    args = parser.parse_args(argv)

    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if "bench" not in name and not args.force:
        parser.error(f"refusing to truncate tables of {name!r}: use a *bench* database or --force")
    call_command("migrate", verbosity=0)
    result = run_benchmark(scale=args.scale, days=args.days, repeat=args.repeat)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
