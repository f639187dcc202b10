"""Private iCalendar feeds (livestreams/calendar_feeds.py): what a subscribed calendar reads, who
may make a link, and that a revoked or unknown link answers 404."""

import datetime as dt

import icalendar
import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jingdezhen.core.errors import NotAllowed
from jingdezhen.core.tenancy import reach_for
from livestreams import calendar_feeds
from livestreams.models import CalendarFeed, LiveStream
from livestreams.services import streams as stream_services
from merchants.models import TeamMember
from tests import factories
from tests.conftest import login
from tests.security.test_csp_every_page import InlineFinder

from .conftest import at

Kind = CalendarFeed.Kind


@pytest.fixture
def host_user(merchant, host):
    user = factories.UserFactory(base=merchant.base, username="host1")
    host.user = user
    host.save(update_fields=["user"])
    return user


def uid(stream) -> str:
    return f"stream-{stream.pk}@jingdezhen-live-base"


def _feed(client, token: str):
    return client.get(reverse("livestreams:calendar_feed", args=[token]))


def _parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _host_feed(host_user, host) -> str:
    return calendar_feeds.feed_create(
        reach=reach_for(host_user), kind=Kind.HOST, subject_id=host.pk
    ).token


def test_the_host_feed_holds_their_streams_with_rooms_and_times(
    client, merchant, host, host_user, room
):
    mine = factories.LiveStreamFactory(
        merchant=merchant,
        host=host,
        room=room,
        title="Celadon night",
        planned_start=at(2, 20),
        planned_end=at(2, 22),
    )
    assisted = factories.LiveStreamFactory(
        merchant=merchant, assistant_host=host, planned_start=at(3, 10), planned_end=at(3, 11)
    )
    factories.LiveStreamFactory(merchant=merchant, planned_start=at(2, 10))  # not theirs
    factories.LiveStreamFactory(merchant=merchant, host=host, planned_start=at(200, 10))  # later
    token = _host_feed(host_user, host)

    calendar = _parse(_feed(client, token))

    assert str(calendar["VERSION"]) == "2.0"
    assert "Jingdezhen" in str(calendar["PRODID"])
    assert calendar.calendar_name == "Streams of Host A"
    assert calendar.refresh_interval == dt.timedelta(hours=1)
    assert "X-PUBLISHED-TTL" in calendar
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {uid(mine), uid(assisted)}
    event = events[uid(mine)]
    assert event.start == mine.planned_start and event.end == mine.planned_end
    assert event.start.utcoffset() == dt.timedelta(0)
    assert str(event["SUMMARY"]) == "Celadon night · Douyin"
    assert str(event["LOCATION"]) == "Room 3"
    assert "Host A" in str(event["DESCRIPTION"])
    assert reverse("livestreams:run_sheet", args=[mine.pk]) in str(event["DESCRIPTION"])
    assert str(events[uid(assisted)]["LOCATION"]) == "Own studio"


def test_a_cancelled_stream_is_dropped_and_a_change_raises_its_sequence(
    client, merchant, owner, host, host_user, rules
):
    kept = factories.LiveStreamFactory(merchant=merchant, host=host, planned_start=at(2, 10))
    cancelled = factories.LiveStreamFactory(merchant=merchant, host=host, planned_start=at(3, 10))
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    LiveStream.objects.filter(pk=kept.pk).update(created_at=an_hour_ago, updated_at=an_hour_ago)
    kept.refresh_from_db()
    token = _host_feed(host_user, host)
    before = {str(e["UID"]): e for e in _parse(_feed(client, token)).walk("VEVENT")}
    assert len(before) == 2
    assert int(before[uid(kept)]["SEQUENCE"]) == 0

    stream_services.stream_cancel(reach=reach_for(owner), stream=cancelled)
    stream_services.stream_update(
        reach=reach_for(owner),
        stream=kept,
        title="Moved",
        planned_start=at(4, 10),
        planned_end=at(4, 12),
    )

    after = {str(e["UID"]): e for e in _parse(_feed(client, token)).walk("VEVENT")}
    assert list(after) == [uid(kept)]
    event = after[uid(kept)]
    assert str(event["SUMMARY"]).startswith("Moved")
    assert event.start == at(4, 10)
    assert int(event["SEQUENCE"]) >= 3600  # seconds since it was made: it grew with the change
    assert event["LAST-MODIFIED"].dt > an_hour_ago + dt.timedelta(minutes=59)


