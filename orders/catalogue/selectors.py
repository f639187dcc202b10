"""Reads of the catalogue shared by pages, API and exports; always scoped by the reach, and
refused (403) to a role that may not read the orders app (``orders.permissions.require_reader``)."""

from __future__ import annotations

from django.db.models import (
    Case,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.shortcuts import get_object_or_404

from jingdezhen.core.tenancy import Reach
from orders.models import PlatformPrice, Product, ProductPhoto
from orders.permissions import require_reader


def product_list(
    *,
    reach: Reach,
    ware_type: str = "",
    category: str = "",
    tier: str = "",
    in_stock: bool | None = None,
    q: str = "",
) -> QuerySet[Product]:
    """Products within reach with their photos (thumbnails only: no image is opened) and
    platform prices, in a constant number of queries."""
    require_reader(reach)
    qs = reach.scope(Product.objects.select_related("merchant")).prefetch_related(
        Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id")),
        Prefetch("platform_prices", queryset=PlatformPrice.objects.order_by("platform")),
    )
    if ware_type:
        qs = qs.filter(ware_type=ware_type)
    if category:
        qs = qs.filter(category=category)
    if tier:
        qs = qs.filter(tier=tier)
    if in_stock is True:
        qs = qs.filter(stock__gt=0)
    elif in_stock is False:
        qs = qs.filter(stock=0)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(sku__icontains=q))
    return qs


def product_picks(
    *, reach: Reach, merchant_id: int, q: str = "", chosen: int | None = None, limit: int = 20
) -> list[Product]:
    """A merchant's offered products for a picker (a run sheet's "add a product"): those whose
    SKU or name holds ``q``, an exact SKU first, then by name, each with its photos (thumbnails
    only; two queries). The ``chosen`` product, if within reach, comes first whatever ``q`` says."""
    require_reader(reach)
    qs = reach.scope(Product.objects.all()).filter(merchant_id=merchant_id, is_active=True)
    found = Q(name__icontains=q) | Q(sku__icontains=q) if q else Q()
    if chosen:
        found |= Q(pk=chosen)
    return list(
        qs.filter(found)
        .annotate(
            is_chosen=Case(When(pk=chosen or 0, then=0), default=1),
            sku_match=Case(When(sku__iexact=q, then=0), default=1),
        )
        .order_by("is_chosen", "sku_match", "name", "id")
        .prefetch_related(
            Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id"))
        )[:limit]
    )


def product_get(*, reach: Reach, pk: int) -> Product:
    return get_object_or_404(product_list(reach=reach), pk=pk)


def photo_get(*, reach: Reach, pk: int) -> ProductPhoto:
    require_reader(reach)
    return get_object_or_404(
        reach.scope(ProductPhoto.objects.select_related("product__merchant")), pk=pk
    )


# A product with this many units or fewer left is low in stock (0: sold out).
LOW_STOCK = 5


def products_low_in_stock(*, reach: Reach) -> QuerySet[Product]:
    """Offered products within reach with ``LOW_STOCK`` units or fewer (one query)."""
    require_reader(reach)
    return reach.scope(Product.objects.select_related("merchant")).filter(
        is_active=True, stock__lte=LOW_STOCK
    )
