"""Settings for the test suite: the real PostgreSQL and Redis of this machine unless told otherwise.

`make test` and a bare `pytest` both land here. DATABASE_URL / REDIS_URL may point elsewhere
(another database name keeps parallel checkouts apart); tests/conftest.py refuses any other engine.

Under pytest-xdist (`make test` runs two workers) each worker has its own test database
(pytest-django adds ``_gw0``, ``_gw1``) and, here, its own keys in the one Redis database: the
cache prefix, Celery's queues and results, and the worker heartbeats all carry the worker's id,
and the cache's ``clear()`` empties only its own keys (tests/support/cache.py), not the database
another worker is using.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jingdezhen")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("CACHE_KEY_PREFIX", "jdz-test")
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER and not os.environ["CACHE_KEY_PREFIX"].endswith(f"-{XDIST_WORKER}"):
    # Read by settings (the cache's KEY_PREFIX, WORKER_HEARTBEAT_KEY) and passed on to the
    # child processes some tests start.
    os.environ["CACHE_KEY_PREFIX"] += f"-{XDIST_WORKER}"

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
AXES_FAILURE_LIMIT = 5
# Static files straight from the app folders (no collectstatic before a test run).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

KEY_PREFIX = os.environ["CACHE_KEY_PREFIX"]
if CACHES["default"]["BACKEND"] == "jingdezhen.core.cache.ForgivingRedisCache":  # noqa: F405
    CACHES["default"]["BACKEND"] = "tests.support.cache.OwnKeysRedisCache"  # noqa: F405
# Celery's queues, unacked messages and results under this run's (and worker's) own prefix.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": f"{KEY_PREFIX}:",
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{KEY_PREFIX}:"}
