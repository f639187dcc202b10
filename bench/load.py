"""Load on loopback: requests per second and latency percentiles of the site's pages and API,
at a few levels of concurrency, against the production shape (scripts/serve.sh: gunicorn with
PostgreSQL and Redis, DEBUG off), then a flash sale: 1,000 buyers racing for 100 pieces of a live
stream's flash deal. Bounded in requests and time; writes bench/results/load.json.

    make load                       # starts scripts/serve.sh on a free port, measures, stops it
    python bench/load.py --url http://127.0.0.1:8000   # against a stack already running

Adding an endpoint is one line in ENDPOINTS: (name, role, method, path[, json body]).
Any 5xx, any other failed request, or a broken rule of the flash sale fails the run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "jingdezhen-demo"

# (name, role that calls it, method, path[, JSON body]). Pages use the role's session, the API
# its token. A body may be a function of the ids that prepare() makes through the API first.
ENDPOINTS = [
    ("home page (manager)", "manager", "GET", "/"),
    ("home page (merchant)", "merchant", "GET", "/"),
    ("base dashboard (manager)", "manager", "GET", "/dashboard/"),
    ("catalogue page (merchant)", "merchant", "GET", "/catalogue/"),
    ("catalogue API: own", "merchant", "GET", "/api/v1/products/"),
    ("merchants API: list", "manager", "GET", "/api/v1/merchants/"),
    ("merchants API: own", "merchant", "GET", "/api/v1/merchants/"),
    ("orders API: list (manager)", "manager", "GET", "/api/v1/orders/"),
    ("orders API: own", "merchant", "GET", "/api/v1/orders/"),
    # Each request a new order of one unit (its platform order id made by the service).
    ("orders API: create", "merchant", "POST", "/api/v1/orders/",
     lambda ids: {"platform": "douyin", "buyer_name": "load bench",
                  "lines": [{"product": ids["order_product"], "quantity": 1}]}),
    ("health check", None, "GET", "/healthz"),
]  # fmt: skip
LEVELS = [1, 4, 16]


# The demo base's zone: a stream belongs to one of its days (it may end at midnight, not after).
BASE_ZONE = ZoneInfo("Asia/Shanghai")


def _stream_window(now: datetime) -> tuple[datetime, datetime]:
    """From now for an hour, cut at the base's next midnight, whatever the hour the bench runs."""
    local = now.astimezone(BASE_ZONE)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return now, min(now + timedelta(hours=1), midnight)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_stack(port: int) -> subprocess.Popen:
    env = {**os.environ, "PORT": str(port), "PYTHON": sys.executable, "LOG_LEVEL": "WARNING"}
    env.setdefault("SERVE_DB", "jingdezhen_serve")
    log = open(ROOT / "bench" / "results" / "serve.log.tmp", "w")  # noqa: SIM115
    return subprocess.Popen(
        ["bash", "scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or still warming
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url}/healthz did not answer within {timeout:.0f}s")


def login(url: str, username: str) -> tuple[dict, str]:
    """Session cookies (for pages) and an API token for a demo account."""
    session = requests.Session()
    page = session.get(url + "/accounts/login/", timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    session.post(
        url + "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": url + "/accounts/login/"},
        timeout=10,
    )
    token = requests.post(
        url + "/api/v1/auth/token/", json={"username": username, "password": PASSWORD}, timeout=10
    ).json()["token"]
    return session.cookies.get_dict(), token


class BenchError(Exception):
    """The stack answered a set-up request of the bench unexpectedly."""


class Api:
    """The API as one user (token); set-up calls only, never the measured ones."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "Accept-Language": "en"})

    def call(self, method: str, path: str, json=None, expect=(200, 201)) -> dict:
        response = self.session.request(method, self.url + path, json=json, timeout=30)
        if response.status_code not in expect:
            raise BenchError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()


class Http:
    """The measured requests' client: one keep-alive connection of the standard library's
    ``http.client`` per thread. The load generator shares the machine's cores with the stack it
    measures, so its own CPU per request is taken from the server: ``requests`` spends about a
    millisecond of it per request (its session, adapters, cookie jar and header merging), this
    a small part of that. Set-up calls keep ``requests`` (``Api``, ``login``). Every answer is
    read whole, as a browser or a platform's client would.

    A kept connection the server closed meanwhile (its keep-alive ran out) fails before the
    request reaches the view; such a request is sent once more on a new connection."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, timeout: float = 30):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {
            "Host": parts.netloc,
            "Accept": "application/json, text/html",
            **(headers or {}),
        }
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        """The answer's status and body; status 0 when no answer came."""
        data = None if body is None else json.dumps(body).encode()
        sent = {**self.headers, **(headers or {})}
        if data is not None:
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request(method, path, body=data, headers=sent)
                response = self.connection.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused and attempt == 1:
                    continue  # the kept connection had been closed: once more, on a new one
                return 0, b""
            except (OSError, http.client.HTTPException):
                self.close()
                return 0, b""
            if response.will_close:
                self.close()
            return response.status, payload
        return 0, b""

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def bench_product(api: Api, *, sku: str, name: str, stock: int) -> dict:
    """The merchant's bench product with exactly ``stock`` units in stock, made on the first run
    (a 409 for its SKU means an earlier run made it) and restocked through the API."""
    body = {"sku": sku, "name": name, "price": "198.00", "stock": stock, "story": "Load bench."}
    made = api.session.post(api.url + "/api/v1/products/", json=body, timeout=30)
    if made.status_code == 201:
        return made.json()
    if made.status_code != 409:
        raise BenchError(f"POST /api/v1/products/: {made.status_code} {made.text[:300]}")
    path = "/api/v1/products/?page_size=500"
    product = None
    while product is None and path:
        page = api.call("GET", path.removeprefix(api.url))
        product = next((p for p in page["results"] if p["sku"] == sku), None)
        path = page.get("next")
    if product is None:
        raise BenchError(f"product {sku} answered 409 but is not in the catalogue")
    if not product["is_active"]:
        api.call("PATCH", f"/api/v1/products/{product['id']}/", json={"is_active": True})
    if product["stock"] != stock:
        change = {"change": stock - product["stock"]}
        return api.call("POST", f"/api/v1/products/{product['id']}/restock/", json=change)
    return product


