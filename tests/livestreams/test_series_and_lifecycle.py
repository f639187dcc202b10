import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from jingdezhen.core.errors import DomainError
from livestreams.models import LiveStream
from livestreams.services import notifications as notification_services
from livestreams.services import series as series_services
from livestreams.services import streams as stream_services
from merchants.models import Milestone, Notification, TeamMember
from tests import factories

from .conftest import at


def test_a_series_across_a_clash_books_the_other_dates_and_reports_the_clash(
    reach, other_reach, merchant, other_merchant, room, rules
):
    first = timezone.localdate() + dt.timedelta(days=1)
    stream_services.stream_schedule(
        reach=other_reach,
        merchant=other_merchant,
        title="Theirs",
        platform="taobao",
        planned_start=at(3, 19),
        planned_end=at(3, 21),
        room=room,
    )
    outcome = series_services.series_create(
        reach=reach,
        merchant=merchant,
        title="Every evening",
        platform="douyin",
        start_time=dt.time(20, 0),
        duration_minutes=120,
        first_date=first,
        last_date=first + dt.timedelta(days=27),
        room=room,
    )
    assert len(outcome.created) == 27
    assert [day for day, _msg in outcome.clashes] == [first + dt.timedelta(days=2)]
    assert "already booked" in outcome.clashes[0][1]
    assert outcome.series.streams.count() == 27


def test_a_series_can_be_cancelled_from_a_date_on(reach, merchant, room, rules):
    first = timezone.localdate() + dt.timedelta(days=1)
    outcome = series_services.series_create(
        reach=reach,
        merchant=merchant,
        title="Nightly",
        platform="douyin",
        start_time=dt.time(20, 0),
        duration_minutes=60,
        first_date=first,
        last_date=first + dt.timedelta(days=6),
    )
    cancelled = series_services.series_cancel_from(
        reach=reach, series=outcome.series, from_date=first + dt.timedelta(days=4)
    )
    assert cancelled == 3
    statuses = list(
        outcome.series.streams.order_by("planned_start").values_list("status", flat=True)
    )
    assert statuses == ["scheduled"] * 4 + ["cancelled"] * 3


def test_a_series_can_be_moved_from_a_date_on_and_reports_dates_that_clash(
    reach, merchant, room, rules
):
    first = timezone.localdate() + dt.timedelta(days=1)
    outcome = series_services.series_create(
        reach=reach,
        merchant=merchant,
        title="Nightly",
        platform="douyin",
        start_time=dt.time(20, 0),
        duration_minutes=60,
        first_date=first,
        last_date=first + dt.timedelta(days=3),
        room=room,
    )
    stream_services.stream_schedule(
        reach=reach,
        merchant=merchant,
        title="Blocker",
        platform="jd",
        planned_start=at(4, 21, 30),
        planned_end=at(4, 22, 30),
        room=room,
    )
    changed = series_services.series_change_from(
        reach=reach,
        series=outcome.series,
        from_date=first + dt.timedelta(days=1),
        start_time=dt.time(21, 0),
    )
    assert len(changed.created) == 2
    assert [d for d, _m in changed.clashes] == [first + dt.timedelta(days=3)]
    starts = [
        timezone.localtime(s).hour
        for s in outcome.series.streams.order_by("planned_start").values_list(
            "planned_start", flat=True
        )
    ]
    assert starts == [20, 21, 21, 20]


def _live_stream(reach, merchant, **kw):
    stream = stream_services.stream_schedule(
        reach=reach,
        merchant=merchant,
        title="Now",
        platform="douyin",
        planned_start=timezone.now() - dt.timedelta(minutes=1),
        planned_end=timezone.now() + dt.timedelta(hours=1),
        **kw,
    )
    return stream_services.stream_go_live(reach=reach, stream=stream)


def test_going_live_and_ending_records_the_first_stream_milestone(reach, merchant, rules):
    stream = _live_stream(reach, merchant)
    assert stream.status == LiveStream.Status.LIVE
    stream_services.stream_end(reach=reach, stream=stream)
    assert Milestone.objects.filter(merchant=merchant, kind=Milestone.Kind.FIRST_STREAM).exists()
    assert not Milestone.objects.filter(
        merchant=merchant, kind=Milestone.Kind.TENTH_STREAM
    ).exists()


