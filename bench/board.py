#!/usr/bin/env python
"""Live board benchmark: the server time of /board/ with 1% and with 100% of a base's orders.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jdz_bench \\
        .venv/bin/python bench/board.py --scale 1.0 [--days 30] [--out FILE.json]

The method of bench/turnover.py: at ``--scale 1.0``, 1,400 merchants and 50,000 orders a day for
``--days`` days (today and yesterday among them) generated on the server, rolled up; 40 rooms and
40 streams live now, each with a share of today's orders. Then, as between two rolls of the
5-minute job, ``--since`` orders are placed after the roll and ``--since`` / 5 orders placed
earlier today are written again: the board adds them to the rollups. The same writes since the
roll at both sizes, since they follow the roll interval, not the day's orders. It measures the
board's poll (the htmx partial every screen asks for every 5 s) and the whole page, in process,
median of several; then the same after loading the other 99% of the orders and rolling again.
``ratio`` should stay within 1.5x. The poll's queries are counted too.

It TRUNCATES the order and rollup tables: it refuses to run on a database whose name does not
contain "bench" unless given ``--force``. The test suite runs it at a tiny scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.turnover import (  # noqa: E402  (the path above first)
    MERCHANTS_AT_FULL_SCALE,
    MERCHANTS_SQL,
    ORDERS_PER_DAY_AT_FULL_SCALE,
    ROLLUP_TABLES,
    _analyze,
    _load_orders,
    _server_ms,
    _setup_django,
)

LIVE_STREAMS = 40
# One order in this many of today's is sold in one of the live streams.
STREAM_SHARE = 25

ROOMS_SQL = """
INSERT INTO livestreams_liveroom (base_id, name, capacity, equipment, is_active, opens_hour,
    closes_hour, prime_start_hour, prime_end_hour)
SELECT %(base)s, 'Bench room ' || lpad(i::text, 3, '0'), 4, '', true, 0, 24, 0, 24
FROM generate_series(1, %(n)s::int) AS i
"""
STREAMS_SQL = """
INSERT INTO livestreams_livestream (merchant_id, room_id, platform, title, planned_start,
    planned_end, blocked_until, status, is_rehearsal, actual_start, created_at, updated_at)
SELECT m.id, r.id, 'douyin', 'Bench stream ' || r.n, now() - interval '1 hour',
       now() + interval '1 hour', now() + interval '1 hour', 'live', false,
       now() - interval '1 hour', now(), now()
FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM livestreams_liveroom
      WHERE base_id = %(base)s) r
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM merchants_merchant
      WHERE base_id = %(base)s) m ON m.n = r.n
"""
# A share of today's orders (of the stage just loaded) to the live streams, by id.
ATTRIBUTE_SQL = """
UPDATE orders_order o SET stream_id = s.ids[1 + o.id %% array_length(s.ids, 1)]
FROM (SELECT array_agg(id ORDER BY id) AS ids FROM livestreams_livestream
      WHERE status = 'live') s
WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s AND o.stream_id IS NULL
  AND o.external_id LIKE %(prefix)s AND o.id %% %(share)s = 0
"""
# Orders placed after the roll (the last few minutes), and earlier ones written again.
SINCE_SQL = """
INSERT INTO orders_order (merchant_id, platform, external_id, buyer_name, buyer_country,
    currency, amount, amount_cny, refunded_cny, units, status, placed_at, created_at, updated_at,
    stream_id)
SELECT mids[1 + (g %% n_m)], 'douyin', %(prefix)s || g, '', 'CN', 'CNY', 199.00, 199.00, 0, 1,
       'paid', now() - random() * interval '4 minutes', now(), now(),
       CASE WHEN g %% 5 = 0 THEN (SELECT id FROM livestreams_livestream WHERE status = 'live'
                                  ORDER BY id LIMIT 1) END
FROM generate_series(1, %(n)s::int) AS g,
     (SELECT array_agg(id ORDER BY id) AS mids, COUNT(*)::int AS n_m
        FROM merchants_merchant WHERE base_id = %(base)s) m
"""
TOUCH_SQL = """
UPDATE orders_order SET updated_at = now()
WHERE id IN (SELECT id FROM orders_order WHERE placed_at >= %(start)s AND placed_at < now()
             AND status = 'completed' ORDER BY id DESC LIMIT %(n)s)
"""


def _poll_queries(poll_client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = poll_client.get("/board/")
    assert response.status_code == 200
    assert b"<html" not in response.content  # the partial, as htmx asks for it
    return len(queries)


def _fastest_ms(client, repeat: int) -> float:
    """The fastest of ``3 * repeat`` requests, in ms: the floor under the machine's noise."""
    times = []
    for _ in range(3 * repeat):
        started = time.perf_counter()
        assert client.get("/board/").status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return round(min(times), 1)