def all_results(api: Api, path: str) -> list[dict]:
    """Every row of a paginated API list."""
    rows: list[dict] = []
    while path:
        page = api.call("GET", path.removeprefix(api.url))
        rows += page["results"]
        path = page.get("next")
    return rows


def prepare(url: str, auth: dict, units: int) -> dict:
    """Ids the endpoints' bodies use: a product with stock enough for every order placed."""
    api = Api(url, auth["merchant"][1])
    product = bench_product(api, sku="BENCH-LOAD-ORDERS", name="Load bench cup", stock=units)
    return {"order_product": product["id"]}


def percentile(ordered: list[float], p: float) -> float | None:
    """Of sorted seconds, in milliseconds."""
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)


def measure(url, endpoint, auth, concurrency: int, requests_per_level: int, seconds: float, ids):
    name, role, method, path, *body = endpoint
    payload = body[0](ids) if body and callable(body[0]) else (body[0] if body else None)
    cookies, token = auth.get(role, ({}, None))
    headers = {"Authorization": f"Token {token}"} if path.startswith("/api/") and token else {}
    if cookies and not headers:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    latencies, statuses = [], []
    lock = threading.Lock()
    remaining = [requests_per_level]
    deadline = time.monotonic() + seconds

    def worker():
        client = Http(url, headers)  # redirects are not followed: one to the login page fails
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            status, _body = client.request(method, path, body=payload)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(status)
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "endpoint": name,
        "method": method,
        "path": path,
        "concurrency": concurrency,
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "per_second": round(len(latencies) / wall, 1) if wall else 0,
        "p50_ms": percentile(ordered, 0.50),
        "p95_ms": percentile(ordered, 0.95),
        "p99_ms": percentile(ordered, 0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "ok": sum(1 for s in statuses if 200 <= s < 300),
        "server_errors": sum(1 for s in statuses if s >= 500),
        "failed": sum(1 for s in statuses if not 200 <= s < 300),
    }


