"""Files people open in a spreadsheet: CSV and .xlsx downloads written one way.

Every text cell is made safe against formula injection: a cell that starts like a formula
(``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with an apostrophe, and in CSV
every cell is quoted, so a program that splits on ``;`` (the separator of many European locales)
cannot cut a text such as ``a;=HYPERLINK(...)`` into a cell that starts a formula. Numbers stay
numbers. CSV starts with a byte-order mark so spreadsheet programs read Chinese as UTF-8.

Both writers stream: CSV row by row to the response, .xlsx through openpyxl's write-only
workbook into a temporary file, so an export of many rows never holds them all in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a cell: numbers and dates as they are, text that cannot run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_text(value) -> str:
    value = safe_cell(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence, rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A CSV download of ``rows`` under ``header``, streamed."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow([_csv_text(h) for h in header])
        for row in rows:
            yield writer.writerow([_csv_text(c) for c in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]]):
    """An .xlsx download with one sheet per ``(title, header, rows)``; money as numbers with two
    decimals, times as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        bold = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=safe_cell(str(name)))
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            cells = []
            for value in row:
                value = safe_cell(value)
                if isinstance(value, dt.datetime):
                    value = value.replace(tzinfo=None)  # shown as the base's local time
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
                elif isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    # Closed by the response once sent (FileResponse closes its file).
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    book.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
