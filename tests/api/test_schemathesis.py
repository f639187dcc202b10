"""Schemathesis reads /api/schema/ and sends generated requests to every operation, with the token
of each demo role: no answer is a 5xx, every status code is documented, and every answer matches
the schema.

Schemathesis's ``positive_data_acceptance`` check (a request that fits the schema must not get a
400) is not run: the schema says what a well-formed request is, not the domain's rules, and a
well-formed request can still break one -- a refund above what is left of the order, a follow-up
date in the past, a host from another merchant's team, a manager booking a stream without naming
the merchant. Those answer 400 with field errors by design. What the schema can say, it says
(decimal patterns that need a digit, enums, lists that need an item), and tests/*/test_api*.py
check the accepted requests of each operation.

The examples per operation are bounded (``FUZZ_EXAMPLES``, ``FUZZ_NEGATIVE_EXAMPLES``) so the whole
file stays within a minute or two; raise them locally for a deeper run, e.g.
``FUZZ_EXAMPLES=200 pytest tests/api/test_schemathesis.py``.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from merchants.models import User
from tests.support.db import rolled_back, seed_demo

ROLES = ["manager", "trainer", "merchant", "merchant2"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
NEGATIVE_EXAMPLES = int(os.environ.get("FUZZ_NEGATIVE_EXAMPLES", "8"))
# Every answer: no 5xx, a documented status code, content type and headers, a body that matches.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker, tmp_path_factory):
    with rolled_back(django_db_blocker):
        seed_demo(tmp_path_factory.mktemp("fuzz-media"), merchants=8)
        yield {
            name: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
            for name in ROLES
        }


@pytest.fixture(scope="module")
def api_schema(tokens):
    """The schema, loaded from the app itself through WSGI, which then answers every case.

    Like Django's test client, keep the test's database connection open across requests: the
    WSGI handler would close it at the end of each one, and with it the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(operation, mode, examples, headers, checks) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    run()


# Revoking ends the very token the fuzzing sends, so every later operation would answer as to a
# stranger; tests/security/test_tokens_and_proxies.py covers it.
NOT_FUZZED = {"POST /api/v1/auth/token/revoke/"}
# Operations without a parameter or a body: there is nothing to make invalid.
TAKES_NO_INPUT = {"POST /api/v1/notifications/read-all/"}


def _operations(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    return [operation for operation in operations if operation.label not in NOT_FUZZED]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_within_its_schema(api_schema, tokens, role):
    headers = {"Authorization": f"Token {tokens[role]}", "Accept-Language": "en"}
    failures = []
    for operation in _operations(api_schema):
        modes = [(schemathesis.GenerationMode.POSITIVE, EXAMPLES)]
        # An operation that takes nothing (no parameter, no body: "mark all read") has no input
        # to make invalid; negative cases are asked of every other one.
        if operation.label not in TAKES_NO_INPUT:
            modes.append((schemathesis.GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES))
        for mode, examples in modes:
            try:
                _fuzz(operation, mode, examples, headers, CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # report every operation's failures
                failures.append(f"--- {role} {operation.label} ({mode.value}):\n{exc}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_schema_lists_the_operations_fuzzed(api_schema):
    labels = {operation.label for operation in _operations(api_schema)}
    assert "GET /api/v1/merchants/" in labels
    assert "POST /api/v1/auth/token/" in labels
