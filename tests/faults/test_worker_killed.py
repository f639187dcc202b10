"""The Celery worker killed (SIGKILL) in the middle of a rollup, then restarted, leaves correct
totals.

A real worker (``tests/faults/rollup_worker.py``: the project's Celery app, prefork pool of one as
in ``scripts/serve.sh``) takes ``orders.tasks.rollup_day`` from a Redis of the test's own and runs
it against the test database. Its rollup pauses inside the transaction, after the statement ran,
holding the day's advisory lock; the test checks it is there (the run sees the new totals, the
lock is held by its connection, which is idle in transaction), then SIGKILLs the worker's whole
process group. Proven:

* nothing of the killed run was committed: every rollup table of the day still holds the
  previous roll's figures, and the rolled-at times did not move;
* the kill released the day's advisory lock (the database ends the dead client's session);
* the task message was not acknowledged (acks_late): it waits in the Redis transport's
  ``unacked`` hash, not in the queue;
* a new worker gets the same task (same id) back, runs it, and the totals then equal the orders
  summed directly: ``orders.turnover.reconcile.reconcile`` finds no difference, and
  ``DailyBaseTurnover`` equals a direct ORM sum; a rollup of the day from the test process then
  does not block and changes nothing.

How the redelivery happens, honestly: a SIGKILLed worker cannot give its message back. Redis
has no acknowledgements, so kombu keeps a delivered message in ``unacked`` (scored with its
delivery time) until it is acked; any worker's periodic sweep puts back those older than the
``visibility_timeout``. The project sets 10 minutes (``CELERY_VISIBILITY_TIMEOUT``; kombu's
default is an hour), plus the sweep's period: the killed rollup is redone within about a quarter
of an hour, though the beat job that re-rolls changed days every 5 minutes may get there first.
Here only the restarted worker is given a 2 s ``visibility_timeout`` and a 1 s sweep (test-only
``broker_transport_options``), so the redelivery is the real mechanism, just sooner. The killed
worker keeps the project's setting, so it never hands back its own message while paused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum

from orders.models import DailyBaseTurnover, DailyTurnover, Order, Product
from orders.turnover import reconcile, rollup
from tests import factories as f
from tests.orders.turnover_helpers import DAY, direct_totals, local, rolled_totals, snapshot
from tests.support.production import database_url

WAIT = 60  # seconds: the bound of every wait below
TASK = "orders.tasks.rollup_day"
RESTARTED_WORKER_TRANSPORT = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


def _wait_until(condition, what: str, worker: subprocess.Popen | None = None, log=None):
    """Poll ``condition`` until it returns something truthy, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker stopped ({worker.returncode}) before {what}:\n{_log(log)}")
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {WAIT}s" + (f"\n{_log(log)}" if log else ""))


def _log(path: Path | None) -> str:
    return path.read_text(errors="replace")[-4000:] if path and path.exists() else ""


def _start_worker(own_redis, log: Path, **extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "JDZ_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jingdezhen.settings",
        DATABASE_URL=database_url(),  # the test database: the worker sees what the test commits
        REDIS_URL=own_redis.url(2),
        CELERY_BROKER_URL=own_redis.url(0),
        CELERY_RESULT_BACKEND=own_redis.url(1),
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONPATH=str(settings.BASE_DIR),
        **extra,
    )
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.faults.rollup_worker", "--pool", "prefork",
             "--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool child dies with it
        )  # fmt: skip


