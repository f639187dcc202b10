"""Turnover rollups: daily and monthly figures per merchant and per base, room usage, and the
bookkeeping of which days to re-roll.

Written only by orders.turnover.rollup (one set-based statement per day); read by the
dashboards and the turnover API. A day is the local calendar day (Asia/Shanghai). Orders of
rehearsal streams and orders outside Order.COUNTED_STATUSES are left out; net = gross - refunded.

Each rollup table is composed of abstract parts, so a field shared by several tables is declared
once: the figures (``TurnoverFigures``, ``OverseasFigures``), the grain (``Daily``: a ``day``,
``Monthly``: a ``month``) and whose rows they are (``OfBase``, ``OfMerchant``, which also carry
the tenancy rule).
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform

from .money import ROLLUP_MONEY

# Rollup rows are derived from orders, which already hold their merchant by a constraint: no
# foreign-key triggers and no single-column indexes here (each table's composite indexes serve),
# so a day's rollup writes little beyond its rows. Django still cascades deletes.
DERIVED = {"db_constraint": False, "db_index": False}


# --- the parts -----------------------------------------------------------------------------------


class TurnoverFigures(models.Model):
    """The money and counts every rollup row carries."""

    gross_cny = models.DecimalField(_("gross (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
    refunded_cny = models.DecimalField(_("refunded (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
    net_cny = models.DecimalField(_("net (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
    orders = models.PositiveIntegerField(_("orders"), default=0)
    units = models.PositiveIntegerField(_("units"), default=0)
    rolled_at = models.DateTimeField(_("rolled up at"), default=timezone.now)

    class Meta:
        abstract = True


class OverseasFigures(models.Model):
    """The part of the turnover paid by buyers outside China."""

    overseas_cny = models.DecimalField(_("overseas (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
    overseas_orders = models.PositiveIntegerField(_("overseas orders"), default=0)

    class Meta:
        abstract = True


class Daily(models.Model):
    """The daily grain: one local calendar day."""

    day = models.DateField(_("day"))

    class Meta:
        abstract = True


class Monthly(models.Model):
    """The monthly grain: one calendar month, stored as its first day."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))

    class Meta:
        abstract = True


class OfBase(models.Model):
    """A row of a whole base: its managers read it."""

    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager"}

    class Meta:
        abstract = True


class OfMerchant(OfBase):
    """A row of one merchant (with its base, so a base's rows are read without a join)."""

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )

    class Tenancy:
        merchant = "merchant"
        base = "base"
        roles = {"manager", "merchant"}

    class Meta:
        abstract = True


# --- merchant rollups ----------------------------------------------------------------------------


class DailyTurnover(Daily, OfMerchant, TurnoverFigures, OverseasFigures):
    """One merchant's turnover on one platform on one local day."""

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="daily_turnover",
        **DERIVED,
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)

    class Meta:
        verbose_name = _("daily turnover")
        verbose_name_plural = _("daily turnover")
        ordering = ["-day", "merchant_id", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "merchant", "platform"], name="daily_turnover_one_row_per_group"
            )
        ]
        # The unique (day, merchant, ...) index is the only one besides the primary key. A base's
        # rows are read by day range through it; one merchant's through its merchant-day rows
        # (orders.turnover.selectors.merchant_rows): a day of them is one probe of the
        # (day, merchant) prefix. A (merchant, day) index here would be written at 1,400
        # scattered places each day: it made the first roll of a day a fifth slower
        # (bench/turnover.py). The price: deleting a merchant (rare, by an administrator) scans
        # this table for its rows.

    def __str__(self) -> str:
        return f"{self.day} {self.merchant_id} {self.platform}: {self.net_cny}"


class DailyTurnoverDetail(Daily, OfMerchant, TurnoverFigures):
    """One merchant's turnover on one local day by buyer country and by the order's tier (the
    highest product tier among its lines; empty for an order without lines)."""

    country = models.CharField(_("buyer country"), max_length=2)
    tier = models.CharField(_("tier"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("daily turnover by country and tier")
        verbose_name_plural = _("daily turnover by country and tier")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "merchant", "country", "tier"],
                name="daily_turnover_detail_one_row_per_group",
            )
        ]
        # No (merchant, day) index, as for DailyTurnover: read by merchant through its days.

    def __str__(self) -> str:
        return f"{self.day} {self.merchant_id} {self.country}/{self.tier}: {self.net_cny}"


