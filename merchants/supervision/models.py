"""The data of supervision; imported by ``merchants.models`` so the models belong to the app."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform
from jingdezhen.core.storage import RandomName, private_storage

# Bounds of what a manager types (checked again by the services, the one door of each write).
MAX_STREAMS_PER_WEEK = 200  # 6-7 streams a day is a busy store: 50 a week; 200 is generous
MAX_GMV_PER_WEEK = Decimal("100000000.00")  # 100 million CNY a week: a whole base's fortnight
MAX_WEEKS_MISSED = 52
MAX_DAYS_WITHOUT_STREAM = 365
MAX_VIOLATIONS = 50
MAX_VIOLATION_WINDOW_DAYS = 730
MAX_POINTS = 1000
MAX_NOTE = 2000
MAX_REASON = 500

MONEY = {"max_digits": 14, "decimal_places": 2}
_LOCAL = "merchants.Merchant"
# The stages that stream and are held to targets (Merchant.Stage's values; an applicant does not
# stream yet, an exited merchant no longer does). Named here: merchants.models imports this module.
SUPERVISED_STAGES = [("incubating", _("Incubating")), ("graduated", _("Graduated"))]


class StageTarget(models.Model):
    """What a base expects each week of its merchants in one stage (either figure may be unset)."""

    base = models.ForeignKey(
        "merchants.Base", verbose_name=_("base"), on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=SUPERVISED_STAGES)
    streams_per_week = models.PositiveIntegerField(
        _("streams per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STREAMS_PER_WEEK)],
    )
    gmv_per_week = models.DecimalField(
        _("GMV per week (CNY)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_GMV_PER_WEEK)],
    )

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager"}

    class Meta:
        app_label = "merchants"
        verbose_name = _("stage target")
        verbose_name_plural = _("stage targets")
        ordering = ["base", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["base", "stage"], name="stage_target_one_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.base_id}/{self.stage}"


class MerchantTarget(models.Model):
    """One merchant's own weekly target: a figure set here replaces its stage's."""

    merchant = models.OneToOneField(
        _LOCAL, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="target"
    )
    streams_per_week = models.PositiveIntegerField(
        _("streams per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STREAMS_PER_WEEK)],
    )
    gmv_per_week = models.DecimalField(
        _("GMV per week (CNY)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_GMV_PER_WEEK)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager"}

    class Meta:
        app_label = "merchants"
        verbose_name = _("merchant target")
        verbose_name_plural = _("merchant targets")

    def __str__(self) -> str:
        return f"{self.merchant_id}"


class SupervisionRules(models.Model):
    """When a base's supervision raises an alert; a base without a row uses the defaults."""

    base = models.OneToOneField(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="supervision_rules",
    )
    weeks_missed_for_alert = models.PositiveSmallIntegerField(
        _("weeks below target before an alert"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WEEKS_MISSED)],
    )
    days_without_stream_for_alert = models.PositiveSmallIntegerField(
        _("days without a stream before an alert"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS_WITHOUT_STREAM)],
    )
    violations_for_suspension = models.PositiveSmallIntegerField(
        _("violations that call for a suspension"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VIOLATIONS)],
    )
    violation_window_days = models.PositiveSmallIntegerField(
        _("days over which violations are counted"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VIOLATION_WINDOW_DAYS)],
    )

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager"}

    class Meta:
        app_label = "merchants"
        verbose_name = _("supervision rules")
        verbose_name_plural = _("supervision rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks_missed_for_alert__gte=1)
                & Q(days_without_stream_for_alert__gte=1)
                & Q(violations_for_suspension__gte=1)
                & Q(violation_window_days__gte=1),
                name="supervision_rules_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.base_id}"


class SupervisionAlert(models.Model):
    """A merchant that needs the manager's attention: below target for weeks in a row, too long
    without a stream, or with enough platform violations to call for a suspension. One open alert
    per merchant and kind (a constraint), so a daily run done twice opens one."""

    class Kind(models.TextChoices):
        MISSED_TARGET = "missed_target", _("Below target")
        NO_STREAM = "no_stream", _("No stream")
        VIOLATIONS = "violations", _("Platform violations")

    merchant = models.ForeignKey(
        _LOCAL, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The last complete week below target (its Monday), or the day the count was reached.
    on = models.DateField(_("week or day"))
    # Weeks below target in a row, days without a stream, or violations counted.
    figure = models.PositiveIntegerField(_("figure"), default=0)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager"}

    class Meta:
        app_label = "merchants"
        verbose_name = _("supervision alert")
        verbose_name_plural = _("supervision alerts")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "kind"],
                condition=Q(closed_at__isnull=True),
                name="supervision_alert_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.kind}"


class FollowUpClosure(models.Model):
    """A review's follow-up done: who closed it, when, and what they found."""

    review = models.OneToOneField(
        "merchants.Review",
        verbose_name=_("review"),
        on_delete=models.CASCADE,
        related_name="follow_up_closure",
    )
    closed_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    note = models.TextField(_("note"), max_length=MAX_NOTE)

    class Tenancy:
        merchant = "review__merchant"
        base = "review__merchant__base"
        roles = {"manager"}

    class Meta:
        app_label = "merchants"
        verbose_name = _("follow-up closure")
        verbose_name_plural = _("follow-up closures")

    def __str__(self) -> str:
        return f"{self.review_id}"


class FollowUpReminder(models.Model):
    """A reminder of an open follow-up sent on one day: once per follow-up and day."""

    review = models.ForeignKey(
        "merchants.Review",
        verbose_name=_("review"),
        on_delete=models.CASCADE,
        related_name="follow_up_reminders",
    )
    day = models.DateField(_("day"))

    class Tenancy:
        merchant = "review__merchant"
        base = "review__merchant__base"
        roles = {"manager"}

    class Meta:
        app_label = "merchants"
        verbose_name = _("follow-up reminder")
        verbose_name_plural = _("follow-up reminders")
        constraints = [
            models.UniqueConstraint(fields=["review", "day"], name="follow_up_reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.day}"


class PlatformViolation(models.Model):
    """A sanction a platform gave a merchant, with its evidence (a screenshot or the notice)."""

    class Kind(models.TextChoices):
        POINTS_DEDUCTED = "points_deducted", _("Points deducted")
        TRAFFIC_RESTRICTED = "traffic_restricted", _("Traffic restricted")
        ACCOUNT_BANNED = "account_banned", _("Account banned")

    merchant = models.ForeignKey(
        _LOCAL, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="violations"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("sanction"), max_length=20, choices=Kind.choices)
    points = models.PositiveIntegerField(
        _("points deducted"), default=0, validators=[MaxValueValidator(MAX_POINTS)]
    )
    reason = models.CharField(_("reason"), max_length=MAX_REASON)
    # Private: read only through the view that checks reach (merchants:violation_evidence).
    evidence = models.FileField(
        _("evidence"),
        upload_to=RandomName("violations"),
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    recorded_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager"}

    class Meta:
        app_label = "merchants"
        verbose_name = _("platform violation")
        verbose_name_plural = _("platform violations")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["merchant", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__lte=MAX_POINTS), name="platform_violation_points_bounded"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.kind} on {self.platform}"
