"""Request ids on every log line of a request, and error reports to Sentry.

``RequestIdMiddleware`` takes the caller's ``X-Request-ID`` when it is a sane token (a proxy or
the load balancer may have set one, so one id follows the request through every hop) or makes a
new one, keeps it in a context variable for as long as the request is handled, and answers it in
the ``X-Request-ID`` header. ``RequestIdFilter`` (in LOGGING) copies it onto each log record as
``request_id``; outside a request it is "-".

``init_sentry`` is called by the settings: with ``SENTRY_DSN`` set, unhandled errors of views
and Celery tasks go to that Sentry (a self-hosted Sentry or GlitchTip take the same DSN).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the settings import this module: nothing of Django's is loaded at import
    from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
NO_REQUEST = "-"
# Letters, digits and dashes, bounded: an id a client sends ends up in every log line, so it must
# not carry spaces, newlines or markup, nor grow the logs without limit.
SANE_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    """The id of the request being handled in this context, "-" outside one."""
    return request_id.get()


def _incoming_id(request: HttpRequest) -> str:
    offered = request.headers.get(HEADER, "")
    return offered if SANE_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so everything after it logs with the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = _incoming_id(request)
        request.request_id = rid
        token = request_id.set(rid)
        try:
            _tag_sentry(rid)
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (never drops one), for the formatters to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def _tag_sentry(rid: str) -> None:
    """An error report names the request id, so it can be matched with the request's logs."""
    try:
        import sentry_sdk
    except ImportError:  # pragma: no cover - sentry-sdk is a dependency; kept optional here
        return
    # Tags the current (per-request) scope; a no-op while Sentry is not initialised.
    sentry_sdk.set_tag("request_id", rid)


def init_sentry(
    dsn: str, *, environment: str | None = None, traces_sample_rate: float = 0.0
) -> None:
    """Send unhandled errors (Django views, Celery tasks) and ERROR log records to ``dsn``."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        traces_sample_rate=traces_sample_rate,
        # No user names, e-mail addresses, cookies or request bodies leave the base.
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
