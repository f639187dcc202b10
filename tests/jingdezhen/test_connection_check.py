"""The check of a kept database connection (jingdezhen/core/postgresql/base.py): an idle
connection the server still holds is usable without a statement sent; one the server ended is
found unusable, so the next request opens a new one."""

import os
import time

import psycopg2
import pytest
from django.db import connection

from jingdezhen.core.postgresql import base


def _backend_statements(pid: int) -> tuple:
    """The start and text of the backend ``pid``'s last statement: both move with each one."""
    with psycopg2.connect(**_params()) as other, other.cursor() as cursor:
        cursor.execute("SELECT query_start, query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()


def _params() -> dict:
    settings = connection.settings_dict
    return {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
    }


@pytest.mark.django_db(transaction=True)
def test_the_engine_is_the_projects_postgresql_backend():
    assert connection.settings_dict["ENGINE"] == "jingdezhen.core.postgresql"
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_an_idle_kept_connection_is_usable_without_a_statement():
    connection.close()  # a new one: the suite may hand over one kept from an earlier test
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    before = _backend_statements(pid)
    assert connection.is_usable()
    assert connection.is_usable()
    assert _backend_statements(pid) == before  # no SELECT 1 reached the server


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_unusable_and_the_next_query_reconnects():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with psycopg2.connect(**_params()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    # The server's goodbye reaches the socket shortly after.
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not connection.is_usable()
    # As Django does before a request reuses a connection: checked, closed, opened anew.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (new_pid,) = cursor.fetchone()
    assert new_pid != pid


def _pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_connection_idle_for_a_while_is_asked_with_a_statement():
    # A server that vanished without a goodbye sends nothing: only a statement finds it out, so a
    # connection not answered on lately is asked, not trusted on its silent socket.
    connection.ensure_connection()
    pid = _pid()
    before = _backend_statements(pid)
    connection.answered_at = time.monotonic() - base.FRESH_SECONDS - 1
    assert connection.is_usable()
    assert _backend_statements(pid) != before  # SELECT 1 reached the server
    before = _backend_statements(pid)
    assert connection.is_usable()  # it has just answered: the socket is enough again
    assert _backend_statements(pid) == before


@pytest.mark.django_db(transaction=True)
def test_a_request_that_used_the_connection_marks_it_answered():
    connection.close()  # a new one, well within its CONN_MAX_AGE
    connection.ensure_connection()
    _pid()
    connection.answered_at = None
    connection.health_check_done = True  # as after the request's first query
    connection.close_if_unusable_or_obsolete()  # the request's end
    assert connection.answered_at is not None
    assert connection.is_usable()


@pytest.mark.django_db(transaction=True)
def test_a_socket_numbered_past_1024_is_checked_like_any_other():
    # select() refuses descriptors from FD_SETSIZE (1024) on; the check must not take that for a
    # dead connection (which would open a new one on every request).
    opened = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        connection.close()
        connection.ensure_connection()
        assert connection.connection.fileno() >= 1024
        pid = _pid()
        before = _backend_statements(pid)
        assert connection.is_usable()
        assert _backend_statements(pid) == before
        assert _pid() == pid
    finally:
        connection.close()
        for fd in opened:
            os.close(fd)
