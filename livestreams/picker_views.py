"""The run sheet's product picker: "add a product to the run sheet" searches the stream's
merchant's catalogue by SKU or name (``orders.catalogue.selectors.product_picks``) instead of
listing every SKU; the stream page renders the first choices, the endpoint answers a search."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from jingdezhen.core.pickers import chosen_id, picker_answer
from jingdezhen.core.tenancy import Reach
from orders.catalogue import selectors as catalogue_selectors

from . import selectors
from .forms import FeaturedForm
from .models import LiveStream

FIELD_ID = "id_product"
PARAM = "product_q"


def featured_form(*, reach: Reach, stream: LiveStream, query: str = "", data=None) -> FeaturedForm:
    """The run sheet's "add a product" form of ``stream``, its picker showing the products that
    answer ``query`` (and the one posted in ``data``, if any)."""
    chosen = chosen_id(data.get("product")) if data is not None else None
    return FeaturedForm(
        data,
        products=selectors.products_for_run_sheet(reach=reach, merchant_id=stream.merchant_id),
        picks=catalogue_selectors.product_picks(
            reach=reach, merchant_id=stream.merchant_id, q=query, chosen=chosen
        ),
        picks_url=reverse("livestreams:featured_product_picks", args=[stream.pk]),
        query=query,
    )


def featured_product_picks(request: HttpRequest, reach: Reach, stream: LiveStream) -> HttpResponse:
    """The picker's answer to a search (``product_q``): its radios, an htmx fragment."""
    return picker_answer(
        request,
        widget=FeaturedForm.base_fields["product"].widget,
        name="product",
        field_id=FIELD_ID,
        param=PARAM,
        picks=lambda query, chosen: catalogue_selectors.product_picks(
            reach=reach, merchant_id=stream.merchant_id, q=query, chosen=chosen
        ),
    )
