"""Every write of supervision: targets and rules, follow-ups closed, violations recorded, alerts
closed, and the daily run (``supervision_daily``, Celery beat at 08:00) that opens and closes the
alerts and sends the follow-up reminders. Each is one transaction; the daily run is safe to run
any number of times (one open alert per merchant and kind, one reminder per follow-up a day:
both constraints)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.days import today as base_today
from jingdezhen.core.errors import DomainError, NotAllowed
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tenancy import MANAGER, Reach

from ..models import Base, Review
from ..notifications import services as notifications
from ..selectors import merchant_get
from . import selectors
from .evidence import check_evidence
from .models import (
    MAX_DAYS_WITHOUT_STREAM,
    MAX_GMV_PER_WEEK,
    MAX_NOTE,
    MAX_POINTS,
    MAX_REASON,
    MAX_STREAMS_PER_WEEK,
    MAX_VIOLATION_WINDOW_DAYS,
    MAX_VIOLATIONS,
    MAX_WEEKS_MISSED,
    SUPERVISED_STAGES,
    FollowUpClosure,
    FollowUpReminder,
    MerchantTarget,
    PlatformViolation,
    StageTarget,
    SupervisionAlert,
    SupervisionRules,
)

Kind = SupervisionAlert.Kind


def _manager_base(actor: Reach) -> int:
    actor.require_role(MANAGER)
    if actor.base_id is None:
        raise NotAllowed(_("Only a base's manager sets its supervision."))
    return actor.base_id


def _check_streams(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_STREAMS_PER_WEEK
    ):
        raise DomainError(
            _("Streams per week are a whole number from 1 to %(max)s.")
            % {"max": MAX_STREAMS_PER_WEEK},
            field=field,
        )
    return value


def _check_gmv(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    bounds.check_money(value, field=field, maximum=MAX_GMV_PER_WEEK)
    if value <= 0:
        raise DomainError(_("A GMV target is above zero."), field=field)
    return value


def _check_count(value: int, field: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise DomainError(_("A whole number from 1 to %(max)s.") % {"max": maximum}, field=field)
    return value


@transaction.atomic
def stage_target_set(
    *, actor: Reach, stage: str, streams_per_week: int | None, gmv_per_week: Decimal | None
) -> StageTarget | None:
    """Set the weekly target of one stage of the actor's base (both figures empty: no target)."""
    base_id = _manager_base(actor)
    if stage not in dict(SUPERVISED_STAGES):
        raise DomainError(_("Choose a stage that streams."), field="stage")
    streams = _check_streams(streams_per_week, "streams_per_week")
    gmv = _check_gmv(gmv_per_week, "gmv_per_week")
    if streams is None and gmv is None:
        StageTarget.objects.filter(base_id=base_id, stage=stage).delete()
        return None
    target, _created = StageTarget.objects.update_or_create(
        base_id=base_id,
        stage=stage,
        defaults={"streams_per_week": streams, "gmv_per_week": gmv},
    )
    return target


@transaction.atomic
def rules_set(
    *,
    actor: Reach,
    weeks_missed_for_alert: int,
    days_without_stream_for_alert: int,
    violations_for_suspension: int,
    violation_window_days: int,
) -> SupervisionRules:
    base_id = _manager_base(actor)
    values = {
        "weeks_missed_for_alert": _check_count(
            weeks_missed_for_alert, "weeks_missed_for_alert", MAX_WEEKS_MISSED
        ),
        "days_without_stream_for_alert": _check_count(
            days_without_stream_for_alert, "days_without_stream_for_alert", MAX_DAYS_WITHOUT_STREAM
        ),
        "violations_for_suspension": _check_count(
            violations_for_suspension, "violations_for_suspension", MAX_VIOLATIONS
        ),
        "violation_window_days": _check_count(
            violation_window_days, "violation_window_days", MAX_VIOLATION_WINDOW_DAYS
        ),
    }
    rules, _created = SupervisionRules.objects.update_or_create(base_id=base_id, defaults=values)
    return rules


def _merchant_for(actor: Reach, merchant_id: int):
    actor.require_role(MANAGER)
    merchant = merchant_get(reach=actor, pk=merchant_id)
    if not actor.can_act_for_merchant(merchant.pk, merchant.base_id):
        raise NotAllowed(_("You may not supervise this merchant."))
    return merchant


@transaction.atomic
def merchant_target_set(
    *,
    actor: Reach,
    merchant_id: int,
    streams_per_week: int | None,
    gmv_per_week: Decimal | None,
) -> MerchantTarget | None:
    """Override a merchant's target (an empty figure follows its stage; both empty: no override)."""
    merchant = _merchant_for(actor, merchant_id)
    streams = _check_streams(streams_per_week, "streams_per_week")
    gmv = _check_gmv(gmv_per_week, "gmv_per_week")
    if streams is None and gmv is None:
        MerchantTarget.objects.filter(merchant=merchant).delete()
        return None
    target, _created = MerchantTarget.objects.update_or_create(
        merchant=merchant, defaults={"streams_per_week": streams, "gmv_per_week": gmv}
    )
    return target


