"""Money: the base's exchange rates and a merchant's order policy (payment deadlines), and the
decimal shapes every money column uses."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
# Rollup money: sums of many orders. An accepted order is at most bounds.MAX_ORDER_CNY (10**7
# CNY); 20 digits hold 10**18 CNY, more than every order a base could take in centuries, so no
# sum of accepted orders can overflow a rollup column.
ROLLUP_MONEY = {"max_digits": 20, "decimal_places": 2}


class ExchangeRate(models.Model):
    """How many CNY one unit of a currency was worth from a day on; the base keeps the table.
    An order's CNY amount is fixed with the rate valid on the day it was placed."""

    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="exchange_rates",
    )
    currency = models.CharField(_("currency"), max_length=3)
    cny_per_unit = models.DecimalField(_("CNY per unit"), max_digits=14, decimal_places=6)
    valid_from = models.DateField(_("valid from"))

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["base", "currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "currency", "valid_from"], name="exchange_rate_once_per_day"
            ),
            models.CheckConstraint(condition=Q(cny_per_unit__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.cny_per_unit} ({self.valid_from})"


class OrderPolicy(models.Model):
    """A merchant's order rules: how long unpaid orders hold their units."""

    merchant = models.OneToOneField(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="order_policy",
    )
    live_payment_minutes = models.PositiveIntegerField(
        _("payment deadline for live orders (minutes)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("An order placed during a live holds its units this long, then is cancelled."),
    )
    payment_minutes = models.PositiveIntegerField(
        _("payment deadline for other orders (minutes)"),
        default=24 * 60,
        validators=[MinValueValidator(1)],
    )

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("order policy")
        verbose_name_plural = _("order policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(live_payment_minutes__gte=1, payment_minutes__gte=1),
                name="order_policy_deadlines_positive",
            )
        ]

    def __str__(self) -> str:
        return str(self.merchant_id)
