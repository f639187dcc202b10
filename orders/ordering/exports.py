"""The order exports: the orders in reach, with the list's filters, as CSV or .xlsx, in the reader's
language (column names, platforms, statuses) with their lines.

* .xlsx: two sheets, the orders (one row each) and their lines (one row per product ordered);
* CSV: one row per line, the order's columns repeated, because a CSV has one table.

Both stream (jingdezhen/core/spreadsheets.py); two queries whatever the number of orders.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from jingdezhen.core.spreadsheets import csv_response, xlsx_response
from orders.models import Order, OrderLine, Product
from orders.ordering import selectors
from orders.ordering.forms import OrderFilterForm
from orders.view_helpers import reader

ORDER_FIELDS = [
    "placed_at",
    "platform",
    "external_id",
    "status",
    "buyer_name",
    "buyer_country",
    "currency",
    "amount",
    "amount_cny",
    "refunded_cny",
    "units",
]
LINE_FIELDS = ["sku", "product", "quantity", "unit_price"]


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _order_header() -> list[str]:
    return [_("Merchant"), *(_label(Order, name) for name in ORDER_FIELDS)]


def _line_header() -> list[str]:
    return [
        _label(Product, "sku"),
        _label(OrderLine, "product"),
        _label(OrderLine, "quantity"),
        _label(OrderLine, "unit_price"),
    ]


def _orders(request: HttpRequest):
    filters = OrderFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    return selectors.order_list(
        reach=reader(request),
        status=data.get("status", ""),
        platform=data.get("platform", ""),
        q=data.get("q", ""),
    )


class _Values:
    """An order's stored values as the reader reads them: local times, the names of platforms
    and statuses in the reader's language."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.platforms = dict(Order._meta.get_field("platform").flatchoices)
        self.statuses = dict(Order._meta.get_field("status").flatchoices)

    def order(self, merchant: str, placed_at, platform, external_id, status, *rest) -> list:
        return [
            merchant,
            timezone.localtime(placed_at, self.zone),
            str(self.platforms.get(platform, platform)),
            external_id,
            str(self.statuses.get(status, status)),
            *rest,
        ]


def _stamp() -> str:
    return timezone.localdate().isoformat()


@login_required
def order_export_csv(request: HttpRequest):
    """One row per order line, the order's columns first."""
    orders = _orders(request)
    values = _Values()
    order_columns = [f"order__{name}" for name in ORDER_FIELDS]
    rows = (
        selectors.order_lines_of(orders)
        .values_list(
            "order__merchant__name",
            *order_columns,
            "product__sku",
            "product__name",
            "quantity",
            "unit_price",
        )
        .iterator(chunk_size=2000)
    )
    width = 1 + len(ORDER_FIELDS)

    def lines():
        for row in rows:
            yield [*values.order(*row[:width]), *row[width:]]

    return csv_response(f"orders-{_stamp()}.csv", [*_order_header(), *_line_header()], lines())


@login_required
def order_export_xlsx(request: HttpRequest):
    """The orders and, on a second sheet, their lines."""
    orders = _orders(request)
    values = _Values()
    order_rows = (
        orders.order_by("placed_at", "pk")
        .values_list("merchant__name", *ORDER_FIELDS)
        .iterator(chunk_size=2000)
    )
    line_rows = (
        selectors.order_lines_of(orders)
        .values_list(
            "order__external_id", "product__sku", "product__name", "quantity", "unit_price"
        )
        .iterator(chunk_size=2000)
    )
    return xlsx_response(
        f"orders-{_stamp()}.xlsx",
        [
            (_("Orders"), _order_header(), (values.order(*row) for row in order_rows)),
            (_("Order lines"), [_label(Order, "external_id"), *_line_header()], line_rows),
        ],
    )
