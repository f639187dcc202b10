"""Production mode (DEBUG off, settings from the environment): https only, HSTS, secure cookies."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from tests.support.production import production_env


@pytest.fixture(scope="module")
def seen(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():  # the child process uses the test database
        result = subprocess.run(
            [sys.executable, "tests/security/production_probe.py"],
            cwd=settings.BASE_DIR,
            env=production_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("PROBE "))
    return json.loads(line.removeprefix("PROBE "))


def test_plain_http_is_sent_to_https(seen):
    status, location = seen["http_login"]
    assert status == 301
    assert location.startswith("https://")


def test_the_health_check_answers_over_plain_http_for_the_load_balancer(seen):
    assert seen["http_healthz"] == 200


def test_https_answers_carry_hsts_for_a_year_with_subdomains(seen):
    assert seen["https_login"] == 200
    assert "max-age=31536000" in seen["hsts"]
    assert "includeSubDomains" in seen["hsts"]
    assert "script-src 'self'" in seen["csp"]


def test_the_csrf_cookie_is_secure(seen):
    assert seen["csrf_cookie"]["secure"]


def test_the_session_cookie_is_secure_and_hidden_from_scripts(seen):
    assert seen["login"] == [302, "/"]
    assert seen["session_cookie"] == {"secure": True, "httponly": True}
    assert seen["home"] == 200
