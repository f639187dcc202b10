"""Load on loopback: requests per second and latency percentiles of the site's pages and API,
at a few levels of concurrency, against the production shape (scripts/serve.sh: gunicorn with
PostgreSQL and Redis, DEBUG off). Bounded in requests and time; writes bench/results/load.json.

    make load                       # starts scripts/serve.sh on a free port, measures, stops it
    python bench/load.py --url http://127.0.0.1:8000   # against a stack already running

Adding an endpoint is one line in ENDPOINTS: (name, role, method, path[, json body]).
"""

from __future__ import annotations

import argparse
import json
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
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "jingdezhen-demo"

# (name, role that calls it, method, path[, JSON body]). Pages use the role's session, the API
# its token. The lead adds the catalogue, order and dashboard endpoints here as they land, e.g.
#   ("order API: create", "merchant", "POST", "/api/v1/orders/", {...}),
ENDPOINTS = [
    ("home page (manager)", "manager", "GET", "/"),
    ("home page (merchant)", "merchant", "GET", "/"),
    ("merchants API: list", "manager", "GET", "/api/v1/merchants/"),
    ("merchants API: own", "merchant", "GET", "/api/v1/merchants/"),
    ("health check", None, "GET", "/healthz"),
]
LEVELS = [1, 4, 16]


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
        except requests.ConnectionError:
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


def measure(url, endpoint, auth, concurrency: int, requests_per_level: int, seconds: float):
    name, role, method, path, *body = endpoint
    cookies, token = auth.get(role, ({}, None))
    headers = {"Authorization": f"Token {token}"} if path.startswith("/api/") and token else {}
    latencies, statuses = [], []
    lock = threading.Lock()
    remaining = [requests_per_level]
    deadline = time.monotonic() + seconds

    def worker():
        session = requests.Session()
        session.cookies.update(cookies if not headers else {})
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                response = session.request(
                    method,
                    url + path,
                    headers=headers,
                    json=body[0] if body else None,
                    timeout=30,
                    allow_redirects=False,  # a redirect to the login page is a failure here
                )
                status = response.status_code
            except requests.RequestException:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p):
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "endpoint": name,
        "method": method,
        "path": path,
        "concurrency": concurrency,
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "per_second": round(len(latencies) / wall, 1) if wall else 0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "ok": sum(1 for s in statuses if 200 <= s < 300),
        "server_errors": sum(1 for s in statuses if s >= 500),
        "failed": sum(1 for s in statuses if not 200 <= s < 300),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running stack; default: start scripts/serve.sh")
    parser.add_argument("--requests", type=int, default=300, help="per endpoint and level")
    parser.add_argument("--seconds", type=float, default=15.0, help="cap per endpoint and level")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "load.json"))
    args = parser.parse_args()

    stack = None
    url = args.url
    if not url:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        stack = start_stack(port)
    try:
        wait_healthy(url)
        roles = {role for _, role, *_ in ENDPOINTS if role}
        auth = {role: login(url, role) for role in roles}
        rows = []
        for endpoint in ENDPOINTS:
            for level in [int(x) for x in args.levels.split(",")]:
                row = measure(url, endpoint, auth, level, args.requests, args.seconds)
                rows.append(row)
                print(
                    f"{row['endpoint']:<28} c={level:<3} {row['per_second']:>7}/s "
                    f"p50 {row['p50_ms']:>6} ms  p95 {row['p95_ms']:>6} ms  "
                    f"5xx {row['server_errors']}  failed {row['failed']}"
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
        "stack": "scripts/serve.sh: gunicorn 2 sync workers, PostgreSQL, Redis, DEBUG off",
        "url": url,
        "results": rows,
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    if any(row["server_errors"] for row in rows):
        raise SystemExit("some requests answered 5xx")


if __name__ == "__main__":
    main()
