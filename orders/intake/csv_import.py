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
from orders.intake.take_in.copy import take_in_copy
from orders.models import Order, OrderImport, Product
from orders.ordering.money import CENT, Rates
from orders.permissions import ORDERS_HANDLE, require_act

S = Order.Status
MAX_BYTES = 50 * 1024 * 1024
BATCH = 5000


@dataclass
class ImportResult:
    record: OrderImport
    repeated: bool  # True when this exact file was imported before: nothing changed


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
    check: RowCheck | None = None

    def __post_init__(self) -> None:
        self.check = RowCheck(self.col, self.layout, self.products, self.rates, self.tz, self.now)

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


@dataclass
class CheckedChunk:
    """A chunk after its rows were checked (no query): the rows read, the bad rows, and the
    orders to hand to the intake."""

    rows_total: int
    errors: list  # (line, reason)
    specs: list[OrderIn]


def import_chunk(context: ChunkContext, rows: list[tuple[int, list[str]]]) -> ChunkCounts:
    """Check ``rows`` (line number, cells) and hand the good orders to the intake
    (``orders.intake.take_in``), which walks each to its status through the lifecycle and writes
    them set-based. Runs in the caller's transaction."""
    return write_chunk(context, check_chunk(context, rows))


def write_chunk(context: ChunkContext, checked: CheckedChunk) -> ChunkCounts:
    """Hand a checked chunk's orders to the intake (the database's part of ``import_chunk``);
    an order it refuses is reported on its rows. May be called again with the same chunk after
    a rolled-back attempt: orders stored meanwhile are skipped."""
    counts = ChunkCounts(rows_total=checked.rows_total, errors=list(checked.errors))
    if not checked.specs:
        return counts
    result = take_in_copy(
        merchant=context.merchant,
        orders=checked.specs,
        actor=context.record.uploaded_by,
        import_batch=context.record,
        note="imported",
    )
    for refusal in result.refused:
        for line in refusal.ref:
            counts.errors.append((line, str(refusal.error.message)))
    counts.rows_already = result.rows_already
    counts.orders_imported = result.orders
    counts.rows_imported = result.lines
    return counts


def check_chunk(context: ChunkContext, rows: list[tuple[int, list[str]]]) -> CheckedChunk:
    """The checks of ``import_chunk`` that need no database: each row's cells, the rows of one
    order together and agreeing; the good orders as the intake's specs. Chunks of one file are
    checked in file order (the orders seen so far are the context's)."""
    ctx = context
    check = ctx.check
    width = ctx.width
    oid = ctx.col["order_id"]
    counts = ChunkCounts()
    errors = counts.errors
    seen = ctx.seen
    orders: dict[str, list[tuple]] = {}
    bad_orders: dict[str, int] = {}  # order id -> first bad line
    for line, row in rows:
        joined = "".join(row)
        if not joined.strip():
            continue
        counts.rows_total += 1
        if len(row) < width:
            errors.append((line, _("Too few columns.")))
            continue
        if "\x00" in joined:
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
        if order_id in seen:
            errors.append(
                (
                    line,
                    _("Rows of order %(id)s must be next to one another in the file.")
                    % {"id": order_id},
                )
            )
            continue
        good = check(row)
        if type(good) is tuple:
            rows_of = orders.get(order_id)
            if rows_of is None:
                orders[order_id] = [(line, *good)]
            else:
                rows_of.append((line, *good))
            continue
        errors.append((line, good))
        bad_orders.setdefault(order_id, line)
    seen.update(orders)
    seen.update(bad_orders)

    # An order with a bad row is left out whole; its good rows say why.
    for order_id, first_bad in bad_orders.items():
        for r in orders.pop(order_id, []):
            errors.append(
                (
                    r[0],
                    _("Order %(id)s has a bad row on line %(bad)s.")
                    % {"id": order_id, "bad": first_bad},
                )
            )
    # Rows of one order must agree on status, time, currency and country (the cells after the
    # line, product, quantity and price; the buyer is the first row's).
    for order_id, rows_of in list(orders.items()):
        if len(rows_of) > 1:
            first = rows_of[0][4:8]
            if any(r[4:8] != first for r in rows_of[1:]):
                for r in orders.pop(order_id):
                    errors.append(
                        (
                            r[0],
                            _("Rows of order %(id)s disagree on status, time or currency.")
                            % {"id": order_id},
                        )
                    )
    # The intake takes them in file order (already-stored ones are skipped, not an error).
    specs = [
        OrderIn(
            platform=ctx.platform,
            external_id=order_id,
            buyer_name=rows_of[0][8],
            buyer_country=rows_of[0][7],
            currency=rows_of[0][6],
            placed_at=rows_of[0][5],
            status=rows_of[0][4],
            lines=[LineIn(r[1], r[2], r[3]) for r in rows_of],
            ref=[r[0] for r in rows_of],
        )
        for order_id, rows_of in orders.items()  # dicts keep the file's order
    ]
    return CheckedChunk(rows_total=counts.rows_total, errors=errors, specs=specs)


