"""Supervision with teeth: targets per stage and per merchant, the merchants falling behind, the
alerts of the daily run, follow-up reminders and closures, platform violations and their count."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from jingdezhen.core.days import day_bounds
from jingdezhen.core.errors import DomainError
from jingdezhen.core.tenancy import Reach
from livestreams.models import LiveStream
from merchants.models import (
    FollowUpClosure,
    FollowUpReminder,
    Merchant,
    Notification,
    PlatformViolation,
    Review,
    SupervisionAlert,
)
from merchants.notifications import kinds
from merchants.supervision import selectors, services
from merchants.supervision.models import SUPERVISED_STAGES
from orders.models import DailyMerchantTurnover
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db

# A Thursday: the last complete week is Monday 23 to Sunday 29 November 2026.
TODAY = dt.date(2026, 12, 3)
THIS_WEEK = dt.date(2026, 11, 30)
LAST_WEEK = dt.date(2026, 11, 23)
WEEK = dt.timedelta(weeks=1)


def _reach(user) -> Reach:
    return Reach(role=user.role, user_id=user.pk, base_id=user.base_id)


def _stream(merchant, day: dt.date, *, status=LiveStream.Status.ENDED):
    start = day_bounds(day)[0] + dt.timedelta(hours=20)
    return factories.LiveStreamFactory(
        merchant=merchant, planned_start=start, actual_start=start, status=status
    )


def _sales(merchant, day: dt.date, net: str):
    DailyMerchantTurnover.objects.create(
        base_id=merchant.base_id,
        merchant=merchant,
        day=day,
        net_cny=Decimal(net),
        gross_cny=Decimal(net),
    )


def _old(merchant):
    """A merchant incubating for long enough that every week read counts."""
    Merchant.objects.filter(pk=merchant.pk).update(incubation_started_on=dt.date(2026, 6, 1))
    merchant.refresh_from_db()
    return merchant


@pytest.fixture
def mreach(manager):
    return _reach(manager)


@pytest.fixture
def targets(mreach):
    services.stage_target_set(
        actor=mreach, stage="incubating", streams_per_week=3, gmv_per_week=Decimal("1000.00")
    )


def test_the_supervised_stages_are_merchant_stages():
    assert {stage for stage, _label in SUPERVISED_STAGES} <= set(Merchant.Stage.values)


# --- targets ---------------------------------------------------------------------------------


def test_a_merchant_follows_its_stage_target_and_its_own_override(mreach, merchant, targets):
    (standing,) = selectors.supervised_standings(reach=mreach, today=TODAY)
    assert standing.target.streams_per_week == 3
    assert standing.target.gmv_per_week == Decimal("1000.00")
    services.merchant_target_set(
        actor=mreach, merchant_id=merchant.pk, streams_per_week=5, gmv_per_week=None
    )
    (standing,) = selectors.supervised_standings(reach=mreach, today=TODAY)
    assert standing.target.streams_per_week == 5 and standing.target.own_streams
    assert standing.target.gmv_per_week == Decimal("1000.00") and not standing.target.own_gmv
    # Both figures empty: the override goes, the stage's target is back.
    services.merchant_target_set(
        actor=mreach, merchant_id=merchant.pk, streams_per_week=None, gmv_per_week=None
    )
    (standing,) = selectors.supervised_standings(reach=mreach, today=TODAY)
    assert standing.target.streams_per_week == 3


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("streams_per_week", {"streams_per_week": 0, "gmv_per_week": None}),
        ("streams_per_week", {"streams_per_week": 10_000, "gmv_per_week": None}),
        ("gmv_per_week", {"streams_per_week": None, "gmv_per_week": Decimal("-1")}),
        ("gmv_per_week", {"streams_per_week": None, "gmv_per_week": Decimal("1e12")}),
        ("gmv_per_week", {"streams_per_week": None, "gmv_per_week": Decimal("1.001")}),
    ],
)
def test_a_target_out_of_bounds_is_refused_naming_the_field(mreach, field, kwargs):
    with pytest.raises(DomainError) as error:
        services.stage_target_set(actor=mreach, stage="incubating", **kwargs)
    assert error.value.field == field


def test_rules_are_bounded_positive_numbers(mreach):
    with pytest.raises(DomainError) as error:
        services.rules_set(
            actor=mreach,
            weeks_missed_for_alert=0,
            days_without_stream_for_alert=7,
            violations_for_suspension=3,
            violation_window_days=90,
        )
    assert error.value.field == "weeks_missed_for_alert"


def test_only_a_manager_sets_targets(merchant):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.stage_target_set(
            actor=factories.merchant_reach(merchant),
            stage="incubating",
            streams_per_week=1,
            gmv_per_week=None,
        )


# --- falling behind --------------------------------------------------------------------------


def test_a_merchant_below_target_is_behind_and_leaves_the_list_once_it_meets_it(
    mreach, merchant, targets
):
    _old(merchant)
    _stream(merchant, LAST_WEEK)
    _sales(merchant, LAST_WEEK, "5000.00")
    (standing,) = selectors.merchants_falling_behind(reach=mreach, today=TODAY)
    assert standing.merchant == merchant
    assert standing.streams == 1 and standing.target.streams_per_week == 3
    assert standing.gmv == Decimal("5000.00")
    for offset in (1, 2):
        _stream(merchant, LAST_WEEK + dt.timedelta(days=offset))
    assert selectors.merchants_falling_behind(reach=mreach, today=TODAY) == []


def test_weeks_missed_are_counted_in_a_row(mreach, merchant, targets):
    _old(merchant)
    # Met three weeks ago, missed the two weeks since.
    for offset in range(3):
        _stream(merchant, LAST_WEEK - 2 * WEEK + dt.timedelta(days=offset))
    _sales(merchant, LAST_WEEK - 2 * WEEK, "2000.00")
    (standing,) = selectors.merchants_falling_behind(reach=mreach, today=TODAY)
    assert standing.weeks_missed == 2


def test_a_merchant_without_target_is_never_behind(mreach, merchant):
    _old(merchant)
    assert selectors.merchants_falling_behind(reach=mreach, today=TODAY) == []


def test_falling_behind_runs_constant_queries(mreach, base, targets, django_assert_max_num_queries):
    for _ in range(3):
        _old(factories.MerchantFactory(base=base))
    with django_assert_max_num_queries(6):
        assert len(selectors.merchants_falling_behind(reach=mreach, today=TODAY)) == 3
    for _ in range(20):
        m = _old(factories.MerchantFactory(base=base))
        _stream(m, LAST_WEEK)
        _sales(m, LAST_WEEK, "10.00")
    with django_assert_max_num_queries(6):
        assert len(selectors.merchants_falling_behind(reach=mreach, today=TODAY)) == 23


# --- alerts of the daily run -----------------------------------------------------------------


def test_an_alert_opens_after_the_set_weeks_missed_and_once_however_often_the_run_goes(
    mreach, manager, merchant, targets
):
    _old(merchant)
    _stream(merchant, THIS_WEEK)  # streaming, so no "no stream" alert
    _stream(merchant, LAST_WEEK)
    services.rules_set(
        actor=mreach,
        weeks_missed_for_alert=3,
        days_without_stream_for_alert=30,
        violations_for_suspension=3,
        violation_window_days=90,
    )
    # Met three weeks ago (three streams, the GMV), missed the two weeks since.
    for offset in range(3):
        _stream(merchant, LAST_WEEK - 2 * WEEK + dt.timedelta(days=offset))
    _sales(merchant, LAST_WEEK - 2 * WEEK, "5000.00")
    services.supervision_daily(today=TODAY)
    assert not SupervisionAlert.objects.filter(kind="missed_target").exists()
    # A week later the last complete week is missed too: three in a row.
    services.supervision_daily(today=TODAY + WEEK)
    services.supervision_daily(today=TODAY + WEEK)
    alert = SupervisionAlert.objects.get(kind="missed_target")
    assert alert.closed_at is None and alert.figure == 3 and alert.on == THIS_WEEK
    assert (
        Notification.objects.filter(recipient=manager, kind="supervision_missed_target").count()
        == 1
    )


def test_the_missed_target_alert_closes_when_the_target_is_met(mreach, merchant, targets):
    _old(merchant)
    services.supervision_daily(today=TODAY)
    assert SupervisionAlert.objects.filter(kind="missed_target", closed_at__isnull=True).exists()
    for offset in range(3):
        _stream(merchant, THIS_WEEK + dt.timedelta(days=offset))
    _sales(merchant, THIS_WEEK, "1000.00")
    services.supervision_daily(today=TODAY + WEEK)
    assert not SupervisionAlert.objects.filter(
        kind="missed_target", closed_at__isnull=True
    ).exists()


def test_a_no_stream_alert_opens_after_the_set_days(mreach, manager, merchant):
    _old(merchant)
    _stream(merchant, TODAY - dt.timedelta(days=6))
    services.supervision_daily(today=TODAY)
    assert not SupervisionAlert.objects.filter(kind="no_stream").exists()
    services.supervision_daily(today=TODAY + dt.timedelta(days=1))
    services.supervision_daily(today=TODAY + dt.timedelta(days=1))
    alert = SupervisionAlert.objects.get(kind="no_stream")
    assert alert.figure == 7
    assert Notification.objects.filter(recipient=manager, kind="supervision_no_stream").count() == 1
    # Streams again: the alert closes; a later silence opens a new one.
    _stream(merchant, TODAY + dt.timedelta(days=2))
    services.supervision_daily(today=TODAY + dt.timedelta(days=2))
    alert.refresh_from_db()
    assert alert.closed_at is not None


def test_a_second_daily_run_costs_the_same_few_queries_for_any_number_of_merchants(
    base, manager, targets, django_assert_max_num_queries
):
    for _ in range(3):
        _old(factories.MerchantFactory(base=base))
    services.supervision_daily(today=TODAY)
    assert SupervisionAlert.objects.count() == 6
    with django_assert_max_num_queries(14):
        assert services.supervision_daily(today=TODAY) == {"alerts": 0, "reminders": 0}
    for _ in range(20):
        _old(factories.MerchantFactory(base=base))
    services.supervision_daily(today=TODAY)
    with django_assert_max_num_queries(14):
        assert services.supervision_daily(today=TODAY) == {"alerts": 0, "reminders": 0}


def test_a_suspended_or_exited_merchant_raises_no_alert(mreach, base, targets):
    _old(factories.MerchantFactory(base=base, status=Merchant.Status.SUSPENDED))
    _old(factories.MerchantFactory(base=base, stage=Merchant.Stage.EXITED))
    services.supervision_daily(today=TODAY)
    assert not SupervisionAlert.objects.exists()


def test_the_daily_task_is_the_service(merchant, targets, settings):
    from merchants.tasks import supervision_daily

    _old(merchant)
    assert settings.CELERY_BEAT_SCHEDULE["merchants-supervision-daily"]["task"] == (
        "merchants.tasks.supervision_daily"
    )
    result = supervision_daily.apply().get()
    assert result["alerts"] >= 1


def test_an_alert_notification_reads_in_english_and_chinese(manager, merchant):
    _old(merchant)
    services.supervision_daily(today=TODAY)
    note = Notification.objects.get(recipient=manager, kind="supervision_no_stream")
    with translation.override("en"):
        text = kinds.render(note.kind, note.params)
        assert (
            text
            == f"{merchant.name} has not streamed for {(TODAY - dt.date(2026, 6, 1)).days} days."
        )
    with translation.override("zh-hans"):
        text = kinds.render(note.kind, note.params)
        assert merchant.name in text and "天" in text and "has not" not in text
    assert kinds.link(note.kind, note.subject_id) == f"/supervision/alerts/{note.subject_id}/"


# --- follow-ups ------------------------------------------------------------------------------


def _follow_up(merchant, manager, due: dt.date) -> Review:
    return factories.ReviewFactory(
        merchant=merchant,
        reviewer=manager,
        outcome=Review.Outcome.WARNING,
        follow_up_on=due,
        notes="Room untidy, host late.",
    )


def test_follow_ups_due_lists_due_and_overdue_open_ones(mreach, manager, merchant):
    overdue = _follow_up(merchant, manager, TODAY - dt.timedelta(days=3))
    due = _follow_up(merchant, manager, TODAY)
    _follow_up(merchant, manager, TODAY + dt.timedelta(days=1))
    assert list(selectors.follow_ups_due(reach=mreach, today=TODAY)) == [overdue, due]
    services.follow_up_close(actor=mreach, review_id=overdue.pk, note="Tidy now.")
    assert list(selectors.follow_ups_due(reach=mreach, today=TODAY)) == [due]
    closure = FollowUpClosure.objects.get(review=overdue)
    assert closure.closed_by == manager and closure.note == "Tidy now."


def test_a_follow_up_is_closed_with_a_note_once(mreach, manager, merchant):
    review = _follow_up(merchant, manager, TODAY)
    with pytest.raises(DomainError) as error:
        services.follow_up_close(actor=mreach, review_id=review.pk, note="  ")
    assert error.value.field == "note"
    services.follow_up_close(actor=mreach, review_id=review.pk, note="Done.")
    from django.http import Http404

    with pytest.raises(Http404):
        services.follow_up_close(actor=mreach, review_id=review.pk, note="Again.")


def test_a_follow_up_reminder_is_sent_once_a_day_when_due_and_not_after_closing(
    mreach, manager, merchant
):
    review = _follow_up(merchant, manager, TODAY)
    services.supervision_daily(today=TODAY - dt.timedelta(days=1))
    assert not FollowUpReminder.objects.exists()
    services.supervision_daily(today=TODAY)
    services.supervision_daily(today=TODAY)
    assert FollowUpReminder.objects.filter(review=review).count() == 1
    assert Notification.objects.filter(recipient=manager, kind="follow_up_due").count() == 1
    # Overdue the next day: reminded again, once.
    services.supervision_daily(today=TODAY + dt.timedelta(days=1))
    assert Notification.objects.filter(recipient=manager, kind="follow_up_due").count() == 2
    services.follow_up_close(actor=mreach, review_id=review.pk, note="Seen to.")
    services.supervision_daily(today=TODAY + dt.timedelta(days=2))
    assert Notification.objects.filter(recipient=manager, kind="follow_up_due").count() == 2


def test_a_follow_up_reminder_reads_in_both_languages_and_links_the_list(manager, merchant):
    manager.email = "mgr@example.com"
    manager.save()
    _follow_up(merchant, manager, TODAY)
    services.supervision_daily(today=TODAY)
    note = Notification.objects.get(recipient=manager, kind="follow_up_due")
    with translation.override("en"):
        assert kinds.render(note.kind, note.params) == (
            f"The follow-up of {merchant.name} was due on 2026-12-03: Room untidy, host late."
        )
    with translation.override("zh-hans"):
        assert "跟进" in kinds.render(note.kind, note.params)
    assert kinds.link(note.kind, note.subject_id) == "/supervision/follow-ups/"


def test_follow_ups_due_runs_one_query(mreach, manager, base, django_assert_num_queries):
    for _ in range(5):
        _follow_up(factories.MerchantFactory(base=base), manager, TODAY)
    with django_assert_num_queries(1):
        rows = list(selectors.follow_ups_due(reach=mreach, today=TODAY))
        assert [r.merchant.name for r in rows]


def test_another_bases_follow_ups_are_not_listed(mreach, other_base):
    other = factories.MerchantFactory(base=other_base)
    factories.ReviewFactory(merchant=other, follow_up_on=TODAY)
    assert list(selectors.follow_ups_due(reach=mreach, today=TODAY)) == []


# --- violations ------------------------------------------------------------------------------


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("notice.png", buffer.getvalue(), content_type="image/png")


def _record(mreach, merchant, day=TODAY, evidence=None):
    return services.violation_record(
        actor=mreach,
        merchant_id=merchant.pk,
        platform="douyin",
        occurred_on=day,
        kind=PlatformViolation.Kind.POINTS_DEDUCTED,
        points=4,
        reason="Exaggerated claims about antique age.",
        evidence=evidence,
        today=TODAY,
    )


def test_violations_count_toward_suspension_and_alert_the_managers(mreach, manager, merchant):
    _record(mreach, merchant, TODAY - dt.timedelta(days=120))  # outside the 90 days
    _record(mreach, merchant, TODAY - dt.timedelta(days=10))
    _record(mreach, merchant, TODAY - dt.timedelta(days=5))
    assert not SupervisionAlert.objects.filter(kind="violations").exists()
    _record(mreach, merchant)
    alert = SupervisionAlert.objects.get(kind="violations")
    assert alert.figure == 3
    note = Notification.objects.get(recipient=manager, kind="supervision_violations")
    with translation.override("en"):
        assert "3 platform violations in the last 90 days" in kinds.render(note.kind, note.params)
    _record(mreach, merchant)
    assert SupervisionAlert.objects.filter(kind="violations").count() == 1
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE  # the manager decides


def test_the_violations_alert_closes_once_they_age_out_of_the_window(mreach, merchant):
    for days in (30, 20, 10):
        _record(mreach, merchant, TODAY - dt.timedelta(days=days))
    services.supervision_daily(today=TODAY)
    assert SupervisionAlert.objects.filter(kind="violations", closed_at__isnull=True).exists()
    services.supervision_daily(today=TODAY + dt.timedelta(days=61))  # the first is 91 days old
    assert not SupervisionAlert.objects.filter(kind="violations", closed_at__isnull=True).exists()


def test_evidence_is_kept_privately_when_it_is_an_image(mreach, merchant):
    violation = _record(mreach, merchant, evidence=_png())
    assert violation.evidence.name.startswith("violations/")
    assert violation.evidence.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.png", b"MZ\x90\x00" + b"\x00" * 200),
        ("page.png", b"<html><script>alert(1)</script></html>"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_evidence_of_another_type_is_refused_naming_the_field(mreach, merchant, name, content):
    with pytest.raises(DomainError) as error:
        _record(mreach, merchant, evidence=SimpleUploadedFile(name, content))
    assert error.value.field == "evidence"
    assert not PlatformViolation.objects.exists()


def test_a_violation_in_the_future_is_refused(mreach, merchant):
    with pytest.raises(DomainError) as error:
        _record(mreach, merchant, day=TODAY + dt.timedelta(days=1))
    assert error.value.field == "occurred_on"


def test_a_merchant_member_cannot_record_a_violation(merchant):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _record(factories.merchant_reach(merchant), merchant)


# --- pages -----------------------------------------------------------------------------------

PAGES = [
    "/supervision/behind/",
    "/supervision/follow-ups/",
    "/supervision/targets/",
]


@pytest.mark.parametrize("url", PAGES)
def test_the_supervision_pages_are_the_managers_in_both_languages(client, client_zh, manager, url):
    assert login(client, manager).get(url).status_code == 200
    response = login(client_zh, manager).get(url)
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode() or "zh" in response["Content-Language"]


@pytest.mark.parametrize("url", PAGES)
def test_a_merchant_member_or_trainer_gets_404(client, owner, trainer, url):
    assert login(client, owner).get(url).status_code == 404
    assert login(client, trainer).get(url).status_code == 404


def _merchant_urls(merchant, review, violation, alert) -> list[tuple[str, str]]:
    return [
        ("get", f"/merchants/{merchant.pk}/supervision/"),
        ("post", f"/merchants/{merchant.pk}/supervision/target/"),
        ("post", f"/merchants/{merchant.pk}/supervision/violations/"),
        ("post", f"/supervision/follow-ups/{review.pk}/close/"),
        ("get", f"/supervision/violations/{violation.pk}/evidence/"),
        ("get", f"/supervision/alerts/{alert.pk}/"),
        ("post", f"/supervision/alerts/{alert.pk}/close/"),
    ]


def test_another_bases_merchant_is_404_on_every_supervision_page(client, manager, other_base):
    other = factories.MerchantFactory(base=other_base)
    review = factories.ReviewFactory(merchant=other, follow_up_on=TODAY)
    violation = PlatformViolation.objects.create(
        merchant=other, platform="douyin", occurred_on=TODAY, kind="points_deducted", reason="x"
    )
    alert = SupervisionAlert.objects.create(merchant=other, kind="no_stream", on=TODAY)
    login(client, manager)
    for method, url in _merchant_urls(other, review, violation, alert):
        assert getattr(client, method)(url, {"note": "x"}).status_code == 404, url
    assert not FollowUpClosure.objects.exists()
    alert.refresh_from_db()
    assert alert.closed_at is None


def test_the_merchants_own_member_gets_404_on_its_supervision(client, owner, merchant, manager):
    review = factories.ReviewFactory(merchant=merchant, follow_up_on=TODAY)
    violation = PlatformViolation.objects.create(
        merchant=merchant, platform="douyin", occurred_on=TODAY, kind="points_deducted", reason="x"
    )
    alert = SupervisionAlert.objects.create(merchant=merchant, kind="no_stream", on=TODAY)
    login(client, owner)
    for method, url in _merchant_urls(merchant, review, violation, alert):
        assert getattr(client, method)(url, {"note": "x"}).status_code == 404, url


def test_the_targets_page_saves_stage_targets_and_rules(client, manager, mreach):
    login(client, manager)
    response = client.post(
        "/supervision/targets/",
        {
            "incubating-streams_per_week": "4",
            "incubating-gmv_per_week": "2500.00",
            "graduated-streams_per_week": "",
            "graduated-gmv_per_week": "8000",
            "rules-weeks_missed_for_alert": "3",
            "rules-days_without_stream_for_alert": "5",
            "rules-violations_for_suspension": "2",
            "rules-violation_window_days": "60",
        },
    )
    assert response.status_code == 302
    stages = selectors.stage_targets(reach=mreach, base_id=manager.base_id)
    assert stages["incubating"].streams_per_week == 4
    assert stages["graduated"].streams_per_week is None
    assert stages["graduated"].gmv_per_week == Decimal("8000")
    assert selectors.rules_for(manager.base_id).days_without_stream_for_alert == 5


def test_a_target_out_of_bounds_on_the_page_is_a_400_naming_the_field(client, manager):
    login(client, manager)
    response = client.post(
        "/supervision/targets/",
        {
            "incubating-streams_per_week": "100000",
            "rules-weeks_missed_for_alert": "0",
            "rules-days_without_stream_for_alert": "5",
            "rules-violations_for_suspension": "2",
            "rules-violation_window_days": "60",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "field-error" in body and "id_incubating-streams_per_week" in body


def test_the_merchant_override_is_saved_from_its_panel(client, manager, merchant, mreach):
    login(client, manager)
    url = f"/merchants/{merchant.pk}/supervision/target/"
    assert client.post(url, {"target-streams_per_week": "6"}).status_code == 302
    (standing,) = selectors.supervised_standings(reach=mreach, today=TODAY)
    assert standing.target.streams_per_week == 6
    response = client.post(url, {"target-gmv_per_week": "abc"})
    assert response.status_code == 400


def test_the_falling_behind_page_lists_the_merchant_below_target(
    client, manager, merchant, targets
):
    _old(merchant)
    response = login(client, manager).get("/supervision/behind/")
    assert merchant.name in response.content.decode()


def test_closing_a_follow_up_with_htmx_swaps_its_row(client, manager, merchant):
    from jingdezhen.core.days import today

    review = _follow_up(merchant, manager, today())
    login(client, manager)
    url = f"/supervision/follow-ups/{review.pk}/close/"
    response = client.post(url, {"note": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and "field-error" in response.content.decode()
    response = client.post(url, {"note": "Host on time now."}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="follow-up-{review.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert FollowUpClosure.objects.get(review=review).note == "Host on time now."


def _violation_post(client, merchant, upload):
    from jingdezhen.core.days import today

    return client.post(
        f"/merchants/{merchant.pk}/supervision/violations/",
        {
            "violation-platform": "douyin",
            "violation-occurred_on": today().isoformat(),
            "violation-kind": "traffic_restricted",
            "violation-points": "0",
            "violation-reason": "Livestream showed a competitor's logo.",
            "violation-evidence": upload,
        },
    )


def test_a_violation_with_evidence_is_recorded_and_the_file_served_to_the_manager(
    client, manager, merchant
):
    login(client, manager)
    assert _violation_post(client, merchant, _png()).status_code == 302
    violation = PlatformViolation.objects.get()
    response = client.get(f"/supervision/violations/{violation.pk}/evidence/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("max-age") or "private" in response["Cache-Control"]


def test_a_pdf_notice_is_kept_and_downloaded_not_shown(client, manager, merchant):
    login(client, manager)
    pdf = SimpleUploadedFile("notice.pdf", b"%PDF-1.4\n%fake notice\n%%EOF\n")
    assert _violation_post(client, merchant, pdf).status_code == 302
    violation = PlatformViolation.objects.get()
    response = client.get(f"/supervision/violations/{violation.pk}/evidence/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 100),
        ("screenshot.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ],
)
def test_evidence_renamed_is_a_400_naming_the_field(client, manager, merchant, name, content):
    login(client, manager)
    response = _violation_post(client, merchant, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    body = response.content.decode()
    assert "field-error" in body and "id_violation-evidence" in body
    assert "Upload a PNG, JPEG or WebP screenshot or a PDF." in body
    assert not PlatformViolation.objects.exists()


def test_an_alerts_link_leads_to_the_merchants_supervision(client, manager, merchant):
    alert = SupervisionAlert.objects.create(merchant=merchant, kind="no_stream", on=TODAY)
    login(client, manager)
    response = client.get(f"/supervision/alerts/{alert.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/merchants/{merchant.pk}/#supervision"
    assert client.post(f"/supervision/alerts/{alert.pk}/close/").status_code == 302
    alert.refresh_from_db()
    assert alert.closed_at is not None


def test_the_merchant_page_loads_the_panel_for_the_manager_only(client, manager, owner, merchant):
    url = f"/merchants/{merchant.pk}/supervision/"
    assert url in login(client, manager).get(f"/merchants/{merchant.pk}/").content.decode()
    client.logout()
    assert url not in login(client, owner).get(f"/merchants/{merchant.pk}/").content.decode()


def _crowd(base, manager, n):
    for _ in range(n):
        m = _old(factories.MerchantFactory(base=base))
        _stream(m, LAST_WEEK)
        _sales(m, LAST_WEEK, "10.00")
        _follow_up(m, manager, TODAY - dt.timedelta(days=1))
        SupervisionAlert.objects.create(merchant=m, kind="no_stream", on=TODAY)


@pytest.mark.parametrize("url", PAGES)
def test_the_supervision_pages_run_constant_queries(
    client, manager, base, targets, url, django_assert_max_num_queries
):
    login(client, manager)
    _crowd(base, manager, 2)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    _crowd(base, manager, 15)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_the_merchant_panel_runs_constant_queries(
    client, manager, merchant, targets, django_assert_max_num_queries
):
    login(client, manager)
    url = f"/merchants/{merchant.pk}/supervision/"
    with django_assert_max_num_queries(18):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    for n in range(15):
        _follow_up(merchant, manager, TODAY - dt.timedelta(days=n))
        _stream(merchant, LAST_WEEK - n * WEEK)
        PlatformViolation.objects.create(
            merchant=merchant, platform="jd", occurred_on=TODAY, kind="points_deducted", reason="x"
        )
    FollowUpClosure.objects.create(review=Review.objects.first(), closed_by=manager, note="ok")
    with django_assert_max_num_queries(18):
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_the_panel_reads_in_chinese(client_zh, manager, merchant, targets):
    _old(merchant)
    body = login(client_zh, manager).get(f"/merchants/{merchant.pk}/supervision/").content.decode()
    for chinese in ("督导", "每周目标", "登记违规", "平台违规", "跟进事项"):
        assert chinese in body
    for english in ("Record a violation", "Weekly target", "Open alerts", "Save target"):
        assert english not in body


def test_the_menu_offers_supervision_to_managers_only(client, manager, owner):
    body = login(client, manager).get("/").content.decode()
    assert "/supervision/behind/" in body and "/supervision/follow-ups/" in body
    client.logout()
    assert "/supervision/" not in login(client, owner).get("/").content.decode()
