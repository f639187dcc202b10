"""Data built once for a folder or module of tests and rolled back after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from jingdezhen.core.demo import DemoContext
from jingdezhen.demo import run
from tests.support import clock, snapshot


@contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """Open a transaction for a wide-scoped fixture; each test inside runs in a savepoint of it
    (pytest-django's ``db``), and everything is rolled back when the scope ends."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def seed_demo(media: Path, **options) -> None:
    """``seed_demo --force`` with these options on the test database as it is (committed, or
    inside a module's transaction), its photos in ``media``. Seeded by the first module or test of
    a worker that asks for these options, copied back for the next (tests/support/snapshot.py):
    the schema fuzzing and the browser journeys ask for the same (eight merchants)."""

    def seed() -> None:
        with override_settings(MEDIA_ROOT=media):
            call_command("seed_demo", force=True, verbosity=0, **options)

    key = "seed_demo " + " ".join(f"{k}={v}" for k, v in sorted(options.items()))
    snapshot.seeded(key, seed, media=media)


def demo_once(**options):
    """A module-scoped fixture: ``seed_demo`` with these options, run once for the module.

    The seed costs seconds; run per test it was most of these modules' time. A test gets it by a
    function fixture that also asks for ``db``: the test then runs in a savepoint of the module's
    transaction, so whatever it writes (a second seed, an axes lock-out, an order) is rolled back
    before the next test, which sees the seed exactly as built. Photos go to a folder of the
    module's own; the transaction, and with it the seed, is rolled back after the last test.
    The next module of the worker with the same options gets a copy of the seed's rows and photos
    instead of seeding again (``seed_demo`` above); such modules share an xdist group
    (tests/support/scheduling.py) so that they meet in one worker.
    """

    @pytest.fixture(scope="module")
    def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
        media = tmp_path_factory.mktemp("demo-media")
        with rolled_back(django_db_blocker):
            seed_demo(media, **options)
            yield media

    return seeded


def demo_committed(media: Path, **options) -> tuple[DemoContext, dt.date]:
    """The demo (``jingdezhen.demo.run`` with these options) committed on the test database, its
    photos in ``media``, and the local day it was seeded for (clear of midnight). Seeded by the
    first module of a worker that asks for these options, copied back for the next
    (tests/support/snapshot.py): the crawler and the demo pages ask for the same."""

    def seed() -> tuple[DemoContext, dt.date]:
        with override_settings(MEDIA_ROOT=media):
            ctx = run(DemoContext(write=lambda _msg: None, **options))
        return ctx, clock.local_day()

    key = "run " + " ".join(f"{k}={v}" for k, v in sorted(options.items()))
    return snapshot.seeded(key, seed, media=media)
