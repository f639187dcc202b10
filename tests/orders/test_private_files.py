"""Private files: uploads are stored under random names; a breakage claim's photo lives outside
MEDIA_ROOT (or in a private bucket) and is read only through ``orders:claim_photo``, which asks
the claim's reach rule first. Product photos stay public under ``/media/``."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import Client, override_settings
from django.urls import reverse

from jingdezhen.core.storage import RandomName
from jingdezhen.settings import private_storage_config
from merchants.models import Merchant, Role, User
from orders.catalogue import services as catalogue_services
from orders.intake.specs import LineIn
from orders.models import BreakageClaim
from orders.ordering import claims, services
from tests import factories
from tests.conftest import login
from tests.support.db import demo_once

from .helpers import png

RANDOM = r"[0-9a-f]{2}/[0-9a-f]{32}"
S3_ENV = {
    "PRIVATE_STORAGE": "s3",
    "PRIVATE_S3_BUCKET": "jdz-private",
    "PRIVATE_S3_ENDPOINT_URL": "http://minio.invalid:9000",
    "PRIVATE_S3_REGION": "cn-east-1",
    "PRIVATE_S3_ACCESS_KEY_ID": "test-key",
    "PRIVATE_S3_SECRET_ACCESS_KEY": "test-secret",
    "PRIVATE_S3_ADDRESSING_STYLE": "path",
}


def _claim(merchant: Merchant, upload=None) -> BreakageClaim:
    """A shipped order of ``merchant`` with a breakage claim filed by the claim service."""
    reach = factories.merchant_reach(merchant)
    product = factories.ProductFactory(merchant=merchant, stock=5)
    order = services.order_place(
        reach=reach,
        merchant=merchant,
        platform="douyin",
        lines=[LineIn(product_id=product.pk, quantity=1)],
    )
    paid = services.order_pay(reach=reach, order=order)
    order = services.order_ship(reach=reach, order=paid, **factories.parcel())
    return claims.claim_file(
        reach=reach,
        order=order,
        line_ids=list(order.lines.values_list("pk", flat=True)),
        photo=upload or png(name="broken.png"),
    )


def _url(claim: BreakageClaim) -> str:
    return reverse("orders:claim_photo", args=[claim.pk])


def _bytes(response) -> bytes:
    return b"".join(response.streaming_content)


# Names --------------------------------------------------------------------------------------


def test_two_uploads_of_the_same_photo_in_one_month_get_different_random_names(merchant):
    reach = factories.merchant_reach(merchant)
    product = factories.ProductFactory(merchant=merchant)
    first = catalogue_services.product_photo_add(reach=reach, product=product, upload=png())
    second = catalogue_services.product_photo_add(reach=reach, product=product, upload=png())
    assert first.image.name != second.image.name
    assert first.thumbnail.name != second.thumbnail.name
    for photo in (first, second):
        assert re.fullmatch(rf"products/{RANDOM}\.png", photo.image.name), photo.image.name
        assert re.fullmatch(rf"products/thumbs/{RANDOM}\.jpg", photo.thumbnail.name)
    one, two = _claim(merchant), _claim(merchant)
    assert one.photo.name != two.photo.name
    assert re.fullmatch(rf"claims/{RANDOM}\.png", one.photo.name), one.photo.name
    # Nothing of the uploaded name, nor of the date, is in the stored one.
    assert "broken" not in one.photo.name and "20" not in one.photo.name.split("/")[1]


@pytest.mark.parametrize(
    "uploaded, suffix",
    [
        ("cup.JPG", ".jpg"),
        ("../../etc/passwd", ""),
        ("shell.php%00.png", ".png"),
        ("photo.png%00", ""),
        ("no-extension", ""),
        ("", ""),
        ("x." + "a" * 20, ""),
    ],
)
def test_a_random_name_keeps_only_a_plain_extension_and_stays_under_its_prefix(uploaded, suffix):
    name = RandomName("claims/")(None, uploaded)
    assert re.fullmatch(rf"claims/{RANDOM}{re.escape(suffix)}", name), name


def test_random_names_compare_by_prefix_so_migrations_stay_still():
    assert RandomName("claims") == RandomName("/claims/")
    assert RandomName("claims") != RandomName("products")
    path, args, kwargs = RandomName("claims").deconstruct()
    assert (path, args, kwargs) == ("jingdezhen.core.storage.RandomName", ("claims",), {})


# Where the files are ------------------------------------------------------------------------


def test_a_claim_photo_is_stored_outside_the_public_media_root(merchant, settings):
    claim = _claim(merchant)
    media = Path(settings.MEDIA_ROOT)
    private = media.with_name(f"{media.name}-private")
    assert (private / claim.photo.name).is_file()
    assert not (media / claim.photo.name).exists()
    assert not [path for path in media.rglob("*") if path.is_file()]
    with pytest.raises(ValueError, match="no public URL"):
        claim.photo.url  # noqa: B018


def test_private_media_root_moves_the_private_folder(merchant, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "vault"
    claim = _claim(merchant)
    assert (tmp_path / "vault" / claim.photo.name).is_file()


def test_product_photos_stay_public_under_media(merchant, settings):
    reach = factories.merchant_reach(merchant)
    product = factories.ProductFactory(merchant=merchant)
    photo = catalogue_services.product_photo_add(reach=reach, product=product, upload=png())
    assert photo.image.url == f"/media/{photo.image.name}"
    assert photo.thumbnail.url == f"/media/{photo.thumbnail.name}"
    assert (Path(settings.MEDIA_ROOT) / photo.image.name).is_file()


# Who may read a claim's photo ---------------------------------------------------------------


def test_merchant2_cannot_fetch_the_merchants_claim_photo_by_url(
    client, merchant, other_owner, settings
):
    claim = _claim(merchant)
    login(client, other_owner)
    assert client.get(_url(claim)).status_code == 404
    # Nor through the public media folder, whatever its name.
    assert client.get(f"/{settings.MEDIA_URL}{claim.photo.name}").status_code == 404


def test_the_claims_owner_gets_the_photos_bytes(
    client, merchant, owner, django_assert_max_num_queries
):
    claim = _claim(merchant)
    login(client, owner)
    with django_assert_max_num_queries(4):
        response = client.get(_url(claim))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    with claim.photo.open("rb") as stored:
        assert _bytes(response) == stored.read()


def test_a_manager_of_the_base_gets_the_photo_and_one_of_another_base_does_not(
    client, merchant, manager, other_base
):
    claim = _claim(merchant)
    login(client, manager)
    response = client.get(_url(claim))
    assert response.status_code == 200 and _bytes(response).startswith(b"\x89PNG")
    stranger = factories.UserFactory(role=Role.MANAGER, base=other_base)
    login(client, stranger)
    assert client.get(_url(claim)).status_code == 404


def test_a_trainer_is_refused_and_a_visitor_sent_to_log_in(client, merchant, trainer):
    claim = _claim(merchant)
    response = client.get(_url(claim))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    login(client, trainer)
    assert client.get(_url(claim)).status_code == 403


def test_a_missing_claim_and_a_claim_whose_file_is_gone_answer_404(client, merchant, owner):
    claim = _claim(merchant)
    login(client, owner)
    assert client.get(reverse("orders:claim_photo", args=[claim.pk + 1000])).status_code == 404
    claim.photo.delete(save=False)
    assert client.get(_url(claim)).status_code == 404


def test_behind_nginx_the_proxy_sends_the_file(client, merchant, owner, settings):
    settings.PRIVATE_FILES_ACCEL = "/protected/"
    claim = _claim(merchant)
    login(client, owner)
    response = client.get(_url(claim))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{claim.photo.name}"
    assert response["Content-Type"] == "image/png"
    assert response.content == b""


def test_the_order_page_links_the_guarded_url_not_a_media_url(client, merchant, owner):
    claim = _claim(merchant)
    login(client, owner)
    page = client.get(reverse("orders:order_detail", args=[claim.order_id])).content.decode()
    assert f'href="{_url(claim)}"' in page
    assert "/media/claims" not in page and claim.photo.name not in page


def test_the_admin_links_the_guarded_url(client, merchant):
    claim = _claim(merchant)
    admin = factories.UserFactory(role=Role.MANAGER, is_staff=True, is_superuser=True)
    login(client, admin)
    response = client.get(reverse("admin:orders_breakageclaim_change", args=[claim.pk]))
    assert response.status_code == 200
    assert _url(claim) in response.content.decode()


# Object storage (S3-compatible: Aliyun OSS, MinIO) ------------------------------------------


def test_the_private_storage_is_files_on_disk_unless_told_otherwise():
    assert private_storage_config({}) == {
        "BACKEND": "jingdezhen.core.storage.PrivateFileSystemStorage"
    }
    assert private_storage_config({"PRIVATE_STORAGE": "filesystem"}) == private_storage_config({})


def test_private_storage_s3_configures_a_private_bucket_with_signed_urls():
    config = private_storage_config({**S3_ENV, "PRIVATE_FILES_URL_SECONDS": "120"})
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "jdz-private"
    assert options["endpoint_url"] == "http://minio.invalid:9000"
    assert options["querystring_auth"] is True and options["querystring_expire"] == 120
    assert options["default_acl"] == "private" and options["custom_domain"] is None


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"PRIVATE_STORAGE": "s3"}, "PRIVATE_S3_BUCKET"),
        ({"PRIVATE_STORAGE": "ftp"}, "'filesystem' or 's3'"),
    ],
)
def test_a_wrong_private_storage_is_refused_at_start(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        private_storage_config(environ)


def test_with_a_bucket_the_reader_is_redirected_to_a_short_lived_signed_url(
    client, merchant, owner, other_owner
):
    claim = _claim(merchant)
    s3 = {**storages.backends, "private": private_storage_config(S3_ENV)}
    with override_settings(STORAGES=s3):
        assert type(storages["private"]).__name__ == "S3Storage"
        login(client, owner)
        response = client.get(_url(claim))  # signing needs no network
        assert response.status_code == 302
        assert "no-store" in response["Cache-Control"]
        location = urlsplit(response["Location"])
        assert f"{location.scheme}://{location.netloc}" == "http://minio.invalid:9000"
        assert location.path == f"/jdz-private/{claim.photo.name}"
        query = parse_qs(location.query)
        assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"][0]
        login(client, other_owner)
        assert client.get(_url(claim)).status_code == 404
    # Back on disk once the setting is gone: the field follows STORAGES, not its import time.
    login(client, owner)
    assert client.get(_url(claim)).status_code == 200


# Claims filed while photos were public ------------------------------------------------------


def test_the_migration_moves_public_claim_photos_into_the_private_storage(client, merchant, owner):
    claim = _claim(merchant)
    legacy = default_storage.save("claims/2026/11/photo.png", ContentFile(png().read()))
    BreakageClaim.objects.filter(pk=claim.pk).update(photo=legacy)
    migration = importlib.import_module(
        "orders.migrations.0009_private_claim_photos_random_upload_names"
    )
    migration.claim_photos_to_private(apps, None)
    migration.claim_photos_to_private(apps, None)  # a second run changes nothing
    assert not default_storage.exists(legacy)
    assert storages["private"].exists(legacy)
    login(client, owner)
    response = client.get(_url(claim))
    assert response.status_code == 200 and _bytes(response).startswith(b"\x89PNG")


# The demo accounts --------------------------------------------------------------------------

seeded = demo_once(merchants=3)


@pytest.fixture
def demo(seeded, db, settings):
    settings.MEDIA_ROOT = seeded  # where the seed wrote (its private folder is beside it)
    zhou = Merchant.objects.get(team__user__username="merchant")
    return BreakageClaim.objects.filter(order__merchant=zhou).order_by("pk").first()


@pytest.mark.parametrize(
    "username, status", [("merchant", 200), ("manager", 200), ("merchant2", 404)]
)
def test_demo_claim_photo_of_merchant_is_for_merchant_and_manager_only(demo, username, status):
    client = login(Client(), User.objects.get(username=username))
    response = client.get(_url(demo))
    assert response.status_code == status
    if status == 200:
        assert _bytes(response)[:2] == b"\xff\xd8"  # the seed's drawn JPEG
