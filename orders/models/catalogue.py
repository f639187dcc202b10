"""The ceramic catalogue: products, their photos and their prices per platform."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingdezhen.core import ceramics, history
from jingdezhen.core.platforms import Platform
from jingdezhen.core.storage import RandomName

from .money import MONEY


@history.track_changes("price", "is_active", "stock", guarded={"stock": history.STOCK_EDIT})
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


# The product's description and price: what a merchant types in, the same list for the
# service's writes, the API's serializer and the page's form. The SKU (set once), the stock
# (changed by restocking, relatively) and the photos (checked uploads) have their own paths.
PRODUCT_FIELDS = (
    "name",
    "ware_type",
    "category",
    "technique",
    "kiln",
    "artisan",
    "tier",
    "length_mm",
    "width_mm",
    "height_mm",
    "weight_g",
    "price",
    "story",
    "is_active",
)


class ProductPhoto(models.Model):
    """A checked, re-encoded photo of a product (no EXIF) and its thumbnail, made once at upload.
    Width and height are stored so no page or endpoint ever opens the image again."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="photos"
    )
    # Public (the proxy serves MEDIA_ROOT), under names nobody can guess.
    image = models.ImageField(_("photo"), upload_to=RandomName("products"))
    thumbnail = models.ImageField(_("thumbnail"), upload_to=RandomName("products/thumbs"))
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


@history.track_changes("platform", "price", context=["product"], deleted=True)
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
