"""Benchmark: an order export imported as a background job (the worker's code, in process), and
/healthz while two large imports run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingdezhen .venv/bin/python bench/csv_import.py
    ... bench/csv_import.py --rows 500000            # a Douyin CSV of 500,000 rows (the default)
    ... bench/csv_import.py --xlsx --rows 100000     # the same as an .xlsx workbook
    ... bench/csv_import.py --healthz --rows 200000  # p95 of /healthz while two imports run
    ... bench/csv_import.py --compare --rounds 3     # the import before and now, taking turns

Runs against the configured database (migrated), in a throw-away base and merchant that it
removes afterwards. The file goes through the upload service (stored, job created), then the job
runs as the worker runs it, chunk by chunk (timed, committed); then the same file is uploaded
again (it must change nothing). With ``--healthz`` the web runs in gunicorn (2 workers, as
``scripts/serve.sh``) with its two Celery workers, and two uploaded files run as import jobs on
the imports worker (nice 10) while /healthz is asked every 50 ms. Writes JSON to
bench/results/csv_import[_xlsx|_healthz].json.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HEADER = ["主订单编号", "商家编码", "商品数量", "商品单价", "订单状态", "订单提交时间", "收件人"]


def _rows(rows: int, skus: list[str], seed: int = 7, prefix: str = "DY"):
    """Douyin export rows: orders of one to three lines, over 90 days."""
    rng = random.Random(seed)
    statuses = ["已完成"] * 6 + ["已发货"] * 2 + ["待发货", "已取消", "已退款"]
    start = dt.datetime(2026, 1, 1, 8, 0, 0)
    written, order_no = 0, 0
    while written < rows:
        order_no += 1
        placed = start + dt.timedelta(seconds=rng.randint(0, 90 * 86400))
        status = rng.choice(statuses)
        buyer = f"买家{rng.randint(1, 99999)}"
        for _ in range(min(rng.randint(1, 3), rows - written)):
            yield [
                f"{prefix}{order_no:012d}",
                rng.choice(skus),
                rng.randint(1, 3),
                f"{rng.randint(30, 2000)}.00",
                status,
                placed.strftime("%Y-%m-%d %H:%M:%S"),
                buyer,
            ]
            written += 1


def make_csv(rows: int, skus: list[str], seed: int = 7, prefix: str = "DY") -> bytes:
    """A Douyin export of ``rows`` lines."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(_rows(rows, skus, seed, prefix))
    return out.getvalue().encode("utf-8")


