"""Import a platform's order export (CSV): one documented column layout per platform.

Each row is one order line; rows sharing an order id are one order. Every bad row is reported
with its line number and reason; an order with any bad row is left out as a whole, the good
orders are imported. Orders already in the database (same merchant, platform and platform order
id) are skipped, and the same file is imported once, so uploading it again changes nothing.
Here everything happens in one transaction (an import job commits chunk by chunk); the orders
are written by the intake's set-based writer (``take_in.copy``): a failure leaves nothing behind.

The layouts (header names per platform) are in ``orders.intake.csv_layouts``. Times are
``YYYY-MM-DD HH:MM[:SS]`` (or with slashes) in Asia/Shanghai, or ISO 8601 with an offset. Prices
may carry a ``¥`` sign and thousands separators.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import DomainError
from jingdezhen.core.platforms import Platform
from jingdezhen.core.tenancy import Reach
from merchants.models import Merchant, User
from orders.intake.csv_layouts import layout_for
from orders.intake.specs import LineIn, OrderIn
from orders.intake.take_in.copy import stored_ids, take_in_copy
from orders.models import Order, OrderImport, Product
from orders.ordering.money import Rates
from orders.permissions import ORDERS_HANDLE, require_act

S = Order.Status
MAX_BYTES = 50 * 1024 * 1024
BATCH = 5000


@dataclass
class ImportResult:
    record: OrderImport
    repeated: bool  # True when this exact file was imported before: nothing changed


@dataclass
class _Row:
    line: int
    order_id: str
    product_id: int
    quantity: int
    unit_price: Decimal
    status: str
    placed_at: dt.datetime
    currency: str
    country: str
    buyer: str


TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")


def _parse_time(text: str, tz) -> dt.datetime | None:
    if (
        len(text) == 19
        and text[4] in "-/"
        and text[7] == text[4]
        and text[10] == " "
        and text[13] == text[16] == ":"
        and text.replace("-", "").replace("/", "").replace(":", "").replace(" ", "").isdigit()
    ):
        # The platforms' usual "YYYY-MM-DD HH:MM:SS", read without strptime (10x faster).
        try:
            return dt.datetime(
                int(text[0:4]),
                int(text[5:7]),
                int(text[8:10]),
                int(text[11:13]),
                int(text[14:16]),
                int(text[17:19]),
                tzinfo=tz,
            )
        except ValueError:
            pass
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file is not UTF-8 or GBK text."), field="file")


def check_platform(platform: str) -> None:
    if platform not in Platform.values:
        raise DomainError(_("Choose a platform."), field="platform")


def header_columns(header: list[str], layout) -> dict:
    """Where each of the layout's columns is in ``header``; DomainError naming the missing ones."""
    header = [(h or "").strip().lstrip("\ufeff") for h in header]
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name, i)
    missing = [
        col
        for key, col in layout.columns.items()
        if col not in index and key not in layout.optional
    ]
    if missing:
        raise DomainError(
            _("This is not a %(layout)s: missing columns %(columns)s.")
            % {"layout": layout.name, "columns": ", ".join(missing)},
            field="file",
        )
    return {key: index.get(name) for key, name in layout.columns.items()}


def import_orders(
    *,
    reach: Reach,
    merchant: Merchant,
    platform: str,
    data: bytes,
    filename: str,
    actor: User | None = None,
) -> ImportResult:
    """Import one export file at once (small files, the demo, tests); DomainError if the file as
    a whole is unreadable. Large files go through an import job (``orders.intake.jobs``), which
    reads the file in chunks with the same rules (``import_chunk``)."""
    require_act(reach, merchant, ORDERS_HANDLE)
    check_platform(platform)
    if not data:
        raise DomainError(_("The file is empty."), field="file")
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is larger than 50 MB."), field="file")
    layout = layout_for(platform)
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise DomainError(_("The file has no header row."), field="file") from exc
    col = header_columns(header, layout)
    digest = hashlib.sha256(data).hexdigest()

    with transaction.atomic():
        try:
            with transaction.atomic():
                record = OrderImport.objects.create(
                    merchant=merchant,
                    platform=platform,
                    filename=filename[:200],
                    sha256=digest,
                    uploaded_by=actor,
                )
        except IntegrityError:
            record = OrderImport.objects.get(merchant=merchant, platform=platform, sha256=digest)
            return ImportResult(record=record, repeated=True)
        rows = []
        try:
            for row in reader:
                rows.append((reader.line_num, row))
        except csv.Error as exc:
            raise DomainError(
                _("The file is not a readable CSV near line %(line)s.") % {"line": reader.line_num},
                field="file",
            ) from exc
        context = ChunkContext.load(record, merchant, platform, layout, col)
        counts = import_chunk(context, rows)
        if counts.rows_total == 0:
            raise DomainError(_("The file has no order rows."), field="file")
        counts.errors.sort()
        record.rows_total = counts.rows_total
        record.orders_imported = counts.orders_imported
        record.rows_imported = counts.rows_imported
        record.rows_already = counts.rows_already
        record.errors = [[line, str(reason)] for line, reason in counts.errors]
        record.save(
            update_fields=[
                "rows_total",
                "orders_imported",
                "rows_imported",
                "rows_already",
                "errors",
            ]
        )
        return ImportResult(record=record, repeated=False)