def test_the_tenth_real_stream_is_a_milestone_and_rehearsals_do_not_count(reach, merchant, rules):
    now = timezone.now()
    for i in range(9):
        factories.LiveStreamFactory(
            merchant=merchant,
            status=LiveStream.Status.ENDED,
            planned_start=now - dt.timedelta(days=i + 2),
            actual_end=now - dt.timedelta(days=i + 2),
        )
    rehearsal = _live_stream(reach, merchant, is_rehearsal=True)
    stream_services.stream_end(reach=reach, stream=rehearsal)
    assert not Milestone.objects.filter(merchant=merchant).exists()
    stream = stream_services.stream_schedule(
        reach=reach,
        merchant=merchant,
        title="Tenth",
        platform="douyin",
        planned_start=now + dt.timedelta(hours=2),
        planned_end=now + dt.timedelta(hours=3),
    )
    stream_services.stream_go_live(reach=reach, stream=stream, at=now + dt.timedelta(hours=2))
    stream_services.stream_end(reach=reach, stream=stream, at=now + dt.timedelta(hours=3))
    assert set(Milestone.objects.filter(merchant=merchant).values_list("kind", flat=True)) == {
        Milestone.Kind.FIRST_STREAM,
        Milestone.Kind.TENTH_STREAM,
    }


def test_results_are_recorded_and_checked(reach, merchant, rules):
    stream = _live_stream(reach, merchant)
    stream_services.stream_end(reach=reach, stream=stream)
    with pytest.raises(DomainError) as info:
        stream_services.stream_record_results(
            reach=reach, stream=stream, unique_viewers=10, peak_viewers=50
        )
    assert info.value.field == "peak_viewers"
    stream_services.stream_record_results(
        reach=reach, stream=stream, unique_viewers=5000, peak_viewers=600, avg_watch_seconds=95
    )
    stream.refresh_from_db()
    assert (stream.unique_viewers, stream.peak_viewers) == (5000, 600)


def test_a_scheduled_stream_cannot_be_ended(reach, merchant, rules):
    stream = stream_services.stream_schedule(
        reach=reach,
        merchant=merchant,
        title="Later",
        platform="douyin",
        planned_start=at(1, 10),
        planned_end=at(1, 11),
    )
    with pytest.raises(DomainError):
        stream_services.stream_end(reach=reach, stream=stream)


def test_reminders_reach_the_host_once_in_the_app_and_by_email(
    reach, merchant, rules, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(role="merchant", base=merchant.base, email="host@example.cn")
    host = factories.TeamMemberFactory(merchant=merchant, user=user, role=TeamMember.Role.HOST)
    now = timezone.now()
    stream = stream_services.stream_schedule(
        reach=reach,
        merchant=merchant,
        title="Soon",
        platform="douyin",
        planned_start=now + dt.timedelta(minutes=30),
        planned_end=now + dt.timedelta(minutes=90),
        host=host,
    )
    factories.LiveStreamFactory(  # far away: no reminder yet
        merchant=merchant, planned_start=now + dt.timedelta(hours=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_services.reminders_send(now=now) == 1
        assert notification_services.reminders_send(now=now) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["host@example.cn"]
    note = Notification.objects.get(recipient=user)
    assert note.subject_id == stream.pk and note.kind == "stream_reminder"
    assert note.params["title"] == "Soon"


def test_a_stream_that_did_not_start_is_flagged_late_then_missed(reach, owner, merchant, rules):
    now = timezone.now()
    stream = factories.LiveStreamFactory(
        merchant=merchant,
        planned_start=now - dt.timedelta(minutes=30),
        planned_end=now + dt.timedelta(minutes=30),
    )
    assert notification_services.streams_flag_late(now=now) == 1
    assert notification_services.streams_flag_late(now=now) == 0
    stream.refresh_from_db()
    assert stream.late_flagged_at is not None and stream.status == LiveStream.Status.SCHEDULED
    assert Notification.objects.filter(recipient=owner, kind="stream_late").count() == 1
    notification_services.streams_flag_late(now=now + dt.timedelta(hours=1))
    stream.refresh_from_db()
    assert stream.status == LiveStream.Status.MISSED


def test_the_beat_tasks_run_their_services():
    from livestreams import tasks

    assert tasks.flag_late_streams.run() >= 0
    assert tasks.send_stream_reminders.run() >= 0


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("afternoon")]
