import pytest
from django.core.management import call_command

from jingdezhen.core.demo import DEMO_PASSWORD
from merchants.models import User
from tests.support.db import demo_once

seeded = demo_once(merchants=6)


@pytest.fixture
def demo(seeded, db):
    """The module's demo seed; what a test writes is rolled back (tests/support/db.py)."""


@pytest.mark.parametrize(
    ("username", "heading"),
    [
        ("manager", "Base manager"),
        ("trainer", "Trainer"),
        ("merchant", "Zhou Le Ceramics"),
        ("merchant2", "Ran Xiangfei Handmade"),
    ],
)
def test_each_demo_account_logs_in_to_its_roles_home(client, demo, username, heading):
    response = client.post(
        "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.username == username
    assert heading in response.content.decode()


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_speaks_chinese_by_default(client_zh, demo):
    client_zh.force_login(User.objects.get(username="manager"))
    page = client_zh.get("/").content.decode()
    assert "基地管理员" in page
    assert "退出" in page


def test_language_switch_sets_english(client_zh, demo):
    client_zh.force_login(User.objects.get(username="manager"))
    client_zh.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log out" in client_zh.get("/").content.decode()


def test_login_is_locked_after_repeated_failures(client, demo):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "manager", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "manager", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_send_a_content_security_policy_without_inline_script(client, demo):
    client.force_login(User.objects.get(username="manager"))
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()


def test_seed_demo_is_idempotent(demo):
    from livestreams.models import LiveRoom
    from merchants.models import Merchant, TeamMember, User

    counts = (
        Merchant.objects.count(),
        TeamMember.objects.count(),
        User.objects.count(),
        LiveRoom.objects.count(),
    )
    call_command("seed_demo", merchants=6, force=True, verbosity=0)
    assert counts == (
        Merchant.objects.count(),
        TeamMember.objects.count(),
        User.objects.count(),
        LiveRoom.objects.count(),
    )
    assert counts[0] == 6


def test_the_demo_merchants_have_shipped_parcels_with_tracking_numbers(demo):
    from orders.models import Order, OrderEvent, Shipment

    parcels = Shipment.objects.filter(order__merchant__team__user__username="merchant")
    assert parcels.count() == 3
    assert {p.carrier for p in parcels} == {"sf", "jd", "ems"}
    for parcel in parcels:
        assert parcel.order.status == Order.Status.SHIPPED and len(parcel.tracking_number) >= 6
        assert parcel.insured_value <= parcel.order.amount_cny
        assert OrderEvent.objects.filter(order=parcel.order, to_status="shipped").exists()
    before = Shipment.objects.count()
    call_command("seed_demo", merchants=6, force=True, verbosity=0)
    assert Shipment.objects.count() == before


def test_seed_demo_refuses_without_debug(settings, db):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)


def test_a_foreign_or_missing_page_is_the_sites_own_404_in_the_persons_language(
    client_zh, owner, other_merchant
):
    client_zh.force_login(owner)
    response = client_zh.get(f"/merchants/{other_merchant.pk}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>找不到此页面</h1>" in page
    assert 'name="viewport"' in page and 'href="/"' in page
    assert other_merchant.name not in page


def test_a_page_of_another_role_is_the_sites_own_403(client, owner):
    client.force_login(owner)
    response = client.get("/merchants/")
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.content.decode()