@transaction.atomic
def follow_up_close(*, actor: Reach, review_id: int, note: str) -> FollowUpClosure:
    """Close an open follow-up with what was found; a closed or foreign one is a 404."""
    review = selectors.follow_up_get(reach=actor, review_id=review_id)
    if not actor.can_act_for_merchant(review.merchant_id, review.merchant.base_id):
        raise NotAllowed(_("You may not supervise this merchant."))
    note = bounds.check_text(note or "", field="note", max_length=MAX_NOTE).strip()
    if not note:
        raise DomainError(_("Write what the follow-up found."), field="note")
    # Locked, so two managers closing it at once make one closure (the second finds it closed).
    Review.objects.select_for_update().filter(pk=review.pk).first()
    if FollowUpClosure.objects.filter(review=review).exists():
        raise DomainError(_("This follow-up is already closed."), field="note", code="conflict")
    return FollowUpClosure.objects.create(review=review, closed_by_id=actor.user_id, note=note)


@transaction.atomic
def violation_record(
    *,
    actor: Reach,
    merchant_id: int,
    platform: str,
    occurred_on: dt.date,
    kind: str,
    points: int,
    reason: str,
    evidence=None,
    today: dt.date | None = None,
) -> PlatformViolation:
    """Record a platform's sanction; when the violations of the window reach the base's rule,
    an alert tells the managers to decide on a suspension (they suspend through the status
    services, as ever)."""
    merchant = _merchant_for(actor, merchant_id)
    today = today or base_today()
    if platform not in Platform.values:
        raise DomainError(_("Choose a platform."), field="platform")
    if kind not in PlatformViolation.Kind.values:
        raise DomainError(_("Choose a sanction."), field="kind")
    bounds.check_day(occurred_on, field="occurred_on", today=today)
    if occurred_on > today:
        raise DomainError(_("The date cannot be in the future."), field="occurred_on")
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= MAX_POINTS:
        raise DomainError(
            _("Points are a whole number from 0 to %(max)s.") % {"max": MAX_POINTS},
            field="points",
        )
    reason = bounds.check_text(reason or "", field="reason", max_length=MAX_REASON).strip()
    if not reason:
        raise DomainError(_("Say what the platform gave as the reason."), field="reason")
    stored = check_evidence(evidence, field="evidence") if evidence else None
    violation = PlatformViolation(
        merchant=merchant,
        platform=platform,
        occurred_on=occurred_on,
        kind=kind,
        points=points,
        reason=reason,
        recorded_by_id=actor.user_id,
    )
    if stored is not None:
        violation.evidence.save(stored.name, stored, save=False)
    try:
        violation.save()
        _check_violations(merchant, today)
    except Exception:
        if violation.evidence:
            violation.evidence.delete(save=False)  # no file is left without its row
        raise
    return violation


@transaction.atomic
def alert_close(*, actor: Reach, alert_id: int) -> SupervisionAlert:
    """The manager has dealt with an alert (talked to the merchant, suspended it ...)."""
    alert = selectors.alert_get(reach=actor, pk=alert_id)
    _merchant_for(actor, alert.merchant_id)
    if alert.closed_at is None:
        alert.closed_at = timezone.now()
        alert.save(update_fields=["closed_at"])
    return alert


# --- the daily run --------------------------------------------------------------------------


def _open(merchant, kind: str, *, on: dt.date, figure: int, params: dict, managers=None) -> bool:
    """Open an alert of ``kind`` unless one is open, and tell the base's managers. Returns
    whether one was opened now."""
    try:
        with transaction.atomic():  # a savepoint: the constraint decides between two runs
            alert = SupervisionAlert.objects.create(
                merchant=merchant, kind=kind, on=on, figure=figure
            )
    except IntegrityError:  # one is open already (this run's twin, or an earlier run)
        return False
    if managers is None:
        managers = list(notifications.base_managers(base_id=merchant.base_id))
    notifications.notify(
        recipients=managers,
        kind=f"supervision_{kind}",
        params={"merchant": merchant.name, **params},
        base_id=merchant.base_id,
        merchant_id=merchant.pk,
        subject=alert,
    )
    return True


def _close(merchant_ids: list[int], kind: str) -> int:
    if not merchant_ids:
        return 0
    return SupervisionAlert.objects.filter(
        merchant_id__in=merchant_ids, kind=kind, closed_at__isnull=True
    ).update(closed_at=timezone.now())


