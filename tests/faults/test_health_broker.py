"""The broker (Redis or Valkey) stopped under a running site: /healthz says so within a second,
naming the broker, and answers 200 again once it is back."""

from __future__ import annotations

import time

import pytest

from jingdezhen import health


@pytest.mark.django_db
def test_healthz_names_the_broker_while_redis_is_stopped_and_recovers_after(
    own_redis, settings, client
):
    settings.CELERY_BROKER_URL = own_redis.url(0)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    health.write_heartbeat("worker@faults")
    assert client.get("/healthz").json()["status"] == "ok"

    own_redis.stop()
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 2  # a dead broker does not hold the probe up
    assert response.status_code == 503
    assert response.json()["down"] == ["broker", "worker"]
    assert response.json()["database"] == "up"

    own_redis.start()  # its append-only file kept the (still fresh) heartbeat
    response = client.get("/healthz")  # the first probe after the restart reconnects
    assert response.status_code == 200, response.json()
