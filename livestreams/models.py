"""Live rooms of a base and the streams scheduled in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
