"""Flash deals from the stream page: units set aside, on the run sheet, returned at the end."""

import collections
import datetime as dt
import re

from django.utils import timezone

from livestreams.models import LiveStream
from orders.models import FlashDeal
from tests import factories
from tests.conftest import login


def _live_stream(merchant):
    now = timezone.now()
    return factories.LiveStreamFactory(
        merchant=merchant,
        planned_start=now - dt.timedelta(minutes=30),
        planned_end=now + dt.timedelta(hours=1),
        status=LiveStream.Status.LIVE,
    )


def test_a_merchant_starts_and_ends_a_flash_deal_from_the_stream_page(client, owner, merchant):
    product = factories.ProductFactory(merchant=merchant, stock=10, name="Celadon bowl")
    stream = _live_stream(merchant)
    login(client, owner)
    response = client.post(
        f"/streams/{stream.pk}/deals/",
        {
            "product": product.pk,
            "deal_price": "99.00",
            "quantity": 4,
            "per_buyer_limit": 1,
            "minutes": 10,
        },
        follow=True,
    )
    assert "Flash deal started" in response.content.decode()
    deal = FlashDeal.objects.get(stream=stream)
    product.refresh_from_db()
    assert (deal.remaining, product.stock) == (4, 6)

    sheet = client.get(f"/streams/{stream.pk}/run-sheet/", HTTP_HX_REQUEST="true")
    assert "Celadon bowl" in sheet.content.decode() and "Flash deal" in sheet.content.decode()

    client.post(f"/streams/{stream.pk}/deals/{deal.pk}/end/")
    product.refresh_from_db()
    deal.refresh_from_db()
    assert deal.ended and product.stock == 10


def test_a_deal_larger_than_the_stock_is_refused_and_nothing_is_set_aside(client, owner, merchant):
    product = factories.ProductFactory(merchant=merchant, stock=2)
    stream = _live_stream(merchant)
    login(client, owner)
    response = client.post(
        f"/streams/{stream.pk}/deals/",
        {
            "product": product.pk,
            "deal_price": "99.00",
            "quantity": 5,
            "per_buyer_limit": 1,
            "minutes": 10,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not FlashDeal.objects.exists()
    product.refresh_from_db()
    assert product.stock == 2


def test_another_merchant_cannot_start_or_end_a_deal(client, other_owner, merchant):
    product = factories.ProductFactory(merchant=merchant, stock=10)
    stream = _live_stream(merchant)
    login(client, other_owner)
    data = {
        "product": product.pk,
        "deal_price": "1",
        "quantity": 5,
        "per_buyer_limit": 1,
        "minutes": 10,
    }
    assert client.post(f"/streams/{stream.pk}/deals/", data).status_code == 404
    assert not FlashDeal.objects.exists()


def test_the_stream_page_gives_each_form_field_its_own_id(client, owner, merchant):
    """The run sheet's and the flash deal's product pickers both showed as id_product."""
    factories.ProductFactory(merchant=merchant, stock=10, name="Celadon bowl")
    stream = _live_stream(merchant)
    login(client, owner)
    html = client.get(f"/streams/{stream.pk}/").content.decode()
    ids = collections.Counter(re.findall(r'\bid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
    assert 'id="id_product"' in html and 'id="id_deal_product"' in html
    assert 'for="id_deal_product"' in html
