"""The people of a live-broadcast base: users and their roles, the base, its merchants and teams."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core import ceramics, history
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tokens import tokens_revoke


class Role(models.TextChoices):
    MANAGER = "manager", _("Base manager")
    TRAINER = "trainer", _("Trainer")
    MERCHANT = "merchant", _("Merchant member")


class User(AbstractUser):
    """A person who logs in. Managers and trainers work for one base; merchant members belong to
    one merchant through their TeamMember row."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MERCHANT)
    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=80, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Zhou" and "zhou" are one login: two invitations accepted at once with the same
            # name in different cases cannot both make a user.
            models.UniqueConstraint(Lower("username"), name="user_username_unique_any_case")
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_withdrawn = True

    def save(self, *args, **kwargs) -> None:
        """Saving a new password (change, reset, admin, ``changepassword``) or withdrawing it
        (``set_unusable_password``) revokes the user's API tokens: whoever held the old
        password's token holds nothing any more."""
        password_changed = self.pk is not None and (
            self._password is not None or getattr(self, "_password_withdrawn", False)
        )
        super().save(*args, **kwargs)
        if password_changed:
            self._password_withdrawn = False
            tokens_revoke(user_id=self.pk)

    def team_membership(self) -> dict | None:
        """The active team row of a merchant member (merchant, its base, the member's role), in
        one query (``merchants.membership``); what ``core.tenancy.reach_for`` builds a merchant
        member's reach from. A user read by its API token brought the row along: no query."""
        from merchants import membership

        return membership.team_membership(self)

    @classmethod
    def token_read_parts(cls):
        """Extra columns and join of the API token's read (``core.tokens._token_user``): the
        active team row, so a token request reads its reach in the token's round trip."""
        from merchants import membership

        return membership.token_read_parts(cls)


