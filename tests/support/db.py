"""Data built once for a folder of tests and rolled back after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


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
