"""A refused or missing page is shown in the site's layout and language, with the way home."""

from tests.conftest import login


def test_a_trainer_refused_the_orders_page_sees_the_site_layout_not_a_bare_403(client, trainer):
    response = login(client, trainer).get("/orders/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page
    assert 'href="/training/cohorts/"' in page  # the trainer's navigation is still there
    assert "Back to the home page" in page


def test_the_refusal_speaks_chinese(client_zh, trainer):
    response = login(client_zh, trainer).get("/orders/")
    assert response.status_code == 403
    assert "<h1>无权访问</h1>" in response.content.decode()


def test_a_missing_page_is_shown_in_the_site_layout(client, trainer):
    response = login(client, trainer).get("/training/cohorts/999999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'href="/training/cohorts/"' in page


def test_a_missing_api_route_still_answers_json(client, db):
    response = client.get("/api/v1/no-such-collection/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
