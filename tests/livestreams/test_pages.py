import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from livestreams.models import FeaturedProduct, LiveStream
from orders.models import Order, OrderLine, Product
from tests import factories
from tests.conftest import login

from .conftest import at

pytestmark = pytest.mark.django_db


def _product(merchant, name="Blue-and-white cup", stock=12, sku=None):
    return Product.objects.create(
        merchant=merchant,
        sku=sku or name,
        name=name,
        price=Decimal("280.00"),
        stock=stock,
        story="Painted by hand in Jingdezhen.",
    )


def test_a_merchant_schedules_runs_and_reports_a_stream_through_the_pages(
    client, owner, merchant, room, rules, host
):
    login(client, owner)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    form = {
        "title": "Tea night",
        "platform": "douyin",
        "day": tomorrow,
        "start_time": "20:00",
        "end_time": "22:00",
        "room": room.pk,
        "host": host.pk,
    }
    response = client.post(reverse("livestreams:stream_create"), form)
    assert response.status_code == 302
    stream = LiveStream.objects.get(title="Tea night")

    # a clash is explained next to the room field
    clash = client.post(
        reverse("livestreams:stream_create"),
        {**form, "title": "Second", "start_time": "21:00", "end_time": "23:00", "host": ""},
    )
    assert clash.status_code == 200
    assert "Room 3 is already booked for your stream “Tea night”" in clash.content.decode()

    # a recurring series, one clash reported, the rest booked
    series = client.post(
        reverse("livestreams:series_create"),
        {
            "title": "Nightly Douyin",
            "platform": "douyin",
            "start_time": "20:30",
            "duration_minutes": 60,
            "first_date": tomorrow,
            "weeks": 1,
            "weekdays": list("0123456"),
            "room": room.pk,
        },
    )
    assert series.status_code == 200
    body = series.content.decode()
    assert "6 streams booked" in body and "Dates not booked" in body

    # the calendar shows the week, and its next week arrives by htmx
    page = client.get(reverse("livestreams:calendar"))
    assert "Tea night" in page.content.decode()
    next_week = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    partial = client.get(
        reverse("livestreams:calendar") + f"?week={next_week}", HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200 and "<html" not in partial.content.decode()

    # run sheet: add a product, go live (move the stream to now), mark it shown, end, results
    cup = _product(merchant)
    client.post(
        reverse("livestreams:featured_add", args=[stream.pk]),
        {"product": cup.pk, "talking_points": "Cobalt from Zhejiang", "live_price": "199.00"},
    )
    featured = FeaturedProduct.objects.get(stream=stream)
    LiveStream.objects.filter(pk=stream.pk).update(
        planned_start=timezone.now() - dt.timedelta(minutes=1),
        planned_end=timezone.now() + dt.timedelta(hours=1),
        blocked_until=timezone.now() + dt.timedelta(hours=1, minutes=15),
    )
    client.post(reverse("livestreams:stream_action", args=[stream.pk, "go-live"]))
    sheet = client.get(reverse("livestreams:run_sheet", args=[stream.pk]))
    html = sheet.content.decode()
    assert 'hx-trigger="every 5s"' in html and "Cobalt from Zhejiang" in html and "199.00" in html
    shown = client.post(
        reverse("livestreams:featured_action", args=[stream.pk, featured.pk, "show"]),
        HTTP_HX_REQUEST="true",
    )
    assert "Now showing" in shown.content.decode()
    client.post(reverse("livestreams:stream_action", args=[stream.pk, "end"]))
    client.post(
        reverse("livestreams:stream_results", args=[stream.pk]),
        {"unique_viewers": 4000, "peak_viewers": 500, "avg_watch_seconds": 80},
    )
    stream.refresh_from_db()
    assert stream.status == LiveStream.Status.ENDED and stream.unique_viewers == 4000
    assert client.get(reverse("livestreams:stream_report", args=[stream.pk])).status_code == 200


def test_a_merchant_cannot_read_or_change_another_merchants_stream(
    client, owner, other_merchant, rules
):
    theirs = factories.LiveStreamFactory(merchant=other_merchant, planned_start=at(1, 10))
    login(client, owner)
    for name in ("stream_detail", "stream_edit", "run_sheet", "stream_report"):
        assert client.get(reverse(f"livestreams:{name}", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("livestreams:stream_action", args=[theirs.pk, "cancel"])).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == LiveStream.Status.SCHEDULED


def test_the_api_hides_and_refuses_another_merchants_streams(
    api_client, owner, merchant, other_merchant, room, rules
):
    theirs = factories.LiveStreamFactory(merchant=other_merchant, planned_start=at(1, 10))
    api_client.force_authenticate(owner)
    assert api_client.get(f"/api/v1/streams/{theirs.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/streams/{theirs.pk}/cancel/").status_code == 404
    assert api_client.patch(f"/api/v1/streams/{theirs.pk}/", {"title": "x"}).status_code == 404
    response = api_client.post(
        "/api/v1/streams/",
        {
            "merchant": other_merchant.pk,
            "title": "x",
            "platform": "douyin",
            "planned_start": at(1, 12).isoformat(),
            "planned_end": at(1, 13).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 404
    assert api_client.get("/api/v1/streams/").json()["count"] == 0


def test_the_api_books_a_stream_and_answers_409_naming_the_clash(api_client, owner, room, rules):
    api_client.force_authenticate(owner)
    payload = {
        "title": "API night",
        "platform": "douyin",
        "room": room.pk,
        "planned_start": at(1, 20).isoformat(),
        "planned_end": at(1, 22).isoformat(),
    }
    created = api_client.post("/api/v1/streams/", payload, format="json")
    assert created.status_code == 201 and created.json()["featured"] == []
    clash = api_client.post("/api/v1/streams/", {**payload, "title": "Again"}, format="json")
    assert clash.status_code == 409
    assert "API night" in clash.json()["room"][0]
    assert api_client.get("/api/v1/rooms/").json()["count"] == 1


def test_the_stream_list_api_runs_a_constant_number_of_queries(
    api_client, owner, merchant, django_assert_max_num_queries
):
    api_client.force_authenticate(owner)
    for n in (2, 30):
        for i in range(n):
            s = factories.LiveStreamFactory(merchant=merchant, planned_start=at(2 + i, 10))
            FeaturedProduct.objects.create(stream=s, product=_product(merchant, sku=f"{n}-{i}"))
        with django_assert_max_num_queries(8):
            assert api_client.get("/api/v1/streams/").status_code == 200


def test_the_calendar_runs_a_constant_number_of_queries(
    client, owner, merchant, django_assert_max_num_queries
):
    login(client, owner)
    for n in (2, 40):
        for i in range(n):
            factories.LiveStreamFactory(merchant=merchant, planned_start=at(i % 3, 10 + i % 12))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("livestreams:calendar")).status_code == 200


def test_managers_see_the_base_pages_and_merchants_do_not(client, manager, owner, room, rules):
    login(client, manager)
    for name in ("room_grid", "room_utilisation", "base_streams", "room_list"):
        assert client.get(reverse(f"livestreams:{name}")).status_code == 200
    filtered = client.get(
        reverse("livestreams:base_streams") + "?platform=douyin&status=scheduled&room=0&merchant=x"
    )
    assert filtered.status_code == 200
    client.logout()
    login(client, owner)
    assert client.get(reverse("livestreams:room_grid")).status_code == 403


def test_the_free_slots_leave_out_bookings_and_their_buffers(client, owner, merchant, room, rules):
    day = timezone.localdate() + dt.timedelta(days=1)
    factories.LiveStreamFactory(
        merchant=merchant,
        room=room,
        planned_start=at(1, 10),
        planned_end=at(1, 12),
        blocked_until=at(1, 12, 15),
    )
    login(client, owner)
    html = client.get(
        reverse("livestreams:free_slots") + f"?room={room.pk}&day={day.isoformat()}",
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert re.findall(r"\d\d:\d\d\u2013\d\d:\d\d", html) == ["08:00\u201309:45", "12:15\u201300:00"]


def test_the_edit_page_changes_a_stream_with_the_same_rules_as_booking(
    client, owner, merchant, room, rules
):
    kept = factories.LiveStreamFactory(
        merchant=merchant, room=room, title="Kept", planned_start=at(2, 14), planned_end=at(2, 15)
    )
    stream = factories.LiveStreamFactory(
        merchant=merchant, room=room, title="Tea", planned_start=at(2, 18), planned_end=at(2, 19)
    )
    login(client, owner)
    url = reverse("livestreams:stream_edit", args=[stream.pk])
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    form = {"title": "Tea night", "platform": stream.platform, "day": day, "room": room.pk}

    moved = client.post(url, {**form, "start_time": "20:00", "end_time": "21:30"})
    assert moved.status_code == 302
    stream.refresh_from_db()
    assert (stream.title, stream.planned_start, stream.planned_end) == (
        "Tea night",
        at(2, 20),
        at(2, 21, 30),
    )

    clash = client.post(url, {**form, "start_time": "14:30", "end_time": "15:30"})
    assert clash.status_code == 200
    assert f"{room.name} is already booked for your stream “{kept.title}”" in clash.content.decode()
    assert clash.context["stream"] == stream and clash.context["merchant"] == merchant


def test_date_and_time_fields_are_filled_in_iso_form_in_chinese_too(client, owner, merchant, room):
    """<input type=date> reads only 2026-12-03: the Chinese format 2026/12/03 left it empty."""
    stream = factories.LiveStreamFactory(
        merchant=merchant, room=room, planned_start=at(3, 16, 30), planned_end=at(3, 17, 30)
    )
    login(client, owner)
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    for url in (
        reverse("livestreams:stream_edit", args=[stream.pk]),
        reverse("livestreams:stream_create") + f"?day={day}",
    ):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert 'lang="zh-hans"' in html
        assert re.search(rf'<input type="date" name="day" value="{day}"', html), url
    html = client.get(
        reverse("livestreams:stream_edit", args=[stream.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert '<input type="time" name="start_time" value="16:30"' in html
    assert '<input type="time" name="end_time" value="17:30"' in html


def test_the_report_counts_gmv_of_counted_orders_and_compares_with_the_base(
    client, owner, merchant, other_merchant, rules
):
    cup = _product(merchant)
    streams = []
    for gmv in (Decimal("100"), Decimal("300"), Decimal("1000")):
        s = factories.LiveStreamFactory(
            merchant=merchant,
            status=LiveStream.Status.ENDED,
            unique_viewers=2000,
            planned_start=timezone.now() - dt.timedelta(days=len(streams) + 1),
        )
        order = Order.objects.create(
            merchant=merchant,
            platform="douyin",
            external_id=f"o{gmv}",
            stream=s,
            amount=gmv,
            amount_cny=gmv,
            units=2,
            status=Order.Status.PAID,
        )
        OrderLine.objects.create(order=order, product=cup, quantity=2, unit_price=gmv / 2)
        streams.append(s)
    Order.objects.create(  # a cancelled order does not count
        merchant=merchant,
        platform="douyin",
        external_id="x",
        stream=streams[2],
        amount=Decimal("999"),
        amount_cny=Decimal("999"),
        status=Order.Status.CANCELLED,
    )
    Order.objects.create(  # a refund is taken off
        merchant=merchant,
        platform="douyin",
        external_id="r",
        stream=streams[2],
        amount=Decimal("200"),
        amount_cny=Decimal("200"),
        refunded_cny=Decimal("200"),
        units=1,
        status=Order.Status.REFUNDED,
    )
    from jingdezhen.core.tenancy import reach_for
    from livestreams.selectors import stream_report

    report = stream_report(reach=reach_for(owner), stream=streams[2])
    assert report["gmv"] == Decimal("1000.00")
    assert report["orders"] == 2
    assert report["gpm"] == Decimal("500.00")
    assert report["merchant_median"] == Decimal("300.00")
    assert report["base_median"] == Decimal("300.00")
    assert report["base_top_quarter"] == Decimal("650.00")
    assert report["top_products"][0]["product__name"] == cup.name


def test_a_live_room_and_a_classroom_are_told_apart_in_chinese(client_zh, manager, room):
    # "Room" heads the room schedule (a live-stream room) and a cohort's room (a classroom).
    login(client_zh, manager)
    assert "<th>直播间</th>" in client_zh.get("/base/schedule/").content.decode()
    cohort = factories.CohortFactory(course__base=manager.base)
    assert "<dt>教室</dt>" in client_zh.get(f"/training/cohorts/{cohort.pk}/").content.decode()


def test_the_report_shows_a_median_of_zero_as_zero_not_as_missing(client, owner, merchant, rules):
    """Most streams sell nothing through attributed orders: their median GMV is 0.00, which the
    report printed as "—" (no data) beside a count of hundreds of streams."""
    streams = [
        factories.LiveStreamFactory(
            merchant=merchant,
            status=LiveStream.Status.ENDED,
            unique_viewers=0,
            planned_start=timezone.now() - dt.timedelta(days=n + 1),
        )
        for n in range(3)
    ]
    login(client, owner)
    html = client.get(reverse("livestreams:stream_report", args=[streams[0].pk])).content.decode()
    medians = re.findall(r'<td class="num">([^<]*)</td>', html)
    # this stream's GMV, the merchant's median, the base's median, the base's top quarter
    assert medians == ["0.00", "0.00", "0.00", "0.00"]
    assert '<span class="stat-value">0</span>' in html  # zero unique viewers recorded


def test_the_report_prints_a_stream_gmv_at_the_fen(client, owner, merchant, rules):
    """A stream's GMV (sum of amounts less refunds) once printed as "5329.07000000000"."""
    stream = factories.LiveStreamFactory(
        merchant=merchant,
        status=LiveStream.Status.ENDED,
        unique_viewers=3,
        planned_start=timezone.now() - dt.timedelta(days=1),
    )
    for n, (amount, refunded) in enumerate(
        [(Decimal("5000.00"), Decimal("0")), (Decimal("400.00"), Decimal("70.93"))]
    ):
        Order.objects.create(
            merchant=merchant,
            platform="douyin",
            external_id=f"gmv-{n}",
            stream=stream,
            amount=amount,
            amount_cny=amount,
            refunded_cny=refunded,
            units=1,
            status=Order.Status.PAID,
        )
    login(client, owner)
    html = client.get(reverse("livestreams:stream_report", args=[stream.pk])).content.decode()
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert cells[0] == "5,329.07"  # this stream's GMV
    assert '<span class="stat-value">5,329.07</span>' in html
    assert "5329.070" not in html