def test_a_revoked_link_answers_404(client, merchant, host, host_user):
    factories.LiveStreamFactory(merchant=merchant, host=host, planned_start=at(2, 10))
    issued = calendar_feeds.feed_create(
        reach=reach_for(host_user), kind=Kind.HOST, subject_id=host.pk
    )
    assert _feed(client, issued.token).status_code == 200
    url = reverse("livestreams:calendar_feed", args=[issued.token])
    assert client.head(url).status_code == 200  # some calendars look before they fetch

    calendar_feeds.feed_revoke(reach=reach_for(host_user), feed_id=issued.feed.pk)

    assert _feed(client, issued.token).status_code == 404


def test_an_unknown_or_overlong_link_answers_404(client, db):
    assert _feed(client, "not-a-token").status_code == 404
    assert _feed(client, "x" * 500).status_code == 404


def test_only_the_tokens_hash_is_stored(merchant, host, host_user):
    issued = calendar_feeds.feed_create(
        reach=reach_for(host_user), kind=Kind.HOST, subject_id=host.pk
    )
    stored = CalendarFeed.objects.get(pk=issued.feed.pk)
    assert issued.token not in stored.token_hash
    assert stored.token_hash == calendar_feeds.token_hash(issued.token)


def test_a_new_link_replaces_the_old_one(client, merchant, host, host_user):
    first = _host_feed(host_user, host)
    second = _host_feed(host_user, host)
    assert _feed(client, first).status_code == 404
    assert _feed(client, second).status_code == 200


def test_another_merchants_owner_cannot_make_a_feed_of_a_host_not_theirs(
    other_owner, other_merchant, host
):
    with pytest.raises(Http404):
        calendar_feeds.feed_create(reach=reach_for(other_owner), kind=Kind.HOST, subject_id=host.pk)
    with pytest.raises(Http404):
        calendar_feeds.feed_create(
            reach=reach_for(other_owner), kind=Kind.MERCHANT, subject_id=host.merchant_id
        )
    assert not CalendarFeed.objects.exists()


def test_a_host_cannot_make_a_colleagues_feed_but_the_owner_can(merchant, host, host_user, owner):
    colleague = factories.TeamMemberFactory(merchant=merchant, role=TeamMember.Role.HOST)
    with pytest.raises(NotAllowed):
        calendar_feeds.feed_create(
            reach=reach_for(host_user), kind=Kind.HOST, subject_id=colleague.pk
        )
    with pytest.raises(NotAllowed):
        calendar_feeds.feed_create(
            reach=reach_for(host_user), kind=Kind.MERCHANT, subject_id=merchant.pk
        )
    issued = calendar_feeds.feed_create(
        reach=reach_for(owner), kind=Kind.HOST, subject_id=colleague.pk
    )
    assert issued.feed.member == colleague and issued.feed.owner == owner


