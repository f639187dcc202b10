"""Shared fixtures. The suite runs on the real PostgreSQL and Redis (jingdezhen/test_settings)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from merchants.models import Role, TeamMember

from . import factories


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
