"""A seeded database copied once and put back for each test or module that wants the same seed.

The browser journeys need the demo committed (the live server reads it on connections of its
own), so each of them runs on pytest-django's ``transactional_db``, which empties every table
after the test. Seeding the demo again before each one took most of their time. Instead the
first test of a process seeds it and copies every table (COPY TO, in memory), every sequence and
the photos the seed wrote; each later test gets exactly that back: the tables emptied and
refilled (COPY FROM), the sequences at least where the seed left them (never back), the
photos copied into its own media folder. What a test changes is emptied after it as before, so
no test sees another's writes. Modules that seed the demo once (``tests/support/db.py``'s
``demo_once``, the crawler and the demo pages) share a copy in the same way: the first module of
a worker seeds, the next with the same options gets the copy back (inside its own transaction
when it is rolled back after).

The seed's rows are dated from "now" (a stream live now, today's orders). A copy is used only
within the local hour it was made in and for at most ``MAX_AGE``; then the seed runs again.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tests.support import clock

MAX_AGE = 600.0  # seconds
_copies: dict[str, Snapshot] = {}


@dataclass
class Snapshot:
    made: float  # time.monotonic()
    hour: tuple  # the local date and hour it was made in
    tables: dict[str, bytes]
    sequences: list[tuple[str, int, bool]]
    media: Path
    result: object = None  # what the seed returned

    def fresh(self) -> bool:
        return time.monotonic() - self.made < MAX_AGE and self.hour == _local_hour()


def _local_hour() -> tuple:
    now = timezone.localtime()
    return (now.date(), now.hour)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _table_names(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename <> 'django_migrations' ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def take(media: Path) -> Snapshot:
    """Every table's rows, every sequence's position and a copy of ``media`` (and of its private
    sibling)."""
    tables: dict[str, bytes] = {}
    sequences = []
    with connection.cursor() as cursor:
        for name in _table_names(cursor):
            out = io.BytesIO()
            cursor.copy_expert(f"COPY {_quoted(name)} TO STDOUT", out)
            tables[name] = out.getvalue()
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        for (name,) in cursor.fetchall():
            # A name from the catalogue, quoted: no input of anyone reaches this query.
            cursor.execute(f"SELECT last_value, is_called FROM {_quoted(name)}")  # noqa: S608
            last, called = cursor.fetchone()
            sequences.append((name, last, called))
    copy = Path(tempfile.mkdtemp(prefix="jdz-snapshot-media-"))
    for folder, kept in _folders(media, copy):
        if folder.exists():
            shutil.copytree(folder, kept, dirs_exist_ok=True)
    return Snapshot(time.monotonic(), _local_hour(), tables, sequences, copy)


def _folders(media: Path, copy: Path) -> list[tuple[Path, Path]]:
    """The seed's files and where the copy keeps them: ``media`` and the private uploads beside
    it (``media-private``, jingdezhen/core/storage.py), unless those have a root of their own."""
    folders = [(media, copy / "public")]
    if not getattr(settings, "PRIVATE_MEDIA_ROOT", ""):
        folders.append((media.with_name(f"{media.name}-private"), copy / "private"))
    return folders


def restore(snapshot: Snapshot, media: Path) -> None:
    """Put the copy back: the tables as they were, the sequences at least where they were, the
    photos (public and private)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Rows come back as they were, so no trigger may fire on them: the history triggers
        # (django-pghistory) would record each copied row as new, past the sequences set below.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("TRUNCATE " + ", ".join(_quoted(name) for name in snapshot.tables))
        for name, rows in snapshot.tables.items():
            if rows:
                cursor.copy_expert(f"COPY {_quoted(name)} FROM STDIN", io.BytesIO(rows))
        for name, last, called in snapshot.sequences:
            # Never back: an id handed out in an earlier test is not handed out again (as in
            # production), so nothing an earlier test left (a session still holding a job's
            # advisory lock, a file named by an id) meets a new row of the same id.
            cursor.execute(f"SELECT last_value, is_called FROM {_quoted(name)}")  # noqa: S608
            now_last, now_called = cursor.fetchone()
            position = max(last if called else last - 1, now_last if now_called else now_last - 1)
            if position >= 1:
                cursor.execute("SELECT setval(%s, %s, true)", [_quoted(name), position])
            else:
                cursor.execute("SELECT setval(%s, 1, false)", [_quoted(name)])
        # Back to firing triggers: inside a test's or a module's transaction the rest of it runs
        # as any other (SET LOCAL lasts until the outer transaction ends, savepoints or not).
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    for folder, kept in _folders(media, snapshot.media):
        if kept.exists():
            shutil.copytree(kept, folder, dirs_exist_ok=True)


def seeded(key: str, seed: Callable[[], object], *, media: Path) -> object:
    """The state ``seed()`` makes, on the test database as it is (committed, or inside a
    transaction of a module that is rolled back after it): seeded the first time in this process
    (or when the copy is stale), copied back from the copy otherwise. What ``seed()`` returned the
    time it ran (a demo context, whose rows have the same ids in every copy)."""
    snapshot = _copies.get(key)
    if snapshot is not None and snapshot.fresh():
        restore(snapshot, media)
        return snapshot.result
    if snapshot is not None:
        shutil.rmtree(snapshot.media, ignore_errors=True)
    clock.clear_of_midnight()
    result = seed()
    _copies[key] = take(media)
    _copies[key].result = result
    return result
