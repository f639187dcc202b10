"""The first look as a new user gets it: `make run`'s supervisor (scripts/embedded.py run) with
DATABASE_URL and REDIS_URL unset starts embedded PostgreSQL and Valkey, the demo, the web server,
a Celery worker and beat. Against it: beat cancels an order whose one-minute payment deadline
passed and its units come back; a paid order reaches the dashboard's "today so far" within the
first look's rollup interval; 20 racing bookings of one room and hour end with exactly one booked;
reconciliation finds no difference; SIGTERM to its process group leaves nothing running.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import pytest
import requests
from django.conf import settings

from tests.support.serve import free_port

START_TIMEOUT = 300
ROLLUP_INTERVAL = 60  # BEAT_TURNOVER_SECONDS of the first look (scripts/embedded.py)
HOLD_SWEEP_INTERVAL = 60  # BEAT_HOLDS_SECONDS, the production default
PASSWORD = "jingdezhen-demo"


class FirstLook:
    def __init__(self, url: str, folder: Path, process: subprocess.Popen, log: Path) -> None:
        self.url = url
        self.folder = folder
        self.process = process
        self.log = log

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def token(self, username: str) -> dict[str, str]:
        answer = requests.post(
            f"{self.url}/api/v1/auth/token/",
            json={"username": username, "password": PASSWORD},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Token {answer.json()['token']}", "Accept-Language": "en"}

    def browser(self, username: str) -> requests.Session:
        """A logged-in browser session (the login form, with its CSRF token)."""
        session = requests.Session()
        session.headers["Accept-Language"] = "en"
        session.get(f"{self.url}/accounts/login/", timeout=10)
        answer = session.post(
            f"{self.url}/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": f"{self.url}/accounts/login/"},
            timeout=10,
        )
        assert answer.status_code == 200 and "/accounts/login/" not in answer.url, answer.url
        return session

    def env(self) -> dict[str, str]:
        """The first look's DATABASE_URL and REDIS_URL, as it writes them for manage.py."""
        pairs = (self.folder / "first-look.env").read_text().split()
        return dict(pair.split("=", 1) for pair in pairs)