def _stop(worker: subprocess.Popen | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def _result(results: redis.Redis, task_id: str):
    raw = results.get(f"celery-task-meta-{task_id}")
    meta = json.loads(raw) if raw else {}
    return meta if meta.get("status") in {"SUCCESS", "FAILURE"} else None


def _lock_holders(day: dt.date) -> list[tuple[int, str]]:
    """(pid, state) of the sessions holding the day's rollup lock (pg_advisory_xact_lock(int,
    int) shows as classid, objid and objsubid 2 in pg_locks)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.pid, a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s"
            " AND l.objsubid = 2",
            [rollup.LOCK_CLASS, day.toordinal()],
        )
        return cursor.fetchall()


def _lock_is_free(day: dt.date) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [rollup.LOCK_CLASS, day.toordinal()])
        (taken,) = cursor.fetchone()
        if taken:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [rollup.LOCK_CLASS, day.toordinal()]
            )
        return taken


def _rolled_at(day: dt.date) -> list:
    return sorted(DailyTurnover.objects.filter(day=day).values_list("id", "rolled_at"))


def _base_from_orders(base_id: int, day: dt.date) -> tuple:
    """The base's day summed straight from its orders with the ORM."""
    start = local(day, 0)
    counted = Order.objects.filter(
        merchant__base_id=base_id,
        placed_at__gte=start,
        placed_at__lt=start + dt.timedelta(days=1),
        status__in=Order.COUNTED_STATUSES,
    ).exclude(stream__is_rehearsal=True)
    sums = counted.aggregate(
        gross=Sum("amount_cny"), refunded=Sum("refunded_cny"), n=Count("id"), units=Sum("units")
    )
    overseas = counted.exclude(buyer_country="CN").aggregate(gross=Sum("amount_cny"))["gross"]
    gross, refunded = sums["gross"], sums["refunded"]
    return gross, refunded, gross - refunded, sums["n"], sums["units"], overseas


def _base_rolled(base_id: int, day: dt.date) -> tuple:
    row = DailyBaseTurnover.objects.get(base_id=base_id, day=day)
    return (
        row.gross_cny,
        row.refunded_cny,
        row.net_cny,
        row.orders,
        row.units,
        row.overseas_cny,
    )


def _first_orders(merchants) -> list[Order]:
    order = f.TurnoverOrderFactory
    made = []
    for i, merchant in enumerate(merchants):
        high = f.TurnoverProductFactory(merchant=merchant, tier=Product.Tier.HIGH_END)
        for hour in (10, 14, 20):
            o = order(
                merchant=merchant,
                amount=Decimal(f"{180 + 10 * i}.50"),
                units=2,
                placed_at=local(DAY, hour),
            )
            f.TurnoverOrderLineFactory(order=o, product=high)
            made.append(o)
        made.append(
            order(
                merchant=merchant,
                platform="taobao",
                amount=Decimal("99.90"),
                placed_at=local(DAY, 21, 30),
            )
        )
    overseas = dict(platform="tiktok", buyer_country="ZA", currency="USD", amount=Decimal("50"))
    made.append(
        order(
            merchant=merchants[0],
            amount_cny=Decimal("356.25"),
            placed_at=local(DAY, 23, 59),
            **overseas,
        )
    )
    rehearsal = f.TurnoverStreamFactory(merchant=merchants[1], is_rehearsal=True)
    order(
        merchant=merchants[1], amount=Decimal("5000.00"), stream=rehearsal, placed_at=local(DAY, 9)
    )
    order(
        merchant=merchants[2],
        amount=Decimal("700.00"),
        status=Order.Status.PENDING,
        placed_at=local(DAY, 11),
    )
    return made


def _later_orders(merchants, first: list[Order]) -> None:
    """Changes after the first roll that touch every rollup table: more orders in known groups, a
    new platform and a new overseas country, and a refund."""
    order = f.TurnoverOrderFactory
    for merchant in merchants:
        order(merchant=merchant, amount=Decimal("66.60"), units=3, placed_at=local(DAY, 22))
    order(
        merchant=merchants[1],
        platform="kuaishou",
        amount=Decimal("388.00"),
        placed_at=local(DAY, 16),
    )
    order(
        merchant=merchants[2],
        platform="tiktok",
        buyer_country="SE",
        currency="EUR",
        amount=Decimal("40.00"),
        amount_cny=Decimal("312.40"),
        placed_at=local(DAY, 18),
    )
    refunded = first[0]
    refunded.status = Order.Status.REFUNDED
    refunded.refunded_cny = refunded.amount_cny
    refunded.save()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_inside_the_rollup_commits_nothing_and_the_redelivered_task_rolls_the_day(
    own_redis, tmp_path
):
    base = f.BaseFactory()
    merchants = [f.MerchantFactory(base=base) for _ in range(3)]
    first = _first_orders(merchants)
    rollup.rollup_day(day=DAY)  # the previous values, committed (a transactional test)
    before, before_rolled_at = snapshot(DAY), _rolled_at(DAY)
    before_base = _base_rolled(base.pk, DAY)
    _later_orders(merchants, first)
    expected_base = _base_from_orders(base.pk, DAY)
    assert expected_base != before_base

    broker = redis.Redis.from_url(own_redis.url(0))
    results = redis.Redis.from_url(own_redis.url(1))
    publisher = Celery("faults", broker=own_redis.url(0), set_as_current=False)
    marker = tmp_path / "inside-the-rollup.json"
    first_log, second_log = tmp_path / "killed-worker.log", tmp_path / "restarted-worker.log"
    killed = restarted = None
    try:
        task_id = publisher.send_task(TASK, args=[DAY.isoformat()]).id
        killed = _start_worker(own_redis, first_log, JDZ_TEST_ROLLUP_PAUSE=str(marker))
        _wait_until(
            marker.exists, "the worker reaches the pause inside the rollup", killed, first_log
        )
        inside = json.loads(marker.read_text())

        # In the middle: the run has written the new totals, uncommitted, and holds the lock.
        assert inside["day"] == DAY.isoformat()
        assert inside["base_rows"] == [
            [base.pk, str(expected_base[0]), str(expected_base[1]), expected_base[3]]
        ]
        assert _lock_holders(DAY) == [(inside["backend_pid"], "idle in transaction")]
        assert not _lock_is_free(DAY)
        assert snapshot(DAY) == before  # others see none of it yet

        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=WAIT)
        assert killed.returncode == -signal.SIGKILL

        # The database ended the dead client's session: its transaction rolled back, and the
        # day's lock is free again.
        _wait_until(lambda: _lock_is_free(DAY), "the day's advisory lock is released")
        assert _lock_holders(DAY) == []
        assert snapshot(DAY) == before
        assert _rolled_at(DAY) == before_rolled_at
        assert _base_rolled(base.pk, DAY) == before_base
        # Not acknowledged (acks_late): the message waits in the unacked hash, not the queue.
        assert broker.hlen("unacked") == 1
        assert broker.llen("celery") == 0
        assert _result(results, task_id) is None

        restarted = _start_worker(
            own_redis,
            second_log,
            JDZ_TEST_BROKER_TRANSPORT_OPTIONS=json.dumps(RESTARTED_WORKER_TRANSPORT),
        )
        meta = _wait_until(
            lambda: _result(results, task_id),
            "the task is redelivered and done",
            restarted,
            second_log,
        )
        assert meta["status"] == "SUCCESS", meta
        assert meta["result"]["day"] == DAY.isoformat()
        assert meta["result"]["written_rows"] > 0  # the retry, not a no-op, rolled the day
        assert f"{TASK}[{task_id}]" in _log(second_log)
        _wait_until(lambda: broker.hlen("unacked") == 0, "the redelivered message is acked")
    finally:
        if killed is not None and killed.poll() is None:
            os.killpg(killed.pid, signal.SIGKILL)
            killed.wait(timeout=WAIT)
        _stop(restarted)
        publisher.close()

    assert reconcile.reconcile(start=DAY, end=DAY) == []
    assert rolled_totals(DAY) == direct_totals(DAY)
    assert _base_rolled(base.pk, DAY) == expected_base
    retried = snapshot(DAY)
    # Every rollup table of the day changed, so "still the previous rows" above was a real check.
    assert all(new != old for new, old in zip(retried, before, strict=True))

    # A rollup of the day from here neither blocks (bounded by lock_timeout) nor changes a row.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")
    try:
        rerun = rollup.rollup_day(day=DAY)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert rerun.written_rows == 0 and rerun.deleted_rows == 0
    assert snapshot(DAY) == retried