class DailyMerchantTurnover(Daily, OfMerchant, TurnoverFigures, OverseasFigures):
    """One merchant's whole turnover on one local day (all platforms): one row per merchant and
    day, so rankings, peer medians and milestones read few rows."""

    class Meta:
        verbose_name = _("daily merchant turnover")
        verbose_name_plural = _("daily merchant turnover")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "merchant"], name="daily_merchant_turnover_one_row_per_group"
            )
        ]
        indexes = [
            models.Index(fields=["merchant", "day"]),
            # A covering index: the top-merchant ranking and the peer medians read it alone.
            models.Index(
                fields=["base", "day"],
                include=["merchant", "net_cny", "gross_cny", "orders"],
                name="daily_merchant_base_day_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.merchant_id}: {self.net_cny}"


class MonthlyMerchantTurnover(Monthly, OfMerchant, TurnoverFigures, OverseasFigures):
    """One merchant's turnover in one calendar month: the sum of its merchant-day rows, so a
    ranking over a year reads twelve rows a merchant (plus the days of the partial months at
    its ends), not 365 -- the dashboard's time does not grow with how many days merchants sell.
    """

    class Meta:
        verbose_name = _("monthly merchant turnover")
        verbose_name_plural = _("monthly merchant turnover")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "merchant"], name="monthly_merchant_turnover_one_row"
            )
        ]
        # No covering columns: a month's rows change at every roll of one of its days, and
        # updates that touch no indexed column stay HOT (migration 0004 leaves room on each page).
        indexes = [models.Index(fields=["base", "month"], name="monthly_merchant_base_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.merchant_id}: {self.net_cny}"


# --- base rollups --------------------------------------------------------------------------------


class DailyBaseTurnover(Daily, OfBase, TurnoverFigures, OverseasFigures):
    """A whole base's turnover on one local day: one row a day however many orders, so the base
    dashboard's series and record day read a few hundred rows."""

    merchants_selling = models.PositiveIntegerField(_("merchants selling"), default=0)

    class Meta:
        verbose_name = _("daily base turnover")
        verbose_name_plural = _("daily base turnover")
        constraints = [
            models.UniqueConstraint(fields=["day", "base"], name="daily_base_turnover_one_row")
        ]
        indexes = [models.Index(fields=["base", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.base_id}: {self.net_cny}"


class DailyBaseSlotTurnover(Daily, OfBase, TurnoverFigures, OverseasFigures):
    """A base's turnover in one ten-minute slot of a local day (by the orders' placed time): 144
    rows a day at most, rewritten at every roll of the day, so the live board reads "by hour" and
    "yesterday by this time" from a few hundred rows however many orders. Every row of a day
    carries the time of the day's latest roll (``rolled_at``): the live board adds the orders
    written since then (orders.turnover.live)."""

    minute = models.PositiveSmallIntegerField(
        _("from minute"), help_text=_("The slot's first minute of the day: 0, 10, ..., 1430.")
    )

    class Meta:
        verbose_name = _("base turnover by ten minutes")
        verbose_name_plural = _("base turnover by ten minutes")
        constraints = [
            models.UniqueConstraint(
                fields=["base", "day", "minute"], name="daily_base_slot_one_row_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.minute // 60:02d}:{self.minute % 60:02d} {self.base_id}"


class DailyBaseBreakdown(Daily, OfBase, TurnoverFigures):
    """A base's turnover on one local day by platform, buyer country and tier (a few dozen rows a
    day): the platform mix, countries and average order value by tier."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    country = models.CharField(_("buyer country"), max_length=2)
    tier = models.CharField(_("tier"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("daily base turnover breakdown")
        verbose_name_plural = _("daily base turnover breakdowns")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "base", "platform", "country", "tier"],
                name="daily_base_breakdown_one_row_per_group",
            )
        ]
        indexes = [models.Index(fields=["base", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.base_id} {self.platform}/{self.country}/{self.tier}"


class DailyRoomUsage(Daily, OfBase):
    """How long a base's active live rooms were booked on one local day, and how long they were
    open (livestreams.selectors: the one room-utilisation rule)."""

    booked_minutes = models.PositiveIntegerField(_("booked minutes"), default=0)
    streams = models.PositiveIntegerField(_("streams"), default=0)
    rooms = models.PositiveIntegerField(_("active rooms"), default=0)
    open_minutes = models.PositiveIntegerField(_("open room-minutes"), default=0)
    rolled_at = models.DateTimeField(_("rolled up at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily room usage")
        verbose_name_plural = _("daily room usage")
        constraints = [
            models.UniqueConstraint(fields=["day", "base"], name="daily_room_usage_one_row")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.base_id}: {self.booked_minutes} min"


# --- re-roll bookkeeping -------------------------------------------------------------------------


class TurnoverWatermark(models.Model):
    """Up to when changed orders have been re-rolled (Order.updated_at), one row per job name."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    value = models.DateTimeField(_("orders changed up to"))

    class Meta:
        verbose_name = _("turnover watermark")
        verbose_name_plural = _("turnover watermarks")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class TurnoverDirtyDay(models.Model):
    """A local day whose orders changed since it was last rolled up: the re-roll drains these a
    batch of days at a time (orders.turnover.dirty.drain_dirty_days). Internal: no page reads it."""

    day = models.DateField(_("day"), primary_key=True)
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)
    # Set while a drain rolls the day (orders.turnover.dirty.CLAIM_FOR): drains at once share work.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("day to re-roll")
        verbose_name_plural = _("days to re-roll")

    def __str__(self) -> str:
        return f"{self.day} (marked {self.marked_at})"