@dataclass
class ChunkContext:
    """What every chunk of one file shares: the merchant's products by SKU, rates, the clock,
    and the order ids taken by earlier chunks (rows of one order must be next to one another)."""

    record: OrderImport
    merchant: Merchant
    platform: str
    layout: object
    col: dict
    products: dict
    rates: Rates
    tz: object
    now: dt.datetime
    seen: set = field(default_factory=set)

    @classmethod
    def load(cls, record, merchant, platform, layout, col) -> ChunkContext:
        products = {
            sku: (pk, active)
            for sku, pk, active in Product.objects.filter(merchant=merchant).values_list(
                "sku", "pk", "is_active"
            )
        }
        return cls(
            record=record,
            merchant=merchant,
            platform=platform,
            layout=layout,
            col=col,
            products=products,
            rates=Rates(merchant.base_id, None),
            tz=timezone.get_current_timezone(),
            now=timezone.now(),
        )

    @property
    def width(self) -> int:
        return max(i for i in self.col.values() if i is not None) + 1


@dataclass
class ChunkCounts:
    rows_total: int = 0
    rows_imported: int = 0
    rows_already: int = 0
    orders_imported: int = 0
    errors: list = field(default_factory=list)  # (line, reason)


def import_chunk(context: ChunkContext, rows: list[tuple[int, list[str]]]) -> ChunkCounts:
    """Check ``rows`` (line number, cells) and hand the good orders to the intake
    (``orders.intake.take_in``), which walks each to its status through the lifecycle and writes
    them set-based. Runs in the caller's transaction."""
    ctx = context
    col, layout, products, rates, tz, now = (
        ctx.col,
        ctx.layout,
        ctx.products,
        ctx.rates,
        ctx.tz,
        ctx.now,
    )
    width = ctx.width
    counts = ChunkCounts()
    errors = counts.errors
    orders: dict[str, list[_Row]] = {}
    bad_orders: dict[str, int] = {}  # order id -> first bad line
    oid = col["order_id"]
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        counts.rows_total += 1
        if len(row) < width:
            errors.append((line, _("Too few columns.")))
            continue
        if any("\x00" in cell for cell in row):
            # PostgreSQL cannot store a NUL character: the row is bad, never the request.
            errors.append((line, _("The row holds a NUL character.")))
            order_id = row[oid].replace("\x00", "").strip()
            if order_id:
                bad_orders.setdefault(order_id, line)
            continue
        order_id = row[oid].strip()
        if not order_id or len(order_id) > 64:
            errors.append((line, _("The order id is missing or too long.")))
            continue
        if order_id in ctx.seen:
            errors.append(
                (
                    line,
                    _("Rows of order %(id)s must be next to one another in the file.")
                    % {"id": order_id},
                )
            )
            continue
        problem = _row_problem(row, col, layout, products, rates, tz, now)
        if isinstance(problem, _Row):
            problem.line, problem.order_id = line, order_id
            orders.setdefault(order_id, []).append(problem)
            continue
        errors.append((line, problem))
        bad_orders.setdefault(order_id, line)
    ctx.seen.update(orders)
    ctx.seen.update(bad_orders)

    # An order with a bad row is left out whole; its good rows say why.
    for order_id, first_bad in bad_orders.items():
        for r in orders.pop(order_id, []):
            errors.append(
                (
                    r.line,
                    _("Order %(id)s has a bad row on line %(bad)s.")
                    % {"id": order_id, "bad": first_bad},
                )
            )
    # Rows of one order must agree on status, time, currency and country.
    for order_id, rows_of in list(orders.items()):
        first = rows_of[0]
        if any(
            (r.status, r.placed_at, r.currency, r.country)
            != (first.status, first.placed_at, first.currency, first.country)
            for r in rows_of[1:]
        ):
            for r in orders.pop(order_id):
                errors.append(
                    (
                        r.line,
                        _("Rows of order %(id)s disagree on status, time or currency.")
                        % {"id": order_id},
                    )
                )
    if not orders:
        return counts

    # Already imported (by any earlier file, form or API call): skipped, not an error.
    existing = {
        external_id
        for _platform, external_id in stored_ids(ctx.merchant, {ctx.platform}, list(orders))
    }
    counts.rows_already = sum(len(orders.pop(order_id)) for order_id in existing)

    # The intake takes the rest, in file order; an order it refuses is reported on its rows.
    specs = [
        OrderIn(
            platform=ctx.platform,
            external_id=order_id,
            buyer_name=rows_of[0].buyer,
            buyer_country=rows_of[0].country,
            currency=rows_of[0].currency,
            placed_at=rows_of[0].placed_at,
            status=rows_of[0].status,
            lines=[
                LineIn(product_id=r.product_id, quantity=r.quantity, unit_price=r.unit_price)
                for r in rows_of
            ],
            ref=[r.line for r in rows_of],
        )
        for order_id, rows_of in sorted(orders.items(), key=lambda item: item[1][0].line)
    ]
    if not specs:
        return counts
    result = take_in_copy(
        merchant=ctx.merchant,
        orders=specs,
        actor=ctx.record.uploaded_by,
        import_batch=ctx.record,
        note="imported",
    )
    for refusal in result.refused:
        for line in refusal.ref:
            errors.append((line, str(refusal.error.message)))
    counts.orders_imported = result.orders
    counts.rows_imported = result.lines
    return counts


