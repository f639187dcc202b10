import datetime as dt

import pytest
from django.utils import translation

from bench.csv_import import run_benchmark
from jingdezhen.core.errors import DomainError
from merchants.models import Milestone
from orders.intake.csv_import import import_orders
from orders.models import Order, OrderImport, OrderLine, Product
from tests import factories
from tests.conftest import login

from .helpers import douyin_csv


@pytest.fixture(autouse=True)
def _english():
    """Services called directly speak the default language (Chinese); these tests read English."""
    with translation.override("en"):
        yield


@pytest.fixture
def cups(merchant):
    return [
        factories.ProductFactory(merchant=merchant, sku="QH-001", stock=10),
        factories.ProductFactory(merchant=merchant, sku="FC-002", stock=10),
    ]


def _import(merchant, data, platform="douyin"):
    return import_orders(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform=platform,
        data=data,
        filename="export.csv",
    )


GOOD = douyin_csv(
    "DY100,QH-001,2,198.00,已完成,2026-01-05 20:15:00,王芳",
    "DY100,FC-002,1,¥1,280.00,已完成,2026-01-05 20:15:00,王芳",
    "DY101,QH-001,1,198.00,待发货,2026-01-06 21:00:00,李雷",
)


def test_a_douyin_export_becomes_orders_with_lines_and_takes_stock(merchant, cups):
    # ¥1,280.00 is split by the CSV comma: quote it the way exports do.
    data = GOOD.replace("¥1,280.00".encode(), '"¥1,280.00"'.encode())
    result = _import(merchant, data)
    record = result.record
    assert record.errors == []
    assert (record.orders_imported, record.rows_imported) == (2, 3)
    order = Order.objects.get(external_id="DY100")
    assert order.status == "completed" and order.units == 3
    assert str(order.amount_cny) == "1676.00"
    assert OrderLine.objects.filter(order=order).count() == 2
    assert Product.objects.get(sku="QH-001").stock == 7
    assert Milestone.objects.get(
        merchant=merchant, kind="first_order"
    ).reached_at.date() == dt.date(2026, 1, 5)


def test_the_same_file_imported_twice_gives_one_set_of_orders(merchant, cups):
    data = douyin_csv("DY1,QH-001,1,10,已完成,2026-01-05 20:15:00,A")
    first = _import(merchant, data)
    second = _import(merchant, data)
    assert not first.repeated and second.repeated
    assert second.record.pk == first.record.pk
    assert Order.objects.count() == 1 and OrderImport.objects.count() == 1
    assert Product.objects.get(sku="QH-001").stock == 9


def test_a_file_overlapping_an_earlier_one_imports_only_the_new_orders(merchant, cups):
    _import(merchant, douyin_csv("DY1,QH-001,1,10,已完成,2026-01-05 20:15:00,A"))
    record = _import(
        merchant,
        douyin_csv(
            "DY1,QH-001,1,10,已完成,2026-01-05 20:15:00,A",
            "DY2,QH-001,1,10,已完成,2026-01-05 20:16:00,B",
        ),
    ).record
    assert (record.orders_imported, record.rows_already) == (1, 1)
    assert Order.objects.count() == 2


