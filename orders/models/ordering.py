"""Orders and what happens to them: lines, status events, breakage claims, flash deals, and the
API's idempotency keys."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform
from jingdezhen.core.storage import RandomName, private_storage

from .catalogue import Product
from .money import MONEY


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
    # The parcel the porcelain broke in (an order shipped before shipments were recorded has none).
    shipment = models.ForeignKey(
        "orders.Shipment",
        verbose_name=_("shipment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
    )
    # Private: read only through the view that checks reach (orders:claim_photo).
    photo = models.ImageField(_("photo"), upload_to=RandomName("claims"), storage=private_storage)
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
