"""Shared fixtures. The suite runs on the real PostgreSQL and Redis (jingdezhen/test_settings).

Marks and xdist groups are given by folder (``SLOW_FOLDERS``, ``GROUPS`` of
tests/support/scheduling.py), so a test file needs none: ``make test-fast`` deselects the slow
marks, ``make test`` runs everything on two workers (``-n 2 --dist loadgroup``), and tests that
share one costly thing stay on one worker.
"""

from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from merchants.models import Role, TeamMember
from tests.support.scheduling import GROUPS, SLOW_FOLDERS, first_match

from . import factories

TESTS = Path(__file__).resolve().parent


def pytest_itemcollected(item):
    """Marks and group by folder (tests/support/scheduling.py), as each test is collected:
    before -m deselects by mark."""
    where = Path(item.path).resolve().relative_to(TESTS).as_posix()
    uses_stack = "served" in getattr(item, "fixturenames", ())
    mark = first_match(SLOW_FOLDERS, where) or ("serve" if uses_stack else None)
    if mark:
        item.add_marker(getattr(pytest.mark, mark))
    group = first_match(GROUPS, where) or ("stack" if uses_stack else None)
    if group:
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` with the groups of tests/support/scheduling.py."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.support.xdist_scheduler import FolderGroupScheduling

    return FolderGroupScheduling(config, log)


def pytest_configure(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            f"The test suite runs on PostgreSQL, not {engine}: set DATABASE_URL or use make test."
        )


@pytest.fixture(autouse=True)
def _our_celery_app():
    """Every test starts with the project's Celery app as the current one. A ``Celery(...)`` made
    in a test becomes the current app unless told ``set_as_current=False``, and then every
    ``shared_task`` of the project (an import job, a reminder) would be sent to that app's broker
    instead of running eagerly, for every later test of the process."""
    from jingdezhen.celery import app

    app.set_current()
    yield


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