def _row_problem(row, col, layout, products, rates, tz, now) -> _Row | str:
    """The row as a ``_Row`` if it is good, else the reason it is not (checked against the
    shared bounds, so a row the API would refuse is a reported bad row here)."""
    get = col.get
    sku = row[col["sku"]].strip()
    product = products.get(sku)
    if product is None:
        return _("Unknown SKU %(sku)s.") % {"sku": sku or "—"}
    if not product[1]:
        return _("SKU %(sku)s is not on sale.") % {"sku": sku}
    try:
        quantity = bounds.check_quantity(int(row[col["quantity"]].strip()))
    except (ValueError, DomainError):
        return _("The quantity must be a whole number from 1 to %(max)s.") % {
            "max": bounds.MAX_QUANTITY
        }
    try:
        price = Decimal(row[col["unit_price"]].strip().lstrip("¥￥").replace(",", ""))
        price = bounds.check_money(
            price.quantize(Decimal("0.01")) if price.is_finite() else price,
            field="unit_price",
            maximum=bounds.MAX_LINE_CNY,
        )
    except (InvalidOperation, DomainError):
        return _("The price is not an amount from 0 to %(max)s.") % {
            "max": f"{bounds.MAX_LINE_CNY:,.2f}"
        }
    status = layout.statuses.get(row[col["status"]].strip())
    if status is None:
        return _("Unknown order status %(status)s.") % {"status": row[col["status"]].strip() or "—"}
    placed_at = _parse_time(row[col["placed_at"]].strip(), tz)
    if placed_at is None:
        return _("The order time is not a date and time.")
    try:
        bounds.check_instant(placed_at, field="placed_at", now=now)
    except DomainError as exc:
        return _("The order time: %(reason)s") % {"reason": exc.message}
    currency = row[col["currency"]].strip().upper() if get("currency") is not None else "CNY"
    country = (
        row[col["buyer_country"]].strip().upper() if get("buyer_country") is not None else "CN"
    )
    buyer = row[col["buyer_name"]].strip()[:120] if get("buyer_name") is not None else ""
    if len(country) != 2 or not country.isalpha():
        return _("The buyer country is not a two-letter code.")
    if currency != "CNY" and rates.get(currency, timezone.localdate(placed_at, tz)) is None:
        return _("No exchange rate for %(currency)s on that day.") % {"currency": currency or "—"}
    return _Row(0, "", product[0], quantity, price, status, placed_at, currency, country, buyer)
