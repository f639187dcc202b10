"""Django's PostgreSQL backend (psycopg2), with a cheaper check of a kept connection.

With ``CONN_HEALTH_CHECKS`` on, Django checks a connection kept from an earlier request
(``CONN_MAX_AGE``) before its first use in the next one by sending ``SELECT 1``: one round trip
to PostgreSQL on every request, as many as the whole of an API order's own reads. Here the check
first asks the socket, without sending anything: an idle connection the server still holds has
nothing to read, while one the server ended (a restart, a failover, ``pg_terminate_backend``, an
idle-connection reaper) has its farewell message or end-of-file waiting. Only then is ``SELECT 1``
sent, and it fails, so the connection is closed and the request opens a new one, as before.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.get_transaction_status() == 0:  # TRANSACTION_STATUS_IDLE: nothing in flight
            try:
                readable, _w, _x = select.select([connection], [], [], 0)
            except (OSError, ValueError):  # no socket any more
                return False
            if not readable:
                return True
        # Something arrived unasked (most likely the server's goodbye), or a transaction is
        # open: ask the server itself.
        return super().is_usable()
