"""Reading an uploaded table row by row, without loading it whole: CSV (UTF-8 or GBK, as the
platforms export it) and .xlsx (openpyxl in read-only mode, which streams the sheet's XML).

``open_table`` gives the header and an iterator of ``(line, cells)``: the line number a merchant
finds the row at (a CSV's physical line, a sheet's row number), every cell as text."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from jingdezhen.core.errors import DomainError

SUFFIXES = (".csv", ".xlsx")
# A CSV's cell is at most this long (csv's default is 128 KB): a longer one is a broken file.
MAX_CELL = 10_000
csv.field_size_limit(MAX_CELL)


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    rows_expected: int | None  # known up front for a sheet, estimated as a CSV is read
    bytes_read: object  # callable: bytes of the file consumed so far, or None
    start: int = 0  # bytes consumed before the first row (a workbook's shared strings, styles)

    def close(self) -> None:
        closer = getattr(self, "_close", None)
        if closer:
            closer()


def suffix_of(name: str) -> str:
    return Path(name or "").suffix.lower()


def check_suffix(name: str) -> str:
    suffix = suffix_of(name)
    if suffix not in SUFFIXES:
        raise DomainError(_("Upload a .csv or .xlsx file."), field="file")
    return suffix


def open_table(handle: IO[bytes], name: str) -> Table:
    """The header and rows of ``handle`` (a binary file); DomainError if it is unreadable."""
    if check_suffix(name) == ".xlsx":
        return _xlsx(handle)
    return _csv(handle)


def _encoding(handle: IO[bytes]) -> str:
    head = handle.read(1 << 20)
    handle.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        except UnicodeDecodeError as exc:
            raise DomainError(_("The file is not UTF-8 or GBK text."), field="file") from exc
        return "gb18030"
    return "utf-8-sig"


def _csv(handle: IO[bytes]) -> Table:
    # The file under a Django File (stored or uploaded): the text wrapper asks its buffer whether
    # it is closed on every line, a Python property on the Django File.
    raw = getattr(handle, "file", None)
    if raw is not None and hasattr(raw, "read1") and hasattr(raw, "readable"):
        handle = raw
    text = io.TextIOWrapper(handle, encoding=_encoding(handle), newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise DomainError(_("The file has no header row."), field="file") from exc
    except (csv.Error, UnicodeDecodeError) as exc:
        raise DomainError(_("The file has no header row."), field="file") from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise DomainError(
                _("The file is not a readable CSV near line %(line)s.") % {"line": reader.line_num},
                field="file",
            ) from exc
        except UnicodeDecodeError as exc:
            raise DomainError(
                _("The file is not UTF-8 or GBK text near line %(line)s.")
                % {"line": reader.line_num},
                field="file",
            ) from exc

    def bytes_read() -> int:
        try:
            return handle.tell()
        except (OSError, ValueError):
            return 0

    table = Table(header=header, rows=rows(), rows_expected=None, bytes_read=bytes_read)
    # Closing the table leaves the caller's file open (a wrapper would close it when collected).
    table._close = text.detach
    return table


def cell_text(value) -> str:
    """A sheet's cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def _xlsx(handle: IO[bytes]) -> Table:
    from openpyxl import load_workbook  # imported here: only .xlsx uploads need it

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        first = next(values, None)
    except Exception as exc:  # a corrupt zip or XML: openpyxl raises many kinds
        raise DomainError(_("The file is not a readable .xlsx workbook."), field="file") from exc
    if first is None:
        raise DomainError(_("The file has no header row."), field="file")
    header = [cell_text(v) for v in first]
    expected = sheet.max_row - 1 if sheet.max_row else None

    def bytes_read() -> int:
        # The sheet's XML is read from the zip as the rows are: its position tells the share.
        try:
            return handle.tell()
        except (OSError, ValueError):
            return 0

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = 1
        try:
            for values_of in values:
                line += 1
                yield line, [cell_text(v) for v in values_of]
        except DomainError:
            raise
        except Exception as exc:
            raise DomainError(
                _("The workbook is not readable near row %(line)s.") % {"line": line},
                field="file",
            ) from exc

    table = Table(
        header=header, rows=rows(), rows_expected=expected, bytes_read=bytes_read, start=0
    )
    try:
        table.start = handle.tell()
    except (OSError, ValueError):
        table.start = 0
    table._close = book.close
    return table
