import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from jingdezhen.core.errors import Conflict, DomainError, NotAllowed
from livestreams.models import LiveStream
from livestreams.services import streams as stream_services
from merchants.models import TeamMember
from tests import factories
from training.models import Course, Enrollment

from .conftest import at


def book(reach, merchant, start, end, **kw):
    kw.setdefault("title", "Blue-and-white night")
    kw.setdefault("platform", "douyin")
    return stream_services.stream_schedule(
        reach=reach, merchant=merchant, planned_start=start, planned_end=end, **kw
    )


def test_a_stream_is_booked_with_its_room_held_for_the_changeover(reach, merchant, room, rules):
    stream = book(reach, merchant, at(1, 20), at(1, 22), room=room)
    assert stream.status == LiveStream.Status.SCHEDULED
    assert stream.blocked_until == at(1, 22, 15)


def test_an_overlapping_booking_of_the_room_is_refused_naming_the_stream(
    reach, merchant, room, rules
):
    book(reach, merchant, at(1, 20), at(1, 22), room=room, title="Tea night")
    with pytest.raises(Conflict) as info:
        book(reach, merchant, at(1, 21), at(1, 23), room=room)
    assert "Tea night" in info.value.message
    assert info.value.field == "room"


def test_another_merchants_clash_does_not_reveal_its_title(
    reach, other_reach, merchant, other_merchant, room, rules
):
    book(other_reach, other_merchant, at(1, 20), at(1, 22), room=room, title="Secret launch")
    with pytest.raises(Conflict) as info:
        book(reach, merchant, at(1, 21), at(1, 23), room=room)
    assert "Secret launch" not in info.value.message
    assert "another merchant" in info.value.message


def test_a_booking_inside_the_changeover_buffer_is_refused(reach, merchant, room, rules):
    book(reach, merchant, at(1, 18), at(1, 20), room=room)
    with pytest.raises(Conflict, match="15 minutes changeover"):
        book(reach, merchant, at(1, 20, 10), at(1, 21), room=room)


def test_a_booking_ending_within_its_buffer_of_the_next_stream_is_refused(
    reach, merchant, room, rules
):
    book(reach, merchant, at(1, 20), at(1, 22), room=room)
    with pytest.raises(Conflict):
        book(reach, merchant, at(1, 18), at(1, 19, 50), room=room)


def test_a_booking_after_the_buffer_is_accepted(reach, merchant, room, rules):
    book(reach, merchant, at(1, 18), at(1, 20), room=room)
    assert book(reach, merchant, at(1, 20, 15), at(1, 21), room=room).pk


def test_a_longer_changeover_setting_is_applied(reach, merchant, room, rules):
    rules.changeover_minutes = 45
    rules.save()
    book(reach, merchant, at(1, 18), at(1, 20), room=room)
    with pytest.raises(Conflict):
        book(reach, merchant, at(1, 20, 30), at(1, 21), room=room)


def test_a_host_cannot_host_two_overlapping_streams(reach, merchant, host, rules):
    book(reach, merchant, at(1, 20), at(1, 22), host=host, title="Douyin night")
    with pytest.raises(Conflict) as info:
        book(reach, merchant, at(1, 21), at(1, 23), host=host, platform="taobao")
    assert "Host A" in info.value.message and "Douyin night" in info.value.message
    assert info.value.field == "host"


def test_a_host_may_stream_back_to_back(reach, merchant, host, rules):
    book(reach, merchant, at(1, 18), at(1, 20), host=host)
    assert book(reach, merchant, at(1, 20), at(1, 21), host=host).pk


def test_a_cancelled_stream_frees_the_room(reach, merchant, room, rules):
    first = book(reach, merchant, at(1, 20), at(1, 22), room=room)
    stream_services.stream_cancel(reach=reach, stream=first)
    assert book(reach, merchant, at(1, 20), at(1, 22), room=room).pk


def test_a_change_that_would_clash_is_refused_and_nothing_changes(reach, merchant, room, rules):
    book(reach, merchant, at(1, 20), at(1, 22), room=room)
    second = book(reach, merchant, at(1, 14), at(1, 16), room=room)
    with pytest.raises(Conflict):
        stream_services.stream_update(reach=reach, stream=second, planned_end=at(1, 20, 30))
    second.refresh_from_db()
    assert second.planned_end == at(1, 16)


def test_the_room_opening_hours_are_kept(reach, merchant, room, rules):
    with pytest.raises(DomainError, match="open from 08:00"):
        book(reach, merchant, at(1, 6), at(1, 7), room=room)


def test_the_daily_room_quota_is_enforced_with_a_clear_message(reach, merchant, room, rules):
    rules.room_hours_per_day = 3
    rules.save()
    book(reach, merchant, at(1, 10), at(1, 12), room=room)
    with pytest.raises(DomainError, match="3 room hours a day"):
        book(reach, merchant, at(1, 14), at(1, 16), room=room)


def test_the_weekly_room_quota_is_enforced(reach, merchant, room, rules):
    rules.room_hours_per_week = 2
    rules.save()
    monday = dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday())
    offset = (monday - dt.date.today()).days
    book(reach, merchant, at(offset, 10), at(offset, 12), room=room)
    with pytest.raises(DomainError, match="a week"):
        book(reach, merchant, at(offset + 1, 10), at(offset + 1, 11), room=room)


