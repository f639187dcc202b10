"""Stock: one pool per product. Units are taken with a conditional UPDATE (``stock >= n``), so
concurrent buyers can never take more than exists; flash deals draw only from their own
set-aside quantity; released units go back where they came from. Called by services, inside
their transaction."""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict
from orders.models import FlashDeal, OrderLine, Product


def take(*, product_id: int, quantity: int) -> None:
    """Take ``quantity`` units out of a product's stock, or raise Conflict if fewer are left."""
    taken = Product.objects.filter(pk=product_id, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not taken:
        left = Product.objects.filter(pk=product_id).values_list("name", "stock").first()
        name, stock = left or ("?", 0)
        raise Conflict(
            _("Not enough stock of %(name)s: %(left)s left.") % {"name": name, "left": stock},
            field="lines",
            code="out_of_stock",
        )


def give_back(*, product_id: int, quantity: int) -> None:
    Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity)


def release(lines: QuerySet[OrderLine]) -> None:
    """Give the units of ``lines`` back: to their flash deal while it is open, to stock otherwise.

    Set-based: one UPDATE for the deals, one for the products, whatever the number of lines.
    ``lines`` must not depend on the orders' status (callers pass ids), as they change it after.
    """
    deal_ids = list(
        lines.exclude(flash_deal=None).order_by().values_list("flash_deal_id", flat=True).distinct()
    )
    open_deals: list[int] = []
    if deal_ids:
        # Lock the deals so one cannot end (and sweep its remainder to stock) under our feet.
        open_deals = list(
            FlashDeal.objects.select_for_update()
            .filter(pk__in=deal_ids, ended=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    if open_deals:
        per_deal = (
            lines.filter(flash_deal=OuterRef("pk"))
            .order_by()
            .values("flash_deal")
            .annotate(n=Sum("quantity"))
            .values("n")
        )
        FlashDeal.objects.filter(pk__in=open_deals).update(
            remaining=F("remaining") + Coalesce(Subquery(per_deal), 0)
        )
    to_stock = lines.exclude(flash_deal_id__in=open_deals) if open_deals else lines
    per_product = (
        to_stock.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    Product.objects.filter(pk__in=to_stock.values("product_id")).update(
        stock=F("stock") + Coalesce(Subquery(per_product), 0)
    )
