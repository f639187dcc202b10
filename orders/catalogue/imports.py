"""A product catalogue imported from a table (CSV or .xlsx): each row creates the product of its
SKU or updates it, set-based per chunk (one read of the SKUs, one INSERT for the new products,
one UPDATE ... FROM VALUES for the changed ones).

Columns (header names in English or Chinese; order and extra columns do not matter):
``sku`` / 商家编码 (required), ``name`` / 商品名称, ``price`` / 价格, ``stock`` / 库存. A new
product needs a name and a price; on an existing one an empty cell leaves the field as it is.
``stock`` sets the units free to sell (a stocktake), recorded in the product's history like a
person's stock change. A row that changes nothing is counted as already imported, so the same
file imported twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.utils.translation import gettext as _
from psycopg2 import sql
from psycopg2.extras import execute_values

from jingdezhen.core import bounds, history
from jingdezhen.core.errors import DomainError
from merchants.models import Merchant
from orders.catalogue.services import MAX_STOCK
from orders.models import Product

COLUMNS = {
    "sku": ("sku", "商家编码", "SKU编码", "货号"),
    "name": ("name", "商品名称", "名称"),
    "price": ("price", "价格", "售价", "商品价格"),
    "stock": ("stock", "库存", "库存数量"),
}
MAX_PRICE = bounds.MAX_LINE_CNY


def header_columns(header: list[str]) -> dict:
    names = [(h or "").strip().lstrip("\ufeff").lower() for h in header]
    col: dict[str, int | None] = {}
    for key, aliases in COLUMNS.items():
        col[key] = next((names.index(a.lower()) for a in aliases if a.lower() in names), None)
    if col["sku"] is None:
        raise DomainError(
            _("This is not a product catalogue: missing the column %(column)s.")
            % {"column": "sku / 商家编码"},
            field="file",
        )
    if col["name"] is None and col["price"] is None and col["stock"] is None:
        raise DomainError(
            _("A product catalogue needs a name, price or stock column."), field="file"
        )
    return col


@dataclass
class CatalogueCounts:
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)


def _row(row: list[str], col: dict):
    """(sku, name, price, stock) with None for a cell left empty, or the reason it is bad."""

    def cell(key: str) -> str:
        i = col[key]
        return row[i].strip() if i is not None and i < len(row) else ""

    if any("\x00" in c for c in row):
        return _("The row holds a NUL character.")
    sku = cell("sku")
    if not sku or len(sku) > 64:
        return _("The SKU is missing or longer than 64 characters.")
    name = cell("name") or None
    if name is not None and len(name) > 160:
        return _("The name is longer than 160 characters.")
    price = cell("price").lstrip("¥￥").replace(",", "") or None
    if price is not None:
        try:
            value = Decimal(price)
            if not value.is_finite() or value < 0 or value > MAX_PRICE:
                raise InvalidOperation
            price = value.quantize(Decimal("0.01"))
        except InvalidOperation:
            return _("The price is not an amount from 0 to %(max)s.") % {"max": f"{MAX_PRICE:,.2f}"}
    stock = cell("stock") or None
    if stock is not None:
        try:
            stock = int(stock)
            if not 0 <= stock <= MAX_STOCK:
                raise ValueError
        except ValueError:
            return _("The stock must be a whole number from 0 to %(max)s.") % {"max": MAX_STOCK}
    return sku, name, price, stock


_UPDATE = """
UPDATE {product} AS p SET
    name = COALESCE(v.name, p.name),
    price = COALESCE(v.price, p.price),
    stock = COALESCE(v.stock, p.stock)
FROM (VALUES %s) AS v (id, name, price, stock)
WHERE p.id = v.id
"""


def import_catalogue_chunk(
    *, merchant: Merchant, rows: list[tuple[int, list[str]]], col: dict, seen: dict
) -> CatalogueCounts:
    """Create or update the products of ``rows`` for ``merchant`` (the caller checked the
    reach and holds the transaction). ``seen`` maps each SKU taken by earlier chunks to its
    line, so a SKU given twice in one file is reported on its second row."""
    counts = CatalogueCounts()
    good: dict[str, tuple] = {}
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        counts.rows_total += 1
        parsed = _row(row, col)
        if isinstance(parsed, str):
            counts.errors.append((line, parsed))
            continue
        sku = parsed[0]
        if sku in seen:
            counts.errors.append(
                (
                    line,
                    _("SKU %(sku)s is already on line %(line)s.") % {"sku": sku, "line": seen[sku]},
                )
            )
            continue
        seen[sku] = line
        good[sku] = (line, *parsed[1:])
    if not good:
        return counts
    existing = {
        p.sku: p
        for p in Product.objects.filter(merchant=merchant, sku__in=list(good)).only(
            "id", "sku", "name", "price", "stock"
        )
    }
    new: list[Product] = []
    changed: list[tuple] = []
    for sku, (line, name, price, stock) in good.items():
        product = existing.get(sku)
        if product is None:
            if name is None or price is None:
                counts.errors.append((line, _("A new product needs a name and a price.")))
                continue
            new.append(
                Product(merchant=merchant, sku=sku, name=name, price=price, stock=stock or 0)
            )
            continue
        if (name is None or name == product.name) and (
            (price is None or price == product.price) and (stock is None or stock == product.stock)
        ):
            counts.unchanged += 1
            continue
        changed.append((product.pk, name, price, stock))
    with history.stock_edit():
        if new:
            Product.objects.bulk_create(new, batch_size=5000)
        if changed:
            query = sql.SQL(_UPDATE).format(product=sql.Identifier(Product._meta.db_table))
            with connection.cursor() as cursor:
                execute_values(
                    cursor.cursor,
                    query.as_string(cursor.connection),
                    changed,
                    template="(%s, %s::varchar, %s::numeric, %s::integer)",
                    page_size=5000,
                )
    counts.created = len(new)
    counts.updated = len(changed)
    return counts
