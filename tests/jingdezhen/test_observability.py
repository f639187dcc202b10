"""Request ids on every log line of a request; errors sent to Sentry when a DSN is set."""

import io
import json
import logging
import logging.config
import os
import subprocess
import sys
import textwrap
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

from jingdezhen.observability import HEADER, current_request_id

log = logging.getLogger("jingdezhen.tests.observability")


def logging_view(request):
    log.warning("handling the order page")
    return HttpResponse(request.request_id)


urlpatterns = [path("logs/", logging_view)]


@pytest.fixture
def console(settings):
    """The output of the console handler configured by settings.LOGGING (formatter and filter
    as in production), captured for one test."""
    settings.ROOT_URLCONF = __name__
    # Applied again as Django applies it at start-up: a Celery worker started by an earlier test
    # takes the root logger over.
    logging.config.dictConfig(settings.LOGGING)
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    out = io.StringIO()
    previous = handler.setStream(out)
    try:
        yield out
    finally:
        handler.setStream(previous)


def test_every_log_line_of_a_request_carries_the_id_the_response_answers(client, console):
    response = client.get("/logs/")
    rid = response[HEADER]
    assert len(rid) == 32 and rid == response.content.decode()
    lines = [line for line in console.getvalue().splitlines() if "handling the order page" in line]
    assert lines and all(f"[{rid}]" in line for line in lines)


def test_a_sane_incoming_request_id_is_kept(client, console):
    response = client.get("/logs/", headers={HEADER: "lb-7f3a-0042"})
    assert response[HEADER] == "lb-7f3a-0042"
    assert "[lb-7f3a-0042] jingdezhen.tests.observability" in console.getvalue()


@pytest.mark.parametrize(
    "offered", ["two words", "a" * 65, "<script>", "id\nFAKE LOG LINE", "", "ok_but_underscore"]
)
def test_an_incoming_request_id_that_is_not_a_sane_token_is_replaced(client, console, offered):
    response = client.get("/logs/", headers={HEADER: offered})
    rid = response[HEADER]
    assert rid != offered and len(rid) == 32
    assert offered not in console.getvalue() or not offered


def test_log_lines_outside_a_request_say_dash(client, console):
    client.get("/logs/")
    assert current_request_id() == "-"  # reset once the request is answered
    log.warning("nightly rollup started")
    assert "[-] jingdezhen.tests.observability nightly rollup started" in console.getvalue()


# --- Sentry -----------------------------------------------------------------------------------


class _Envelopes(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_sentry():
    """A tiny HTTP endpoint on loopback that keeps every envelope posted to it."""
    handler = type("Envelopes", (_Envelopes,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler.received
    server.shutdown()
    server.server_close()


SENTRY_SCRIPT = textwrap.dedent(
    """
    import sys, types
    import django
    from django.urls import path

    def boom(request):
        raise RuntimeError("kiln thermostat failed")

    urls = types.ModuleType("boom_urls")
    urls.urlpatterns = [path("boom/", boom)]
    sys.modules["boom_urls"] = urls
    django.setup()
    import sentry_sdk
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    with override_settings(ROOT_URLCONF="boom_urls", ALLOWED_HOSTS=["*"]):
        response = Client(raise_request_exception=False).get(
            "/boom/", headers={"X-Request-ID": "req-0451"}
        )
    assert response.status_code == 500, response.status_code
    sentry_sdk.flush(timeout=10)
    """
)


def _events(envelopes: list[bytes]) -> list[dict]:
    """The error events among the envelopes (header line, then item header and payload pairs)."""
    events = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for item, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(item).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_an_error_in_a_view_is_sent_to_sentry_when_a_dsn_is_set(fake_sentry):
    port, received = fake_sentry
    env = {
        **os.environ,
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/7",
        "SENTRY_ENVIRONMENT": "test-bench",
        "DJANGO_SETTINGS_MODULE": "jingdezhen.test_settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", SENTRY_SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    events = _events(received)
    assert len(events) == 1, received
    event = events[0]
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == "kiln thermostat failed"
    assert event["environment"] == "test-bench"
    assert event["tags"]["request_id"] == "req-0451"
    assert "cookies" not in event.get("request", {})  # send_default_pii is off
    assert "user" not in event or "username" not in event["user"]


def test_nothing_is_sent_without_a_dsn(fake_sentry):
    import sentry_sdk

    assert not settings.SENTRY_DSN
    assert not sentry_sdk.get_client().is_active()
