"""The database drops the app's connections (a failover, a restart, an idle-connection reaper):
the next request recovers. Driven against gunicorn (scripts/serve.sh), whose workers keep their
connections between requests (CONN_MAX_AGE) and check them before reuse (CONN_HEALTH_CHECKS)."""

import dj_database_url
import psycopg2


def _drop_connections(database_url: str) -> int:
    """pg_terminate_backend for every connection to the served database but ours."""
    db = dj_database_url.parse(database_url)
    conn = psycopg2.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"]
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [db["NAME"]],
        )
        (dropped,) = cursor.fetchone()
    conn.close()
    return dropped


def test_the_next_request_recovers_after_the_database_drops_the_connections(served):
    for _ in range(6):  # both gunicorn workers open (and keep) a connection
        assert served.get("/healthz").status_code == 200
    assert _drop_connections(served.database_url) >= 1
    answers = [served.get("/healthz").json() for _ in range(6)]
    assert [a["database"] for a in answers] == ["up"] * 6
    assert [a["status"] for a in answers] == ["ok"] * 6  # broker and worker untouched
    page = served.get("/accounts/login/")
    assert page.status_code == 200
