"""The product page's history: who changed a product's price, stock or sale, and its platform
prices (recorded by the triggers declared on the models, ``jingdezhen.core.history``)."""

from __future__ import annotations

from jingdezhen.core import history
from jingdezhen.core.history import HistoryPage
from jingdezhen.core.tenancy import Reach
from orders.models import PlatformPrice, Product
from orders.permissions import require_reader


def product_history(*, reach: Reach, product: Product, page: object = 1) -> HistoryPage:
    """One page of the changes of a product the caller read through ``product_get``: the
    catalogue's readers read its history (403 for anyone else)."""
    require_reader(reach)
    return history.history_page(product, Product, PlatformPrice, page=page)
