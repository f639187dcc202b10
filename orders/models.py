"""The ceramic catalogue and the orders merchants take in."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.platforms import Platform

MONEY = {"max_digits": 14, "decimal_places": 2}


class Product(models.Model):
    """A ceramic piece (or a line of identical pieces) in a merchant's catalogue."""

    class WareType(models.TextChoices):
        BLUE_AND_WHITE = "blue_white", _("Blue-and-white")
        FAMILLE_ROSE = "famille_rose", _("Famille-rose")
        CELADON = "celadon", _("Celadon")
        LINGLONG = "linglong", _("Linglong (rice-grain)")
        COLOUR_GLAZE = "colour_glaze", _("Colour glaze")
        QINGBAI = "qingbai", _("Qingbai")
        WOOD_FIRED = "wood_fired", _("Wood-fired")
        OTHER = "other", _("Other")

    class Category(models.TextChoices):
        TEA_SET = "tea_set", _("Tea set")
        CUP = "cup", _("Cup")
        BOWL = "bowl", _("Bowl")
        VASE = "vase", _("Vase")
        PLATE = "plate", _("Plate")
        INCENSE_BURNER = "incense_burner", _("Incense burner")
        FIGURINE = "figurine", _("Figurine")
        TEAPOT = "teapot", _("Teapot")
        OTHER = "other", _("Other")

    class Technique(models.TextChoices):
        HAND_THROWN = "hand_thrown", _("Hand-thrown")
        HAND_PAINTED = "hand_painted", _("Hand-painted")
        MOULDED = "moulded", _("Moulded")
        DECAL = "decal", _("Decal")

    class Kiln(models.TextChoices):
        WOOD = "wood", _("Wood-fired kiln")
        GAS = "gas", _("Gas kiln")
        ELECTRIC = "electric", _("Electric kiln")

    class Tier(models.TextChoices):
        DAILY = "daily", _("Daily-use")
        MEDIUM = "medium", _("Medium")
        HIGH_END = "high_end", _("High-end")

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="products",
    )
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=160)
    ware_type = models.CharField(
        _("ware type"), max_length=20, choices=WareType.choices, default=WareType.BLUE_AND_WHITE
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.CUP
    )
    technique = models.CharField(
        _("technique"), max_length=20, choices=Technique.choices, default=Technique.HAND_PAINTED
    )
    kiln = models.CharField(_("kiln firing"), max_length=12, choices=Kiln.choices, default=Kiln.GAS)
    artisan = models.CharField(_("artisan"), max_length=80, blank=True)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, default=Tier.DAILY)
    price = models.DecimalField(
        _("price (CNY)"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    stock = models.IntegerField(_("stock"), default=0, validators=[MinValueValidator(0)])
    story = models.TextField(_("story"), blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["merchant", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "sku"], name="product_sku_unique_per_merchant"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class Order(models.Model):
    """An order from a platform (or taken by hand), in the buyer's currency and fixed in CNY."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    external_id = models.CharField(_("platform order id"), max_length=64)
    stream = models.ForeignKey(
        "livestreams.LiveStream",
        verbose_name=_("live stream"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    buyer_name = models.CharField(_("buyer"), max_length=120, blank=True)
    buyer_country = models.CharField(_("buyer country"), max_length=2, default="CN")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    amount = models.DecimalField(_("amount"), **MONEY)
    amount_cny = models.DecimalField(_("amount (CNY)"), **MONEY)
    refunded_cny = models.DecimalField(_("refunded (CNY)"), **MONEY, default=Decimal("0"))
    units = models.PositiveIntegerField(_("units"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Every write sets this (auto_now on save(); queryset .update() calls pass updated_at=Now()),
    # so the turnover job can re-roll exactly the days whose orders changed.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "platform", "external_id"],
                name="order_external_id_unique_per_platform",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount_cny__gte=0, refunded_cny__gte=0),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(refunded_cny__lte=models.F("amount_cny")),
                name="order_refund_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["placed_at"]),
            models.Index(fields=["merchant", "placed_at"]),
        ]

    # Orders in these states count towards turnover (gross); refunds are subtracted for net.
    COUNTED_STATUSES = (
        Status.PAID,
        Status.SHIPPED,
        Status.DELIVERED,
        Status.COMPLETED,
        Status.REFUNDED,
    )

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.external_id}"

    @property
    def is_overseas(self) -> bool:
        return self.buyer_country != "CN"


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), **MONEY)

    class Tenancy:
        merchant = "order__merchant"
        base = "order__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="order_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


# --- Daily turnover rollups ---
# Written only by orders.rollups (one set-based statement per day); read by the dashboards and
# the turnover API. A day is the local calendar day (Asia/Shanghai). Orders of rehearsal streams
# and orders outside Order.COUNTED_STATUSES are left out; net = gross - refunded.

# Rollup rows are derived from orders, which already hold their merchant by a constraint: no
# foreign-key triggers and no single-column indexes here (each table's composite indexes serve),
# so a day's rollup writes little beyond its rows. Django still cascades deletes.
DERIVED = {"db_constraint": False, "db_index": False}


class TurnoverFigures(models.Model):
    """The money and counts every rollup row carries."""

    gross_cny = models.DecimalField(_("gross (CNY)"), **MONEY, default=Decimal("0"))
    refunded_cny = models.DecimalField(_("refunded (CNY)"), **MONEY, default=Decimal("0"))
    net_cny = models.DecimalField(_("net (CNY)"), **MONEY, default=Decimal("0"))
    orders = models.PositiveIntegerField(_("orders"), default=0)
    units = models.PositiveIntegerField(_("units"), default=0)
    rolled_at = models.DateTimeField(_("rolled up at"), default=timezone.now)

    class Meta:
        abstract = True


class DailyTurnover(TurnoverFigures):
    """One merchant's turnover on one platform on one local day."""

    day = models.DateField(_("day"))
    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="daily_turnover",
        **DERIVED,
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    overseas_cny = models.DecimalField(_("overseas (CNY)"), **MONEY, default=Decimal("0"))
    overseas_orders = models.PositiveIntegerField(_("overseas orders"), default=0)

    class Tenancy:
        merchant = "merchant"
        base = "base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("daily turnover")
        verbose_name_plural = _("daily turnover")
        ordering = ["-day", "merchant_id", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "merchant", "platform"], name="daily_turnover_one_row_per_group"
            )
        ]
        # A base's rows are read by day range through the unique (day, ...) index; one index
        # fewer to maintain on the table the rollup writes most rows to.
        indexes = [models.Index(fields=["merchant", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.merchant_id} {self.platform}: {self.net_cny}"


class DailyTurnoverDetail(TurnoverFigures):
    """One merchant's turnover on one local day by buyer country and by the order's tier (the
    highest product tier among its lines; empty for an order without lines)."""

    day = models.DateField(_("day"))
    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )
    country = models.CharField(_("buyer country"), max_length=2)
    tier = models.CharField(_("tier"), max_length=12, blank=True)

    class Tenancy:
        merchant = "merchant"
        base = "base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("daily turnover by country and tier")
        verbose_name_plural = _("daily turnover by country and tier")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "merchant", "country", "tier"],
                name="daily_turnover_detail_one_row_per_group",
            )
        ]
        indexes = [models.Index(fields=["merchant", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.merchant_id} {self.country}/{self.tier}: {self.net_cny}"


class DailyMerchantTurnover(TurnoverFigures):
    """One merchant's whole turnover on one local day (all platforms): one row per merchant and
    day, so rankings, peer medians and milestones read few rows."""

    day = models.DateField(_("day"))
    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )
    overseas_cny = models.DecimalField(_("overseas (CNY)"), **MONEY, default=Decimal("0"))
    overseas_orders = models.PositiveIntegerField(_("overseas orders"), default=0)

    class Tenancy:
        merchant = "merchant"
        base = "base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("daily merchant turnover")
        verbose_name_plural = _("daily merchant turnover")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "merchant"], name="daily_merchant_turnover_one_row_per_group"
            )
        ]
        # On PostgreSQL, migration 0002 adds a covering index (base, day) INCLUDE (merchant,
        # net, gross, orders): the top-merchant ranking and peer medians read the index only.
        indexes = [models.Index(fields=["merchant", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.merchant_id}: {self.net_cny}"


class DailyBaseTurnover(TurnoverFigures):
    """A whole base's turnover on one local day: one row a day however many orders, so the base
    dashboard's series and record day read a few hundred rows."""

    day = models.DateField(_("day"))
    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )
    overseas_cny = models.DecimalField(_("overseas (CNY)"), **MONEY, default=Decimal("0"))
    overseas_orders = models.PositiveIntegerField(_("overseas orders"), default=0)
    merchants_selling = models.PositiveIntegerField(_("merchants selling"), default=0)

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager"}

    class Meta:
        verbose_name = _("daily base turnover")
        verbose_name_plural = _("daily base turnover")
        constraints = [
            models.UniqueConstraint(fields=["day", "base"], name="daily_base_turnover_one_row")
        ]
        indexes = [models.Index(fields=["base", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.base_id}: {self.net_cny}"


class DailyBaseBreakdown(TurnoverFigures):
    """A base's turnover on one local day by platform, buyer country and tier (a few dozen rows a
    day): the platform mix, countries and average order value by tier."""

    day = models.DateField(_("day"))
    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    country = models.CharField(_("buyer country"), max_length=2)
    tier = models.CharField(_("tier"), max_length=12, blank=True)

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager"}

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


class DailyRoomUsage(models.Model):
    """How long a base's live rooms were booked on one local day (streams not cancelled)."""

    day = models.DateField(_("day"))
    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="+",
        **DERIVED,
    )
    booked_minutes = models.PositiveIntegerField(_("booked minutes"), default=0)
    streams = models.PositiveIntegerField(_("streams"), default=0)
    rooms = models.PositiveIntegerField(_("active rooms"), default=0)
    rolled_at = models.DateTimeField(_("rolled up at"), default=timezone.now)

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager"}

    class Meta:
        verbose_name = _("daily room usage")
        verbose_name_plural = _("daily room usage")
        constraints = [
            models.UniqueConstraint(fields=["day", "base"], name="daily_room_usage_one_row")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.base_id}: {self.booked_minutes} min"


class TurnoverWatermark(models.Model):
    """Up to when changed orders have been re-rolled (Order.updated_at), one row per job name."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    value = models.DateTimeField(_("orders changed up to"))

    class Meta:
        verbose_name = _("turnover watermark")
        verbose_name_plural = _("turnover watermarks")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