# --- the flash sale ----------------------------------------------------------------------------


def sale_checks(sale: dict) -> dict[str, bool]:
    """The rules a flash sale must keep (SPEC: concurrent buyers never oversell stock), from what
    the sale observed over HTTP. Every one must hold, or the run fails."""
    buyers, pieces = sale["buyers"], sale["pieces"]
    return {
        "every_buyer_answered": sale["requests"] == buyers,
        "exactly_the_pieces_sold": sale["accepted"] == pieces,
        "the_rest_refused_with_409": sale["refused_409"] == buyers - pieces,
        "every_refusal_names_a_reason": sale["refusals_with_reason"] == sale["refused_409"],
        "no_server_error": sale["server_errors"] == 0 and sale["no_answer"] == 0,
        "deal_remaining_ends_at_0": sale["deal_remaining_after"] == 0,
        "product_stock_ends_at_0": sale["product_stock_after"] == 0,
        "never_negative_while_selling": min(sale["lowest_seen"].values(), default=0) >= 0,
        "orders_in_database_equal_accepted": sale["orders_in_database"] == sale["accepted"],
        "accepted_orders_are_the_stored_ones": sale["stored_orders_match"],
        "one_order_per_buyer": sale["distinct_buyers_in_database"] == sale["orders_in_database"],
    }


def _buyers(url, token, run, stream_id, product_id, deal_id, seconds, start, out, numbers, threads):
    """One process of the flash sale's buyers: ``threads`` threads, each with its own kept
    connection, order at the deal for the buyers ``numbers`` (one order each) until they are
    done or ``seconds`` have passed; the answers go to ``out`` as (status, started, took, body),
    ``started`` on the machine's monotonic clock (the same in every process)."""
    lock = threading.Lock()
    answers: list[tuple[int, float, float, dict | None]] = []
    waiting = list(reversed(numbers))
    ready = threading.Barrier(threads + 1)
    deadline = [0.0]

    def buyer_thread():
        client = Http(url, {"Authorization": f"Token {token}", "Accept-Language": "en"})
        ready.wait()
        while time.monotonic() < deadline[0]:
            with lock:
                if not waiting:
                    break
                number = waiting.pop()
            body = {
                "platform": "douyin",
                "stream": stream_id,
                "buyer_name": f"flash buyer {run}-{number:05d}",
                "lines": [{"product": product_id, "quantity": 1, "flash_deal": deal_id}],
            }
            # The key makes a resent request (a kept connection found closed) the same order.
            key = {"Idempotency-Key": f"flash-{run}-{number}"}
            started = time.perf_counter()
            status, payload = client.request("POST", "/api/v1/orders/", body=body, headers=key)
            took = time.perf_counter() - started
            try:
                answer = json.loads(payload) if payload else None
            except ValueError:
                answer = None
            with lock:
                answers.append((status, started, took, answer))
        client.close()

    workers = [threading.Thread(target=buyer_thread) for _ in range(threads)]
    for thread in workers:
        thread.start()
    start.wait(timeout=60)
    deadline[0] = time.monotonic() + seconds
    ready.wait(timeout=60)
    for thread in workers:
        thread.join(timeout=seconds + 35)
    out.put(answers)