def test_room_feeds_are_for_the_bases_managers(client, manager, owner, room, merchant):
    with pytest.raises(NotAllowed):
        calendar_feeds.feed_create(reach=reach_for(owner), kind=Kind.ROOM, subject_id=room.pk)
    other = factories.MerchantFactory(base=merchant.base)
    booked = factories.LiveStreamFactory(merchant=other, room=room, planned_start=at(1, 9))
    token = calendar_feeds.feed_create(
        reach=reach_for(manager), kind=Kind.ROOM, subject_id=room.pk
    ).token
    events = list(_parse(_feed(client, token)).walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [uid(booked)]


def test_a_host_who_leaves_the_team_stops_receiving_the_feed(client, merchant, host, host_user):
    token = _host_feed(host_user, host)
    host.is_active = False
    host.save(update_fields=["is_active"])
    assert _feed(client, token).status_code == 404


def test_the_feed_runs_a_constant_number_of_queries(
    client, merchant, host, host_user, room, django_assert_max_num_queries
):
    token = _host_feed(host_user, host)
    for n in (2, 40):
        for i in range(n):
            factories.LiveStreamFactory(
                merchant=merchant,
                host=host,
                room=room,
                planned_start=timezone.now() + dt.timedelta(days=1 + i, hours=n % 7),
            )
        with django_assert_max_num_queries(3):
            assert _feed(client, token).status_code == 200


def test_the_streams_page_makes_copies_and_revokes_a_link(client, merchant, host, host_user):
    login(client, host_user)
    page = client.get(reverse("livestreams:calendar"))
    assert b"Make a calendar link" in page.content
    assert b"All streams of" not in page.content  # a host makes only their own

    made = client.post(
        reverse("livestreams:calendar_feed_create"),
        {"kind": "host", "subject": host.pk},
        headers={"HX-Request": "true"},
    )
    assert made.status_code == 200
    text = made.content.decode()
    feed = CalendarFeed.objects.get(owner=host_user, revoked_at__isnull=True)
    assert "webcal://testserver/calendar/" in text and "http://testserver/calendar/" in text
    assert "data-copy=" in text

    revoked = client.post(
        reverse("livestreams:calendar_feed_revoke", args=[feed.pk]),
        headers={"HX-Request": "true"},
    )
    assert revoked.status_code == 200 and b"Make a calendar link" in revoked.content
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_the_owner_sees_the_merchants_link_and_the_room_page_the_rooms(
    client, owner, manager, room
):
    login(client, owner)
    assert b"All streams of" in client.get(reverse("livestreams:calendar")).content
    login(client, manager)
    page = client.get(reverse("livestreams:room_edit", args=[room.pk]))
    assert b"Streams in Room 3" in page.content


def test_bad_input_to_the_link_form_names_the_field(client, owner, merchant):
    login(client, owner)
    url = reverse("livestreams:calendar_feed_create")
    bad_kind = client.post(url, {"kind": "planet", "subject": merchant.pk})
    assert bad_kind.status_code == 400 and b"kind" in bad_kind.content
    huge = client.post(url, {"kind": "merchant", "subject": 10**30})
    assert huge.status_code == 400 and b"subject" in huge.content


def test_someone_elses_link_cannot_be_revoked(client, other_owner, host, host_user):
    issued = calendar_feeds.feed_create(
        reach=reach_for(host_user), kind=Kind.HOST, subject_id=host.pk
    )
    login(client, other_owner)
    answer = client.post(reverse("livestreams:calendar_feed_revoke", args=[issued.feed.pk]))
    assert answer.status_code == 404
    issued.feed.refresh_from_db()
    assert issued.feed.revoked_at is None


def test_without_htmx_the_new_link_is_shown_on_a_page_of_its_own(client, owner, merchant):
    login(client, owner)
    made = client.post(
        reverse("livestreams:calendar_feed_create"), {"kind": "merchant", "subject": merchant.pk}
    )
    assert made.status_code == 200
    assert b"<h1>Calendar link</h1>" in made.content and b"webcal://" in made.content
    feed = CalendarFeed.objects.get(owner=owner, revoked_at__isnull=True)
    revoked = client.post(reverse("livestreams:calendar_feed_revoke", args=[feed.pk]))
    assert revoked.status_code == 302 and revoked["Location"] == reverse("livestreams:calendar")


def test_the_link_section_reads_in_chinese(client_zh, owner):
    login(client_zh, owner)
    page = client_zh.get(reverse("livestreams:calendar")).content.decode()
    assert "同步到手机日历" in page and "生成日历链接" in page


def test_the_owner_makes_a_colleagues_link_from_the_streams_page_and_sees_it_after(
    client, owner, host
):
    login(client, owner)
    page = client.get(reverse("livestreams:calendar")).content.decode()
    assert f'<option value="{host.pk}">Host A' in page
    made = client.post(
        reverse("livestreams:calendar_feed_create"),
        {"kind": "host", "subject": host.pk},
        headers={"HX-Request": "true"},
    )
    assert made.status_code == 200 and "Streams of Host A" in made.content.decode()
    feed = CalendarFeed.objects.get(owner=owner, member=host, revoked_at__isnull=True)
    again = client.get(reverse("livestreams:calendar")).content.decode()
    assert reverse("livestreams:calendar_feed_revoke", args=[feed.pk]) in again


def test_the_link_sections_carry_no_inline_code(client, owner, manager, merchant, room):
    login(client, owner)
    pages = [
        client.get(reverse("livestreams:calendar")),
        client.post(
            reverse("livestreams:calendar_feed_create"),
            {"kind": "merchant", "subject": merchant.pk},
        ),
    ]
    login(client, manager)
    pages.append(client.get(reverse("livestreams:room_edit", args=[room.pk])))
    for page in pages:
        assert page.status_code == 200
        finder = InlineFinder()
        finder.feed(page.content.decode())
        assert finder.found == []
        assert b"js/copy" in page.content
