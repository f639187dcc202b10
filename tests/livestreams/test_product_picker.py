"""The run sheet's "add a product" picker: a search of the stream's merchant's catalogue by SKU
or name, each choice with its SKU, thumbnail and stock; the form still posts ``product``."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from jingdezhen.core.tenancy import reach_for
from livestreams.models import FeaturedProduct
from orders.catalogue import services as catalogue_services
from tests import factories
from tests.conftest import login
from tests.orders.helpers import jpeg_with_exif


def _stream(merchant):
    start = timezone.now() + dt.timedelta(hours=2)
    return factories.LiveStreamFactory(
        merchant=merchant, planned_start=start, planned_end=start + dt.timedelta(hours=2)
    )


def _url(stream) -> str:
    return f"/streams/{stream.pk}/featured/products/"


def _picked_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="product" value="(\d+)"', html)]


def test_the_picker_finds_products_by_sku_or_name_with_stock_and_thumbnail(client, owner, merchant):
    vase = factories.ProductFactory(merchant=merchant, sku="QH-VASE-9", name="Meiping", stock=7)
    bowl = factories.ProductFactory(merchant=merchant, sku="CEL-01", name="Celadon bowl")
    catalogue_services.product_photo_add(
        reach=reach_for(owner), product=vase, upload=jpeg_with_exif()
    )
    stream = _stream(merchant)
    login(client, owner)
    by_sku = client.get(_url(stream), {"product_q": "qh-vase"}).content.decode()
    assert _picked_ids(by_sku) == [vase.pk]
    assert "QH-VASE-9" in by_sku and "Stock: 7" in by_sku
    assert vase.photos.get().thumbnail.url in by_sku
    by_name = client.get(_url(stream), {"product_q": "celadon"}).content.decode()
    assert _picked_ids(by_name) == [bowl.pk]


def test_an_exact_sku_comes_first(client, owner, merchant):
    longer = factories.ProductFactory(merchant=merchant, sku="CUP-10", name="A cup")
    exact = factories.ProductFactory(merchant=merchant, sku="CUP-1", name="Z cup")
    login(client, owner)
    html = client.get(_url(_stream(merchant)), {"product_q": "cup-1"}).content.decode()
    assert _picked_ids(html) == [exact.pk, longer.pk]


def test_the_picker_never_shows_another_merchants_products(
    client, owner, merchant, other_merchant, other_owner
):
    factories.ProductFactory(merchant=other_merchant, sku="THEIRS-1", name="Their vase")
    mine = factories.ProductFactory(merchant=merchant, sku="MINE-1", name="My vase")
    stream = _stream(merchant)
    login(client, owner)
    html = client.get(_url(stream), {"product_q": "vase"}).content.decode()
    assert _picked_ids(html) == [mine.pk] and "THEIRS-1" not in html
    # Another merchant's stream is not found at all.
    theirs = _stream(other_merchant)
    assert client.get(_url(theirs), {"product_q": "vase"}).status_code == 404


def test_the_picker_shows_at_most_twenty_in_a_constant_number_of_queries(
    client, owner, merchant, django_assert_max_num_queries
):
    for n in range(30):
        factories.ProductFactory(merchant=merchant, sku=f"BW-{n:03d}", name=f"Bowl {n}")
    stream = _stream(merchant)
    login(client, owner)
    client.get(_url(stream))
    with django_assert_max_num_queries(8):
        html = client.get(_url(stream), {"product_q": "bw-"}).content.decode()
    assert len(_picked_ids(html)) == 20


def test_a_search_longer_than_its_bound_is_a_400(client, owner, merchant):
    stream = _stream(merchant)
    login(client, owner)
    response = client.get(_url(stream), {"product_q": "x" * 65})
    assert response.status_code == 400 and "product_q" in response.content.decode()
    assert client.get(f"/streams/{stream.pk}/", {"product_q": "x" * 65}).status_code == 400


def test_a_picked_product_is_added_to_the_run_sheet(client, owner, merchant):
    for n in range(25):
        factories.ProductFactory(merchant=merchant, sku=f"AA-{n:03d}", name=f"A bowl {n}")
    far = factories.ProductFactory(merchant=merchant, sku="ZZ-LAST", name="Zisha teapot")
    stream = _stream(merchant)
    login(client, owner)
    page = client.get(f"/streams/{stream.pk}/").content.decode()
    assert far.pk not in _picked_ids(page)  # not among the first twenty ...
    found = client.get(f"/streams/{stream.pk}/", {"product_q": "zisha"}).content.decode()
    assert _picked_ids(found) == [far.pk]  # ... found without JavaScript by the page's search
    response = client.post(f"/streams/{stream.pk}/featured/", {"product": far.pk}, follow=True)
    assert response.status_code == 200
    assert FeaturedProduct.objects.get(stream=stream).product_id == far.pk
