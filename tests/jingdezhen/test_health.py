"""/healthz names the database, the broker and a live worker, on the real PostgreSQL and Redis."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from jingdezhen import health
from jingdezhen.celery import app
from tests.support.serve import free_port

ALL_UP = {"status": "ok", "database": "up", "broker": "up", "worker": "up"}


@pytest.fixture
def live(settings):
    """Tasks go to a worker (not run in-process), heartbeats on a set of this test's own."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    key = settings.WORKER_HEARTBEAT_KEY = f"{settings.WORKER_HEARTBEAT_KEY}:{uuid.uuid4().hex}"
    broker = health.broker_client(settings.CELERY_BROKER_URL)
    yield settings
    broker.delete(key)


@pytest.mark.django_db
def test_healthz_answers_200_naming_each_part_when_a_worker_beat_just_now(client, live):
    health.write_heartbeat("worker@test")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_UP


@pytest.mark.django_db
def test_healthz_needs_no_worker_while_tasks_run_in_process(client, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "eager"


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_worker_when_no_worker_ever_beat(client, live):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "down": ["worker"],
        "database": "up",
        "broker": "up",
        "worker": "down",
    }


@pytest.mark.django_db
def test_healthz_names_the_worker_when_its_last_heartbeat_is_too_old(client, live):
    live.WORKER_HEARTBEAT_MAX_AGE = 60
    health.write_heartbeat("worker@test", at=time.time() - 61)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["worker"]
    health.write_heartbeat("worker@test", at=time.time() - 50)
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_at_once_when_nothing_listens(client, live):
    live.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker", "worker"]  # the heartbeats live on the broker
    assert body["database"] == "up"


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_naming_the_database_when_postgresql_does_not_answer(client):
    connection.close()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(free_port())  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_writes_the_heartbeat_that_makes_healthz_answer_200(client, live):
    live.WORKER_HEARTBEAT_INTERVAL = 0.5
    app.conf.task_always_eager = False
    try:
        assert client.get("/healthz").status_code == 503
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            deadline = time.monotonic() + 20
            while (response := client.get("/healthz")).status_code != 200:
                assert time.monotonic() < deadline, response.json()
                time.sleep(0.2)
            assert response.json() == ALL_UP
            first = health.newest_heartbeat()
            time.sleep(1.2)
            assert health.newest_heartbeat() > first  # it keeps beating, not once at start
        # A worker that shut down cleanly leaves no heartbeat behind.
        assert health.newest_heartbeat() is None
        assert client.get("/healthz").json()["down"] == ["worker"]
    finally:
        app.conf.task_always_eager = True
