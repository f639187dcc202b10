"""Free courses of the base: courses, cohorts, the newcomers who take them and what they did."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TRAINING_ROLES = {"manager", "trainer"}


class Course(models.Model):
    """A course the base teaches; run as cohorts."""

    class Kind(models.TextChoices):
        LIVE_BASICS = "live_basics", _("Live-hosting basics")
        PHOTOGRAPHY = "photography", _("Product photography")
        STORYTELLING = "storytelling", _("Ceramic storytelling")
        PLATFORM_RULES = "platform_rules", _("Platform rules and compliance")
        CROSS_BORDER = "cross_border", _("Cross-border e-commerce")

    base = models.ForeignKey(
        "merchants.Base", verbose_name=_("base"), on_delete=models.PROTECT, related_name="courses"
    )
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_free = models.BooleanField(_("free"), default=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("8"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    attendance_threshold = models.PositiveSmallIntegerField(
        _("attendance needed for the certificate (%)"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of the cohort's days a trainee must attend to complete the course."),
    )

    class Tenancy:
        merchant = None
        base = "base"
        roles = TRAINING_ROLES

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["base", "kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["base", "title"], name="course_title_unique_per_base"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
            models.CheckConstraint(
                condition=Q(attendance_threshold__lte=100), name="course_threshold_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Cohort(models.Model):
    """One run of a course: a trainer, dates, a room and a number of places."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=120)
    trainer = models.ForeignKey(
        "merchants.User",
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        related_name="cohorts",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    room = models.CharField(_("room"), max_length=80, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=20, validators=[MinValueValidator(1)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Tenancy:
        merchant = None
        base = "course__base"
        roles = TRAINING_ROLES

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cohort_ends_after_it_starts"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def session_days(self) -> list:
        import datetime as dt

        days = (self.ends_on - self.starts_on).days
        return [self.starts_on + dt.timedelta(days=n) for n in range(days + 1)]


class Trainee(models.Model):
    """A newcomer who takes the base's courses; may later found (or join) a merchant."""

    base = models.ForeignKey(
        "merchants.Base", verbose_name=_("base"), on_delete=models.PROTECT, related_name="trainees"
    )
    name = models.CharField(_("name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    background = models.TextField(_("background"), blank=True)
    user = models.ForeignKey(
        "merchants.User",
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainee_records",
    )
    team_member = models.ForeignKey(
        "merchants.TeamMember",
        verbose_name=_("team member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainee_records",
    )
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainees",
        help_text=_("The merchant this trainee founded or joined."),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Tenancy:
        merchant = None
        base = "base"
        roles = TRAINING_ROLES

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "phone"],
                condition=~Q(phone=""),
                name="trainee_phone_unique_per_base",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Enrollment(models.Model):
    """A trainee's place in a cohort: enrolled, waitlisted, completed or dropped."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("Waitlisted")
        COMPLETED = "completed", _("Completed")
        DROPPED = "dropped", _("Dropped")

    # Statuses that hold one of the cohort's places.
    PLACE_HOLDING = (Status.ENROLLED, Status.COMPLETED)

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="enrollments"
    )
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    enrolled_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("enrolled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    # The waitlist is served in this order (set again when a dropped trainee comes back).
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Tenancy:
        merchant = None
        base = "cohort__course__base"
        roles = TRAINING_ROLES

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort", "queued_at", "id"]
        constraints = [
            # A newcomer holds at most one row per cohort, even when two requests race.
            models.UniqueConstraint(fields=["cohort", "trainee"], name="enrollment_once_per_cohort")
        ]
        indexes = [models.Index(fields=["cohort", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.trainee_id} in {self.cohort_id}: {self.status}"


class Attendance(models.Model):
    """Whether an enrolled trainee was there on one day of the cohort."""

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"), default=False)
    recorded_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Tenancy:
        merchant = None
        base = "enrollment__cohort__course__base"
        roles = TRAINING_ROLES

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["day", "enrollment"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "day"], name="attendance_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.day}: {self.present}"


class Certificate(models.Model):
    """Issued when an enrolment is completed; anyone can check its code at a public URL."""

    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Tenancy:
        merchant = None
        base = "enrollment__cohort__course__base"
        roles = TRAINING_ROLES

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code
