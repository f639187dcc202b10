from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    BreakageClaim,
    ExchangeRate,
    FlashDeal,
    Order,
    OrderEvent,
    OrderImport,
    OrderLine,
    OrderPolicy,
    PlatformPrice,
    Product,
    ProductPhoto,
)


class PhotoInline(admin.TabularInline):
    model = ProductPhoto
    extra = 0
    readonly_fields = ["image", "thumbnail", "width", "height"]


class PlatformPriceInline(admin.TabularInline):
    model = PlatformPrice
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "merchant", "ware_type", "category", "tier", "price", "stock"]
    list_filter = ["ware_type", "category", "tier", "is_active"]
    search_fields = ["sku", "name", "merchant__name"]
    list_select_related = ["merchant"]
    readonly_fields = ["stock"]  # stock moves through the services only
    inlines = [PhotoInline, PlatformPriceInline]


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product", "flash_deal"]


class EventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "at", "refund_cny", "note"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "merchant", "platform", "status", "amount_cny", "placed_at"]
    list_filter = ["status", "platform", "currency"]
    search_fields = ["external_id", "buyer_name", "merchant__name"]
    list_select_related = ["merchant"]
    raw_id_fields = ["merchant", "stream", "import_batch"]
    readonly_fields = ["status", "units", "amount_cny", "refunded_cny", "hold_until"]
    inlines = [LineInline, EventInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["base", "currency", "cny_per_unit", "valid_from"]
    list_filter = ["currency", "base"]


admin.site.register(OrderPolicy)


@admin.register(BreakageClaim)
class BreakageClaimAdmin(admin.ModelAdmin):
    """The photo is private: the admin links the view that checks reach instead of a file URL."""

    list_display = ["order", "outcome", "filed_at"]
    exclude = ["photo"]
    readonly_fields = ["photo_link"]

    @admin.display(description=_("photo"))
    def photo_link(self, claim: BreakageClaim) -> str:
        if not claim.pk or not claim.photo:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("orders:claim_photo", args=[claim.pk]), claim.photo.name
        )


admin.site.register(FlashDeal)


@admin.register(OrderImport)
class OrderImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "merchant", "platform", "uploaded_at", "orders_imported"]
    readonly_fields = ["errors"]
