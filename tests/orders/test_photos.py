import io

import pytest
from PIL import Image

from orders.models import ProductPhoto
from tests import factories
from tests.conftest import login

from .helpers import decompression_bomb, jpeg_with_exif, not_an_image, png


@pytest.fixture
def product(merchant):
    return factories.ProductFactory(merchant=merchant)


def test_an_uploaded_photo_loses_its_exif_and_gets_a_thumbnail(api_client, owner, product):
    api_client.force_authenticate(owner)
    response = api_client.post(
        f"/api/v1/products/{product.pk}/photos/", {"image": jpeg_with_exif()}, format="multipart"
    )
    assert response.status_code == 201, response.content
    photo = ProductPhoto.objects.get(product=product)
    assert (photo.width, photo.height) == (64, 48)
    with photo.image.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert b"SecretCam" not in stored.info.get("exif", b"")
    with photo.thumbnail.open("rb") as fh:
        assert Image.open(io.BytesIO(fh.read())).size[0] <= 480


def test_a_png_with_transparency_is_kept_as_png(api_client, owner, product):
    api_client.force_authenticate(owner)
    response = api_client.post(
        f"/api/v1/products/{product.pk}/photos/", {"image": png()}, format="multipart"
    )
    assert response.status_code == 201
    assert ProductPhoto.objects.get().image.name.endswith(".png")


def test_a_file_that_is_not_an_image_is_refused_by_its_content(api_client, owner, product):
    api_client.force_authenticate(owner)
    response = api_client.post(
        f"/api/v1/products/{product.pk}/photos/", {"image": not_an_image()}, format="multipart"
    )
    assert response.status_code == 400
    assert "image" in response.json()
    assert not ProductPhoto.objects.exists()


def test_a_decompression_bomb_gets_a_clear_400_and_nothing_is_stored(
    api_client, owner, product, settings
):
    api_client.force_authenticate(owner)
    response = api_client.post(
        f"/api/v1/products/{product.pk}/photos/",
        {"image": decompression_bomb()},
        format="multipart",
    )
    assert response.status_code == 400
    assert "too many pixels" in response.json()["image"][0]
    assert not ProductPhoto.objects.exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_the_photo_page_form_shows_the_error_next_to_the_field(client, owner, product):
    login(client, owner)
    response = client.post(
        f"/catalogue/{product.pk}/photos/", {"image": decompression_bomb()}, follow=False
    )
    assert response.status_code == 400
    assert "too many pixels" in response.content.decode()
    assert not ProductPhoto.objects.exists()