@pytest.fixture(scope="module")
def first_look():
    # Not under pytest's temporary folder: pytest keeps that private (0700) to its user, and the
    # embedded PostgreSQL runs as a user of its own when the tests run as root.
    runs = Path(settings.BASE_DIR) / ".run"
    runs.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="first-look-test-", dir=runs))
    log = folder / "make-run.log"
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update(JDZ_RUN_DIR=str(folder), PORT=str(port), PYTHONUNBUFFERED="1")
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "scripts/embedded.py", "run"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    look = FirstLook(f"http://127.0.0.1:{port}", folder, process, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"make run stopped ({process.returncode}):\n{look.log_text()}")
            try:
                if requests.get(f"{look.url}/healthz", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"/healthz did not answer in {START_TIMEOUT}s:\n{look.log_text()}")
            time.sleep(1)
        yield look
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _processes_of(folder: Path) -> list[str]:
    """Processes whose command line or working files name the first look's folder, or that are
    its web server, worker or beat."""
    found = []
    for proc in psutil.process_iter(attrs=["pid", "cmdline", "environ"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            environ = proc.info["environ"] or {}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if str(folder) in cmdline or environ.get("JDZ_RUN_DIR") == str(folder):
            found.append(f"{proc.info['pid']}: {cmdline}")
    return found


def _today_so_far(session: requests.Session, url: str) -> Decimal:
    page = session.get(f"{url}/turnover/", timeout=20)
    assert page.status_code == 200
    match = re.search(
        r"Today so far \(net CNY\)</span><span class=\"stat-value\">([^<]+)<", page.text
    )
    assert match, "the merchant dashboard shows no 'today so far'"
    return Decimal(re.sub(r"[^\d.\-]", "", match.group(1)))


def _stock(url: str, headers: dict, product_id: int) -> int:
    answer = requests.get(f"{url}/api/v1/products/{product_id}/", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["stock"]


def test_the_first_look_is_the_whole_product(first_look):
    url = first_look.url
    merchant = first_look.token("merchant")
    browser = first_look.browser("merchant")

    # Runs on PostgreSQL, with a worker and beat (the log of each names what started).
    assert "PostgreSQL 18" in first_look.log_text()

    # The merchant's payment deadline for orders away from a stream: one minute.
    policy = browser.get(f"{url}/orders/payment-deadlines/", timeout=10)
    assert policy.status_code == 200
    saved = browser.post(
        f"{url}/orders/payment-deadlines/",
        data={
            "live_payment_minutes": "30",
            "payment_minutes": "1",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{url}/orders/payment-deadlines/"},
        timeout=10,
    )
    assert saved.status_code == 200, saved.text[:500]

    products = requests.get(
        f"{url}/api/v1/products/?ordering=-stock&page_size=5", headers=merchant, timeout=10
    ).json()["results"]
    product = products[0]
    stock_before = _stock(url, merchant, product["id"])
    assert stock_before >= 3

    before = _today_so_far(browser, url)

    # An order left unpaid, and a paid one.
    unpaid = requests.post(
        f"{url}/api/v1/orders/",
        json={"platform": "douyin", "lines": [{"product": product["id"], "quantity": 2}]},
        headers=merchant,
        timeout=10,
    )
    assert unpaid.status_code == 201, unpaid.text
    assert unpaid.json()["status"] == "pending"
    paid = requests.post(
        f"{url}/api/v1/orders/",
        json={"platform": "douyin", "lines": [{"product": product["id"], "quantity": 1}]},
        headers=merchant,
        timeout=10,
    )
    assert paid.status_code == 201, paid.text
    paid_amount = Decimal(paid.json()["amount_cny"])
    assert paid_amount > 0
    answer = requests.post(
        f"{url}/api/v1/orders/{paid.json()['id']}/pay/", headers=merchant, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert _stock(url, merchant, product["id"]) == stock_before - 3
    placed = time.monotonic()

    # 20 racing bookings of one room and hour: exactly one is booked, the rest refused.
    room = requests.get(f"{url}/api/v1/rooms/", headers=merchant, timeout=10).json()["results"][0]
    local = ZoneInfo(settings.TIME_ZONE)
    start = (dt.datetime.now(local) + dt.timedelta(days=40)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    headers = [merchant, first_look.token("merchant2")]
    barrier = threading.Barrier(20)
    answers: list[int] = []
    bodies: list[str] = []

    def book(i: int) -> None:
        body = {
            "title": f"Race {i}",
            "platform": "douyin",
            "room": room["id"],
            "planned_start": start.isoformat(),
            "planned_end": (start + dt.timedelta(hours=1)).isoformat(),
        }
        barrier.wait()
        reply = requests.post(
            f"{url}/api/v1/streams/", json=body, headers=headers[i % 2], timeout=60
        )
        answers.append(reply.status_code)
        bodies.append(reply.text[:300])

    threads = [threading.Thread(target=book, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201] + [409] * 19, bodies

    # The paid order reaches "today so far" within the rollup interval (and the task's time).
    deadline = placed + ROLLUP_INTERVAL + 30
    while (now := _today_so_far(browser, url)) < before + paid_amount:
        assert time.monotonic() < deadline, f"today so far {now}, expected {before + paid_amount}"
        time.sleep(3)

    # Beat cancels the unpaid order once its minute is up, and its two units come back.
    deadline = placed + 60 + HOLD_SWEEP_INTERVAL + 30
    order_url = f"{url}/api/v1/orders/{unpaid.json()['id']}/"
    while requests.get(order_url, headers=merchant, timeout=10).json()["status"] != "cancelled":
        assert time.monotonic() < deadline, "the unpaid order was not cancelled by beat"
        time.sleep(3)
    assert _stock(url, merchant, product["id"]) == stock_before - 1

    # The rollups of the demo's 90 days equal their orders.
    reconcile = subprocess.run(
        [sys.executable, "manage.py", "reconcile_turnover", "--days", "90"],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
            **first_look.env(),
            "DJANGO_SETTINGS_MODULE": "jingdezhen.settings",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr

    # SIGTERM to its process group stops all of it, the embedded engines included.
    assert _processes_of(first_look.folder), "the first look's processes were not found"
    os.killpg(first_look.process.pid, signal.SIGTERM)
    first_look.process.wait(timeout=60)
    deadline = time.monotonic() + 20
    while left := _processes_of(first_look.folder):
        assert time.monotonic() < deadline, f"still running after make run stopped: {left}"
        time.sleep(0.5)
    assert "stopped" in first_look.log_text()
