import pytest

from tests.support.db import rolled_back
from tests.support.worlds import build_worlds


@pytest.fixture(scope="package")
def worlds(django_db_setup, django_db_blocker):
    """The home base, twins in the same base and another base, built once for this folder."""
    with rolled_back(django_db_blocker):
        yield build_worlds()