def flash_sale(
    url: str,
    token: str,
    *,
    buyers: int = 1000,
    pieces: int = 100,
    threads: int = 48,
    seconds: float = 120.0,
    processes: int = 4,
) -> dict:
    """A merchant (``token``) goes live and starts a flash deal of ``pieces`` units (the product's
    whole stock, one per buyer); ``buyers`` distinct buyers order one each at the deal through
    ``POST /api/v1/orders/`` from ``threads`` threads at once, bounded to ``seconds``. A watcher
    reads the deal and the product meanwhile. Returns the figures and ``checks`` (sale_checks)."""
    api = Api(url, token)
    run = uuid.uuid4().hex[:8]
    product = bench_product(api, sku="BENCH-FLASH-SALE", name="Flash sale bowl", stock=pieces)
    start, end = _stream_window(datetime.now(UTC))
    stream = api.call(
        "POST",
        "/api/v1/streams/",
        json={
            "title": f"Flash sale bench {run}",
            "platform": "douyin",
            "planned_start": start.isoformat(),
            "planned_end": end.isoformat(),
        },
    )
    api.call("POST", f"/api/v1/streams/{stream['id']}/go-live/")
    deal = api.call(
        "POST",
        "/api/v1/flash-deals/",
        json={
            "stream": stream["id"],
            "product": product["id"],
            "deal_price": "99.00",
            "quantity": pieces,
            "per_buyer_limit": 1,
            "duration": "00:15:00",
        },
    )
    deal_path, product_path = (
        f"/api/v1/flash-deals/{deal['id']}/",
        f"/api/v1/products/{product['id']}/",
    )

    lock = threading.Lock()
    lowest_seen = {"deal_remaining": pieces, "product_stock": product["stock"] - pieces}
    samples = [0]
    done = threading.Event()
    # The buyers are independent clients: in a few processes of their own (threads spread over
    # them), so that one Python lock of the load generator does not queue every buyer's answer
    # and add its wait to the latency measured.
    processes = max(1, min(processes, threads))
    context = multiprocessing.get_context("fork")
    start = context.Barrier(processes + 1)
    out = context.Queue()
    sale_args = (url, token, run, stream["id"], product["id"], deal["id"], seconds, start, out)
    spawned = [
        context.Process(
            target=_buyers,
            args=(*sale_args, list(range(p, buyers, processes)), len(range(p, threads, processes))),
        )
        for p in range(processes)
    ]

    def watcher():
        while not done.wait(0.05):
            try:
                remaining = api.session.get(url + deal_path, timeout=10).json()["remaining"]
                stock = api.session.get(url + product_path, timeout=10).json()["stock"]
            except (requests.RequestException, ValueError, KeyError):
                continue
            with lock:
                samples[0] += 1
                lowest_seen["deal_remaining"] = min(lowest_seen["deal_remaining"], remaining)
                lowest_seen["product_stock"] = min(lowest_seen["product_stock"], stock)

    watching = threading.Thread(target=watcher)
    answers: list[tuple[int, float, float, dict | None]] = []  # status, started, took, body
    try:
        for process in spawned:
            process.start()
        start.wait(timeout=60)
        began = time.perf_counter()
        watching.start()
        for _ in spawned:
            answers.extend(out.get(timeout=seconds + 60))
        wall = time.perf_counter() - began
        for process in spawned:
            process.join(timeout=30)
        done.set()
        watching.join(timeout=30)
        after = {
            "deal_remaining_after": api.call("GET", deal_path)["remaining"],
            "product_stock_after": api.call("GET", product_path)["stock"],
        }
        stored = all_results(api, f"/api/v1/orders/?stream={stream['id']}&page_size=500")
    finally:
        done.set()
        # The deal's unsold units (none, if the sale kept its rules) go back; the stream ends.
        api.session.post(url + deal_path + "end/", timeout=30)
        api.session.post(url + f"/api/v1/streams/{stream['id']}/end/", timeout=30)

    statuses = Counter(status for status, *_ in answers)
    accepted = [
        (started, took, body) for status, started, took, body in answers if 200 <= status < 300
    ]
    refusals = [body for status, _, _, body in answers if status == 409]
    sold_out = max((started + took - began for started, took, _ in accepted), default=0.0)
    ordered = sorted(took for _, _, took, _ in answers)
    stored_ids = {order["id"] for order in stored}
    sale = {
        "buyers": buyers,
        "pieces": pieces,
        "threads": threads,
        "processes": processes,
        "deal": deal["id"],
        "stream": stream["id"],
        "requests": len(answers),
        "seconds": round(wall, 2),
        "requests_per_second": round(len(answers) / wall, 1) if wall else 0,
        "sold_out_after_s": round(sold_out, 2),
        "orders_per_second": round(len(accepted) / sold_out, 1) if sold_out else 0,
        "p50_ms": percentile(ordered, 0.50),
        "p95_ms": percentile(ordered, 0.95),
        "p99_ms": percentile(ordered, 0.99),
        "accepted": len(accepted),
        "refused_409": statuses[409],
        "refusals_with_reason": sum(1 for body in refusals if body and body.get("lines")),
        "refusal_example": refusals[0] if refusals else None,
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "no_answer": statuses[0],
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
        "lowest_seen": lowest_seen,
        "watcher_samples": samples[0],
        **after,
        "orders_in_database": len(stored),
        "distinct_buyers_in_database": len({order["buyer_name"] for order in stored}),
        "stored_orders_match": stored_ids == {body["id"] for _, _, body in accepted if body}
        and all(order["units"] == 1 and order["status"] == "pending" for order in stored),
    }
    sale["checks"] = sale_checks(sale)
    sale["ok"] = all(sale["checks"].values())
    return sale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running stack; default: start scripts/serve.sh")
    parser.add_argument("--requests", type=int, default=300, help="per endpoint and level")
    parser.add_argument("--seconds", type=float, default=15.0, help="cap per endpoint and level")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument("--buyers", type=int, default=1000, help="flash sale: buyers, one each")
    parser.add_argument("--pieces", type=int, default=100, help="flash sale: units on the deal")
    parser.add_argument("--sale-threads", type=int, default=48, help="flash sale: concurrency")
    parser.add_argument(
        "--sale-processes", type=int, default=4, help="flash sale: client processes"
    )
    parser.add_argument("--sale-seconds", type=float, default=120.0, help="flash sale: time cap")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "load.json"))
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    stack = None
    url = args.url
    if not url:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        stack = start_stack(port)
    try:
        wait_healthy(url)
        roles = {role for _, role, *_ in ENDPOINTS if role}
        auth = {role: login(url, role) for role in roles | {"merchant"}}
        ids = prepare(url, auth, units=args.requests * len(levels) + 10)
        rows = []
        for endpoint in ENDPOINTS:
            for level in levels:
                row = measure(url, endpoint, auth, level, args.requests, args.seconds, ids)
                rows.append(row)
                print(
                    f"{row['endpoint']:<28} c={level:<3} {row['per_second']:>7}/s "
                    f"p50 {row['p50_ms']:>6} ms  p95 {row['p95_ms']:>6} ms  "
                    f"5xx {row['server_errors']}  failed {row['failed']}"
                )
        sale = flash_sale(
            url,
            auth["merchant"][1],
            buyers=args.buyers,
            pieces=args.pieces,
            threads=args.sale_threads,
            seconds=args.sale_seconds,
            processes=args.sale_processes,
        )
        print(
            f"flash sale: {sale['buyers']} buyers for {sale['pieces']} pieces, "
            f"{sale['threads']} threads in {sale['processes']} processes: {sale['accepted']} sold, "
            f"{sale['refused_409']} refused "
            f"(409), {sale['server_errors']} 5xx; sold out in {sale['sold_out_after_s']} s "
            f"({sale['orders_per_second']} orders/s); {sale['requests_per_second']} requests/s, "
            f"p50 {sale['p50_ms']} ms, p95 {sale['p95_ms']} ms; deal left "
            f"{sale['deal_remaining_after']}, stock {sale['product_stock_after']}, "
            f"{sale['orders_in_database']} orders stored"
        )
    finally:
        if stack is not None:
            os.killpg(stack.pid, signal.SIGTERM)
            stack.wait(timeout=60)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "stack": "scripts/serve.sh: gunicorn 3 workers of 2 threads (gthread), PostgreSQL, "
        "Redis, DEBUG off",
        "url": url,
        "results": rows,
        "flash_sale": sale,
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    problems = [
        f"{row['endpoint']} c={row['concurrency']}: {row['server_errors']} answered 5xx"
        for row in rows
        if row["server_errors"]
    ]
    problems += [
        f"{row['endpoint']} c={row['concurrency']}: {row['failed']} not 2xx"
        for row in rows
        if row["failed"] and not row["server_errors"]
    ]
    problems += [f"flash sale: {name} is broken" for name, ok in sale["checks"].items() if not ok]
    if problems:
        raise SystemExit("\n".join(problems))


if __name__ == "__main__":
    main()