# Cells that repeat across a file (prices, quantities, an order's time on each of its rows) are
# checked once; each cache is emptied when it holds this many, so memory stays flat.
CACHE_SIZE = 20_000


class RowCheck:
    """The checks of one row of a file, as a callable: ``(product id, quantity, unit price,
    status, placed_at, currency, country, buyer)`` if the row is good, else the reason it is not.
    Checked against the shared bounds, so a row the API would refuse is a reported bad row here.
    """

    def __init__(self, col: dict, layout, products: dict, rates: Rates, tz, now: dt.datetime):
        self.col, self.layout, self.products, self.rates = col, layout, products, rates
        self.tz, self.now = tz, now
        self.prices: dict[str, Decimal | str] = {}
        self.quantities: dict[str, int | str] = {}
        self.times: dict[str, dt.datetime | str] = {}
        c = col
        self.at = (c["sku"], c["quantity"], c["unit_price"], c["status"], c["placed_at"])
        self.currency_at, self.country_at, self.buyer_at = (
            c.get("currency"),
            c.get("buyer_country"),
            c.get("buyer_name"),
        )

    def __call__(self, row: list[str]) -> tuple | str:
        sku_at, quantity_at, price_at, status_at, time_at = self.at
        sku = row[sku_at].strip()
        product = self.products.get(sku)
        if product is None:
            return _("Unknown SKU %(sku)s.") % {"sku": sku or "—"}
        if not product[1]:
            return _("SKU %(sku)s is not on sale.") % {"sku": sku}
        cell = row[quantity_at]
        quantity = self.quantities.get(cell)
        if quantity is None:
            quantity = self._remember(self.quantities, cell, _quantity(cell))
        if type(quantity) is str:
            return quantity
        cell = row[price_at]
        price = self.prices.get(cell)
        if price is None:
            price = self._remember(self.prices, cell, _price(cell))
        if type(price) is str:
            return price
        status = self.layout.statuses.get(row[status_at].strip())
        if status is None:
            return _("Unknown order status %(status)s.") % {"status": row[status_at].strip() or "—"}
        cell = row[time_at]
        placed_at = self.times.get(cell)
        if placed_at is None:
            placed_at = self._remember(self.times, cell, _time(cell, self.tz, self.now))
        if type(placed_at) is str:
            return placed_at
        currency = row[self.currency_at].strip().upper() if self.currency_at is not None else "CNY"
        country = row[self.country_at].strip().upper() if self.country_at is not None else "CN"
        buyer = row[self.buyer_at].strip()[:120] if self.buyer_at is not None else ""
        if country != "CN" and (len(country) != 2 or not country.isalpha()):
            return _("The buyer country is not a two-letter code.")
        if (
            currency != "CNY"
            and self.rates.get(currency, placed_at.astimezone(self.tz).date()) is None
        ):
            return _("No exchange rate for %(currency)s on that day.") % {
                "currency": currency or "—"
            }
        return (product[0], quantity, price, status, placed_at, currency, country, buyer)

    @staticmethod
    def _remember(cache: dict, cell: str, value):
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[cell] = value
        return value


def _quantity(cell: str) -> int | str:
    try:
        return bounds.check_quantity(int(cell.strip()))
    except (ValueError, DomainError):
        return _("The quantity must be a whole number from 1 to %(max)s.") % {
            "max": bounds.MAX_QUANTITY
        }


def _price(cell: str) -> Decimal | str:
    text = cell.strip().lstrip("¥￥").replace(",", "")
    try:
        price = Decimal(text)
        return bounds.check_money(
            price.quantize(CENT) if price.is_finite() else price,
            field="unit_price",
            maximum=bounds.MAX_LINE_CNY,
        )
    except (InvalidOperation, DomainError):
        return _("The price is not an amount from 0 to %(max)s.") % {
            "max": f"{bounds.MAX_LINE_CNY:,.2f}"
        }


def _time(cell: str, tz, now: dt.datetime) -> dt.datetime | str:
    placed_at = _parse_time(cell.strip(), tz)
    if placed_at is None:
        return _("The order time is not a date and time.")
    try:
        return bounds.check_instant(placed_at, field="placed_at", now=now)
    except DomainError as exc:
        return _("The order time: %(reason)s") % {"reason": exc.message}
