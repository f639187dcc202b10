"""The API of series, run-sheet items, attendance, certificates and claims (issue #17, part 4):
each endpoint as each role allowed, a foreign object 404, bad input a 400 naming the field, and
lists in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from livestreams.models import FeaturedProduct, LiveStream, StreamSettings
from merchants.models import TeamMember
from orders.models import BreakageClaim, Order
from tests import factories
from tests.orders.helpers import not_an_image, png
from tests.training.helpers import attend, finish_cohort
from training.models import Attendance, Certificate

pytestmark = pytest.mark.django_db


def _fields(response) -> set[str]:
    """The fields an error body names (with its stable codes)."""
    body = response.json()
    assert "errors" in body, body
    return {error["field"] for error in body["errors"]}


@pytest.fixture
def rules(base):
    return StreamSettings.objects.create(base=base, changeover_minutes=15)


@pytest.fixture
def room(base):
    return factories.LiveRoomFactory(base=base, name="Room 3")


def _series_body(**changes) -> dict:
    first = timezone.localdate() + dt.timedelta(days=1)
    body = {
        "title": "Nightly celadon",
        "platform": "douyin",
        "start_time": "20:00",
        "duration_minutes": 60,
        "first_date": first.isoformat(),
        "last_date": (first + dt.timedelta(days=6)).isoformat(),
    }
    body.update(changes)
    return body


# --- series ------------------------------------------------------------------------------------


def test_an_owner_creates_a_series_and_reads_it_back(api_client, owner, merchant, rules):
    api_client.force_authenticate(owner)
    response = api_client.post("/api/v1/streams/series/", _series_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["series"]["merchant"] == merchant.pk
    assert body["series"]["scheduled_count"] == 7
    assert body["series"]["start_time"] == "20:00"
    assert len(body["streams"]) == 7 and body["clashes"] == []
    pk = body["series"]["id"]
    detail = api_client.get(f"/api/v1/streams/series/{pk}/")
    assert detail.status_code == 200 and detail.json()["title"] == "Nightly celadon"
    listed = api_client.get("/api/v1/streams/series/").json()["results"]
    assert [row["id"] for row in listed] == [pk]


def test_a_series_over_a_booked_room_reports_the_clash_in_its_answer(
    api_client, owner, other_merchant, room, rules
):
    first = timezone.localdate() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time(19, 30)))
    factories.LiveStreamFactory(
        merchant=other_merchant,
        room=room,
        planned_start=start,
        planned_end=start + dt.timedelta(hours=2),
    )
    api_client.force_authenticate(owner)
    response = api_client.post("/api/v1/streams/series/", _series_body(room=room.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["streams"]) == 6
    assert [clash["date"] for clash in body["clashes"]] == [first.isoformat()]
    assert body["clashes"][0]["message"]


def test_a_manager_names_the_merchant_of_a_series(api_client, manager, merchant, rules):
    api_client.force_authenticate(manager)
    refused = api_client.post("/api/v1/streams/series/", _series_body(), format="json")
    assert refused.status_code == 400 and _fields(refused) == {"merchant"}
    response = api_client.post(
        "/api/v1/streams/series/", _series_body(merchant=merchant.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["series"]["merchant"] == merchant.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"duration_minutes": 10**12}, "duration_minutes"),
        ({"weekdays": "78"}, "weekdays"),
        ({"weekdays": ""}, "weekdays"),
        ({"title": "x" * 161}, "title"),
        ({"platform": "myspace"}, "platform"),
        ({"start_time": "25:00"}, "start_time"),
        ({"start_time": "20:00+08:00"}, "start_time"),
        ({"start_time": 2000}, "start_time"),
        ({"first_date": "2026-13-01"}, "first_date"),
        ({"first_date": "1999-01-01", "last_date": "1999-01-02"}, "first_date"),
        ({"last_date": "2000-01-01"}, "last_date"),
        ({"host": 2**70}, "host"),
        ({"host": 999_999}, "host"),
    ],
)
def test_bad_input_to_a_series_is_a_400_naming_the_field(api_client, owner, rules, changes, field):
    api_client.force_authenticate(owner)
    response = api_client.post("/api/v1/streams/series/", _series_body(**changes), format="json")
    assert response.status_code == 400, response.json()
    assert _fields(response) == {field}


def test_a_foreign_series_is_a_404_on_every_route(
    api_client, owner, other_owner, other_merchant, rules
):
    api_client.force_authenticate(other_owner)
    pk = api_client.post("/api/v1/streams/series/", _series_body(), format="json").json()["series"][
        "id"
    ]
    api_client.force_authenticate(owner)
    assert api_client.get(f"/api/v1/streams/series/{pk}/").status_code == 404
    for route in ("cancel-from", "change-from"):
        # Foreign first: the body is not even read (an empty one would be a 400).
        response = api_client.post(f"/api/v1/streams/series/{pk}/{route}/", {}, format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_client.get("/api/v1/streams/series/").json()["results"] == []


def test_a_series_is_cancelled_and_changed_from_a_day_on(api_client, owner, rules):
    api_client.force_authenticate(owner)
    created = api_client.post("/api/v1/streams/series/", _series_body(), format="json").json()
    pk = created["series"]["id"]
    first = dt.date.fromisoformat(created["series"]["first_date"])
    changed = api_client.post(
        f"/api/v1/streams/series/{pk}/change-from/",
        {"from_date": first.isoformat(), "title": "Evening celadon", "start_time": "19:00"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert len(changed.json()["streams"]) == 7 and changed.json()["clashes"] == []
    assert changed.json()["series"]["title"] == "Evening celadon"
    titles = set(LiveStream.objects.filter(series_id=pk).values_list("title", flat=True))
    assert titles == {"Evening celadon"}
    cancelled = api_client.post(
        f"/api/v1/streams/series/{pk}/cancel-from/",
        {"from_date": (first + dt.timedelta(days=4)).isoformat()},
        format="json",
    )
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["cancelled"] == 3
    assert cancelled.json()["series"]["scheduled_count"] == 4
    bad = api_client.post(
        f"/api/v1/streams/series/{pk}/change-from/",
        {"from_date": first.isoformat(), "duration_minutes": 1},
        format="json",
    )
    assert bad.status_code == 400 and _fields(bad) == {"duration_minutes"}


def test_a_host_reads_series_but_may_not_create_one_and_a_trainer_is_refused(
    api_client, merchant, trainer, rules
):
    host = factories.member_user(merchant, role=TeamMember.Role.HOST, username="host1")
    api_client.force_authenticate(host)
    assert api_client.get("/api/v1/streams/series/").status_code == 200
    response = api_client.post("/api/v1/streams/series/", _series_body(), format="json")
    assert response.status_code == 403 and response.json()["code"]
    api_client.force_authenticate(trainer)
    assert api_client.get("/api/v1/streams/series/").status_code == 403
    refused = api_client.post("/api/v1/streams/series/", _series_body(), format="json")
    assert refused.status_code == 403


def test_the_series_list_runs_a_constant_number_of_queries(
    api_client, owner, manager, merchant, other_merchant, rules, django_assert_max_num_queries
):
    api_client.force_authenticate(owner)
    for weeks in range(4):
        first = timezone.localdate() + dt.timedelta(days=1 + 7 * weeks)
        body = _series_body(
            first_date=first.isoformat(), last_date=(first + dt.timedelta(days=2)).isoformat()
        )
        assert api_client.post("/api/v1/streams/series/", body, format="json").status_code == 201
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/streams/series/")
    assert response.status_code == 200 and response.json()["count"] == 4
    assert {row["scheduled_count"] for row in response.json()["results"]} == {3}


# --- run-sheet items ---------------------------------------------------------------------------


def _stream_and_products(merchant, count=2, **stream_kwargs):
    stream = factories.LiveStreamFactory(merchant=merchant, **stream_kwargs)
    products = [factories.ProductFactory(merchant=merchant) for _ in range(count)]
    return stream, products


def test_an_owner_builds_a_run_sheet_through_the_api(api_client, owner, merchant):
    stream, (cup, vase) = _stream_and_products(merchant)
    api_client.force_authenticate(owner)
    first = api_client.post(
        "/api/v1/streams/featured/",
        {"stream": stream.pk, "product": cup.pk, "live_price": "88.00"},
        format="json",
    )
    assert first.status_code == 201, first.json()
    assert first.json()["position"] == 1 and first.json()["live_price"] == "88.00"
    assert first.json()["talking_points"] == cup.story
    second = api_client.post(
        "/api/v1/streams/featured/",
        {"stream": stream.pk, "product": vase.pk, "talking_points": "Hand-thrown"},
        format="json",
    )
    assert second.status_code == 201 and second.json()["position"] == 2
    moved = api_client.post(
        f"/api/v1/streams/featured/{second.json()['id']}/move/", {"direction": "up"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["position"] == 1
    listed = api_client.get("/api/v1/streams/featured/", {"stream": stream.pk}).json()["results"]
    assert [row["product"] for row in listed] == [vase.pk, cup.pk]
    shown = api_client.post(f"/api/v1/streams/featured/{first.json()['id']}/show/")
    assert shown.status_code == 200 and shown.json()["shown_at"]
    stream.refresh_from_db()
    assert stream.showing_id == first.json()["id"]
    assert api_client.delete(f"/api/v1/streams/featured/{first.json()['id']}/").status_code == 204
    assert list(FeaturedProduct.objects.values_list("product", flat=True)) == [vase.pk]


def test_a_foreign_stream_or_product_on_a_run_sheet_is_a_404(
    api_client, owner, merchant, other_merchant
):
    stream, (cup,) = _stream_and_products(merchant, count=1)
    theirs, (their_cup,) = _stream_and_products(other_merchant, count=1)
    their_item = FeaturedProduct.objects.create(stream=theirs, product=their_cup)
    api_client.force_authenticate(owner)
    for body in (
        {"stream": theirs.pk, "product": cup.pk},
        {"stream": stream.pk, "product": their_cup.pk},
    ):
        response = api_client.post("/api/v1/streams/featured/", body, format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_client.get(f"/api/v1/streams/featured/{their_item.pk}/").status_code == 404
    assert api_client.delete(f"/api/v1/streams/featured/{their_item.pk}/").status_code == 404
    for route in ("move", "show"):
        response = api_client.post(f"/api/v1/streams/featured/{their_item.pk}/{route}/", {})
        assert response.status_code == 404
    assert api_client.get("/api/v1/streams/featured/").json()["results"] == []
    assert FeaturedProduct.objects.filter(pk=their_item.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"live_price": "-1.00"}, "live_price"),
        ({"live_price": "100000000.00"}, "live_price"),
        ({"live_price": "1.234"}, "live_price"),
        ({"talking_points": "x" * 2001}, "talking_points"),
        ({"talking_points": "nul \x00 byte"}, "talking_points"),
        ({"stream": 0}, "stream"),
        ({"product": 2**70}, "product"),
        ({"product": "cup"}, "product"),
    ],
)
def test_bad_input_to_a_run_sheet_is_a_400_naming_the_field(
    api_client, owner, merchant, changes, field
):
    stream, (cup,) = _stream_and_products(merchant, count=1)
    api_client.force_authenticate(owner)
    body = {"stream": stream.pk, "product": cup.pk, **changes}
    response = api_client.post("/api/v1/streams/featured/", body, format="json")
    assert response.status_code == 400, response.json()
    assert _fields(response) == {field}
    bad_move = api_client.post("/api/v1/streams/featured/", {"stream": stream.pk}, format="json")
    assert bad_move.status_code == 400 and _fields(bad_move) == {"product"}


def test_a_product_twice_or_a_finished_streams_run_sheet_is_a_409(api_client, owner, merchant):
    stream, (cup,) = _stream_and_products(merchant, count=1)
    ended, _products = _stream_and_products(merchant, count=0, status=LiveStream.Status.ENDED)
    api_client.force_authenticate(owner)
    body = {"stream": stream.pk, "product": cup.pk}
    assert api_client.post("/api/v1/streams/featured/", body, format="json").status_code == 201
    again = api_client.post("/api/v1/streams/featured/", body, format="json")
    assert again.status_code == 409 and _fields(again) == {"product"}
    late = api_client.post(
        "/api/v1/streams/featured/", {"stream": ended.pk, "product": cup.pk}, format="json"
    )
    assert late.status_code == 409 and late.json()["errors"][0]["code"] == "conflict"
    item = FeaturedProduct.objects.get(stream=stream)
    wrong = api_client.post(
        f"/api/v1/streams/featured/{item.pk}/move/", {"direction": "sideways"}, format="json"
    )
    assert wrong.status_code == 400 and _fields(wrong) == {"direction"}


def test_a_host_sees_and_shows_only_the_run_sheets_of_the_streams_it_crews(
    api_client, merchant, trainer
):
    user = factories.member_user(merchant, role=TeamMember.Role.HOST, username="host2")
    crewed, (cup,) = _stream_and_products(merchant, count=1, host=user.membership)
    other, _none = _stream_and_products(merchant, count=0)
    mine = FeaturedProduct.objects.create(stream=crewed, product=cup)
    hidden = FeaturedProduct.objects.create(stream=other, product=cup)
    api_client.force_authenticate(user)
    rows = api_client.get("/api/v1/streams/featured/").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert api_client.post(f"/api/v1/streams/featured/{mine.pk}/show/").status_code == 200
    assert api_client.post(f"/api/v1/streams/featured/{hidden.pk}/show/").status_code == 404
    api_client.force_authenticate(trainer)
    assert api_client.get("/api/v1/streams/featured/").status_code == 403


def test_the_run_sheet_list_runs_a_constant_number_of_queries(
    api_client, owner, merchant, django_assert_max_num_queries
):
    for _ in range(5):
        stream, products = _stream_and_products(merchant, count=3)
        for position, product in enumerate(products, start=1):
            FeaturedProduct.objects.create(stream=stream, product=product, position=position)
    api_client.force_authenticate(owner)
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/streams/featured/")
    assert response.status_code == 200 and response.json()["count"] == 15
    assert all(row["product_name"] for row in response.json()["results"])


def test_a_live_price_is_kept_to_the_fen(api_client, owner, merchant):
    stream, (cup,) = _stream_and_products(merchant, count=1)
    api_client.force_authenticate(owner)
    body = {"stream": stream.pk, "product": cup.pk, "live_price": "1288.50"}
    assert api_client.post("/api/v1/streams/featured/", body, format="json").status_code == 201
    assert FeaturedProduct.objects.get().live_price == Decimal("1288.50")


# --- attendance and certificates ---------------------------------------------------------------


def _cohort_with_trainees(base, *, trainees=3, days=3, ended=True):
    cohort = factories.CohortFactory(course=factories.CourseFactory(base=base), capacity=10)
    if ended:
        finish_cohort(cohort, days=days)
    enrollments = [factories.EnrollmentFactory(cohort=cohort) for _ in range(trainees)]
    return cohort, enrollments


def test_a_trainer_records_a_day_and_reads_the_sheet_back(api_client, trainer, manager, base):
    cohort, (ann, bo, cai) = _cohort_with_trainees(base)
    api_client.force_authenticate(trainer)
    body = {"cohort": cohort.pk, "day": cohort.starts_on.isoformat(), "present": [ann.pk, cai.pk]}
    response = api_client.post("/api/v1/training/attendance/", body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert (answer["cohort"], answer["day"], answer["recorded"]) == (
        cohort.pk,
        cohort.starts_on.isoformat(),
        3,
    )
    assert [(row["enrollment"], row["present"]) for row in answer["attendance"]] == [
        (ann.pk, True),
        (bo.pk, False),
        (cai.pk, True),
    ]
    # Sent again, the day is replaced, not doubled.
    body["present"] = [bo.pk]
    again = api_client.post("/api/v1/training/attendance/", body, format="json")
    assert again.status_code == 201
    assert Attendance.objects.filter(enrollment__cohort=cohort).count() == 3
    api_client.force_authenticate(manager)
    rows = api_client.get(
        "/api/v1/training/attendance/", {"cohort": cohort.pk, "present": "true"}
    ).json()["results"]
    assert [row["enrollment"] for row in rows] == [bo.pk]
    assert rows[0]["trainee_name"] == bo.trainee.name
    assert api_client.post("/api/v1/training/attendance/", body, format="json").status_code == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"day": "2026-02-30"}, "day"),
        ({"day": None}, "day"),
        ({"present": "everyone"}, "present"),
        ({"present": [0]}, "present"),
        ({"present": [2**70]}, "present"),
        ({"cohort": "x"}, "cohort"),
    ],
)
def test_bad_input_to_attendance_is_a_400_naming_the_field(
    api_client, trainer, base, changes, field
):
    cohort, _enrollments = _cohort_with_trainees(base)
    api_client.force_authenticate(trainer)
    body = {"cohort": cohort.pk, "day": cohort.starts_on.isoformat(), "present": [], **changes}
    response = api_client.post("/api/v1/training/attendance/", body, format="json")
    assert response.status_code == 400, response.json()
    assert {f.split(".")[0] for f in _fields(response)} == {field}


def test_attendance_outside_the_cohort_or_of_a_stranger_is_refused_by_the_service(
    api_client, trainer, base
):
    cohort, _enrollments = _cohort_with_trainees(base)
    _other, (stranger,) = _cohort_with_trainees(base, trainees=1)
    api_client.force_authenticate(trainer)
    late = {"cohort": cohort.pk, "day": timezone.localdate().isoformat(), "present": []}
    response = api_client.post("/api/v1/training/attendance/", late, format="json")
    assert response.status_code == 400 and _fields(response) == {"day"}
    odd = {"cohort": cohort.pk, "day": cohort.starts_on.isoformat(), "present": [stranger.pk]}
    response = api_client.post("/api/v1/training/attendance/", odd, format="json")
    assert response.status_code == 400 and _fields(response) == {"present"}
    assert not Attendance.objects.exists()


def test_a_foreign_cohorts_attendance_is_a_404_and_merchants_are_refused(
    api_client, trainer, owner, other_base
):
    cohort, (enrollment,) = _cohort_with_trainees(other_base, trainees=1)
    attend(enrollment)
    row = Attendance.objects.filter(enrollment=enrollment).first()
    api_client.force_authenticate(trainer)
    body = {"cohort": cohort.pk, "day": cohort.starts_on.isoformat(), "present": []}
    response = api_client.post("/api/v1/training/attendance/", body, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_client.get(f"/api/v1/training/attendance/{row.pk}/").status_code == 404
    assert api_client.get("/api/v1/training/attendance/").json()["results"] == []
    api_client.force_authenticate(owner)
    assert api_client.get("/api/v1/training/attendance/").status_code == 403
    assert api_client.post("/api/v1/training/attendance/", body, format="json").status_code == 403


def test_the_attendance_list_runs_a_constant_number_of_queries(
    api_client, trainer, base, django_assert_max_num_queries
):
    for _ in range(3):
        _cohort, enrollments = _cohort_with_trainees(base, trainees=4)
        for enrollment in enrollments:
            attend(enrollment)
    api_client.force_authenticate(trainer)
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/training/attendance/")
    assert response.status_code == 200 and response.json()["count"] == 36
    bad = api_client.get("/api/v1/training/attendance/", {"day": "tomorrow"})
    assert bad.status_code == 400 and _fields(bad) == {"day"}


def _certified(base, trainer, api_client) -> tuple:
    _cohort, (enrollment,) = _cohort_with_trainees(base, trainees=1)
    attend(enrollment)
    api_client.force_authenticate(trainer)
    done = api_client.post(f"/api/v1/training/enrollments/{enrollment.pk}/complete/")
    assert done.status_code == 200, done.json()
    return enrollment, done.json()["certificate_code"]


def test_a_completed_enrolment_has_its_certificate_in_the_api(api_client, trainer, manager, base):
    enrollment, code = _certified(base, trainer, api_client)
    rows = api_client.get("/api/v1/training/certificates/").json()["results"]
    assert [(row["code"], row["enrollment"]) for row in rows] == [(code, enrollment.pk)]
    assert rows[0]["course_title"] == enrollment.cohort.course.title
    assert rows[0]["trainee_name"] == enrollment.trainee.name
    api_client.force_authenticate(manager)
    found = api_client.get("/api/v1/training/certificates/", {"code": code}).json()["results"]
    assert [row["id"] for row in found] == [rows[0]["id"]]
    detail = api_client.get(f"/api/v1/training/certificates/{rows[0]['id']}/")
    assert detail.status_code == 200 and detail.json()["code"] == code
    none = api_client.get("/api/v1/training/certificates/", {"code": "NOSUCHCODE"})
    assert none.json()["results"] == []


def test_a_foreign_certificate_is_a_404_and_merchants_are_refused(
    api_client, trainer, owner, base, other_base
):
    other_trainer = factories.UserFactory(role=trainer.role, base=other_base)
    _enrollment, code = _certified(other_base, other_trainer, api_client)
    foreign = Certificate.objects.get(code=code)
    api_client.force_authenticate(trainer)
    response = api_client.get(f"/api/v1/training/certificates/{foreign.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_client.get("/api/v1/training/certificates/", {"code": code}).json()["results"] == []
    api_client.force_authenticate(owner)
    assert api_client.get("/api/v1/training/certificates/").status_code == 403
    # Certificates are issued by completing an enrolment, never written here.
    assert api_client.post("/api/v1/training/certificates/", {}, format="json").status_code in {
        403,
        405,
    }
    api_client.force_authenticate(trainer)
    refused = api_client.post("/api/v1/training/certificates/", {}, format="json")
    assert refused.status_code == 405 and refused.json()["code"] == "method_not_allowed"


def test_the_certificate_list_runs_a_constant_number_of_queries(
    api_client, trainer, base, django_assert_max_num_queries
):
    for _ in range(4):
        _certified(base, trainer, api_client)
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/training/certificates/")
    assert response.status_code == 200 and response.json()["count"] == 4


# --- breakage claims ---------------------------------------------------------------------------


def _shipped(merchant, *, status=Order.Status.SHIPPED, lines=2):
    order = factories.TurnoverOrderFactory(
        merchant=merchant, status=status, amount=Decimal("400.00"), units=lines
    )
    return order, [factories.TurnoverOrderLineFactory(order=order) for _ in range(lines)]


def _claim_body(order, lines, /, **changes) -> dict:
    body = {"order": order.pk, "lines": [line.pk for line in lines], "photo": png(), "note": "x"}
    body.update(changes)
    return body


def test_customer_service_files_and_decides_a_claim_through_the_api(api_client, merchant):
    service = factories.member_user(merchant, role=TeamMember.Role.SERVICE, username="svc")
    order, (cup, _bowl) = _shipped(merchant)
    api_client.force_authenticate(service)
    response = api_client.post(
        "/api/v1/claims/", _claim_body(order, [cup], note="Cracked lid"), format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["order"], body["lines"], body["outcome"]) == (order.pk, [cup.pk], "open")
    assert body["note"] == "Cracked lid" and "photo" not in body
    claim = BreakageClaim.objects.get(pk=body["id"])
    assert claim.photo.name and claim.filed_by == service
    decided = api_client.post(
        f"/api/v1/claims/{claim.pk}/decide/", {"outcome": "refunded"}, format="json"
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["outcome"] == "refunded"
    assert Decimal(decided.json()["refund_cny"]) == Decimal("200.00")
    order.refresh_from_db()
    assert order.refunded_cny == Decimal("200.00")
    again = api_client.post(
        f"/api/v1/claims/{claim.pk}/decide/", {"outcome": "rejected"}, format="json"
    )
    assert again.status_code == 409 and _fields(again) == {"outcome"}


def test_a_claim_is_decided_with_a_refund_of_a_stated_amount(api_client, owner, merchant):
    order, lines = _shipped(merchant)
    api_client.force_authenticate(owner)
    pk = api_client.post("/api/v1/claims/", _claim_body(order, lines), format="multipart").json()[
        "id"
    ]
    response = api_client.post(
        f"/api/v1/claims/{pk}/decide/",
        {"outcome": "refunded", "refund_cny": "50.00"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["refund_cny"] == "50.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": ["cup"]}, "lines"),
        ({"lines": [999_999]}, "lines"),
        ({"photo": None}, "photo"),
        ({"note": "x" * 301}, "note"),
        ({"order": "first"}, "order"),
    ],
)
def test_bad_input_to_a_claim_is_a_400_naming_the_field(
    api_client, owner, merchant, changes, field
):
    order, lines = _shipped(merchant)
    api_client.force_authenticate(owner)
    body = {k: v for k, v in _claim_body(order, lines, **changes).items() if v is not None}
    response = api_client.post("/api/v1/claims/", body, format="multipart")
    assert response.status_code == 400, response.json()
    assert {f.split(".")[0] for f in _fields(response)} == {field}
    assert not BreakageClaim.objects.exists()


def test_a_photo_that_is_no_image_and_an_unshipped_order_are_refused(api_client, owner, merchant):
    order, lines = _shipped(merchant)
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/claims/", _claim_body(order, lines, photo=not_an_image()), format="multipart"
    )
    assert response.status_code == 400 and _fields(response) == {"photo"}
    paid, paid_lines = _shipped(merchant, status=Order.Status.PAID)
    response = api_client.post("/api/v1/claims/", _claim_body(paid, paid_lines), format="multipart")
    assert response.status_code == 409 and _fields(response) == {"order"}
    # JSON is not how a photo travels: a 415 with its code.
    as_json = api_client.post("/api/v1/claims/", {"order": order.pk}, format="json")
    assert as_json.status_code == 415 and as_json.json()["code"] == "unsupported_media_type"
    assert not BreakageClaim.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "open"}, "outcome"),
        ({"outcome": "lost"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "refunded", "refund_cny": "0"}, "refund_cny"),
        ({"outcome": "refunded", "refund_cny": "99999999999.00"}, "refund_cny"),
    ],
)
def test_bad_input_to_a_decision_is_a_400_naming_the_field(
    api_client, owner, merchant, body, field
):
    order, lines = _shipped(merchant)
    api_client.force_authenticate(owner)
    pk = api_client.post("/api/v1/claims/", _claim_body(order, lines), format="multipart").json()[
        "id"
    ]
    response = api_client.post(f"/api/v1/claims/{pk}/decide/", body, format="json")
    assert response.status_code == 400, response.json()
    assert _fields(response) == {field}
    assert BreakageClaim.objects.get(pk=pk).outcome == "open"


def test_a_foreign_order_or_claim_is_a_404_and_hosts_and_trainers_are_refused(
    api_client, owner, other_owner, merchant, other_merchant, trainer
):
    theirs, their_lines = _shipped(other_merchant)
    api_client.force_authenticate(other_owner)
    pk = api_client.post(
        "/api/v1/claims/", _claim_body(theirs, their_lines), format="multipart"
    ).json()["id"]
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/claims/", _claim_body(theirs, their_lines), format="multipart"
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    decided = api_client.post(f"/api/v1/claims/{pk}/decide/", {}, format="json")
    assert decided.status_code == 404
    mine, _lines = _shipped(merchant)
    # A line of another merchant's order on one's own order: not a line of it.
    mixed = api_client.post("/api/v1/claims/", _claim_body(mine, their_lines), format="multipart")
    assert mixed.status_code == 400 and _fields(mixed) == {"lines"}
    host = factories.member_user(merchant, role=TeamMember.Role.HOST, username="host3")
    for user in (host, trainer):
        api_client.force_authenticate(user)
        assert api_client.get("/api/v1/claims/").status_code == 403
        body = _claim_body(mine, _lines)
        assert api_client.post("/api/v1/claims/", body, format="multipart").status_code == 403
    assert BreakageClaim.objects.count() == 1


def test_a_manager_reads_the_claims_of_the_base_and_may_decide_for_the_merchant(
    api_client, owner, manager, merchant
):
    order, lines = _shipped(merchant)
    api_client.force_authenticate(owner)
    pk = api_client.post("/api/v1/claims/", _claim_body(order, lines), format="multipart").json()[
        "id"
    ]
    api_client.force_authenticate(manager)
    assert api_client.get(f"/api/v1/claims/{pk}/").status_code == 200
    response = api_client.post(
        f"/api/v1/claims/{pk}/decide/", {"outcome": "rejected"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["outcome"] == "rejected" and response.json()["decided_at"]


def test_the_claim_list_runs_a_constant_number_of_queries(
    api_client, owner, merchant, django_assert_max_num_queries
):
    api_client.force_authenticate(owner)
    for _ in range(5):
        order, lines = _shipped(merchant)
        body = _claim_body(order, lines)
        assert api_client.post("/api/v1/claims/", body, format="multipart").status_code == 201
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/claims/")
    assert response.status_code == 200 and response.json()["count"] == 5
    assert all(len(row["lines"]) == 2 for row in response.json()["results"])
