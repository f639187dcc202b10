import pytest
import yaml
from openapi_spec_validator import validate

from jingdezhen.core.demo import DEMO_PASSWORD


@pytest.mark.django_db
def test_token_endpoint_exchanges_credentials_for_a_token(api_client, owner):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": owner.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/merchants/").status_code == 200


@pytest.mark.django_db
def test_token_endpoint_rejects_a_wrong_password_with_field_errors(api_client, owner):
    response = api_client.post("/api/v1/auth/token/", {"username": owner.username, "password": "x"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.django_db
def test_api_requires_authentication(api_client):
    assert api_client.get("/api/v1/merchants/").status_code in (401, 403)


@pytest.mark.django_db
def test_schema_is_valid_openapi_3(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    spec = yaml.safe_load(response.content)
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/merchants/" in spec["paths"]


@pytest.mark.django_db
def test_api_docs_load_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    for attr in ("src=", "href="):
        for chunk in html.split(attr)[1:]:
            url = chunk.split()[0].strip("\"'>")
            assert not url.startswith(("http:", "https:", "//")), url
