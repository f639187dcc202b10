"""Run by test_production_mode.py in a child process with DEBUG off: asks the app, through
Django's test client, for what production answers over plain http and behind the TLS proxy, and
prints what it saw as JSON. Everything it writes is rolled back."""

import json

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from merchants.models import Role, User  # noqa: E402

PASSWORD = "a-long-probe-password-42"


def cookie(response, name):
    morsel = response.cookies.get(name)
    if morsel is None:
        return None
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}


seen = {}
with transaction.atomic():
    User.objects.create_user("prod-probe", password=PASSWORD, role=Role.MANAGER)
    plain = Client()
    response = plain.get("/accounts/login/")
    seen["http_login"] = [response.status_code, response.get("Location", "")]
    seen["http_healthz"] = plain.get("/healthz").status_code

    tls = Client(headers={"X-Forwarded-Proto": "https"})  # as the TLS-terminating proxy sends it
    response = tls.get("/accounts/login/")
    seen["https_login"] = response.status_code
    seen["hsts"] = response.get("Strict-Transport-Security")
    seen["csp"] = response.get("Content-Security-Policy")
    seen["csrf_cookie"] = cookie(response, "csrftoken")
    response = tls.post("/accounts/login/", {"username": "prod-probe", "password": PASSWORD})
    seen["login"] = [response.status_code, response.get("Location", "")]
    seen["session_cookie"] = cookie(response, "sessionid")
    seen["home"] = tls.get("/").status_code
    transaction.set_rollback(True)

print("PROBE " + json.dumps(seen))
