"""Benchmark: import a Douyin order export of N rows (default 100,000) and report rows/second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingdezhen .venv/bin/python bench/csv_import.py
    ... bench/csv_import.py --rows 20000

Runs against the configured database (migrated), in a throw-away base and merchant that it
removes afterwards. Imports the file once (timed, committed), then the same file again (timed:
it must change nothing), and prints the JSON it writes to bench/results/csv_import.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "csv_import.json"


def make_csv(rows: int, skus: list[str], seed: int = 7) -> bytes:
    """A Douyin export of ``rows`` lines, orders of one to three lines, over 90 days."""
    rng = random.Random(seed)
    statuses = ["已完成"] * 6 + ["已发货"] * 2 + ["待发货", "已取消", "已退款"]
    start = dt.datetime(2026, 1, 1, 8, 0, 0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["主订单编号", "商家编码", "商品数量", "商品单价", "订单状态", "订单提交时间", "收件人"]
    )
    written, order_no = 0, 0
    while written < rows:
        order_no += 1
        placed = start + dt.timedelta(seconds=rng.randint(0, 90 * 86400))
        status = rng.choice(statuses)
        buyer = f"买家{rng.randint(1, 99999)}"
        for _ in range(min(rng.randint(1, 3), rows - written)):
            writer.writerow(
                [
                    f"DY{order_no:012d}",
                    rng.choice(skus),
                    rng.randint(1, 3),
                    f"{rng.randint(30, 2000)}.00",
                    status,
                    placed.strftime("%Y-%m-%d %H:%M:%S"),
                    buyer,
                ]
            )
            written += 1
    return out.getvalue().encode("utf-8")


def run_benchmark(rows: int = 100_000, products: int = 200) -> dict:
    """Import ``rows`` rows twice into a fresh merchant; return the figures. Needs Django set up."""
    from django.db import connection

    from jingdezhen.core.tenancy import MERCHANT, Reach
    from merchants.models import Base, Merchant
    from orders.intake.csv_import import import_orders
    from orders.models import Order, OrderEvent, OrderImport, OrderLine, Product

    tag = uuid.uuid4().hex[:8]
    base = Base.objects.create(name=f"bench base {tag}")
    merchant = Merchant.objects.create(base=base, name=f"bench merchant {tag}")
    skus = [f"B-{i:05d}" for i in range(products)]
    Product.objects.bulk_create(
        Product(
            merchant=merchant, sku=sku, name=f"Bench cup {sku}", price=Decimal("100"), stock=10**8
        )
        for sku in skus
    )
    data = make_csv(rows, skus)
    # The merchant's own reach, as its owner's upload would have it.
    reach = Reach(role=MERCHANT, base_id=base.pk, merchant_id=merchant.pk, member_role="owner")
    try:
        t0 = time.perf_counter()
        first = import_orders(
            reach=reach, merchant=merchant, platform="douyin", data=data, filename="bench.csv"
        )
        first_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = import_orders(
            reach=reach, merchant=merchant, platform="douyin", data=data, filename="bench.csv"
        )
        again_seconds = time.perf_counter() - t0
        orders_after = Order.objects.filter(merchant=merchant).count()
        record = first.record
        return {
            "benchmark": "csv_import",
            "layout": "douyin",
            "database": connection.vendor,
            "rows": rows,
            "file_bytes": len(data),
            "orders_imported": record.orders_imported,
            "rows_imported": record.rows_imported,
            "bad_rows": len(record.errors),
            "seconds": round(first_seconds, 3),
            "rows_per_second": round(rows / first_seconds, 1),
            "reimport_seconds": round(again_seconds, 3),
            "reimport_changed_nothing": again.repeated and orders_after == record.orders_imported,
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    finally:
        # Raw deletes: the rows are ours alone, and a cascade collector would take minutes.
        for qs in (
            OrderEvent.objects.filter(order__merchant=merchant),
            OrderLine.objects.filter(order__merchant=merchant),
            Order.objects.filter(merchant=merchant),
        ):
            qs._raw_delete(qs.db)
        OrderImport.objects.filter(merchant=merchant).delete()
        Product.objects.filter(merchant=merchant).delete()
        merchant.delete()
        base.delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingdezhen.settings")
    import django

    django.setup()
    result = run_benchmark(rows=args.rows, products=args.products)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
