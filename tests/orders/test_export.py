import csv
import io

from orders.intake.specs import LineIn
from orders.ordering import services
from tests import factories
from tests.conftest import login


def test_export_neutralises_cells_a_spreadsheet_would_run(client, owner, merchant):
    product = factories.ProductFactory(merchant=merchant)
    for n, buyer in enumerate(['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Plain"]):
        services.order_place(
            reach=factories.merchant_reach(merchant),
            merchant=merchant,
            platform="douyin",
            external_id=f"E{n}",
            buyer_name=buyer,
            lines=[LineIn(product_id=product.pk, quantity=1)],
        )
    login(client, owner)
    response = client.get("/orders/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    buyers = sorted(row["buyer_name"] for row in rows)
    assert buyers == ["'+1", "'-2", '\'=HYPERLINK("http://x")', "'@SUM(A1)", "Plain"]
    assert rows[0]["amount_cny"] == "198.00"
