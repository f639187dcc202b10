"""Run the project as production runs it (DEBUG off, settings from the environment) in a child
process, against the test database, with static files collected once per test run."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

SECRET = "a-long-random-production-secret-for-tests-0123456789-abcdefghijklmnopqrstuv"


def database_url() -> str:
    """The URL of the database the tests use (the test database once pytest-django made it)."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jingdezhen.settings",
        DEBUG="false",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(collected_static()),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(settings.BASE_DIR),
    )
    env.update(extra)
    return env


@functools.cache
def collected_static() -> Path:
    """collectstatic with the production storage (hashed, compressed), once per test run."""
    root = Path(tempfile.mkdtemp(prefix="jdz-static-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jingdezhen.settings",
        DEBUG="false",
        SECRET_KEY=SECRET,
        STATIC_ROOT=str(root),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    return root
