"""The monthly report (月报): its figures equal the orders, streams, stage changes and training
they come from; the month is bounded; the page and the .xlsx are the managers'."""

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from jingdezhen.core.tenancy import reach_for
from jingdezhen.pages.monthly_report import month_of, monthly_report
from merchants import services as merchant_services
from merchants.models import Merchant
from orders.intake.specs import LineIn
from orders.ordering import services as order_services
from orders.turnover import rollup
from tests import factories as f
from tests.conftest import login

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOVEMBER = dt.date(2026, 11, 1)


def _at(day: int, hour: int = 20) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


def _order(merchant, product, *, day: int, price: str, country="CN", platform="douyin"):
    with time_machine.travel(_at(day), tick=False):
        order = order_services.order_place(
            reach=f.merchant_reach(merchant),
            merchant=merchant,
            platform=platform,
            buyer_country=country,
            lines=[LineIn(product_id=product.pk, quantity=1, unit_price=Decimal(price))],
        )
        return order_services.order_pay(reach=f.merchant_reach(merchant), order=order)


@pytest.fixture
def month(base, manager):
    """A November at the base: orders on two platforms over two weeks (one overseas, one
    refunded in part), streams in and out of the month, a merchant admitted and one graduated."""
    merchant = f.MerchantFactory(base=base)
    product = f.ProductFactory(merchant=merchant, price=Decimal("100.00"), stock=100)
    orders = [
        _order(merchant, product, day=3, price="100.00"),
        _order(merchant, product, day=4, price="250.00", country="US", platform="tiktok"),
        _order(merchant, product, day=18, price="400.00", platform="taobao"),
    ]
    with time_machine.travel(_at(19), tick=False):
        order_services.order_refund(
            reach=f.merchant_reach(merchant), order=orders[2], amount_cny=Decimal("40.00")
        )
    _order(merchant, product, day=30, price="999.00")  # the month's last day counts too
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=False):
        _december = order_services.order_place(
            reach=f.merchant_reach(merchant),
            merchant=merchant,
            platform="douyin",
            lines=[LineIn(product_id=product.pk, quantity=1)],
        )
    for day in (3, 5, 12):
        f.LiveStreamFactory(
            merchant=merchant, status="ended", actual_start=_at(day), planned_start=_at(day)
        )
    f.LiveStreamFactory(
        merchant=merchant,
        status="ended",
        actual_start=_at(6),
        planned_start=_at(6),
        is_rehearsal=True,
    )
    october = dt.datetime(2026, 10, 30, 20, tzinfo=SHANGHAI)
    f.LiveStreamFactory(
        merchant=merchant, status="ended", actual_start=october, planned_start=october
    )
    applicant = f.MerchantFactory(
        base=base, stage=Merchant.Stage.APPLICANT, joined_on=dt.date(2026, 10, 1)
    )
    grown = f.MerchantFactory(
        base=base, stage=Merchant.Stage.INCUBATING, joined_on=dt.date(2026, 1, 1)
    )
    with time_machine.travel(_at(10), tick=False):
        merchant_services.merchant_admit(
            actor=reach_for(manager), merchant_id=applicant.pk, reason="Ready"
        )
        merchant_services.merchant_graduate(
            actor=reach_for(manager), merchant_id=grown.pk, reason="Done"
        )
    for day in range(1, 31):
        rollup.rollup_day(day=dt.date(2026, 11, day))
    rollup.rollup_day(day=dt.date(2026, 12, 1))
    return {"merchant": merchant, "orders": orders}


def test_the_reports_figures_equal_the_orders_streams_and_stage_changes(month, manager):
    report = monthly_report(reach=reach_for(manager), first=NOVEMBER)
    totals = report["totals"]
    # Paid in November: 100 + 250 + 400 + 999; 40 refunded; the December order is not in it.
    assert totals["gross"] == Decimal("1749.00")
    assert totals["refunded"] == Decimal("40.00")
    assert totals["net"] == Decimal("1709.00")
    assert totals["orders"] == 4
    assert totals["overseas"] == Decimal("250.00")
    assert totals["overseas_share"] == Decimal("14.3")
    weeks = report["weeks"]
    assert sum(row["gross"] for row in weeks) == totals["gross"]
    assert {(row["week"], row["platform"]) for row in weeks} == {
        (dt.date(2026, 11, 2), "douyin"),
        (dt.date(2026, 11, 2), "tiktok"),
        (dt.date(2026, 11, 16), "taobao"),
        (dt.date(2026, 11, 30), "douyin"),
    }
    assert report["streams"] == {"streams": 3, "merchants": 1}  # no rehearsal, no October
    assert report["admitted"] == 1 and report["graduated"] == 1
    (top,) = report["top_merchants"]
    assert top["merchant_id"] == month["merchant"].pk and top["net"] == Decimal("1709.00")


def test_the_month_is_bounded_and_defaults_to_the_last_complete_one():
    today = dt.date(2026, 12, 3)
    assert month_of(None, today=today) == NOVEMBER
    assert month_of("2026-12", today=today) == dt.date(2026, 12, 1)
    for bad in ("2027-01", "1999-12", "2026-13", "11/2026", "2026-1x"):
        with pytest.raises(Exception) as error:
            month_of(bad, today=today)
        assert error.value.field == "month"


def test_the_page_and_the_xlsx_show_the_same_figures(client, client_zh, month, manager):
    page = login(client, manager).get("/reports/monthly/?month=2026-11")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1,749.00" in html or "1749.00" in html
    assert client.get("/reports/monthly/?month=9999-01").status_code == 400
    response = login(client_zh, manager).get("/reports/monthly.xlsx?month=2026-11")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert len(book.worksheets) == 3
    gross = next(value for name, value in summary.items() if "成交" in name or "营业" in name)
    assert Decimal(str(gross)) == Decimal("1749.00")


def test_the_report_is_the_managers(client, owner, trainer, db):
    for user in (owner, trainer):
        assert login(client, user).get("/reports/monthly/").status_code in (403, 404)
        assert client.get("/reports/monthly.xlsx").status_code in (403, 404)


def test_the_report_runs_the_same_queries_for_a_small_and_a_big_month(
    client, month, manager, django_assert_max_num_queries
):
    login(client, manager)
    client.get("/reports/monthly/?month=2026-11")
    with django_assert_max_num_queries(16):
        assert client.get("/reports/monthly/?month=2026-11").status_code == 200
