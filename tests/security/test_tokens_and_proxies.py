"""API tokens end (expiry, logout, a new password, the revoke endpoint), and every throttle keys
on the client's address through exactly the configured number of trusted proxy hops."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jingdezhen.core.clients import client_address
from jingdezhen.core.demo import DEMO_PASSWORD
from tests.conftest import login

PROXY = "10.0.0.1"


def _token(api_client, username: str, password: str = DEMO_PASSWORD, **extra) -> str:
    response = api_client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, **extra
    )
    assert response.status_code == 200, response.content
    assert list(response.json()) == ["token"]
    return response.json()["token"]


def _works(key: str) -> bool:
    caller = APIClient(headers={"Accept-Language": "en"})
    caller.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    status = caller.get("/api/v1/merchants/").status_code
    assert status in {200, 401, 403}
    return status == 200


def test_a_token_has_the_old_shape_and_works(api_client, owner):
    key = _token(api_client, owner.username)
    assert len(key) == 40
    assert _works(key)
    # Asked again while it lives, the same token comes back.
    assert _token(api_client, owner.username) == key


def test_a_token_no_longer_works_after_logout(api_client, owner):
    key = _token(api_client, owner.username)
    browser = login(Client(), owner)
    assert browser.post("/accounts/logout/").status_code == 302
    assert not _works(key)


def test_a_token_no_longer_works_after_a_password_change(api_client, owner):
    key = _token(api_client, owner.username)
    browser = login(Client(), owner)
    response = browser.post(
        "/accounts/password/change/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "blue-and-white-1004",
            "new_password2": "blue-and-white-1004",
        },
    )
    assert response.status_code == 302
    assert not _works(key)
    assert _works(_token(api_client, owner.username, "blue-and-white-1004"))


def test_a_token_no_longer_works_after_a_password_reset(api_client, owner):
    owner.email = "owner@example.com"
    owner.save(update_fields=["email"])
    key = _token(api_client, owner.username)
    browser = Client(headers={"Accept-Language": "en"})
    assert browser.post("/accounts/password/reset/", {"email": owner.email}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    response = browser.get(link.group(1))  # Django swaps the token for a session key
    assert response.status_code == 302
    response = browser.post(
        response.url, {"new_password1": "famille-rose-77", "new_password2": "famille-rose-77"}
    )
    assert response.status_code == 302
    assert not _works(key)


def test_a_token_no_longer_works_after_its_expiry(api_client, owner, settings):
    settings.API_TOKEN_TTL_HOURS = 2
    key = _token(api_client, owner.username)
    Token.objects.filter(key=key).update(
        created=Token.objects.get(key=key).created - dt.timedelta(hours=2, seconds=1)
    )
    assert not _works(key)
    fresh = _token(api_client, owner.username)
    assert fresh != key and _works(fresh)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_unknown_token_or_an_inactive_users_is_refused_in_the_callers_language(
    api_client, owner, language
):
    key = _token(api_client, owner.username)
    caller = APIClient(headers={"Accept-Language": language})
    caller.credentials(HTTP_AUTHORIZATION=f"Token {'0' * 40}")
    unknown = caller.get("/api/v1/merchants/")
    # 403, not 401: the first authentication class (the session's) sends no WWW-Authenticate.
    assert unknown.status_code == 403
    assert (
        unknown.json()["detail"] == {"en": "Invalid token.", "zh-hans": "认证令牌无效。"}[language]
    )
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    caller.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    inactive = caller.get("/api/v1/merchants/")
    assert inactive.status_code == 403
    assert (
        inactive.json()["detail"]
        == {
            "en": "User inactive or deleted.",
            "zh-hans": "用户未激活或者已删除。",
        }[language]
    )


def test_a_token_authenticates_its_own_user_in_one_query(
    api_client, owner, django_assert_num_queries
):
    from jingdezhen.core.tokens import ExpiringTokenAuthentication

    key = _token(api_client, owner.username)
    with django_assert_num_queries(1):
        user, token = ExpiringTokenAuthentication().authenticate_credentials(key)
    assert (user.pk, user.username, token.key, token.user_id) == (
        owner.pk,
        owner.username,
        key,
        owner.pk,
    )
    assert token.created == Token.objects.get(key=key).created


def test_the_revoke_endpoint_ends_the_token(api_client, owner):
    key = _token(api_client, owner.username)
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert caller.post("/api/v1/auth/token/revoke/").status_code == 204
    assert not _works(key)
    assert APIClient().post("/api/v1/auth/token/revoke/").status_code in {401, 403}


# --- the client's address through trusted proxy hops ---------------------------------------------


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),
        (1, "", PROXY),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),
        (1, "not-an-address", PROXY),
        (1, "203.0.113.9, 203.0.113.9:443", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_reads_exactly_the_trusted_hops(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def _login_from(client, username, password, forwarded):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def test_failures_from_one_client_do_not_lock_the_user_for_another(
    behind_one_proxy, manager, settings
):
    attacker = Client(headers={"Accept-Language": "en"})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login_from(attacker, manager.username, "wrong", "198.51.100.7")
    # The attacker's client is locked, even with the right password ...
    assert _login_from(attacker, manager.username, DEMO_PASSWORD, "198.51.100.7").status_code == 429
    # ... the manager, from their own client behind the same proxy, is not.
    response = _login_from(Client(), manager.username, DEMO_PASSWORD, "203.0.113.20")
    assert response.status_code == 302


def test_a_spoofed_forwarded_for_does_not_escape_the_login_lockout(
    behind_one_proxy, manager, settings
):
    attacker = Client(headers={"Accept-Language": "en"})
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The client makes up entries; our proxy appends the address it really saw.
        _login_from(attacker, manager.username, "wrong", f"1.2.3.{n}, 198.51.100.7")
    response = _login_from(attacker, manager.username, DEMO_PASSWORD, "9.9.9.9, 198.51.100.7")
    assert response.status_code == 429


def test_a_spoofed_forwarded_for_does_not_escape_the_token_throttle(behind_one_proxy, db):
    caller = APIClient(headers={"Accept-Language": "en"})
    statuses = [
        caller.post(
            "/api/v1/auth/token/",
            {"username": f"nobody{n}", "password": "x"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"1.2.{n}.1, 198.51.100.7",
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429
    # Another client behind the same proxy is not throttled.
    other = caller.post(
        "/api/v1/auth/token/",
        {"username": "nobody", "password": "x"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.20",
    )
    assert other.status_code == 400


def test_a_valid_token_sent_along_does_not_lift_the_token_throttle(behind_one_proxy, owner):
    key = _token(APIClient(), owner.username, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1")
    caller = APIClient(headers={"Accept-Language": "en"})
    caller.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    statuses = [
        caller.post(
            "/api/v1/auth/token/",
            {"username": f"nobody{n}", "password": "x"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.8",
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


# --- the password pages, in both languages -------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "change", "reset"),
    [("en", "Change password", "Reset password"), ("zh-hans", "修改密码", "重设密码")],
)
def test_the_password_pages_speak_both_languages(owner, language, change, reset):
    browser = Client(headers={"Accept-Language": language})
    page = browser.get("/accounts/password/reset/")
    assert page.status_code == 200 and reset in page.content.decode()
    assert 'href="/accounts/password/reset/"' in browser.get("/accounts/login/").content.decode()
    login(browser, owner)
    page = browser.get("/accounts/password/change/")
    assert page.status_code == 200 and change in page.content.decode()


def test_the_reset_mail_goes_out_in_the_language_of_the_page(owner):
    owner.email = "owner@example.com"
    owner.save(update_fields=["email"])
    Client(headers={"Accept-Language": "zh-hans"}).post(
        "/accounts/password/reset/", {"email": owner.email}
    )
    assert len(mail.outbox) == 1
    assert "重设" in mail.outbox[0].subject


def test_withdrawing_a_password_ends_the_tokens(api_client, owner):
    key = _token(api_client, owner.username)
    assert _works(key)
    owner.set_unusable_password()
    owner.save()
    assert not _works(key)


def test_reset_links_are_throttled_per_client_and_per_address(settings, owner):
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "3/h"
    settings.PASSWORD_RESET_RATE_PER_CLIENT = "5/h"
    owner.email = "owner1@example.com"
    owner.save(update_fields=["email"])
    asker = Client(headers={"Accept-Language": "en"})
    url = "/accounts/password/reset/"
    statuses = [asker.post(url, {"email": owner.email}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    # Another address from the same client still gets a link, until the client's own limit.
    assert asker.post(url, {"email": "someone@example.com"}).status_code == 302
    response = asker.post(url, {"email": "else@example.com"})
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    # In Chinese too.
    zh = Client(headers={"Accept-Language": "zh-hans"})
    body = zh.post(url, {"email": owner.email}).content.decode()
    assert "重设链接" in body or "请求过多" in body
