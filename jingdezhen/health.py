"""What /healthz reports: the database, the broker and a live Celery worker, each on its own.

A worker proves it is alive by writing a heartbeat from inside its own consumer (the
``WorkerHeartbeat`` bootstep, added to the Celery app in jingdezhen/celery.py): every
``WORKER_HEARTBEAT_INTERVAL`` seconds it scores its hostname with the current time in a sorted set
on the broker's Redis. Beat plays no part, so a fresh heartbeat means a worker process is running
and connected to the broker, not that some scheduler is. The check reads the newest score: the
worker is "up" when it is younger than ``WORKER_HEARTBEAT_MAX_AGE``. Scores are wall-clock times
of the writing host: web and worker hosts are expected to keep their clocks in sync (NTP).

Every Redis call here has a short timeout and a single immediate retry (for a pooled connection
the server closed while idle), so a dead or unreachable broker answers "down" within a second at
worst instead of holding the health check (and the load balancer behind it) up.
"""

from __future__ import annotations

import logging
import math
import socket
import time
from urllib.parse import urlsplit

import redis
from celery import bootsteps
from django.conf import settings
from django.db import DatabaseError, connection
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Long enough for a Redis on the same network under load, short enough for a health probe.
REDIS_TIMEOUT = 0.5
UP, DOWN = "up", "down"
# Not checked because not used: tasks run in the calling process, there is no worker to wait for.
EAGER = "eager"
MEMORY = "memory"

_clients: dict[str, redis.Redis] = {}


def broker_url() -> str:
    return settings.CELERY_BROKER_URL


def _redis_url(url: str) -> str:
    """The broker URL as redis-py reads it (kombu spells a unix socket ``redis+socket://``)."""
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url


def broker_client(url: str | None = None) -> redis.Redis:
    """A client of the broker's Redis (or Valkey) with short timeouts and one retry; one per URL
    and process, so its connection pool is reused between health checks."""
    url = url or broker_url()
    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            _redis_url(url),
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
            retry_on_timeout=False,
        )
        _clients[url] = client
    return client


def _uses_redis(url: str) -> bool:
    return urlsplit(url).scheme in {"redis", "rediss", "redis+socket", "unix"}


def heartbeat_key() -> str:
    return settings.WORKER_HEARTBEAT_KEY


def write_heartbeat(hostname: str, *, at: float | None = None) -> None:
    """Record that ``hostname``'s worker is alive now (or at ``at``, a Unix time)."""
    max_age = settings.WORKER_HEARTBEAT_MAX_AGE
    now = time.time() if at is None else at
    key = heartbeat_key()
    pipe = broker_client().pipeline(transaction=True)
    pipe.zadd(key, {hostname: now})
    # Workers that vanished without a goodbye (killed, host lost) are trimmed here, and the whole
    # set expires once no worker has written for a while.
    pipe.zremrangebyscore(key, "-inf", now - 10 * max_age)
    pipe.expire(key, math.ceil(10 * max_age))
    pipe.execute()


def forget_heartbeat(hostname: str) -> None:
    """A worker that shuts down cleanly takes its heartbeat with it."""
    broker_client().zrem(heartbeat_key(), hostname)


def newest_heartbeat() -> float | None:
    """The Unix time of the freshest worker heartbeat, None when there is none."""
    newest = broker_client().zrange(heartbeat_key(), -1, -1, withscores=True)
    return newest[0][1] if newest else None


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Consumer bootstep: write this worker's heartbeat on start and then every interval, on the
    consumer's own timer (the event loop), so it stops when the worker stops consuming."""

    # After Tasks: the consumer is connected and consuming when the first heartbeat is written.
    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c, **kwargs):
        self.tref = None
        self.hostname = getattr(c, "hostname", None) or socket.gethostname()
        super().__init__(c, **kwargs)

    def _beat(self) -> None:
        try:
            write_heartbeat(self.hostname)
        except RedisError as exc:  # the broker is down: the consumer reconnects on its own
            logger.warning("worker heartbeat not written: %s", exc)

    def start(self, c) -> None:
        if not _uses_redis(broker_url()):
            return
        self._beat()
        self.tref = c.timer.call_repeatedly(settings.WORKER_HEARTBEAT_INTERVAL, self._beat)

    def stop(self, c) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def shutdown(self, c) -> None:
        self.stop(c)
        if _uses_redis(broker_url()):
            try:
                forget_heartbeat(self.hostname)
            except RedisError as exc:
                logger.warning("worker heartbeat not removed: %s", exc)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return DOWN
    return UP


def broker_status() -> str:
    url = broker_url()
    if url.startswith("memory://"):
        return MEMORY
    if not _uses_redis(url):
        logger.error("health check cannot ping a %s broker", urlsplit(url).scheme)
        return DOWN
    try:
        broker_client(url).ping()
    except RedisError:
        return DOWN
    return UP


def worker_status(*, broker: str) -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER
    if broker != UP:  # the heartbeats live on the broker: no broker, no proof of a worker
        return DOWN
    try:
        newest = newest_heartbeat()
    except RedisError:
        return DOWN
    if newest is None or time.time() - newest > settings.WORKER_HEARTBEAT_MAX_AGE:
        return DOWN
    return UP


def check() -> dict:
    """Each part's state and the overall verdict: ``status`` is "ok" when none is down, else
    "down" with ``down`` naming the parts that are."""
    parts = {"database": database_status(), "broker": broker_status()}
    parts["worker"] = worker_status(broker=parts["broker"])
    down = [name for name, state in parts.items() if state == DOWN]
    if down:
        return {"status": "down", "down": down, **parts}
    return {"status": "ok", **parts}