def test_a_host_from_another_team_is_refused(reach, merchant, other_merchant, rules):
    stranger = factories.TeamMemberFactory(merchant=other_merchant, role=TeamMember.Role.HOST)
    with pytest.raises(DomainError) as info:
        book(reach, merchant, at(1, 10), at(1, 12), host=stranger)
    assert info.value.field == "host"


def test_a_merchant_cannot_book_for_another_merchant(reach, other_merchant, room, rules):
    with pytest.raises(NotAllowed):
        book(reach, other_merchant, at(1, 10), at(1, 12), room=room)


def test_a_merchant_cannot_cancel_another_merchants_stream(
    reach, other_reach, other_merchant, rules
):
    theirs = book(other_reach, other_merchant, at(1, 10), at(1, 12))
    with pytest.raises(NotAllowed):
        stream_services.stream_cancel(reach=reach, stream=theirs)


def test_the_host_basics_rule_requires_a_host(reach, merchant, room, rules):
    rules.require_host_basics = True
    rules.save()
    with pytest.raises(DomainError, match="live-hosting basics") as info:
        book(reach, merchant, at(1, 10), at(1, 12), room=room)
    assert info.value.field == "host"


def test_the_database_refuses_overlapping_room_bookings_that_skip_the_service(merchant, room):
    factories.LiveStreamFactory(
        merchant=merchant, room=room, planned_start=at(1, 20), planned_end=at(1, 22)
    )
    with pytest.raises(IntegrityError, match="stream_room_no_overlap"), transaction.atomic():
        factories.LiveStreamFactory(
            merchant=merchant, room=room, planned_start=at(1, 21), planned_end=at(1, 23)
        )


def test_the_database_refuses_overlapping_streams_of_one_host(merchant, host):
    factories.LiveStreamFactory(
        merchant=merchant, host=host, planned_start=at(1, 20), planned_end=at(1, 22)
    )
    with pytest.raises(IntegrityError, match="stream_host_no_overlap"), transaction.atomic():
        factories.LiveStreamFactory(
            merchant=merchant, host=host, planned_start=at(1, 21), planned_end=at(1, 23)
        )


def test_the_room_buffer_is_part_of_the_span_the_database_holds(merchant, room):
    # blocked_until, not planned_end, bounds the room's range: a stream starting inside the
    # changeover of the one before is refused even though their planned times do not overlap.
    factories.LiveStreamFactory(
        merchant=merchant,
        room=room,
        planned_start=at(1, 20),
        planned_end=at(1, 22),
        blocked_until=at(1, 22, 15),
    )
    with pytest.raises(IntegrityError, match="stream_room_no_overlap"), transaction.atomic():
        factories.LiveStreamFactory(
            merchant=merchant, room=room, planned_start=at(1, 22, 10), planned_end=at(1, 23)
        )


def test_ended_and_cancelled_streams_no_longer_hold_the_room(merchant, room):
    for status in (LiveStream.Status.ENDED, LiveStream.Status.CANCELLED):
        factories.LiveStreamFactory(
            merchant=merchant,
            room=room,
            status=status,
            planned_start=at(1, 20),
            planned_end=at(1, 22),
        )
    assert factories.LiveStreamFactory(
        merchant=merchant, room=room, planned_start=at(1, 20), planned_end=at(1, 22)
    ).pk


def test_model_validation_names_the_exclusion_constraint_before_any_write(merchant, room, host):
    # The constraints live in Meta, so full_clean (the admin's forms) checks them too.
    factories.LiveStreamFactory(
        merchant=merchant, room=room, host=host, planned_start=at(1, 20), planned_end=at(1, 22)
    )
    clash = factories.LiveStreamFactory.build(
        merchant=merchant, room=room, host=host, planned_start=at(1, 21), planned_end=at(1, 23)
    )
    with pytest.raises(ValidationError) as info:
        clash.validate_constraints()
    codes = {e.code for e in info.value.error_dict[NON_FIELD_ERRORS]}
    assert codes == {"room_double_booked", "host_double_booked"}
    assert not LiveStream.objects.filter(planned_start=at(1, 21)).exists()


def _basics(base, host, status):
    """An enrolment of ``host`` (through a linked trainee) in a live-hosting basics cohort."""
    cohort = factories.CohortFactory(
        course=factories.CourseFactory(base=base, kind=Course.Kind.LIVE_BASICS)
    )
    trainee = factories.TraineeFactory(base=base, team_member=host)
    return factories.EnrollmentFactory(cohort=cohort, trainee=trainee, status=status)


def test_a_host_without_the_basics_course_cannot_book_a_base_room(
    reach, merchant, room, rules, host, base
):
    rules.require_host_basics = True
    rules.save()
    _basics(base, host, Enrollment.Status.ENROLLED)  # enrolled, not yet completed
    with pytest.raises(DomainError, match="Host A has not completed the live-hosting basics"):
        book(reach, merchant, at(1, 10), at(1, 12), room=room, host=host)
    assert not LiveStream.objects.filter(merchant=merchant).exists()


def test_a_host_who_completed_the_basics_course_books_a_base_room(
    reach, merchant, room, rules, host, base
):
    rules.require_host_basics = True
    rules.save()
    _basics(base, host, Enrollment.Status.COMPLETED)
    stream = book(reach, merchant, at(1, 10), at(1, 12), room=room, host=host)
    assert stream.room == room and stream.host == host


def test_the_basics_rule_does_not_apply_to_the_own_studio(reach, merchant, rules, host):
    rules.require_host_basics = True
    rules.save()
    stream = book(reach, merchant, at(1, 10), at(1, 12), room=None, host=host)
    assert stream.room is None