def test_every_bad_row_is_reported_by_line_number_and_good_rows_are_imported(merchant, cups):
    data = douyin_csv(
        "DY1,QH-001,1,10,已完成,2026-01-05 20:15:00,A",  # line 2: good
        "DY2,NOPE,1,10,已完成,2026-01-05 20:15:00,B",  # line 3: unknown SKU
        "DY3,QH-001,zero,10,已完成,2026-01-05 20:15:00,C",  # line 4: quantity
        "DY4,QH-001,1,10,飞走了,2026-01-05 20:15:00,D",  # line 5: status
        "DY5,QH-001,1,10,已完成,yesterday,E",  # line 6: time
        "DY6,QH-001,1,10,已完成,2026-01-05 20:15:00,F",  # line 7: good
        "DY6,FC-002,1,-5,已完成,2026-01-05 20:15:00,F",  # line 8: price; order DY6 left out
        "DY7,FC-002,11,10,已完成,2026-01-05 20:15:00,G",  # line 9: only 10 in stock
    )
    record = _import(merchant, data).record
    lines = {line: reason for line, reason in record.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "Unknown SKU NOPE" in lines[3]
    assert "quantity" in lines[4]
    assert "status" in lines[5]
    assert "time" in lines[6]
    assert "line 8" in lines[7]
    assert "Not enough stock" in lines[9]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["DY1"]
    assert Product.objects.get(sku="FC-002").stock == 10


def test_a_malformed_file_is_refused_whole_and_writes_nothing(merchant, cups):
    with pytest.raises(DomainError, match="missing columns"):
        _import(merchant, b"order,sku\nDY1,QH-001\n")
    with pytest.raises(DomainError, match="UTF-8 or GBK"):
        _import(merchant, b"\xff\xfe\x00\x81\x00" * 10)
    with pytest.raises(DomainError, match="no order rows"):
        _import(merchant, douyin_csv())
    assert not OrderImport.objects.exists() and not Order.objects.exists()


def test_a_gbk_taobao_export_is_read(merchant, cups):
    text = (
        "订单编号,商家编码,购买数量,商品价格,订单状态,订单创建时间,买家会员名\n"
        "TB9,QH-001,1,88.00,交易成功,2026/02/01 10:00:00,小明\n"
    )
    record = _import(merchant, text.encode("gb18030"), platform="taobao").record
    assert record.errors == [] and Order.objects.get().platform == "taobao"


def test_an_overseas_export_is_fixed_in_cny_at_the_rate_of_its_day(merchant, cups):
    factories.ExchangeRateFactory(
        base=merchant.base, currency="SEK", cny_per_unit="0.70", valid_from=dt.date(2026, 1, 1)
    )
    factories.ExchangeRateFactory(
        base=merchant.base, currency="SEK", cny_per_unit="0.60", valid_from=dt.date(2026, 3, 1)
    )
    text = (
        "order_id,sku,quantity,unit_price,currency,buyer_country,status,placed_at,buyer_name\n"
        "TT1,QH-001,1,100,SEK,SE,paid,2026-02-10T12:00:00+01:00,Astrid\n"
        "TT2,QH-001,1,100,USD,US,paid,2026-02-10 12:00:00,Joe\n"
    )
    record = _import(merchant, text.encode(), platform="tiktok").record
    assert [line for line, _ in record.errors] == [3]  # no USD rate
    order = Order.objects.get()
    assert str(order.amount_cny) == "70.00" and order.buyer_country == "SE"
    assert Milestone.objects.filter(merchant=merchant, kind="first_overseas_order").exists()


def test_the_upload_page_shows_the_report_and_a_malformed_file_an_error(
    client, owner, cups, django_capture_on_commit_callbacks
):
    login(client, owner)
    bad = client.post(
        "/orders/import/",
        {"platform": "douyin", "file": _upload(b"x,y\n1,2\n")},
    )
    assert bad.status_code == 400
    assert "missing columns" in bad.content.decode()
    # The upload enqueues an import job; its worker (eager here) runs once the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            "/orders/import/",
            {
                "platform": "douyin",
                "file": _upload(douyin_csv("DY1,NOPE,1,1,已完成,2026-01-01 10:00:00,A")),
            },
        )
    good = client.get(posted["Location"])
    assert good.status_code == 200
    assert "Unknown SKU NOPE" in good.content.decode()


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("export.csv", data, content_type="text/csv")


def test_the_benchmark_runs_at_small_scale(db):
    result = run_benchmark(rows=500, products=20)
    assert result["rows_imported"] == 500 and result["bad_rows"] == 0
    assert result["reimport_changed_nothing"]
    assert result["rows_per_second"] > 0


def test_the_comparing_benchmark_runs_each_variant_at_small_scale(db):
    from bench.csv_import import COMPARED, run_compare

    result = run_compare(300, 20, False, COMPARED, rounds=1)
    assert set(result["median_rows_per_second"]) == set(COMPARED)
    assert result["all_done_and_reimport_changed_nothing"]
    for figures in result["cpu_seconds_per_100k_rows"].values():
        assert figures[0]["python"] > 0
