"""Shared fixtures. The suite runs on the real PostgreSQL and Redis (jingdezhen/test_settings).

Marks and xdist groups are given by folder here (``SLOW_FOLDERS``, ``GROUPS``), so a test file
needs none: ``make test-fast`` deselects the slow marks, ``make test`` runs everything on two
workers (``-n 2 --dist loadgroup``), and tests that share one costly thing stay on one worker.
"""

from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from merchants.models import Role, TeamMember

from . import factories

TESTS = Path(__file__).resolve().parent

# Folder (or file) under tests/ -> the mark its tests get; `make test-fast` leaves these out.
SLOW_FOLDERS = {
    "e2e": "e2e",  # browser journeys: Playwright and Chromium against a live server
    "api": "fuzz",  # schemathesis over the whole API
    "faults": "faults",  # workers killed, Redis stopped and restarted
    "serve": "serve",  # gunicorn + Celery (scripts/serve.sh) on a database of its own
    "firstlook": "firstlook",  # `make run` with embedded engines, as a new user gets it
    "tenancy": "tenancy",  # every route of every role against two foreign worlds
    "security/test_production_mode.py": "serve",  # a production child process
}
# Tests that must run in one process (xdist worker): one served stack per run (two would share
# its Redis databases), the faults that stop Redis and kill workers while timing answers, the
# tests that drive a real Celery worker through the tests' broker, and folders or files whose
# costly module/package fixture (a seeded world, a browser) is then built once, not per worker.
GROUPS = {
    "faults": "stack",
    "serve": "stack",
    "firstlook": "firstlook",
    "tenancy": "tenancy",
    "jingdezhen/test_celery.py": "broker",
    "jingdezhen/test_health.py": "broker",
    "jingdezhen/test_demo_pages.py": "demo-pages",
    "jingdezhen/test_crawl.py": "crawl",
    "api": "fuzz",
}


def _where(item) -> str:
    return Path(item.path).resolve().relative_to(TESTS).as_posix()


def _first(table: dict[str, str], where: str) -> str | None:
    for prefix, value in table.items():
        if where == prefix or where.startswith(prefix + "/"):
            return value
    return None


def pytest_itemcollected(item):
    """As each test is collected (before any modifyitems hook: -m and xdist's loadgroup read
    these marks there)."""
    where = _where(item)
    served = "served" in getattr(item, "fixturenames", ())
    mark = _first(SLOW_FOLDERS, where) or ("serve" if served else None)
    if mark:
        item.add_marker(getattr(pytest.mark, mark))
    group = _first(GROUPS, where) or ("stack" if served else None)
    if group:
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            f"The test suite runs on PostgreSQL, not {engine}: set DATABASE_URL or use make test."
        )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def client():
    """A browser that prefers English, so assertions can read English text."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def client_zh():
    return Client(headers={"Accept-Language": "zh-hans"})


@pytest.fixture
def api_client():
    return APIClient(headers={"Accept-Language": "en"})


@pytest.fixture
def base(db):
    return factories.BaseFactory()


@pytest.fixture
def other_base(db):
    return factories.BaseFactory()


@pytest.fixture
def manager(base):
    return factories.UserFactory(role=Role.MANAGER, base=base, username="mgr")


@pytest.fixture
def trainer(base):
    return factories.UserFactory(role=Role.TRAINER, base=base, username="trn")


@pytest.fixture
def merchant(base):
    return factories.MerchantFactory(base=base)


@pytest.fixture
def other_merchant(base):
    return factories.MerchantFactory(base=base)


@pytest.fixture
def owner(merchant):
    return factories.member_user(merchant, role=TeamMember.Role.OWNER, username="owner1")


@pytest.fixture
def other_owner(other_merchant):
    return factories.member_user(other_merchant, role=TeamMember.Role.OWNER, username="owner2")


def login(client, user):
    """Log ``user`` in without a password round trip (axes wants a request for that)."""
    client.force_login(user)
    return client


# The production shape (scripts/serve.sh), started once for the tests that drive it.
from tests.support.serve import served  # noqa: E402, F401