def _check_violations(merchant, today: dt.date) -> bool:
    rules = selectors.rules_for(merchant.base_id)
    count = selectors.violations_counted(merchant_id=merchant.pk, rules=rules, today=today)
    if count < rules.violations_for_suspension:
        _close([merchant.pk], Kind.VIOLATIONS)
        return False
    return _open(
        merchant,
        Kind.VIOLATIONS,
        on=today,
        figure=count,
        params={"count": count, "days": rules.violation_window_days},
    )


def _system_reach(base_id: int) -> Reach:
    return Reach(role=MANAGER, base_id=base_id)


@transaction.atomic
def alerts_update(*, base_id: int, today: dt.date) -> int:
    """Open the alerts the base's rules call for and close those no longer called for; returns
    how many were opened. Safe to run again: an open alert is not opened twice, and a run that
    opens nothing costs the same few queries whatever the number of merchants."""
    reach = _system_reach(base_id)
    rules = selectors.rules_for(base_id)
    already = set(
        SupervisionAlert.objects.filter(
            merchant__base_id=base_id, closed_at__isnull=True
        ).values_list("merchant_id", "kind")
    )
    managers = list(notifications.base_managers(base_id=base_id))
    opened = 0
    met, streamed = [], []

    def open_once(merchant, kind, **fields) -> int:
        if (merchant.pk, kind) in already:
            return 0
        return int(_open(merchant, kind, managers=managers, **fields))

    for standing in selectors.supervised_standings(reach=reach, today=today):
        merchant = standing.merchant
        if standing.weeks_missed >= rules.weeks_missed_for_alert:
            opened += open_once(
                merchant,
                Kind.MISSED_TARGET,
                on=standing.week,
                figure=standing.weeks_missed,
                params={"weeks": standing.weeks_missed, "week": standing.week.isoformat()},
            )
        elif standing.weeks_missed == 0:
            met.append(merchant.pk)
        if standing.days_without_stream >= rules.days_without_stream_for_alert:
            opened += open_once(
                merchant,
                Kind.NO_STREAM,
                on=today,
                figure=standing.days_without_stream,
                params={"days": standing.days_without_stream},
            )
        else:
            streamed.append(merchant.pk)
    _close(met, Kind.MISSED_TARGET)
    _close(streamed, Kind.NO_STREAM)
    # Violations age out of the window: an alert whose count fell below the rule closes.
    counting = [pk for pk, kind in already if kind == Kind.VIOLATIONS]
    if counting:
        since = today - dt.timedelta(days=rules.violation_window_days - 1)
        counts = dict(
            PlatformViolation.objects.filter(
                merchant_id__in=counting, occurred_on__gte=since, occurred_on__lte=today
            )
            .order_by()
            .values("merchant_id")
            .annotate(n=Count("pk"))
            .values_list("merchant_id", "n")
        )
        _close(
            [pk for pk in counting if counts.get(pk, 0) < rules.violations_for_suspension],
            Kind.VIOLATIONS,
        )
    return opened


@transaction.atomic
def follow_up_reminders_send(*, base_id: int, today: dt.date) -> int:
    """Remind the base's managers of each open follow-up due today or overdue, once a day each
    (a reminder row per follow-up and day, unique); returns how many were sent now."""
    reach = _system_reach(base_id)
    due = list(selectors.follow_ups_due(reach=reach, today=today))
    if not due:
        return 0
    already = set(
        FollowUpReminder.objects.filter(review__in=due, day=today).values_list(
            "review_id", flat=True
        )
    )
    fresh = [review for review in due if review.pk not in already]
    FollowUpReminder.objects.bulk_create(
        [FollowUpReminder(review=review, day=today) for review in fresh],
        ignore_conflicts=True,
    )
    # ignore_conflicts leaves the pk unset: read back the rows made for today.
    rows = {
        row.review_id: row for row in FollowUpReminder.objects.filter(review__in=fresh, day=today)
    }
    managers = list(notifications.base_managers(base_id=base_id))
    sent = 0
    for review in fresh:
        reminder = rows.get(review.pk)
        if reminder is None:
            continue
        sent += bool(
            notifications.notify(
                recipients=managers,
                kind="follow_up_due",
                params={
                    "merchant": review.merchant.name,
                    "due": review.follow_up_on.isoformat(),
                    "notes": review.notes[:120],
                },
                base_id=base_id,
                merchant_id=review.merchant_id,
                subject=reminder,
            )
        )
    return sent


def supervision_daily(*, today: dt.date | None = None) -> dict:
    """The daily run of every base: alerts, violation counts, follow-up reminders."""
    today = today or base_today()
    done = {"alerts": 0, "reminders": 0}
    for base_id in Base.objects.order_by("pk").values_list("pk", flat=True):
        done["alerts"] += alerts_update(base_id=base_id, today=today)
        done["reminders"] += follow_up_reminders_send(base_id=base_id, today=today)
    return done
