"""Settings for the test suite: the real PostgreSQL and Redis of this machine unless told otherwise.

`make test` and a bare `pytest` both land here. DATABASE_URL / REDIS_URL may point elsewhere
(another database name keeps parallel checkouts apart); tests/conftest.py refuses any other engine.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jingdezhen")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("CACHE_KEY_PREFIX", "jdz-test")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
AXES_FAILURE_LIMIT = 5
# Static files straight from the app folders (no collectstatic before a test run).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
