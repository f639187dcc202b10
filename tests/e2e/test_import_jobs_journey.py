"""Imports as background jobs, in a browser: the demo merchant uploads a Douyin export (CSV, in
Chinese on a phone) and the same export as an .xlsx workbook (in English on a desktop) and
watches each job's progress bar refresh itself until the job is done; then imports a product
catalogue (.xlsx) that updates one product and adds another.

The upload request only stores the file and enqueues: here a worker thread of the live server's
process takes the job (as the Celery worker on the "imports" queue would), with a short pause
between chunks so the page has progress to show."""

from __future__ import annotations

import io
import os
import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from bench.csv_import import make_csv, make_xlsx
from merchants.models import Merchant
from orders.intake import jobs
from orders.models import ImportJob, Product

from . import pages

NAV = {
    "catalogue": {"zh": "商品目录", "en": "Catalogue"},
    "orders": {"zh": "订单", "en": "Orders"},
}
DONE = {"zh": "已完成", "en": "done"}
# Issue #17's full sizes (a 500,000-row CSV, a 100,000-row workbook), at the job's own chunk
# size with no pause: about 63 s of the suite on the 2-core machine (36 s and 27 s, against 19 s
# at the small sizes). E2E_IMPORT_SMALL=1 runs 20,000 and 5,000 rows for a quick look;
# bench/csv_import.py measures the rates.
FULL = os.environ.get("E2E_IMPORT_SMALL") != "1"
CSV_ROWS = 500_000 if FULL else 20_000
XLSX_ROWS = 100_000 if FULL else 5_000


@pytest.fixture
def worker_thread(monkeypatch, settings):
    """Jobs enqueued by the live server run in a thread of their own, chunk by chunk."""
    if not FULL:  # small chunks and a pause, so the page has progress to show
        settings.IMPORT_CHUNK_PAUSE = 0.5
        monkeypatch.setattr(jobs, "CHUNK", 2000)
    threads: list[threading.Thread] = []

    def run(job_id: int) -> None:
        try:
            jobs.import_job_run(job_id=job_id)
        finally:
            connection.close()

    def enqueue(job_id: int) -> None:
        thread = threading.Thread(target=run, args=(job_id,), daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(jobs, "_enqueue", enqueue)
    yield
    for thread in threads:
        thread.join(timeout=300 if FULL else 120)
    # A job still running would write into the next test's database (and hold its lock).
    assert not any(thread.is_alive() for thread in threads), "an import job outlived its test"


def _merchant() -> Merchant:
    return Merchant.objects.filter(team__user__username="merchant").distinct().get()


def _skus(merchant: Merchant) -> list[str]:
    # Stock for every row of the files, so no row is refused for stock.
    Product.objects.filter(merchant=merchant).update(stock=10**7, is_active=True)
    return list(Product.objects.filter(merchant=merchant).values_list("sku", flat=True)[:50])


def _upload_orders(page: Page, lang: str, path) -> int:
    pages.follow_nav(page, NAV["orders"][lang])
    with page.expect_navigation():
        page.locator("main a[href='/orders/import/']").click()
    form = page.locator("main form.card")
    form.locator("#id_platform").select_option("douyin")
    form.locator("#id_file").set_input_files(path)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def _watch_to_done(page: Page, lang: str, total: int, name: str) -> list[int]:
    """Read the progress block as htmx refreshes it, until the job says done; the rows read
    seen on the way."""
    progress = page.locator("#job-progress")
    seen: list[int] = []
    for _ in range(600 if FULL else 240):
        text = progress.locator("#rows-read").inner_text()
        seen.append(int(text.replace(",", "")))
        if progress.get_attribute("data-status") == "done":
            break
        if len(seen) == 2:
            pages.shot(page, f"{name}-running")
        page.wait_for_timeout(500)
    expect(progress).to_have_attribute("data-status", "done")
    expect(progress.locator("#job-status")).to_have_text(DONE[lang])
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    expect(progress.locator("#rows-read")).to_have_text(str(total))
    pages.shot(page, f"{name}-done")
    return seen


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_a_csv_export_imports_as_a_job_whose_progress_the_page_shows(
    open_page, tmp_path, worker_thread
):
    page = open_page("phone", "zh")
    pages.login(page, "merchant")
    merchant = _merchant()
    path = tmp_path / "抖店订单导出.csv"
    path.write_bytes(make_csv(CSV_ROWS, _skus(merchant), prefix="E2E"))

    job_id = _upload_orders(page, "zh", path)
    # The request returned before the rows were read: the job was queued or running.
    seen = _watch_to_done(page, "zh", CSV_ROWS, "csv")
    assert any(0 <= n < CSV_ROWS for n in seen), seen  # the page showed it under way
    _no_sideways_scroll(page)
    job = ImportJob.objects.get(pk=job_id)
    assert job.status == "done" and job.rows_imported == CSV_ROWS and job.rows_bad == 0


def test_an_xlsx_export_imports_as_a_job_to_done(open_page, tmp_path, worker_thread):
    page = open_page("desktop", "en")
    pages.login(page, "merchant")
    merchant = _merchant()
    path = tmp_path / "douyin-orders.xlsx"
    path.write_bytes(make_xlsx(XLSX_ROWS, _skus(merchant), prefix="E2EX"))

    job_id = _upload_orders(page, "en", path)
    _watch_to_done(page, "en", XLSX_ROWS, "xlsx")
    job = ImportJob.objects.get(pk=job_id)
    assert job.rows_imported == XLSX_ROWS and job.rows_bad == 0


def test_a_catalogue_xlsx_updates_a_product_and_adds_one(open_page, tmp_path, worker_thread):
    page = open_page("phone", "en")
    pages.login(page, "merchant")
    merchant = _merchant()
    existing = Product.objects.filter(merchant=merchant).order_by("pk").first()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["sku", "name", "price", "stock"])
    sheet.append([existing.sku, None, 321.5, 42])
    sheet.append(["E2E-NEW-1", "Celadon tea bowl", 188, 7])
    sheet.append(["E2E-BAD", "No price", None, 1])
    out = io.BytesIO()
    book.save(out)
    path = tmp_path / "catalogue.xlsx"
    path.write_bytes(out.getvalue())

    pages.follow_nav(page, NAV["catalogue"]["en"])
    with page.expect_navigation():
        page.locator("main a[href='/catalogue/import/']").click()
    form = page.locator("main form.card")
    form.locator("#id_file").set_input_files(path)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    _watch_to_done(page, "en", 3, "catalogue")
    expect(page.locator("#rows-bad")).to_have_text("1")
    page.reload()
    bad = page.locator("table tbody tr")
    expect(bad).to_have_count(1)
    expect(bad.locator("td").nth(0)).to_have_text("4")
    _no_sideways_scroll(page)
    existing.refresh_from_db()
    assert (existing.price, existing.stock) == (Decimal("321.50"), 42)
    assert Product.objects.get(merchant=merchant, sku="E2E-NEW-1").stock == 7
