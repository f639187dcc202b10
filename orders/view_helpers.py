"""What every page of the orders app starts with: the reach of a reader (``reader``), and the list
pages' query string without the page number."""

from __future__ import annotations

from django.http import HttpRequest

from jingdezhen.core.tenancy import Reach, get_reach
from orders.permissions import require_reader

PAGE_SIZE = 48


def reader(request: HttpRequest) -> Reach:
    """The request's reach, once the orders app's rule (``permissions.require_reader``, which
    the API asks too) has let it read."""
    reach = get_reach(request)
    require_reader(reach)
    return reach


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
