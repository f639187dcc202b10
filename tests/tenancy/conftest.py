import pytest
from django.db import transaction

from tests.support.worlds import build_worlds


@pytest.fixture(scope="package")
def worlds(django_db_setup, django_db_blocker):
    """The home base, twins in the same base and another base, built once for this folder and
    rolled back at its end (tests run inside it, each in a savepoint of its own)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_worlds()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
