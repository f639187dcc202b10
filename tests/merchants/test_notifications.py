"""Notifications people read: who is told of each event, the sentence in the reader's language,
the inbox with its badge, mark read and mark all read (page and API), each user's own only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from jingdezhen.core.tenancy import reach_for
from livestreams.services import notifications as stream_notifications
from merchants.models import Notification, Role, TeamMember
from merchants.notifications import services
from tests import factories
from tests.conftest import login
from training import services as training_services


@pytest.fixture
def crew(merchant):
    return {
        role: factories.member_user(merchant, role=role, username=f"crew-{role}")
        for role in (TeamMember.Role.HOST, "assistant", "operator")
    }


def _stream(merchant, crew, **kwargs):
    members = {u.username: u.membership for u in crew.values()}
    return factories.LiveStreamFactory(
        merchant=merchant,
        title="青花茶具专场",
        host=members[f"crew-{TeamMember.Role.HOST}"],
        assistant_host=members["crew-assistant"],
        operator=members["crew-operator"],
        **kwargs,
    )


def _late(merchant, crew):
    now = timezone.now()
    stream = _stream(
        merchant,
        crew,
        planned_start=now - dt.timedelta(minutes=30),
        planned_end=now + dt.timedelta(minutes=30),
    )
    return stream, now


def test_a_notification_created_in_chinese_is_read_in_english(
    merchant, owner, crew, client, api_client
):
    stream, now = _late(merchant, crew)
    with translation.override("zh-hans"):
        assert stream_notifications.streams_flag_late(now=now) == 1
    note = Notification.objects.get(recipient=owner)
    assert note.kind == "stream_late" and note.params["title"] == "青花茶具专场"

    start = f"{timezone.localtime(stream.planned_start):%H:%M}"
    api_client.force_authenticate(owner)
    body = api_client.get("/api/v1/notifications/").json()
    assert body["results"][0]["text"] == (
        f"“青花茶具专场” was due to start at {start} and has not gone live."
    )
    page = login(client, owner).get("/notifications/")
    assert "has not gone live" in page.content.decode()

    with translation.override("zh-hans"):
        zh = api_client.get("/api/v1/notifications/", headers={"Accept-Language": "zh-hans"})
    expected = f"“青花茶具专场”原定 {start} 开播，至今尚未开播。"  # noqa: RUF001
    assert zh.json()["results"][0]["text"] == expected


def test_a_late_stream_is_told_to_its_crew_and_the_owners_only(
    merchant, other_merchant, owner, other_owner, manager, crew
):
    _stream, now = _late(merchant, crew)
    stream_notifications.streams_flag_late(now=now)
    told = set(Notification.objects.filter(kind="stream_late").values_list("recipient", flat=True))
    assert told == {owner.pk, *(u.pk for u in crew.values())}


def test_a_reminder_reaches_crew_and_owners_once_each_with_an_email(
    merchant, owner, crew, django_capture_on_commit_callbacks
):
    for user in (owner, *crew.values()):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    now = timezone.now()
    _stream(merchant, crew, planned_start=now + dt.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert stream_notifications.reminders_send(now=now) == 1
        assert stream_notifications.reminders_send(now=now) == 0
    assert Notification.objects.filter(kind="stream_reminder").count() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{u.username}@example.cn" for u in (owner, *crew.values())
    )
    # The e-mail is in the site's language (users keep no language of their own).
    assert "提醒" in mail.outbox[0].body


def test_a_missed_stream_is_told_to_the_managers_too(merchant, owner, manager, crew, base):
    other_base_manager = factories.UserFactory(role=Role.MANAGER, username="far-mgr")
    now = timezone.now()
    stream = _stream(
        merchant,
        crew,
        planned_start=now - dt.timedelta(hours=3),
        planned_end=now - dt.timedelta(hours=1),
    )
    stream_notifications.streams_flag_late(now=now)
    stream_notifications.streams_flag_late(now=now)
    missed = Notification.objects.filter(kind="stream_missed", subject_id=stream.pk)
    told = set(missed.values_list("recipient", flat=True))
    assert told == {owner.pk, manager.pk, *(u.pk for u in crew.values())}
    assert other_base_manager.pk not in told and missed.count() == len(told)


def test_a_full_cohort_is_told_to_its_trainer(base, trainer, manager):
    cohort = factories.CohortFactory(course__base=base, trainer=trainer, capacity=1)
    actor = reach_for(trainer)
    first, second = factories.TraineeFactory(base=base), factories.TraineeFactory(base=base)
    training_services.enrollment_create(actor=actor, cohort_id=cohort.pk, trainee_id=first.pk)
    training_services.enrollment_create(actor=actor, cohort_id=cohort.pk, trainee_id=second.pk)
    note = Notification.objects.get(kind="cohort_full")
    assert note.recipient_id == trainer.pk and note.subject_id == cohort.pk
    with translation.override("en"):
        assert "is full (1 places)" in services.kinds.render(note.kind, note.params)


def _notes(user, merchant, n):
    made = []
    for i in range(n):
        stream = factories.LiveStreamFactory(merchant=merchant)
        made += services.notify(
            recipients=[user],
            kind="stream_reminder",
            params={
                "title": f"Stream {i}",
                "start": timezone.now(),
                "place": "",
                "platform": "douyin",
            },
            base_id=merchant.base_id,
            merchant_id=merchant.pk,
            subject=stream,
        )
    return made


def test_notify_refuses_unknown_parameters_and_a_wrong_subject(owner, merchant):
    with pytest.raises(ValueError):
        services.notify(
            recipients=[owner], kind="stream_late", params={"x": 1}, base_id=merchant.base_id
        )
    with pytest.raises(ValueError):
        services.notify(
            recipients=[owner],
            kind="cohort_full",
            params={"cohort": "a", "course": "b", "capacity": 1},
            base_id=merchant.base_id,
            subject=merchant,
        )


@pytest.mark.parametrize("n", [1, 8])
def test_the_badge_and_the_inbox_take_a_constant_number_of_queries(
    n, client, owner, merchant, django_assert_max_num_queries
):
    _notes(owner, merchant, n)
    login(client, owner)
    with django_assert_max_num_queries(9):
        page = client.get("/notifications/")
    assert page.status_code == 200
    assert f'<span class="tag tag-warn" aria-label="{n} unread">{n}</span>' in page.content.decode()


def test_the_badge_shows_in_every_roles_menu(client, manager, trainer, owner):
    for user in (manager, trainer, owner):
        page = login(client, user).get("/")
        assert 'id="notification-badge"' in page.content.decode()


def test_mark_read_on_the_page_with_htmx_and_mark_all_read(client, owner, merchant):
    first, *_rest = _notes(owner, merchant, 3)
    login(client, owner)
    answer = client.post(f"/notifications/{first.pk}/read/", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'hx-swap-oob="true"' in html and ">2</span>" in html
    first.refresh_from_db()
    assert first.read_at is not None
    answer = client.post("/notifications/read-all/")
    assert answer.status_code == 302
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()


def test_mark_read_and_read_all_through_the_api(api_client, owner, merchant):
    first, *_rest = _notes(owner, merchant, 3)
    api_client.force_authenticate(owner)
    answer = api_client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert answer.status_code == 200 and answer.json()["is_read"] is True
    unread = api_client.get("/api/v1/notifications/?unread=true").json()
    assert unread["count"] == 2
    assert api_client.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert api_client.get("/api/v1/notifications/?unread=1").json()["count"] == 0


def test_a_user_reads_and_marks_only_their_own(client, api_client, owner, merchant):
    colleague = factories.member_user(merchant, role=TeamMember.Role.HOST, username="colleague")
    theirs = _notes(colleague, merchant, 1)[0]
    mine = _notes(owner, merchant, 1)[0]
    api_client.force_authenticate(owner)
    listed = api_client.get("/api/v1/notifications/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert api_client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api_client.post(f"/api/v1/notifications/{2**63}/read/").status_code == 404
    api_client.post("/api/v1/notifications/read-all/")
    login(client, owner)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_old_reminders_page_leads_to_the_inbox(client, owner):
    answer = login(client, owner).get("/streams/notifications/")
    assert answer.status_code == 301 and answer["Location"] == "/notifications/"
