"""What every page of the orders app starts with: who reads (``reader``), the merchant a member
acts for (``own_merchant``), and the list pages' query string without the page number."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from jingdezhen.core.tenancy import MANAGER, MERCHANT, Reach, get_reach
from merchants import selectors as merchant_selectors
from merchants.models import Merchant

PAGE_SIZE = 48


def reader(request: HttpRequest) -> Reach:
    """The reach of a base manager or a merchant member; anyone else is refused."""
    reach = get_reach(request)
    reach.require_role(MANAGER, MERCHANT)
    return reach


def own_merchant(reach: Reach) -> Merchant:
    """The merchant a member acts for; pages that take things in are for merchant members."""
    if not reach.is_merchant:
        raise Http404
    return merchant_selectors.merchant_get(reach=reach, pk=reach.merchant_id)


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
