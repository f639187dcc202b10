"""The production shape (scripts/serve.sh: gunicorn, a Celery worker and beat, DEBUG off) started
for the tests that drive it, on a database of its own and the tests' Redis."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
import requests
from django.conf import settings
from psycopg2 import sql

START_TIMEOUT = 180


@dataclass
class Served:
    url: str
    database_url: str
    redis_url: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=10, **kwargs)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve_database_url() -> str:
    db = settings.DATABASES["default"]
    # The test database's name plus _serve, so parallel checkouts keep apart.
    return (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}_serve"
    )


def _serve_redis_url() -> str:
    """The tests' Redis, eight databases further on: the served worker must not take jobs that
    in-process tests put on the tests' own queue."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    base, _, db = url.rpartition("/")
    return f"{base}/{(int(db or 0) + 8) % 16}"


def _fresh_database(url: str) -> None:
    """Drop the served stack's database, so serve.sh creates and migrates it from nothing: a
    database left by another checkout's schema must not decide this run."""
    db = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(db["NAME"])
                )
            )
    finally:
        conn.close()


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        PORT=str(port),
        DATABASE_URL=_serve_database_url(),
        REDIS_URL=_serve_redis_url(),
        STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        PYTHON=sys.executable,
        LOG_LEVEL="WARNING",
    )
    _fresh_database(env["DATABASE_URL"])
    with log.open("w") as out:
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Served(f"http://127.0.0.1:{port}", env["DATABASE_URL"], env["REDIS_URL"], process, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve.sh stopped ({process.returncode}):\n{stack.log_text()}")
            try:
                if stack.get("/healthz").status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"/healthz did not answer in {START_TIMEOUT}s:\n{stack.log_text()}")
            time.sleep(0.5)
        yield stack
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
