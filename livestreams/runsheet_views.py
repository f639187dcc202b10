"""The host's run sheet: the phone page streamed from (photos, what is shown and what comes next,
a sticky bar with a one-tap flash deal and "end stream", a focus mode, a paper version).

The one-tap flash deal calls the same service as the flash-deal page and API
(``orders.ordering.flash_deals.flash_deal_create``) with the run sheet's defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import Reach, get_reach
from orders.ordering import flash_deals
from orders.ordering import selectors as order_selectors

from . import access, selectors
from .models import FeaturedProduct, LiveStream

# The one-tap deal: the live price, at most this many units (never more than the stock), for
# this long, one per buyer. The button says so before it is tapped.
DEAL_UNITS = 10
DEAL_MINUTES = 5
DEAL_PER_BUYER = 1


@dataclass(frozen=True)
class DealDefaults:
    price: Decimal
    quantity: int
    minutes: int = DEAL_MINUTES
    per_buyer_limit: int = DEAL_PER_BUYER


def deal_defaults(item: FeaturedProduct) -> DealDefaults:
    price = item.live_price if item.live_price is not None else item.product.price
    return DealDefaults(price=price, quantity=max(0, min(item.product.stock, DEAL_UNITS)))


def _bar(stream: LiveStream, items: list[FeaturedProduct], deals) -> dict:
    """What the sticky bar shows: the product shown now, the next one, the running deal of the
    shown product (if any) and the one-tap deal's defaults."""
    showing = next((item for item in items if item.pk == stream.showing_id), None)
    if showing is not None:
        index = items.index(showing)
        following = items[index + 1] if index + 1 < len(items) else None
    else:
        following = next((item for item in items if item.shown_at is None), None)
        following = following or (items[0] if items else None)
    running = None
    if showing is not None:
        running = next((d for d in deals if d.product_id == showing.product_id), None)
    return {
        "showing": showing,
        "next": following,
        "running": running,
        "defaults": deal_defaults(showing) if showing is not None else None,
    }


def _context(request: HttpRequest, reach: Reach, stream: LiveStream, **extra) -> dict:
    items = list(stream.featured.all())
    deals = list(order_selectors.stream_flash_deals(reach=reach, stream_id=stream.pk, running=True))
    return {
        "stream": stream,
        "items": items,
        "now": timezone.now(),
        "deals": deals,
        "bar": _bar(stream, items, deals),
        "offers": access.stream_offers(reach, stream),
        "focus": request.GET.get("focus") == "1",
        **extra,
    }


@login_required
def run_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The host's phone page during the stream; its list refreshes itself every 5 seconds."""
    reach = get_reach(request)
    stream = selectors.stream_for_run_sheet(reach=reach, pk=pk)
    template = "livestreams/run_sheet.html"
    if request.htmx:
        template += "#items"
    return render(request, template, _context(request, reach, stream))


def _product_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("product", "")
    if not raw.isdigit() or len(raw) > 12:
        return None
    return int(raw)


@require_POST
@login_required
def run_sheet_flash_deal(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap: a flash deal for a featured product with the run sheet's defaults; answers the
    refreshed list, or (4xx) the list with the reason shown above the bar."""
    reach = get_reach(request)
    stream = selectors.stream_for_run_sheet(reach=reach, pk=pk)
    product_id = _product_id(request)
    item = next((i for i in stream.featured.all() if i.product_id == product_id), None)
    status = 200
    error = None
    try:
        if item is None:
            raise DomainError(_("This product is not on the run sheet."), field="product")
        running = order_selectors.stream_flash_deals(reach=reach, stream_id=stream.pk, running=True)
        if running.filter(product_id=item.product_id).exists():  # a second tap, a stale page
            raise Conflict(_("A flash deal for this product is running already."), field="product")
        defaults = deal_defaults(item)
        if defaults.quantity < 1:
            raise DomainError(_("No stock left to set aside for a flash deal."), field="quantity")
        flash_deals.flash_deal_create(
            reach=reach,
            stream=stream,
            product=item.product,
            deal_price=defaults.price,
            quantity=defaults.quantity,
            per_buyer_limit=defaults.per_buyer_limit,
            duration=dt.timedelta(minutes=defaults.minutes),
        )
    except DomainError as exc:
        status, error = exc.status_code, exc.message
    stream = selectors.stream_for_run_sheet(reach=reach, pk=pk)
    context = _context(request, reach, stream, error=error)
    if error is None:
        context["notice"] = _("Flash deal started: its units are set aside.")
    template = "livestreams/run_sheet.html"
    if request.htmx:
        template += "#items"
    return render(request, template, context, status=status)
