"""The order exports: CSV and .xlsx in the reader's language, with the order lines, every text
cell safe from formula injection, in a constant number of queries."""

import csv
import io

from openpyxl import load_workbook

from orders.intake.specs import LineIn
from orders.ordering import services
from tests import factories
from tests.conftest import login


def _place(merchant, *, external_id, buyer="Plain", lines=1, quantity=1):
    products = [factories.ProductFactory(merchant=merchant) for _ in range(lines)]
    return services.order_place(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="douyin",
        external_id=external_id,
        buyer_name=buyer,
        lines=[LineIn(product_id=p.pk, quantity=quantity) for p in products],
    )


def _csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_export_neutralises_cells_a_spreadsheet_would_run(client, owner, merchant):
    for n, buyer in enumerate(['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Plain"]):
        _place(merchant, external_id=f"E{n}", buyer=buyer)
    rows = _csv(login(client, owner).get("/orders/export.csv"))
    buyers = sorted(row["Buyer"] for row in rows)
    assert buyers == ["'+1", "'-2", '\'=HYPERLINK("http://x")', "'@SUM(A1)", "Plain"]
    assert rows[0]["Amount (CNY)"] == "198.00"


def test_a_semicolon_locale_cannot_split_a_text_into_a_formula(client, owner, merchant):
    """Every CSV cell is quoted: a spreadsheet that splits on ';' keeps 'a;=1+1' one cell."""
    _place(merchant, external_id="SEMI", buyer="a;=cmd|' /C calc'!A0")
    login(client, owner)
    body = b"".join(client.get("/orders/export.csv").streaming_content).decode("utf-8-sig")
    line = next(text for text in body.splitlines() if "SEMI" in text)
    assert "\"a;=cmd|' /C calc'!A0\"" in line
    assert line.startswith('"') and line.endswith('"')


def test_the_csv_has_one_row_per_line_in_the_readers_language(client, client_zh, owner, merchant):
    order = _place(merchant, external_id="TWO-LINES", lines=2, quantity=3)
    rows = _csv(login(client, owner).get("/orders/export.csv"))
    assert [r["Platform order id"] for r in rows] == ["TWO-LINES", "TWO-LINES"]
    assert sorted(r["SKU"] for r in rows) == sorted(line.product.sku for line in order.lines.all())
    assert {r["Quantity"] for r in rows} == {"3"}
    assert {r["Platform"] for r in rows} == {"Douyin"}
    assert {r["Status"] for r in rows} == {"Pending payment"}
    zh = _csv(login(client_zh, owner).get("/orders/export.csv"))
    assert "货号" in zh[0] and "数量" in zh[0]
    assert {r["平台"] for r in zh} == {"抖音"}
    assert "Status" not in zh[0]


def test_the_xlsx_has_chinese_column_names_for_a_chinese_reader_and_the_lines(
    client_zh, owner, merchant
):
    order = _place(merchant, external_id="XL-1", lines=2, quantity=2)
    response = login(client_zh, owner).get("/orders/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    orders_sheet, lines_sheet = book.worksheets
    header, first = list(orders_sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    assert "商家" in header and "平台" in header and "状态" in header
    row = dict(zip(header, first, strict=True))
    assert row["平台"] == "抖音"
    assert row["金额（元）"] == order.amount_cny  # noqa: RUF001 (the Chinese column name)
    lines = list(lines_sheet.iter_rows(values_only=True))
    assert len(lines) == 1 + 2
    assert {line[0] for line in lines[1:]} == {"XL-1"}
    assert {line[3] for line in lines[1:]} == {2}


def test_another_merchants_orders_are_not_exported(client, owner, merchant, other_merchant):
    _place(merchant, external_id="MINE")
    _place(other_merchant, external_id="THEIRS")
    login(client, owner)
    for url in ("/orders/export.csv", "/orders/export.xlsx"):
        body = b"".join(client.get(url).streaming_content)
        if url.endswith(".csv"):
            assert b"MINE" in body and b"THEIRS" not in body
        else:
            sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
            ids = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
            assert ids == {"MINE"}


def test_exports_cost_the_same_queries_for_few_and_many_orders(
    client, owner, merchant, django_assert_max_num_queries
):
    login(client, owner)
    counts = []
    for n in (1, 12):
        for i in range(n):
            _place(merchant, external_id=f"Q{n}-{i}", lines=2)
        for url in ("/orders/export.csv", "/orders/export.xlsx"):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                b"".join(client.get(url).streaming_content)
            counts.append((url, len(queries)))
    assert counts[:2] == counts[2:], counts
