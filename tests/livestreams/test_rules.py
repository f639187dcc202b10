"""The rules of booking and running streams that issue #12 found missing, whichever door is used."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import reach_for
from livestreams import lifecycle
from livestreams.models import CrewBooking, LiveStream, StreamSettings
from livestreams.services import runsheet as runsheet_services
from livestreams.services import series as series_services
from livestreams.services import streams as stream_services
from merchants import services as merchant_services
from merchants.models import Merchant, StatusChange, TeamMember
from tests import factories
from tests.conftest import login

from .conftest import at

# Streams booked "from now" must stay inside one local day whatever the hour the suite runs at.
pytestmark = pytest.mark.usefixtures("afternoon")


def book(reach, merchant, start, end, **kw):
    kw.setdefault("title", "Celadon evening")
    kw.setdefault("platform", "douyin")
    return stream_services.stream_schedule(
        reach=reach, merchant=merchant, planned_start=start, planned_end=end, **kw
    )


@pytest.fixture
def crew(merchant):
    return {
        role: factories.TeamMemberFactory(merchant=merchant, name=f"{role} one", role=role)
        for role in (TeamMember.Role.ASSISTANT, TeamMember.Role.OPERATOR)
    }


# --- the crew -------------------------------------------------------------------------------------


def test_an_assistant_host_cannot_be_booked_for_two_overlapping_streams(reach, merchant, crew):
    assistant = crew[TeamMember.Role.ASSISTANT]
    book(reach, merchant, at(1, 19), at(1, 21), assistant_host=assistant, title="First")
    with pytest.raises(Conflict) as info:
        book(reach, merchant, at(1, 20), at(1, 22), assistant_host=assistant)
    assert info.value.field == "assistant_host"
    assert "First" in info.value.message


def test_an_operator_cannot_be_booked_for_two_overlapping_streams(reach, merchant, crew):
    operator = crew[TeamMember.Role.OPERATOR]
    book(reach, merchant, at(1, 19), at(1, 21), operator=operator)
    with pytest.raises(Conflict) as info:
        book(reach, merchant, at(1, 20, 30), at(1, 22), operator=operator)
    assert info.value.field == "operator"


def test_the_host_of_one_stream_cannot_operate_another_at_the_same_time(reach, merchant, host):
    book(reach, merchant, at(1, 19), at(1, 21), host=host)
    with pytest.raises(Conflict) as info:
        book(reach, merchant, at(1, 20), at(1, 22), operator=host)
    assert info.value.field == "operator"


def test_one_person_takes_one_part_in_a_stream(reach, merchant, host):
    with pytest.raises(DomainError) as info:
        book(reach, merchant, at(1, 19), at(1, 21), host=host, operator=host)
    assert info.value.field == "operator"
    assert not LiveStream.objects.exists()


def test_a_cancelled_stream_frees_its_crew(reach, merchant, crew):
    operator = crew[TeamMember.Role.OPERATOR]
    first = book(reach, merchant, at(1, 19), at(1, 21), operator=operator)
    stream_services.stream_cancel(reach=reach, stream=first)
    assert not CrewBooking.objects.filter(stream=first).exists()
    book(reach, merchant, at(1, 19), at(1, 21), operator=operator)


def test_moving_a_stream_moves_its_crew_booking(reach, merchant, crew):
    operator = crew[TeamMember.Role.OPERATOR]
    stream = book(reach, merchant, at(1, 19), at(1, 21), operator=operator)
    stream_services.stream_update(
        reach=reach, stream=stream, planned_start=at(1, 8), planned_end=at(1, 9)
    )
    booking = CrewBooking.objects.get(stream=stream)
    assert (booking.starts_at, booking.ends_at) == (at(1, 8), at(1, 9))
    book(reach, merchant, at(1, 19), at(1, 21), operator=operator)


def test_the_database_refuses_an_overlapping_crew_booking_that_skipped_the_service(
    reach, merchant, crew
):
    operator = crew[TeamMember.Role.OPERATOR]
    first = book(reach, merchant, at(1, 19), at(1, 21), operator=operator)
    second = book(reach, merchant, at(1, 20), at(1, 22))
    with pytest.raises(IntegrityError, match="crew_member_no_overlap"), transaction.atomic():
        CrewBooking.objects.create(
            stream=second,
            member=operator,
            part=CrewBooking.Part.ASSISTANT_HOST,
            starts_at=first.planned_start,
            ends_at=second.planned_end,
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_operator_in_different_rooms_book_exactly_one():
    base = factories.BaseFactory()
    merchant = factories.MerchantFactory(base=base)
    reach = reach_for(factories.member_user(merchant))
    operator = factories.TeamMemberFactory(merchant=merchant, role=TeamMember.Role.OPERATOR)
    rooms = [factories.LiveRoomFactory(base=base) for _ in range(5)]
    barrier = threading.Barrier(len(rooms))
    outcomes = []

    def attempt(room):
        translation.activate("en")
        try:
            barrier.wait()
            book(reach, merchant, at(1, 20), at(1, 22), room=room, operator=operator)
            outcomes.append("booked")
        except Conflict as exc:
            outcomes.append(exc.field)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in rooms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked"] + ["operator"] * (len(rooms) - 1)
    assert CrewBooking.objects.filter(member=operator).count() == 1


# --- going live -----------------------------------------------------------------------------------


def _back_to_back(reach, merchant, **kw):
    """Two streams of one merchant, 10:00-11:00 and 11:00-12:00 tomorrow: at 10:30 both may go
    live (a stream may start up to an hour early)."""
    first = book(reach, merchant, at(1, 10), at(1, 11), title="Morning", **kw)
    second = book(reach, merchant, at(1, 11), at(1, 12), title="Late morning", **kw)
    return first, second


def test_a_host_cannot_be_live_in_two_streams_at_once(reach, merchant, host):
    first, second = _back_to_back(reach, merchant, host=host)
    stream_services.stream_go_live(reach=reach, stream=first, at=at(1, 10, 30))
    with pytest.raises(Conflict) as info:
        stream_services.stream_go_live(reach=reach, stream=second, at=at(1, 10, 30))
    assert info.value.field == "host"
    assert LiveStream.objects.get(pk=second.pk).status == LiveStream.Status.SCHEDULED


def test_a_room_cannot_carry_two_live_streams_at_once(reach, merchant, room, base):
    StreamSettings.objects.create(base=base, changeover_minutes=0)
    first, second = _back_to_back(reach, merchant, room=room)
    stream_services.stream_go_live(reach=reach, stream=first, at=at(1, 10, 30))
    with pytest.raises(Conflict) as info:
        stream_services.stream_go_live(reach=reach, stream=second, at=at(1, 10, 30))
    assert info.value.field == "room"


def test_the_database_refuses_a_second_live_stream_of_one_host(reach, merchant, host):
    first, second = _back_to_back(reach, merchant, host=host)
    LiveStream.objects.filter(pk=first.pk).update(status=LiveStream.Status.LIVE)
    with pytest.raises(IntegrityError, match="stream_one_live_per_host"), transaction.atomic():
        LiveStream.objects.filter(pk=second.pk).update(status=LiveStream.Status.LIVE)


@pytest.mark.django_db(transaction=True)
def test_two_racing_go_lives_of_one_host_end_with_exactly_one_live():
    base = factories.BaseFactory()
    merchant = factories.MerchantFactory(base=base)
    reach = reach_for(factories.member_user(merchant))
    host = factories.TeamMemberFactory(merchant=merchant, role=TeamMember.Role.HOST)
    streams = _back_to_back(reach, merchant, host=host)
    barrier = threading.Barrier(len(streams))
    outcomes, errors = [], []

    def attempt(stream):
        translation.activate("en")
        try:
            barrier.wait()
            stream_services.stream_go_live(reach=reach, stream=stream, at=at(1, 10, 30))
            outcomes.append("live")
        except Conflict as exc:
            outcomes.append(exc.field)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(s,)) for s in streams]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["host", "live"]
    assert LiveStream.objects.filter(host=host, status=LiveStream.Status.LIVE).count() == 1


# --- the room-hour cap ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_three_racing_bookings_never_exceed_the_merchants_room_hour_cap():
    base = factories.BaseFactory()
    StreamSettings.objects.create(base=base, changeover_minutes=0, room_hours_per_day=4)
    merchant = factories.MerchantFactory(base=base)
    reach = reach_for(factories.member_user(merchant))
    rooms = [factories.LiveRoomFactory(base=base) for _ in range(3)]
    barrier = threading.Barrier(3)
    outcomes, errors = [], []

    def attempt(i):
        translation.activate("en")
        try:
            barrier.wait()
            book(reach, merchant, at(1, 9 + 3 * i), at(1, 11 + 3 * i), room=rooms[i])
            outcomes.append("booked")
        except DomainError as exc:
            outcomes.append(exc.field)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["booked", "booked", "room"]
    booked = LiveStream.objects.filter(merchant=merchant, room__isnull=False)
    hours = sum((s.planned_end - s.planned_start).total_seconds() / 3600 for s in booked)
    assert hours <= 4


# --- times ----------------------------------------------------------------------------------------


def test_a_stream_cannot_be_booked_in_the_past(reach, merchant):
    start = timezone.now() - dt.timedelta(hours=2)
    with pytest.raises(DomainError) as info:
        book(reach, merchant, start, start + dt.timedelta(hours=1))
    assert info.value.field == "planned_start"
    assert not LiveStream.objects.exists()


def test_a_stream_cannot_be_moved_into_the_past(reach, merchant):
    stream = book(reach, merchant, at(1, 19), at(1, 20))
    start = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(DomainError) as info:
        stream_services.stream_update(
            reach=reach,
            stream=stream,
            planned_start=start,
            planned_end=start + dt.timedelta(hours=1),
        )
    assert info.value.field == "planned_start"
    assert LiveStream.objects.get(pk=stream.pk).planned_start == at(1, 19)


def test_a_stream_whose_start_passed_can_still_be_renamed(reach, merchant):
    start = timezone.now() + dt.timedelta(minutes=1)
    stream = book(reach, merchant, start, start + dt.timedelta(minutes=30))
    LiveStream.objects.filter(pk=stream.pk).update(
        planned_start=timezone.now() - dt.timedelta(minutes=20)
    )
    stream_services.stream_update(reach=reach, stream=stream, title="Renamed")
    assert LiveStream.objects.get(pk=stream.pk).title == "Renamed"


def test_a_stream_cannot_cross_midnight(reach, merchant):
    with pytest.raises(DomainError) as info:
        book(reach, merchant, at(1, 23), at(2, 1))
    assert info.value.field == "planned_end"
    assert "midnight" in info.value.message


def test_a_stream_may_end_at_midnight(reach, merchant):
    stream = book(reach, merchant, at(1, 22), at(2, 0))
    assert stream.planned_end == at(2, 0)


def test_a_stream_more_than_a_year_ahead_is_refused(reach, merchant):
    with pytest.raises(DomainError) as info:
        book(reach, merchant, at(800, 10), at(800, 11))
    assert info.value.field == "planned_start"


# --- the merchant's standing ----------------------------------------------------------------------


def test_a_suspended_merchant_cannot_book_a_base_room_until_reinstated(
    reach, merchant, room, manager
):
    manager_reach = reach_for(manager)
    merchant_services.merchant_suspend(
        actor=manager_reach, merchant_id=merchant.pk, reason="Counterfeit marks on the kiln seal"
    )
    with pytest.raises(DomainError) as info:
        book(reach, merchant, at(1, 10), at(1, 11), room=room)
    assert info.value.field == "room"
    assert info.value.code == "merchant_suspended"
    book(reach, merchant, at(1, 10), at(1, 11))  # the own studio stays open
    merchant_services.merchant_reinstate(
        actor=manager_reach, merchant_id=merchant.pk, reason="Marks corrected"
    )
    book(reach, merchant, at(1, 12), at(1, 13), room=room)
    changes = list(
        StatusChange.objects.filter(merchant=merchant).values_list(
            "from_status", "to_status", "changed_by", "reason"
        )
    )
    assert changes[-2:] == [
        ("active", "suspended", manager.pk, "Counterfeit marks on the kiln seal"),
        ("suspended", "active", manager.pk, "Marks corrected"),
    ]


def test_an_exited_merchant_cannot_book_rooms_or_streams(reach, merchant, room):
    Merchant.objects.filter(pk=merchant.pk).update(stage=Merchant.Stage.EXITED)
    with pytest.raises(DomainError) as info:
        book(reach, merchant, at(1, 10), at(1, 11), room=room)
    assert (info.value.field, info.value.code) == ("room", "merchant_exited")
    with pytest.raises(DomainError):
        book(reach, merchant, at(1, 10), at(1, 11))


def test_the_api_refuses_a_suspended_merchants_room_booking_with_400_naming_the_room(
    api_client, owner, merchant, room, manager
):
    merchant_services.merchant_suspend(
        actor=reach_for(manager), merchant_id=merchant.pk, reason="Review pending"
    )
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/streams/",
        {
            "title": "Night",
            "platform": "douyin",
            "planned_start": at(1, 10).isoformat(),
            "planned_end": at(1, 11).isoformat(),
            "room": room.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "room" in response.json()
    assert not LiveStream.objects.exists()


def test_the_api_refuses_a_stream_across_midnight_naming_the_end(api_client, owner):
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/streams/",
        {
            "title": "Late",
            "platform": "douyin",
            "planned_start": at(1, 23).isoformat(),
            "planned_end": at(2, 1).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "planned_end" in response.json()


def test_the_api_refuses_a_title_with_a_nul_byte(api_client, owner):
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/streams/",
        {
            "title": "Tea\x00night",
            "platform": "douyin",
            "planned_start": at(1, 10).isoformat(),
            "planned_end": at(1, 11).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "title" in response.json()


# --- the lifecycle table --------------------------------------------------------------------------


def test_the_lifecycle_table_gives_the_actions_of_each_status():
    def actions(status):
        return [t.action for t in lifecycle.actions_for(LiveStream(status=status))]

    assert actions(LiveStream.Status.SCHEDULED) == ["go-live", "cancel"]
    assert actions(LiveStream.Status.LIVE) == ["end"]
    assert actions(LiveStream.Status.ENDED) == []
    assert actions(LiveStream.Status.CANCELLED) == []


def test_a_transition_the_table_does_not_allow_is_refused(reach, merchant):
    stream = book(reach, merchant, at(1, 10), at(1, 11))
    stream_services.stream_cancel(reach=reach, stream=stream)
    with pytest.raises(Conflict) as info:
        stream_services.stream_go_live(reach=reach, stream=stream, at=at(1, 10))
    assert info.value.code == "invalid_transition"


# --- pages: day parameters ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30", "tomorrow", "1" * 40])
def test_bad_day_parameters_of_the_schedule_pages_never_answer_500(
    client, owner, manager, merchant, room, value
):
    login(client, owner)
    for url in (
        f"/streams/?week={value}",
        f"/streams/new/?day={value}",
        f"/streams/free-slots/?room={room.pk}&day={value}",
        f"/rooms/{room.pk}/free/?day={value}",
    ):
        response = client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
    login(client, manager)
    for url in (
        f"/base/schedule/?day={value}",
        f"/base/utilisation/?week={value}",
        f"/base/streams/?day={value}",
    ):
        response = client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)


def test_a_day_beyond_the_window_answers_400_naming_the_parameter(client, manager):
    login(client, manager)
    response = client.get("/base/schedule/?day=9999-12-31")
    assert response.status_code == 400
    assert b"day" in response.content


def test_a_series_in_year_9999_is_refused_naming_the_date(reach, merchant):
    with pytest.raises(DomainError) as info:
        series_services.series_create(
            reach=reach,
            merchant=merchant,
            title="Forever",
            platform="douyin",
            start_time=dt.time(20, 0),
            duration_minutes=60,
            first_date=dt.date(9999, 12, 1),
            last_date=dt.date(9999, 12, 31),
        )
    assert info.value.field == "first_date"


def test_the_series_page_answers_a_year_9999_date_with_a_form_error(client, owner):
    login(client, owner)
    response = client.post(
        "/streams/series/new/",
        {
            "title": "Forever",
            "platform": "douyin",
            "start_time": "20:00",
            "duration_minutes": 60,
            "first_date": "9999-12-31",
            "weeks": 4,
            "weekdays": ["0"],
        },
    )
    assert response.status_code in (200, 400)
    assert not LiveStream.objects.exists()


def test_a_nul_byte_in_talking_points_is_refused(reach, merchant):
    stream = book(reach, merchant, at(1, 10), at(1, 11))
    product = factories.ProductFactory(merchant=merchant)
    with pytest.raises(DomainError) as info:
        runsheet_services.featured_add(
            reach=reach, stream=stream, product=product, talking_points="a\x00"
        )
    assert info.value.field == "talking_points"


def test_the_api_lists_the_actions_the_lifecycle_allows(api_client, owner, reach, merchant):
    stream = book(reach, merchant, at(1, 10), at(1, 11))
    api_client.force_authenticate(owner)
    body = api_client.get(f"/api/v1/streams/{stream.pk}/").json()
    assert body["actions"] == ["go-live", "cancel"]
    stream_services.stream_cancel(reach=reach, stream=stream)
    assert api_client.get(f"/api/v1/streams/{stream.pk}/").json()["actions"] == []


def test_a_suspended_merchant_may_rename_a_booking_but_not_move_it(reach, merchant, room, manager):
    stream = book(reach, merchant, at(1, 10), at(1, 11), room=room)
    merchant_services.merchant_suspend(
        actor=reach_for(manager), merchant_id=merchant.pk, reason="Review pending"
    )
    stream_services.stream_update(reach=reach, stream=stream, title="Renamed")
    with pytest.raises(DomainError) as info:
        stream_services.stream_update(
            reach=reach, stream=stream, planned_start=at(1, 12), planned_end=at(1, 13)
        )
    assert info.value.code == "merchant_suspended"
