"""Shipments: the parcel an order left in, with its carrier, tracking number and insured value.

One order ships in one parcel (a reshipment after a breakage claim is a new order or a note on the
claim); breakage claims point to the shipment the porcelain broke in.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .money import MONEY
from .ordering import Order

# Letters, digits and dashes: what the carriers print on their labels (SF1234567890123,
# JDVA01234567890, EE123456789CN, 773012345678901 ...).
TRACKING_PATTERN = r"^[A-Z0-9-]{6,32}$"
TRACKING_MAX_LENGTH = 32


class Shipment(models.Model):
    class Carrier(models.TextChoices):
        SF = "sf", _("SF Express")
        JD = "jd", _("JD Logistics")
        EMS = "ems", _("EMS")
        ZTO = "zto", _("ZTO Express")
        YTO = "yto", _("YTO Express")
        YUNDA = "yunda", _("Yunda Express")
        OTHER = "other", _("Other carrier")

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="shipment"
    )
    carrier = models.CharField(_("carrier"), max_length=8, choices=Carrier.choices)
    tracking_number = models.CharField(
        _("tracking number"),
        max_length=TRACKING_MAX_LENGTH,
        validators=[RegexValidator(TRACKING_PATTERN)],
    )
    insured_value = models.DecimalField(
        _("insured value (CNY)"),
        **MONEY,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    shipped_at = models.DateTimeField(_("shipped at"), default=timezone.now)
    shipped_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("shipped by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Tenancy:
        merchant = "order__merchant"
        base = "order__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_at", "-id"]
        constraints = [
            # A tracking number names one parcel of its carrier: a second use is a typo.
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"], name="shipment_tracking_once_per_carrier"
            ),
            models.CheckConstraint(
                condition=Q(insured_value__gte=0), name="shipment_insured_value_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(tracking_number=""), name="shipment_tracking_number_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_carrier_display()} {self.tracking_number}"