class Base(models.Model):
    """A live-broadcast base: a building of live rooms that incubates merchants."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    city = models.CharField(_("city"), max_length=60, default="Jingdezhen")
    timezone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    class Tenancy:
        merchant = None
        base = "id"
        roles = {Role.MANAGER, Role.TRAINER, Role.MERCHANT}

    class Meta:
        verbose_name = _("base")
        verbose_name_plural = _("bases")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@history.track_changes("stage", "status")
class Merchant(models.Model):
    """A studio, store, workshop or artist stationed at (or incubated by) a base."""

    class Kind(models.TextChoices):
        STUDIO = "studio", _("Studio")
        STORE = "store", _("Store")
        WORKSHOP = "workshop", _("Workshop")
        ARTIST = "artist", _("Independent artist")

    class Stage(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        INCUBATING = "incubating", _("Incubating")
        GRADUATED = "graduated", _("Graduated")
        EXITED = "exited", _("Exited")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.PROTECT, related_name="merchants"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STUDIO)
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.APPLICANT
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    description = models.TextField(_("description"), blank=True)
    specialities = models.JSONField(
        _("specialities"),
        default=list,
        blank=True,
        help_text=_("Ware types the merchant is known for (blue-and-white, celadon ...)."),
    )
    store_url = models.URLField(_("store link"), blank=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    # Kept by the stage services: the days of incubation are counted between these two dates.
    incubation_started_on = models.DateField(_("incubation started on"), null=True, blank=True)
    incubation_ended_on = models.DateField(_("incubation ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Tenancy:
        merchant = "id"
        base = "base"
        roles = {Role.MANAGER, Role.TRAINER, Role.MERCHANT}

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("base", Lower("name"), name="merchant_name_unique_per_base"),
        ]
        indexes = [models.Index(fields=["base", "stage"])]

    def __str__(self) -> str:
        return self.name

    def days_in_incubation(self, today: dt.date | None = None) -> int | None:
        """Days from the start of incubation to its end (graduation or exit), or to today."""
        if self.incubation_started_on is None:
            return None
        end = self.incubation_ended_on or today or timezone.localdate()
        return max((end - self.incubation_started_on).days, 0)

    def speciality_labels(self) -> list[str]:
        labels = dict(ceramics.WareType.choices)
        return [str(labels.get(value, value)) for value in self.specialities or []]


@history.track_changes("name", "role", "is_active", context=["merchant"])
class TeamMember(models.Model):
    """A person on a merchant's live team; linked to a User when they log in. What each role
    may do is the table of ``merchants.permissions``."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        OPERATIONS = "operations", _("Operations")
        HOST = "host", _("Host")
        ASSISTANT = "assistant", _("Assistant host")
        OPERATOR = "operator", _("Control-desk operator")
        SERVICE = "service", _("Customer service")
        STAFF = "staff", _("Staff")

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="team"
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="membership",
    )
    name = models.CharField(_("name"), max_length=80)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["merchant", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Milestone(models.Model):
    """The first time a merchant reached a mark of its incubation. Recorded once, by
    ``merchants.services.milestone_record``, from whichever app's event reaches it."""

    class Kind(models.TextChoices):
        FIRST_COURSE_COMPLETED = "first_course", _("First course completed")
        FIRST_STREAM = "first_stream", _("First stream")
        TENTH_STREAM = "tenth_stream", _("Tenth stream")
        FIRST_ORDER = "first_order", _("First order")
        FIRST_OVERSEAS_ORDER = "first_overseas_order", _("First overseas order")
        FIRST_10K_DAY = "first_10k_day", _("First 10,000 CNY day")
        FIRST_50K_DAY = "first_50k_day", _("First 50,000 CNY day")
        TEAM_OF_10 = "team_of_10", _("Team of 10")

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("milestone"), max_length=24, choices=Kind.choices)
    reached_at = models.DateTimeField(_("reached at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["merchant", "reached_at"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "kind"], name="milestone_once_per_merchant")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.get_kind_display()}"


class StageChange(models.Model):
    """One move of a merchant between incubation stages: who moved it, when and why."""

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(
        _("from stage"), max_length=16, choices=Merchant.Stage.choices, blank=True
    )
    to_stage = models.CharField(_("to stage"), max_length=16, choices=Merchant.Stage.choices)
    changed_by = models.ForeignKey(
        User,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.TextField(_("reason"))

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["merchant", "changed_at", "id"]
        indexes = [models.Index(fields=["merchant", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.from_stage or '-'} -> {self.to_stage}"


class StatusChange(models.Model):
    """One change of a merchant's standing (active, suspended): who made it, when and why.

    The first row of every merchant is its registration as active; a suspension and its lifting
    each add one. Kept by ``merchants.services`` only."""

    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("from status"), max_length=16, choices=Merchant.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=Merchant.Status.choices)
    changed_by = models.ForeignKey(
        User,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.TextField(_("reason"))

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["merchant", "changed_at", "id"]
        indexes = [models.Index(fields=["merchant", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.from_status or '-'} -> {self.to_status}"


class PlatformAccount(models.Model):
    """A merchant's shop or live account on one sales platform."""

    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="platform_accounts",
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    handle = models.CharField(_("account name"), max_length=80)
    url = models.URLField(_("link"), blank=True)
    followers = models.PositiveIntegerField(_("followers"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("platform account")
        verbose_name_plural = _("platform accounts")
        ordering = ["merchant", "platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "platform", "handle"], name="platform_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.handle}"


class ForeignAgent(models.Model):
    """An agent abroad who sells a merchant's ceramics (Stockholm, Amsterdam, Brussels ...)."""

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="agents"
    )
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=80)
    country = models.CharField(_("country code"), max_length=2, help_text=_("ISO code, e.g. SE"))
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    commission_rate = models.DecimalField(
        _("commission rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("foreign agent")
        verbose_name_plural = _("foreign agents")
        ordering = ["merchant", "country", "city", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commission_rate__gte=0, commission_rate__lte=100),
                name="agent_commission_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class Review(models.Model):
    """A supervision review a base manager writes of a merchant."""

    class Outcome(models.TextChoices):
        GOOD = "good", _("Good standing")
        WARNING = "warning", _("Warning")
        VIOLATION = "violation", _("Violation")

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        User,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    notes = models.TextField(_("notes"))
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("supervision review")
        verbose_name_plural = _("supervision reviews")
        ordering = ["merchant", "-created_at", "-id"]
        indexes = [models.Index(fields=["merchant", "created_at"])]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.get_outcome_display()}"


class Invitation(models.Model):
    """A single-use, expiring link to set one's password and join: a merchant's owner or a
    trainer (invited by a base manager) or a team member (invited by the merchant's owner).

    Only the SHA-256 of the link's token is kept, so a copy of the table opens no account. The
    user (and, for a merchant's people, the team row) is made when the password is set, by
    ``merchants.invitations.invitation_accept``."""

    class Kind(models.TextChoices):
        OWNER = "owner", _("Merchant's owner")
        TRAINER = "trainer", _("Trainer")
        MEMBER = "member", _("Team member")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    email = models.EmailField(_("e-mail"), max_length=254)
    name = models.CharField(_("name"), max_length=80)
    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.CASCADE, related_name="invitations"
    )
    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    member_role = models.CharField(
        _("team role"), max_length=16, choices=TeamMember.Role.choices, blank=True
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )

    class Tenancy:
        merchant = "merchant"
        base = "base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="trainer", merchant__isnull=True)
                | models.Q(~models.Q(kind="trainer"), merchant__isnull=False),
                name="invitation_merchant_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email}"

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def role(self) -> str:
        """The user role the invited person gets."""
        return Role.TRAINER if self.kind == self.Kind.TRAINER else Role.MERCHANT

    @property
    def team_role(self) -> str:
        return TeamMember.Role.OWNER if self.kind == self.Kind.OWNER else self.member_role


# Notifications are a concern of their own (merchants/notifications/); the model is registered
# with this app from there.
from .notifications.models import Notification  # noqa: E402, F401

# Supervision is a concern of its own (merchants/supervision/); its models are registered here.
from .supervision.models import (  # noqa: E402, F401
    FollowUpClosure,
    FollowUpReminder,
    MerchantTarget,
    PlatformViolation,
    StageTarget,
    SupervisionAlert,
    SupervisionRules,
)
