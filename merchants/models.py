"""The people of a live-broadcast base: users and their roles, the base, its merchants and teams."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

    def __str__(self) -> str:
        return self.display_name or self.username


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
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
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


class TeamMember(models.Model):
    """A person on a merchant's live team; linked to a User when they log in."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        HOST = "host", _("Host")
        ASSISTANT = "assistant", _("Assistant host")
        OPERATOR = "operator", _("Control-desk operator")
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
