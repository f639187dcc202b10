"""The ceramic catalogue and the orders merchants take in."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core import ceramics
from jingdezhen.core.platforms import Platform

MONEY = {"max_digits": 14, "decimal_places": 2}
# Rollup money: sums of many orders. An accepted order is at most bounds.MAX_ORDER_CNY (10**7
# CNY); 20 digits hold 10**18 CNY, more than every order a base could take in centuries, so no
# sum of accepted orders can overflow a rollup column.
ROLLUP_MONEY = {"max_digits": 20, "decimal_places": 2}


class Product(models.Model):
    """A ceramic piece (or a line of identical pieces) in a merchant's catalogue."""

    WareType = ceramics.WareType
    Category = ceramics.Category
    Technique = ceramics.Technique
    Kiln = ceramics.Kiln
    Tier = ceramics.Tier

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
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    weight_g = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    price = models.DecimalField(
        _("price (CNY)"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    # Units free to sell now, one pool across every platform. Units held by pending orders and
    # units set aside for flash deals are already taken out of it.
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
        indexes = [models.Index(fields=["merchant", "ware_type", "category", "tier"])]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "sku"], name="product_sku_unique_per_merchant"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def dimensions(self) -> str:
        parts = [self.length_mm, self.width_mm, self.height_mm]
        return " x ".join(str(p) for p in parts if p) + (" mm" if any(parts) else "")


class ProductPhoto(models.Model):
    """A checked, re-encoded photo of a product (no EXIF) and its thumbnail, made once at upload.
    Width and height are stored so no page or endpoint ever opens the image again."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="products/thumbs/%Y/%m/")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Tenancy:
        merchant = "product__merchant"
        base = "product__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["product", "position", "id"]

    def __str__(self) -> str:
        return self.image.name


class PlatformPrice(models.Model):
    """A merchant's price for a product on one platform; the product's price applies elsewhere."""

    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="platform_prices",
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    price = models.DecimalField(_("price (CNY)"), **MONEY)

    class Tenancy:
        merchant = "product__merchant"
        base = "product__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("platform price")
        verbose_name_plural = _("platform prices")
        ordering = ["product", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "platform"], name="platform_price_once_per_platform"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="platform_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.platform}: {self.price}"


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
    # While the order is pending its units are held (taken out of stock) until this deadline.
    hold_until = models.DateTimeField(_("pay by"), null=True, blank=True)
    import_batch = models.ForeignKey(
        "orders.OrderImport",
        verbose_name=_("imported from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
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
            models.Index(
                fields=["hold_until"],
                name="order_pending_hold_idx",
                condition=Q(status="pending"),
            ),
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

    # Before shipping, cancelling or refunding gives the units back to stock.
    UNSHIPPED_STATUSES = (Status.PENDING, Status.PAID)

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
    flash_deal = models.ForeignKey(
        "orders.FlashDeal",
        verbose_name=_("flash deal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )

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


class OrderEvent(models.Model):
    """One change of an order's status (or a refund): who, when, from what to what."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=Order.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Order.Status.choices)
    actor = models.ForeignKey(
        "merchants.User",
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    refund_cny = models.DecimalField(_("refund (CNY)"), **MONEY, default=Decimal("0"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Tenancy:
        merchant = "order__merchant"
        base = "order__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


class BreakageClaim(models.Model):
    """Porcelain that broke in transit: the buyer's photo, the lines affected and what was done."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        REFUNDED = "refunded", _("Refunded")
        RESHIPPED = "reshipped", _("Reshipped")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="claims"
    )
    lines = models.ManyToManyField(OrderLine, verbose_name=_("lines affected"), related_name="+")
    photo = models.ImageField(_("photo"), upload_to="claims/%Y/%m/")
    note = models.CharField(_("note"), max_length=300, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN
    )
    refund_cny = models.DecimalField(_("refund (CNY)"), **MONEY, default=Decimal("0"))
    filed_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Tenancy:
        merchant = "order__merchant"
        base = "order__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("breakage claim")
        verbose_name_plural = _("breakage claims")
        ordering = ["-filed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.get_outcome_display()}"


class FlashDeal(models.Model):
    """A deal price for a product during a live: its quantity is set aside from stock when the
    deal is made, orders at the deal price draw only from it, and what is left goes back to
    stock when the deal ends."""

    stream = models.ForeignKey(
        "livestreams.LiveStream",
        verbose_name=_("live stream"),
        on_delete=models.CASCADE,
        related_name="flash_deals",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="flash_deals"
    )
    deal_price = models.DecimalField(_("deal price (CNY)"), **MONEY)
    quantity = models.PositiveIntegerField(_("quantity set aside"))
    remaining = models.PositiveIntegerField(_("remaining"))
    per_buyer_limit = models.PositiveIntegerField(_("limit per buyer"), default=1)
    starts_at = models.DateTimeField(_("starts at"))
    duration = models.DurationField(_("duration"))
    ends_at = models.DateTimeField(_("ends at"))
    ended = models.BooleanField(_("ended"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Tenancy:
        merchant = "product__merchant"
        base = "product__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("flash deal")
        verbose_name_plural = _("flash deals")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="flash_deal_quantity"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0, remaining__lte=models.F("quantity")),
                name="flash_deal_remaining_within_quantity",
            ),
            models.CheckConstraint(condition=Q(deal_price__gte=0), name="flash_deal_price"),
            models.CheckConstraint(condition=Q(per_buyer_limit__gte=1), name="flash_deal_limit"),
        ]
        indexes = [
            models.Index(fields=["ends_at"], name="flash_deal_open_idx", condition=Q(ended=False))
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.deal_price}"


class OrderImport(models.Model):
    """One uploaded platform export and its report. The same file (by content) for the same
    merchant and platform is imported once; uploading it again shows the first report."""

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="order_imports",
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    filename = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    orders_imported = models.PositiveIntegerField(_("orders imported"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_already = models.PositiveIntegerField(_("rows already imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "platform", "sha256"], name="order_import_file_once"
            )
        ]

    def __str__(self) -> str:
        return self.filename


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` an API client sent with a new order, per merchant: a repeat of
    the key answers with the order the first request made."""

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=255)
    # Claimed first (the unique key makes a concurrent repeat wait), filled in the same transaction.
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, null=True, related_name="+"
    )
    # SHA-256 of the request body that first used the key: a repeat with another body is refused.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"merchant"}

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        return self.key


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

    gross_cny = models.DecimalField(_("gross (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
    refunded_cny = models.DecimalField(_("refunded (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
    net_cny = models.DecimalField(_("net (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
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
    overseas_cny = models.DecimalField(_("overseas (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
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
        # The unique (day, merchant, ...) index is the only one besides the primary key. A base's
        # rows are read by day range through it; one merchant's through its merchant-day rows
        # (turnover_selectors.merchant_rows): a day of them is one probe of the (day, merchant)
        # prefix. A (merchant, day) index here would be written at 1,400 scattered places each
        # day: it made the first roll of a day a fifth slower (bench/turnover.py). The price:
        # deleting a merchant (rare, by an administrator) scans this table for its rows.

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
        # No (merchant, day) index, as for DailyTurnover: read by merchant through its days.

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
    overseas_cny = models.DecimalField(_("overseas (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
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


class MonthlyMerchantTurnover(TurnoverFigures):
    """One merchant's turnover in one calendar month: the sum of its merchant-day rows, so a
    ranking over a year reads twelve rows a merchant (plus the days of the partial months at
    its ends), not 365 -- the dashboard's time does not grow with how many days merchants sell.
    """

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
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
    overseas_cny = models.DecimalField(_("overseas (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
    overseas_orders = models.PositiveIntegerField(_("overseas orders"), default=0)

    class Tenancy:
        merchant = "merchant"
        base = "base"
        roles = {"manager", "merchant"}

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
    overseas_cny = models.DecimalField(_("overseas (CNY)"), **ROLLUP_MONEY, default=Decimal("0"))
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
    """How long a base's active live rooms were booked on one local day, and how long they were
    open (livestreams.selectors: the one room-utilisation rule)."""

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
    open_minutes = models.PositiveIntegerField(_("open room-minutes"), default=0)
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


class TurnoverDirtyDay(models.Model):
    """A local day whose orders changed since it was last rolled up: the re-roll drains these a
    batch of days at a time (orders.rollups.drain_dirty_days). Internal: no page reads it."""

    day = models.DateField(_("day"), primary_key=True)
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)
    # Set while a drain rolls the day (orders.rollups.CLAIM_FOR), so drains at once share work.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("day to re-roll")
        verbose_name_plural = _("days to re-roll")

    def __str__(self) -> str:
        return f"{self.day} (marked {self.marked_at})"
