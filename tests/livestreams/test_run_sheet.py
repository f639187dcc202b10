"""The host's run sheet: photos, the sticky bar, the one-tap flash deal, "end stream" from the bar,
focus mode; who may act; the page's query count."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from livestreams.models import FeaturedProduct, LiveStream
from merchants.models import TeamMember
from orders.models import FlashDeal, ProductPhoto
from tests import factories
from tests.conftest import login


def _live_stream(merchant, **kwargs):
    now = timezone.now()
    return factories.LiveStreamFactory(
        merchant=merchant,
        planned_start=now - dt.timedelta(minutes=30),
        planned_end=now + dt.timedelta(hours=1),
        status=LiveStream.Status.LIVE,
        actual_start=now - dt.timedelta(minutes=20),
        **kwargs,
    )


def _feature(stream, product, position, live_price=None):
    return FeaturedProduct.objects.create(
        stream=stream, product=product, position=position, live_price=live_price
    )


def _photo(product):
    return ProductPhoto.objects.create(
        product=product,
        image=SimpleUploadedFile("p.jpg", b"x", content_type="image/jpeg"),
        thumbnail=SimpleUploadedFile("t.jpg", b"x", content_type="image/jpeg"),
        width=480,
        height=480,
    )


def _sheet(client, stream, **extra):
    return client.get(reverse("livestreams:run_sheet", args=[stream.pk]), **extra)


def _deal(client, stream, product_id, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("livestreams:run_sheet_flash_deal", args=[stream.pk]),
        {"product": product_id},
        **headers,
    )


def test_the_run_sheet_shows_photos_and_a_sticky_bar_with_now_showing_and_next(
    client, owner, merchant
):
    stream = _live_stream(merchant)
    bowl = factories.ProductFactory(merchant=merchant, name="Celadon bowl", stock=30)
    vase = factories.ProductFactory(merchant=merchant, name="Blue vase", stock=4)
    _photo(bowl)
    first = _feature(stream, bowl, 1, live_price=Decimal("88.00"))
    _feature(stream, vase, 2)
    stream.showing = first
    stream.save(update_fields=["showing"])
    login(client, owner)
    html = _sheet(client, stream).content.decode()
    assert 'class="runsheet-photo" src="' in html and 'loading="lazy"' in html
    assert 'alt="Celadon bowl"' in html and "No photo yet" in html  # the vase has none
    assert 'class="runsheet-bar no-print"' in html
    bar = html[html.index("runsheet-bar no-print") :]
    assert "Celadon bowl" in bar and "Blue vase" in bar and "Show next" in bar
    # The one-tap deal says what it will do: the live price, 10 units of 30, five minutes.
    assert "Flash deal ¥88.00 \u00d7 10 · 5 min" in bar
    assert "End stream" in bar and 'hx-confirm="End the stream now?"' in bar
    assert "data-print" in html and "wakelock.js" in html
    assert 'class="topbar"' in html


def test_focus_mode_leaves_out_the_site_header_and_footer(client, owner, merchant):
    stream = _live_stream(merchant)
    login(client, owner)
    html = _sheet(client, stream, data={"focus": "1"}).content.decode()
    assert 'class="topbar"' not in html and 'class="footer"' not in html
    assert "Leave focus mode" in html


def test_one_tap_starts_a_flash_deal_for_the_shown_product_through_the_flash_deal_service(
    client, owner, merchant
):
    stream = _live_stream(merchant)
    bowl = factories.ProductFactory(merchant=merchant, stock=6, price=Decimal("120.00"))
    stream.showing = _feature(stream, bowl, 1)
    stream.save(update_fields=["showing"])
    login(client, owner)
    response = _deal(client, stream, bowl.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Flash deal started" in html and 'id="runsheet-items"' in html
    deal = FlashDeal.objects.get(stream=stream)
    bowl.refresh_from_db()
    # The product's price (no live price), all 6 units (fewer than 10), five minutes.
    assert (deal.deal_price, deal.quantity, deal.remaining) == (Decimal("120.00"), 6, 6)
    assert deal.duration == dt.timedelta(minutes=5) and deal.per_buyer_limit == 1
    assert bowl.stock == 0
    # While it runs the bar shows what is left instead of a second button.
    assert "6 of 6 left" in html and "Flash deal ¥" not in html
    # A second tap while it runs (a stale page) starts no second deal.
    twice = _deal(client, stream, bowl.pk)
    assert twice.status_code == 409 and "running already" in twice.content.decode()
    # No stock left: a second deal is refused, naming why (400, not 500).
    FlashDeal.objects.filter(pk=deal.pk).update(ended=True)
    again = _deal(client, stream, bowl.pk)
    assert again.status_code == 400 and "No stock left" in again.content.decode()
    assert FlashDeal.objects.filter(stream=stream).count() == 1


def test_a_deal_on_a_product_not_on_the_run_sheet_is_a_400(client, owner, merchant):
    stream = _live_stream(merchant)
    _feature(stream, factories.ProductFactory(merchant=merchant, stock=5), 1)
    elsewhere = factories.ProductFactory(merchant=merchant, stock=5)
    login(client, owner)
    for value in (elsewhere.pk, "abc", "", "9" * 40):
        response = _deal(client, stream, value)
        assert response.status_code == 400, value
        assert "This product is not on the run sheet." in response.content.decode()
    assert _deal(client, stream, elsewhere.pk, htmx=False).status_code == 400
    assert not FlashDeal.objects.exists()


def test_a_deal_for_an_ended_stream_is_refused_with_a_409(client, owner, merchant):
    stream = _live_stream(merchant)
    bowl = factories.ProductFactory(merchant=merchant, stock=5)
    _feature(stream, bowl, 1)
    LiveStream.objects.filter(pk=stream.pk).update(
        status=LiveStream.Status.ENDED, actual_end=timezone.now() - dt.timedelta(minutes=1)
    )
    login(client, owner)
    response = _deal(client, stream, bowl.pk)
    assert response.status_code == 409
    assert not FlashDeal.objects.exists()


def test_another_merchants_run_sheet_answers_404(client, owner, other_merchant):
    theirs = _live_stream(other_merchant)
    product = factories.ProductFactory(merchant=other_merchant, stock=5)
    _feature(theirs, product, 1)
    login(client, owner)
    assert _sheet(client, theirs).status_code == 404
    assert _deal(client, theirs, product.pk).status_code == 404
    assert not FlashDeal.objects.exists()


def test_only_the_crew_reads_the_sheet_and_its_host_shows_runs_a_deal_and_ends_it(client, merchant):
    host_user = factories.member_user(merchant, role=TeamMember.Role.HOST, username="host1")
    host = TeamMember.objects.get(user=host_user)
    crewed = _live_stream(merchant, host=host)
    other = _live_stream(merchant)
    bowl = factories.ProductFactory(merchant=merchant, stock=5)
    item = _feature(crewed, bowl, 1)
    _feature(other, bowl, 1)
    login(client, host_user)
    assert _sheet(client, other).status_code == 404  # a stream they do not crew
    html = _sheet(client, crewed).content.decode()
    assert "Show next" in html and "End stream" in html
    client.post(
        reverse("livestreams:featured_action", args=[crewed.pk, item.pk, "show"]),
        HTTP_HX_REQUEST="true",
    )
    assert "Flash deal ¥" in _sheet(client, crewed).content.decode()  # the host calls deals
    assert _deal(client, crewed, bowl.pk).status_code == 200
    assert FlashDeal.objects.filter(stream=crewed, product=bowl).count() == 1
    assistant_user = factories.member_user(
        merchant, role=TeamMember.Role.ASSISTANT, username="assistant1"
    )
    crewed.assistant_host = TeamMember.objects.get(user=assistant_user)
    crewed.save(update_fields=["assistant_host"])
    login(client, assistant_user)
    assert "Flash deal ¥" not in _sheet(client, crewed).content.decode()
    login(client, host_user)
    ended = client.post(
        reverse("livestreams:stream_action", args=[crewed.pk, "end"]), HTTP_HX_REQUEST="true"
    )
    assert ended.headers["HX-Redirect"] == reverse("livestreams:stream_detail", args=[crewed.pk])
    crewed.refresh_from_db()
    assert crewed.status == LiveStream.Status.ENDED


def test_the_run_sheet_runs_a_constant_number_of_queries(
    client, owner, merchant, django_assert_max_num_queries
):
    stream = _live_stream(merchant)
    login(client, owner)

    def add(n):
        start = stream.featured.count()
        for i in range(n):
            product = factories.ProductFactory(merchant=merchant, stock=5)
            _photo(product)
            _photo(product)
            _feature(stream, product, start + i + 1)

    add(2)
    stream.showing = stream.featured.first()
    stream.save(update_fields=["showing"])
    _sheet(client, stream)  # warm the session
    with django_assert_max_num_queries(8) as few:
        assert _sheet(client, stream).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _sheet(client, stream, HTTP_HX_REQUEST="true").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _sheet(client, stream).status_code == 200
