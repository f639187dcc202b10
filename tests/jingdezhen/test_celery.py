"""Celery through the real Redis broker to a real worker."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from jingdezhen.celery import app
from jingdezhen.tasks import ping


@pytest.mark.django_db(transaction=True)
def test_a_task_travels_through_redis_to_a_worker_and_back():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            result = ping.delay(41)
            assert result.get(timeout=20) == {"value": 42, "vendor": "postgresql"}
    finally:
        app.conf.task_always_eager = True
