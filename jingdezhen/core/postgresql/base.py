"""Django's PostgreSQL backend (psycopg2), with a cheaper check of a kept connection.

With ``CONN_HEALTH_CHECKS`` on, Django checks a connection kept from an earlier request
(``CONN_MAX_AGE``) before its first use in the next one by sending ``SELECT 1``: one round trip
to PostgreSQL on every request, as many as the whole of an API order's own reads. Here a
connection the server answered on within the last ``FRESH_SECONDS`` is first checked by asking
its socket, without sending anything: an idle connection the server still holds has nothing to
read, while one the server ended (a restart, ``pg_terminate_backend``, an idle-connection reaper)
has its farewell message or end-of-file waiting, and is then asked with ``SELECT 1``, which fails,
so the request opens a new connection, as before.

A server can also vanish without a goodbye (a host crash, an address taken over by a standby, a
middlebox that lost the connection's state): nothing arrives, and only a statement sent finds out.
So a connection idle for longer than ``FRESH_SECONDS`` is always asked with ``SELECT 1``; under
load (where the round trip matters) every kept connection was used a moment ago.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

FRESH_SECONDS = 5.0


def _nothing_arrived(connection) -> bool:
    """True when the connection's socket has nothing waiting to be read (poll, so any descriptor
    number works); False when something arrived or the socket cannot be asked."""
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (AttributeError, OSError, ValueError):  # no poll here, or no socket any more
        return False


class DatabaseWrapper(base.DatabaseWrapper):
    # time.monotonic() when the server last answered on this connection, as far as we know.
    answered_at: float | None = None

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if (
            self.answered_at is not None
            and time.monotonic() - self.answered_at < FRESH_SECONDS
            and not self.errors_occurred
            and connection.get_transaction_status() == TRANSACTION_STATUS_IDLE
            and _nothing_arrived(connection)
        ):
            return True
        # Idle for a while, something arrived unasked (most likely the server's goodbye), or a
        # transaction is open: ask the server itself.
        usable = super().is_usable()
        if usable:
            self.answered_at = time.monotonic()
        return usable

    def connect(self) -> None:
        super().connect()
        self.answered_at = time.monotonic()

    def close_if_unusable_or_obsolete(self) -> None:
        # Called as each request starts and ends. A request that used the connection (its check
        # done, no error) has just had the server's answers.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.answered_at = time.monotonic()
        super().close_if_unusable_or_obsolete()
