"""Data built once for a folder or module of tests and rolled back after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


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


def demo_once(**options):
    """A module-scoped fixture: ``seed_demo`` with these options, run once for the module.

    The seed costs seconds; run per test it was most of these modules' time. A test gets it by a
    function fixture that also asks for ``db``: the test then runs in a savepoint of the module's
    transaction, so whatever it writes (a second seed, an axes lock-out, an order) is rolled back
    before the next test, which sees the seed exactly as built. Photos go to a folder of the
    module's own; the transaction, and with it the seed, is rolled back after the last test.
    """

    @pytest.fixture(scope="module")
    def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
        media = tmp_path_factory.mktemp("demo-media")
        with rolled_back(django_db_blocker):
            with override_settings(MEDIA_ROOT=media):
                call_command("seed_demo", force=True, verbosity=0, **options)
            yield media

    return seeded
