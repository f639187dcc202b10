"""The check of a kept database connection (jingdezhen/core/postgresql/base.py): an idle
connection the server still holds is usable without a statement sent; one the server ended is
found unusable, so the next request opens a new one."""

import time

import psycopg2
import pytest
from django.db import connection


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
