"""Login throttling covers the API's token endpoint as well as the login page."""

import pytest

from jingdezhen.core.demo import DEMO_PASSWORD
from tests.support.db import demo_once

seeded = demo_once(merchants=3)


@pytest.fixture
def demo(seeded, db):
    """The module's demo seed; what a test writes is rolled back (tests/support/db.py)."""


def test_the_token_endpoint_gives_a_token_for_the_right_password(api_client, demo):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "merchant", "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_the_token_endpoint_locks_an_account_after_repeated_failures(api_client, demo):
    for _ in range(5):
        response = api_client.post(
            "/api/v1/auth/token/", {"username": "merchant", "password": "wrong"}, format="json"
        )
        assert response.status_code in {400, 429}
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "merchant", "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "locked" in response.json()["detail"]
