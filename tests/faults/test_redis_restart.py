"""Redis restarted while the site serves: pages still serve, and queued work resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from jingdezhen.core.demo import DEMO_PASSWORD
from merchants.models import User
from tests.support.production import database_url


def _cache_settings(url: str) -> dict:
    default = {**settings.CACHES["default"], "LOCATION": url}
    return {"default": default}


@pytest.fixture
def demo(db):
    call_command("seed_demo", merchants=3, force=True, verbosity=0)


def test_pages_and_the_api_serve_while_redis_is_down_and_after_it_returns(
    own_redis, settings, demo, client, api_client
):
    settings.CACHES = _cache_settings(own_redis.url(2))
    client.force_login(User.objects.get(username="manager"))
    credentials = {"username": "merchant", "password": DEMO_PASSWORD}

    def site_serves():
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/merchants/").status_code == 200
        # The token endpoint is throttled, and its throttle counts in the cache.
        token = api_client.post("/api/v1/auth/token/", credentials, format="json")
        assert token.status_code == 200, token.content

    site_serves()
    own_redis.stop()
    site_serves()
    assert cache.get("anything", "missed") == "missed"
    own_redis.start()
    site_serves()
    for _ in range(5):  # the first call may meet the connection the restart broke
        cache.set("back", "yes")
        if cache.get("back") == "yes":
            break
    assert cache.get("back") == "yes"


def _wait_for(results: redis.Redis, task_id: str, timeout: float = 60) -> object:
    """The task's result, polled from the result store (Celery's Redis backend keeps it under
    ``celery-task-meta-<id>``), reconnecting as needed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            raw = results.get(f"celery-task-meta-{task_id}")
        except redis.ConnectionError:  # Redis coming back: try again
            raw = None
        meta = json.loads(raw) if raw else {}
        if meta.get("status") == "SUCCESS":
            return meta["result"]
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} did not finish in {timeout}s")


RETRY = {"max_retries": 60, "interval_start": 0.25, "interval_step": 0.25, "interval_max": 0.5}


@pytest.mark.django_db(transaction=True)
def test_queued_jobs_survive_a_redis_restart_and_a_worker_takes_them(own_redis, tmp_path):
    # Results are read straight from Redis: Celery's result listener would outlive the server.
    publisher = Celery("faults", broker=own_redis.url(0), set_as_current=False)
    results = redis.Redis.from_url(own_redis.url(1), socket_connect_timeout=0.5)

    # A job queued while no worker runs, then Redis restarts: it is still there.
    before = publisher.send_task("jingdezhen.tasks.ping", args=[1]).id
    own_redis.restart()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jingdezhen.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=own_redis.url(2),
        CELERY_BROKER_URL=own_redis.url(0),
        CELERY_RESULT_BACKEND=own_redis.url(1),
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONPATH=str(settings.BASE_DIR),
    )
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jingdezhen", "worker", "--pool", "solo",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert _wait_for(results, before) == {"value": 2, "vendor": "postgresql"}

        # Redis restarts under the running worker; a job queued afterwards is taken.
        own_redis.restart()
        after = publisher.send_task(
            "jingdezhen.tasks.ping", args=[2], retry=True, retry_policy=RETRY
        ).id
        assert _wait_for(results, after)["value"] == 3

        # A job queued while Redis is down: the sender retries until Redis is back.
        own_redis.stop()
        threading.Timer(1.5, own_redis.start).start()
        during = publisher.send_task(
            "jingdezhen.tasks.ping", args=[3], retry=True, retry_policy=RETRY
        ).id
        assert _wait_for(results, during)["value"] == 4
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        log.close()
        publisher.close()
