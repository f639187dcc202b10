"""Every link answers: each demo account crawls the pages it can reach from home, following every
link (``href``, ``hx-get``) and submitting every GET form with the values it shows, in both
languages, and no answer is a 5xx (the crawl: tests/support/crawl.py).
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from jingdezhen.core.demo import DEMO_PASSWORD
from tests.support.crawl import crawl
from tests.support.db import demo_committed

ACCOUNTS = ["manager", "trainer", "merchant", "merchant2", "host", "service"]
LANGUAGES = ["zh-hans", "en"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("crawl-media")
    with django_db_blocker.unblock():
        demo_committed(media, merchants=20, days=30)
    with override_settings(MEDIA_ROOT=media):
        yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("username", [*ACCOUNTS, None])
def test_every_link_and_get_form_of_each_role_answers_without_a_server_error(seeded, db, username):
    for language in LANGUAGES:
        client = Client(headers={"Accept-Language": language}, raise_request_exception=False)
        if username:  # None: a visitor who has not logged in
            response = client.post(
                "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 302, (username, language)
        visited, failures = crawl(client)
        assert len(visited) >= (5 if username else 2), (username, language, visited)
        assert not failures, (username, language, failures)