def _measure(page_client, poll_client, repeat: int) -> dict:
    return {
        "poll": _server_ms(poll_client, "/board/", repeat),
        "page": _server_ms(page_client, "/board/", repeat),
        "poll_fastest": _fastest_ms(poll_client, repeat),
    }


def run_benchmark(
    *, scale: float, days: int, since: int = 500, repeat: int = 5, vacuum: bool = True, log=print
) -> dict:
    """Build the dataset and measure. Expects Django set up on a throw-away PostgreSQL database."""
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from jingdezhen.core.days import day_bounds, local_zone
    from merchants.models import Base, Role, User
    from orders.models import Order
    from orders.turnover import rollup

    n_merchants = max(LIVE_STREAMS, round(MERCHANTS_AT_FULL_SCALE * scale))
    per_day = max(100, round(ORDERS_PER_DAY_AT_FULL_SCALE * scale))
    per_day_small = max(1, round(per_day * 0.01))
    today = timezone.localdate(timezone.now(), local_zone())
    first_day = today - dt.timedelta(days=days - 1)
    first, _ = day_bounds(first_day)
    start, end = day_bounds(today)
    log(f"scale {scale}: {n_merchants} merchants, {per_day} orders a day, {days} days")

    base, _ = Base.objects.get_or_create(name="Bench base")
    manager, _ = User.objects.get_or_create(
        username="bench-manager", defaults={"role": Role.MANAGER, "base": base}
    )
    client, poll_client = Client(), Client(HTTP_HX_REQUEST="true")
    client.force_login(manager)
    poll_client.force_login(manager)
    result: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "scale": scale,
        "merchants": n_merchants,
        "orders_per_day": per_day,
        "days": days,
        "live_streams": LIVE_STREAMS,
        "written_since_roll": {"placed": since, "changed": since // 5},
    }

    def stage(prefix: str, orders_per_day: int) -> dict:
        with connection.cursor() as cursor:
            # Inside a test's transaction: check the deferred keys now, so the load may drop them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            _load_orders(
                cursor,
                base_id=base.pk,
                first=first,
                days=days,
                per_day=orders_per_day,
                prefix=prefix,
                log=log,
            )
            cursor.execute(
                ATTRIBUTE_SQL,
                {"start": start, "end": end, "prefix": f"{prefix}%", "share": STREAM_SHARE},
            )
            _analyze(cursor, vacuum=vacuum)
            for table in ("merchants_merchant", "livestreams_liveroom", "livestreams_livestream"):
                cursor.execute(f"ANALYZE {table}")
        rollup.rollup_days(start=first_day, end=today, record_milestones=False)
        with connection.cursor() as cursor:
            cursor.execute(SINCE_SQL, {"prefix": f"S{prefix}-", "n": since, "base": base.pk})
            cursor.execute(TOUCH_SQL, {"start": start, "n": since // 5})
            _analyze(cursor, vacuum=vacuum)
        figures = _measure(client, poll_client, repeat)
        figures["poll_queries"] = _poll_queries(poll_client)
        figures["orders"] = Order.objects.count()
        log(f"  {figures}")
        return figures

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        result["machine"]["postgresql"] = cursor.fetchone()[0]
        cursor.execute(
            "TRUNCATE orders_orderline, orders_orderevent, orders_order, "
            "livestreams_livestream, livestreams_liveroom, orders_dailybaseslotturnover, "
            + ", ".join(ROLLUP_TABLES)
            + " CASCADE"
        )
        cursor.execute(MERCHANTS_SQL, {"base": base.pk, "joined": first_day, "n": n_merchants})
        cursor.execute(ROOMS_SQL, {"base": base.pk, "n": LIVE_STREAMS})
        cursor.execute(STREAMS_SQL, {"base": base.pk})

    log("1% of the orders")
    small = stage("A", per_day_small)
    log("the other 99%")
    full = stage("B", per_day - per_day_small)
    result["board_ms"] = {
        "at_1_percent": small,
        "at_100_percent": full,
        "ratio_poll": round(full["poll"] / small["poll"], 2),
        "ratio_page": round(full["page"] / small["page"], 2),
        "ratio_poll_fastest": round(full["poll_fastest"] / small["poll_fastest"], 2),
    }
    result["checks"] = {
        "board_within_1_5x": max(result["board_ms"]["ratio_poll"], result["board_ms"]["ratio_page"])
        <= 1.5,
        "poll_queries_constant": small["poll_queries"] == full["poll_queries"],
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,400 merchants, 50k/day")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--since", type=int, default=500, help="orders placed since the roll")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "board.json"))
    parser.add_argument("--force", action="store_true", help="run on a database not named *bench*")
    args = parser.parse_args(argv)

    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if "bench" not in name and not args.force:
        parser.error(f"refusing to truncate tables of {name!r}: use a *bench* database or --force")
    call_command("migrate", verbosity=0)
    result = run_benchmark(scale=args.scale, days=args.days, since=args.since, repeat=args.repeat)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
