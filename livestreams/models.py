"""Live rooms of a base and the streams scheduled in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingdezhen.platforms import Platform


class LiveRoom(models.Model):
    """A live-stream room of the base, rented to merchants by the hour."""

    base = models.ForeignKey(
        "merchants.Base", verbose_name=_("base"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=60)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), default=4)
    equipment = models.TextField(_("equipment"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager", "trainer", "merchant"}

    class Meta:
        verbose_name = _("live room")
        verbose_name_plural = _("live rooms")
        ordering = ["base", "name"]
        constraints = [
            models.UniqueConstraint(fields=["base", "name"], name="live_room_name_unique_per_base")
        ]

    def __str__(self) -> str:
        return self.name


class LiveStream(models.Model):
    """One scheduled live session of a merchant on one platform, in a base room or own studio."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="streams",
    )
    room = models.ForeignKey(
        LiveRoom,
        verbose_name=_("room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="streams",
        help_text=_("Empty when the merchant streams from its own studio."),
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    host = models.ForeignKey(
        "merchants.TeamMember",
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_streams",
    )
    title = models.CharField(_("title"), max_length=160)
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    is_rehearsal = models.BooleanField(
        _("rehearsal"), default=False, help_text=_("Rehearsals are kept out of every statistic.")
    )
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("live stream")
        verbose_name_plural = _("live streams")
        ordering = ["planned_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gt=models.F("planned_start")),
                name="stream_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "planned_start"]),
            models.Index(fields=["room", "planned_start"]),
        ]

    def __str__(self) -> str:
        return self.title
