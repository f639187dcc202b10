"""Imports as background jobs: the upload stores the file and enqueues, a worker reads it in
chunks, the page and the API show the progress and the bad rows."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook

from orders.intake import jobs
from orders.models import ImportJob, Order, Product
from tests import factories

from .helpers import douyin_csv


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cups(merchant):
    return [
        factories.ProductFactory(merchant=merchant, sku="QH-001", stock=100),
        factories.ProductFactory(merchant=merchant, sku="FC-002", stock=100),
    ]


def _stamp(when):
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S")


PLACED = "2026-01-05 20:15:00"
GOOD = douyin_csv(
    f"DY100,QH-001,2,198.00,已完成,{PLACED},王芳",
    f"DY100,FC-002,1,280.00,已完成,{PLACED},王芳",
    f"DY101,QH-001,1,198.00,待发货,{PLACED},李雷",
)


def _upload(data: bytes, name="export.csv"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _create(merchant, data, *, name="export.csv", kind="orders", platform="douyin"):
    return jobs.import_job_create(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        kind=kind,
        platform=platform,
        upload=_upload(data, name),
    )


def _run(merchant, data, **kwargs) -> ImportJob:
    job = _create(merchant, data, **kwargs)
    jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DOUYIN_COLUMNS = [
    "主订单编号",
    "商家编码",
    "商品数量",
    "商品单价",
    "订单状态",
    "订单提交时间",
    "收件人",
]


def test_a_job_reads_the_file_to_done_and_counts_its_rows(merchant, cups):
    job = _run(merchant, GOOD)
    assert job.status == "done", job.error
    assert (job.rows_read, job.rows_imported, job.rows_bad, job.orders_imported) == (3, 3, 0, 2)
    assert Order.objects.filter(merchant=merchant).count() == 2
    assert Product.objects.get(sku="QH-001").stock == 97
    assert job.order_import.orders_imported == 2
    assert jobs.job_progress(job)["percent"] == 100


def test_the_same_file_uploaded_again_answers_with_the_first_job_and_changes_nothing(
    merchant, cups
):
    first = _run(merchant, GOOD)
    again = _create(merchant, GOOD)
    assert again.pk == first.pk and again.repeated_upload
    assert Order.objects.filter(merchant=merchant).count() == 2
    # Run again, a done job does nothing.
    jobs.import_job_run(job_id=first.pk)
    assert Order.objects.filter(merchant=merchant).count() == 2
    assert Product.objects.get(sku="QH-001").stock == 97


def test_rows_imported_by_an_earlier_file_are_counted_as_already_imported(merchant, cups):
    _run(merchant, GOOD)
    overlapping = GOOD + f"DY102,QH-001,1,198.00,已完成,{PLACED},张三\n".encode()
    job = _run(merchant, overlapping)
    assert (job.rows_imported, job.rows_already, job.orders_imported) == (1, 3, 1)


def test_a_job_resumes_after_its_last_committed_chunk(merchant, cups, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK", 2)
    job = _create(merchant, GOOD)
    # As if a worker died after the first chunk: position 2 committed, status running.
    jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    done_orders = Order.objects.filter(merchant=merchant).count()
    ImportJob.objects.filter(pk=job.pk).update(status="running", finished_at=None)
    jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    assert Order.objects.filter(merchant=merchant).count() == done_orders == 2
    assert job.rows_read == 3


def test_bad_rows_are_kept_with_their_line_text_and_problem(merchant, cups):
    data = douyin_csv(
        f"DY1,NOPE,1,1.00,已完成,{PLACED},A",
        f"DY2,QH-001,0,1.00,已完成,{PLACED},B",
        f"DY3,QH-001,1,1.00,已完成,{PLACED},C",
    )
    job = _run(merchant, data)
    assert (job.rows_read, job.rows_imported, job.rows_bad) == (3, 1, 2)
    bad = list(jobs.bad_rows(job=job).values_list("line", "problem", "raw"))
    assert bad[0][0] == 2 and "Unknown SKU NOPE" in bad[0][1] and bad[0][2].startswith("DY1,NOPE")
    assert bad[1][0] == 3 and "quantity" in bad[1][1]


def test_rows_of_one_order_apart_in_the_file_across_chunks_are_reported(
    merchant, cups, monkeypatch
):
    monkeypatch.setattr(jobs, "CHUNK", 1)
    data = douyin_csv(
        f"DY1,QH-001,1,1.00,已完成,{PLACED},A",
        f"DY2,QH-001,1,1.00,已完成,{PLACED},B",
        f"DY1,FC-002,1,1.00,已完成,{PLACED},A",
    )
    job = _run(merchant, data)
    assert job.rows_bad == 1
    assert "next to one another" in jobs.bad_rows(job=job).get().problem


def test_an_xlsx_export_is_read_like_its_csv(merchant, cups):
    placed = dt.datetime(2026, 1, 5, 20, 15)
    data = _xlsx(
        [
            DOUYIN_COLUMNS,
            ["DY100", "QH-001", 2, 198.0, "已完成", placed, "王芳"],
            ["DY100", "FC-002", 1, "280.00", "已完成", PLACED, "王芳"],
            [4711, "QH-001", 1, 198, "待发货", placed, "李雷"],
        ]
    )
    job = _run(merchant, data, name="export.xlsx")
    assert job.status == "done", job.error
    assert (job.rows_read, job.rows_imported, job.rows_bad) == (3, 3, 0)
    order = Order.objects.get(external_id="DY100")
    assert str(order.amount_cny) == "676.00"
    assert timezone.localtime(order.placed_at).hour == 20
    assert Order.objects.filter(external_id="4711").exists()


def test_a_file_missing_columns_fails_the_job_with_the_reason(merchant, cups):
    job = _run(merchant, b"x,y\n1,2\n")
    assert job.status == "failed" and "missing columns" in job.error


def test_an_imported_refunded_row_returns_its_units_like_today(merchant, cups):
    placed = _stamp(timezone.now() - dt.timedelta(days=2))
    job = _run(merchant, douyin_csv(f"DY1,QH-001,3,198.00,已退款,{placed},王芳"))
    assert job.rows_imported == 1
    assert Order.objects.get(external_id="DY1").status == "refunded"
    assert Product.objects.get(sku="QH-001").stock == 100


def test_a_catalogue_creates_and_updates_products_by_sku(merchant, cups):
    data = (
        b"sku,name,price,stock\n"
        b"QH-001,,250.00,40\n"  # update price and stock, keep the name
        b"NEW-1,Blue cup,88.00,5\n"  # create
        b"NEW-2,,10,1\n"  # a new product needs a name
        b"NEW-1,Again,1,1\n"  # a SKU twice
    )
    job = _run(merchant, data, name="catalogue.csv", kind="catalogue", platform="")
    assert job.status == "done", job.error
    assert (job.rows_read, job.rows_imported, job.rows_bad) == (4, 2, 2)
    cup = Product.objects.get(merchant=merchant, sku="QH-001")
    assert (str(cup.price), cup.stock, cup.name) == ("250.00", 40, cups[0].name)
    new = Product.objects.get(merchant=merchant, sku="NEW-1")
    assert (new.name, str(new.price), new.stock) == ("Blue cup", "88.00", 5)
    again = _run(merchant, data.replace(b"Again", b"Other"), name="c.csv", kind="catalogue")
    assert again.rows_imported == 0 and again.rows_already == 2


def test_a_catalogue_xlsx_is_read(merchant):
    data = _xlsx([["商家编码", "商品名称", "价格", "库存"], ["X-1", "青花杯", 99.5, 3]])
    job = _run(merchant, data, name="c.xlsx", kind="catalogue", platform="")
    assert job.status == "done", job.error
    product = Product.objects.get(merchant=merchant, sku="X-1")
    assert (product.name, str(product.price), product.stock) == ("青花杯", "99.50", 3)