def make_xlsx(rows: int, skus: list[str], seed: int = 7, prefix: str = "DY") -> bytes:
    """The same export as an .xlsx workbook (quantities as numbers, times as text)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("订单")
    sheet.append(HEADER)
    for row in _rows(rows, skus, seed, prefix):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _world(products: int):
    from jingdezhen.core.tenancy import MERCHANT, Reach
    from merchants.models import Base, Merchant
    from orders.models import Product

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
    # The merchant's own reach, as its owner's upload would have it.
    reach = Reach(role=MERCHANT, base_id=base.pk, merchant_id=merchant.pk, member_role="owner")
    return base, merchant, reach, skus


def _upload(reach, merchant, data: bytes, name: str):
    from django.core.files.base import ContentFile

    from orders.intake import jobs

    return jobs.import_job_create(
        reach=reach,
        merchant=merchant,
        kind="orders",
        platform="douyin",
        upload=ContentFile(data, name=name),
    )


def _cleanup(base, merchant) -> None:
    from orders.models import ImportJob, Order, OrderEvent, OrderImport, OrderLine, Product

    # Raw deletes: the rows are ours alone, and a cascade collector would take minutes.
    for qs in (
        OrderEvent.objects.filter(order__merchant=merchant),
        OrderLine.objects.filter(order__merchant=merchant),
        Order.objects.filter(merchant=merchant),
    ):
        qs._raw_delete(qs.db)
    for job in ImportJob.objects.filter(merchant=merchant):
        job.file.delete(save=False)
    ImportJob.objects.filter(merchant=merchant).delete()
    OrderImport.objects.filter(merchant=merchant).delete()
    Product.objects.filter(merchant=merchant).delete()
    merchant.delete()
    base.delete()


@contextlib.contextmanager
def _no_enqueue():
    """The bench runs the job itself: the upload's enqueue (after commit) is left out, and put
    back afterwards (run from a test, a lasting patch left every later upload unqueued)."""
    from orders.intake import jobs

    enqueue = jobs._enqueue
    jobs._enqueue = lambda job_id: None
    try:
        yield
    finally:
        jobs._enqueue = enqueue


def run_benchmark(
    rows: int = 500_000, products: int = 200, xlsx: bool = False, settings: dict | None = None
) -> dict:
    """Import ``rows`` rows as a job, then the same file again; return the figures.
    ``settings`` overrides Django settings for the run (e.g. ``IMPORT_READ_AHEAD``)."""
    from django.test.utils import override_settings

    with _no_enqueue(), override_settings(**(settings or {})):
        return _run_benchmark(rows, products, xlsx, settings or {})


def run_compare(
    rows: int, products: int, xlsx: bool, variants: dict[str, dict], rounds: int
) -> dict:
    """The same file imported once per variant of the settings, the variants taking turns for
    ``rounds`` rounds in one process: ratios of one run, on whatever load the machine has then."""
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for _round in range(rounds):
        for name, overrides in variants.items():
            runs[name].append(run_benchmark(rows, products, xlsx, overrides))
    rates = {n: [r["rows_per_second"] for r in rs] for n, rs in runs.items()}
    median = {n: statistics.median(v) for n, v in rates.items()}
    first = next(iter(median.values()))
    return {
        "benchmark": "csv_import_compare",
        "rows": rows,
        "format": "xlsx" if xlsx else "csv",
        "rounds": rounds,
        "variants": variants,
        "rows_per_second": rates,
        "median_rows_per_second": median,
        "median_speedup_vs_first": {n: round(m / first, 2) for n, m in median.items()},
        "cpu_seconds_per_100k_rows": {
            n: [r["cpu_seconds_per_100k_rows"] for r in rs] for n, rs in runs.items()
        },
        "all_done_and_reimport_changed_nothing": all(
            r["status"] == "done" and r["reimport_changed_nothing"]
            for rs in runs.values()
            for r in rs
        ),
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of the PostgreSQL backend ``pid``, when it runs on this
    machine (/proc); None otherwise."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_benchmark(rows: int, products: int, xlsx: bool, overrides: dict) -> dict:
    from django.db import connection

    from orders.intake import jobs
    from orders.models import ImportJob, Order

    base, merchant, reach, skus = _world(products)
    t0 = time.perf_counter()
    data = make_xlsx(rows, skus) if xlsx else make_csv(rows, skus)
    make_seconds = time.perf_counter() - t0
    name = "bench.xlsx" if xlsx else "bench.csv"
    try:
        t0 = time.perf_counter()
        job = _upload(reach, merchant, data, name)
        upload_seconds = time.perf_counter() - t0
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        db_cpu0, cpu0 = _backend_cpu(backend), time.process_time()
        t0 = time.perf_counter()
        jobs.import_job_run(job_id=job.pk)
        seconds = time.perf_counter() - t0
        cpu, db_cpu1 = time.process_time() - cpu0, _backend_cpu(backend)
        db_cpu = db_cpu1 - db_cpu0 if db_cpu0 is not None and db_cpu1 is not None else None
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        job.refresh_from_db()
        t0 = time.perf_counter()
        again = _upload(reach, merchant, data, name)
        jobs.import_job_run(job_id=again.pk)
        again_seconds = time.perf_counter() - t0
        orders_after = Order.objects.filter(merchant=merchant).count()
        return {
            "benchmark": "csv_import",
            "format": "xlsx" if xlsx else "csv",
            "layout": "douyin",
            "database": connection.vendor,
            "rows": rows,
            "file_bytes": len(data),
            "status": job.status,
            "error": job.error,
            "orders_imported": job.orders_imported,
            "rows_imported": job.rows_imported,
            "bad_rows": job.rows_bad,
            "upload_seconds": round(upload_seconds, 3),
            "seconds": round(seconds, 3),
            "rows_per_second": round(rows / seconds, 1),
            "settings": overrides,
            # Python (both threads) and the PostgreSQL backend: CPU per 100,000 rows, which the
            # machine's load moves far less than the wall clock.
            "cpu_seconds_per_100k_rows": {
                "python": round(cpu * 100_000 / rows, 2),
                "postgres": round(db_cpu * 100_000 / rows, 2) if db_cpu is not None else None,
            },
            "max_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
            "file_build_seconds": round(make_seconds, 1),
            "reimport_seconds": round(again_seconds, 3),
            "reimport_changed_nothing": again.pk == job.pk
            and orders_after == job.orders_imported
            and ImportJob.objects.filter(merchant=merchant).count() == 1,
            "load_average": os.getloadavg(),
            "cpus": os.cpu_count(),
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    finally:
        _cleanup(base, merchant)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            code = response.status
    except urllib.error.HTTPError as exc:
        code = exc.code
    except OSError:
        code = 0
    return code, (time.perf_counter() - t0) * 1000


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _celery(bin_dir: Path, env: dict, queues: str, name: str, nice: bool) -> subprocess.Popen:
    """A Celery worker as ``scripts/serve.sh`` starts it (the imports one at nice 10)."""
    command = [str(bin_dir / "celery"), "-A", "jingdezhen", "worker", "-Q", queues]
    command += ["--concurrency=2", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"]
    command += ["--loglevel=WARNING"]
    if nice:
        command = ["nice", "-n", "10", *command]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def run_healthz(rows: int = 200_000, products: int = 200) -> dict:
    """p50/p95 of /healthz (gunicorn, 2 workers) idle and while two import jobs of ``rows``
    rows each run, as ``scripts/serve.sh`` serves: uploaded through the upload service, sent to
    the ``imports`` queue and run by the imports worker (2 processes at nice 10), beside the
    main worker whose heartbeat /healthz reads."""
    from orders.models import ImportJob

    base, merchant, reach, skus = _world(products)
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jingdezhen.settings"}
    env.setdefault("DEBUG", "true")
    bin_dir = Path(sys.executable).parent
    gunicorn = [str(bin_dir / "gunicorn"), "jingdezhen.wsgi:application", "--workers", "2"]
    web = subprocess.Popen(
        [*gunicorn, "--bind", f"127.0.0.1:{port}", "--timeout", "30"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = [
        _celery(bin_dir, env, "celery,holds", "bench-main", nice=False),
        _celery(bin_dir, env, "imports", "bench-imports", nice=True),
    ]
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        for _ in range(150):  # the web up and the main worker's first heartbeat in
            if _get(url)[0] == 200:
                break
            time.sleep(0.2)
        idle = [_get(url)[1] for _ in range(40)]
        files = [make_csv(rows, skus, seed=i, prefix=f"D{i}") for i in range(2)]
        t0 = time.perf_counter()
        job_ids = [_upload(reach, merchant, data, f"b{i}.csv").pk for i, data in enumerate(files)]
        busy: list[float] = []
        codes: dict[int, int] = {}
        jobs_of = ImportJob.objects.filter(pk__in=job_ids)
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            code, ms = _get(url)
            busy.append(ms)
            codes[code] = codes.get(code, 0) + 1
            if len(busy) % 20 == 0 and all(j.finished for j in jobs_of.all()):
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - t0
        done = list(jobs_of.values_list("status", "rows_imported"))
        return {
            "benchmark": "csv_import_healthz",
            "rows_per_import": rows,
            "imports": 2,
            "import_statuses": done,
            "seconds_for_both": round(seconds, 1),
            "rows_per_second_together": round(2 * rows / seconds, 1),
            "healthz_idle_p50_ms": _p(idle, 0.5),
            "healthz_idle_p95_ms": _p(idle, 0.95),
            "healthz_busy_requests": len(busy),
            "healthz_busy_p50_ms": _p(busy, 0.5),
            "healthz_busy_p95_ms": _p(busy, 0.95),
            "healthz_busy_max_ms": round(max(busy), 1) if busy else 0.0,
            "healthz_busy_mean_ms": round(statistics.fmean(busy), 1) if busy else 0.0,
            "healthz_status_codes": codes,
            "load_average": os.getloadavg(),
            "cpus": os.cpu_count(),
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    finally:
        for w in workers:
            w.terminate()
        web.terminate()
        for process in (*workers, web):
            process.wait(timeout=30)
        _cleanup(base, merchant)


# ``--compare``: the import as it was (a foreign-key trigger per row, read in the job's thread),
# with the keys checked once per chunk, and with the file read ahead in a thread too (as a
# workbook is now; a CSV is read in the job's thread).
COMPARED = {
    "before": {"IMPORT_READ_AHEAD": 0, "IMPORT_CHECKED_KEYS": False},
    "checked_keys": {"IMPORT_READ_AHEAD": 0, "IMPORT_CHECKED_KEYS": True},
    "checked_keys_read_ahead": {"IMPORT_READ_AHEAD": 2, "IMPORT_CHECKED_KEYS": True},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--xlsx", action="store_true", help="an .xlsx workbook (100,000 rows)")
    parser.add_argument("--healthz", action="store_true", help="/healthz during two imports")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="the same file imported as before and as now, taking turns (see COMPARED)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="--compare: rounds of turns")
    parser.add_argument("--run-job", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingdezhen.settings")
    import django

    django.setup()
    if args.run_job:
        from orders.intake import jobs

        jobs.import_job_run(job_id=args.run_job)
        return 0
    if args.compare:
        rows = args.rows or (100_000 if args.xlsx else 500_000)
        result = run_compare(rows, args.products, args.xlsx, COMPARED, args.rounds)
        out = RESULTS / ("csv_import_compare_xlsx.json" if args.xlsx else "csv_import_compare.json")
    elif args.healthz:
        result = run_healthz(rows=args.rows or 200_000, products=args.products)
        out = RESULTS / "csv_import_healthz.json"
    else:
        rows = args.rows or (100_000 if args.xlsx else 500_000)
        result = run_benchmark(rows=rows, products=args.products, xlsx=args.xlsx)
        out = RESULTS / ("csv_import_xlsx.json" if args.xlsx else "csv_import.json")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
