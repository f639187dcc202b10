"""`make serve` as a person meets it: scripts/serve.sh starts gunicorn, a Celery worker and beat
with DEBUG off; a visitor logs in, reads a page and the API; a job goes through the worker."""

import re

import requests
from celery import Celery

from jingdezhen.core.demo import DEMO_PASSWORD


def _login(served, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(served.url + "/accounts/login/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    response = session.post(
        served.url + "/accounts/login/",
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": served.url + "/accounts/login/"},
        timeout=10,
    )
    assert response.status_code == 200, response.text[:500]
    return session


def test_the_health_check_names_the_database_the_broker_and_the_served_worker(served):
    # The served worker's own heartbeat makes "worker" up: tasks are not run in-process here.
    response = served.get("/healthz")
    assert response.json() == {"status": "ok", "database": "up", "broker": "up", "worker": "up"}
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_manager_logs_in_and_reads_the_home_page_in_production_mode(served):
    session = _login(served, "manager")
    home = session.get(served.url + "/", headers={"Accept-Language": "en"}, timeout=10)
    assert home.status_code == 200
    assert "Base manager" in home.text
    assert "Content-Security-Policy" in home.headers
    css = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home.text)
    assert css, "static files are served hashed (collectstatic with the manifest storage)"
    assert session.get(served.url + css[1], timeout=10).status_code == 200


def test_the_api_answers_with_a_token(served):
    token = requests.post(
        served.url + "/api/v1/auth/token/",
        json={"username": "merchant", "password": DEMO_PASSWORD},
        timeout=10,
    ).json()["token"]
    merchants = served.get("/api/v1/merchants/", headers={"Authorization": f"Token {token}"})
    assert merchants.status_code == 200
    assert [m["name"] for m in merchants.json()["results"]] == ["周乐陶瓷 Zhou Le Ceramics"]


def test_a_job_goes_through_the_served_worker(served):
    publisher = Celery(
        "smoke", broker=served.redis_url, backend=served.redis_url, set_as_current=False
    )
    result = publisher.send_task("jingdezhen.tasks.ping", args=[41])
    assert result.get(timeout=60) == {"value": 42, "vendor": "postgresql"}


def test_an_unknown_page_answers_404_not_a_server_error(served):
    assert served.get("/no-such-page/").status_code == 404
    answer = served.get("/api/v1/no-such-thing/").json()
    assert answer == {"detail": "Not found.", "code": "not_found"}


def test_a_job_on_the_holds_queue_goes_through_the_served_worker(served):
    # Payment holds and flash-deal endings have their own queue; the served worker consumes it.
    publisher = Celery(
        "smoke", broker=served.redis_url, backend=served.redis_url, set_as_current=False
    )
    result = publisher.send_task("orders.tasks.release_expired_holds", queue="holds")
    assert isinstance(result.get(timeout=60), int)
