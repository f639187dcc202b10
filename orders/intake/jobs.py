"""Import jobs: the web request stores the uploaded file and enqueues; a worker
(``orders.tasks.run_import``, queue ``imports``) reads it in chunks of ``CHUNK`` rows, each chunk
in its own transaction with the job's counters, so a page sees the progress and memory stays
flat whatever the file's size.

* Orders go through the intake (``orders.intake.csv_import.import_chunk`` → ``take_in``) with
  the same rules as every other door; a chunk never splits an order's rows. Each chunk is
  checked (``check_chunk``, no query), then written (``write_chunk``); a workbook's chunks are
  read and checked ahead in a thread (``read_ahead``, see ``_read_ahead``), a CSV's in the job's
  thread (``bench/csv_import.py --compare``, README).
* A product catalogue goes through ``orders.catalogue.imports``.
* Idempotent: the same file (by content) for the same merchant and kind is imported once, an
  uploaded copy answers with the first job; orders already stored are skipped; a job run again
  when done does nothing; a job whose worker died resumes after its last committed chunk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import time

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import Reach
from merchants.models import Merchant, User
from orders.catalogue import imports as catalogue_imports
from orders.intake import csv_import, readers
from orders.intake.csv_layouts import layout_for
from orders.intake.read_ahead import read_ahead
from orders.models import ImportBadRow, ImportJob, OrderImport
from orders.models.imports import BAD_ROW_PROBLEM, BAD_ROW_TEXT
from orders.permissions import CATALOGUE_EDIT, ORDERS_HANDLE, require_act

log = logging.getLogger(__name__)
K = ImportJob.Kind
St = ImportJob.Status
CHUNK = 5000
# A job's rows are taken by one worker at a time: a session advisory lock on this key and the id.
LOCK_KEY = 0x4A445A


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 100 * 1024 * 1024))


def max_size_label() -> str:
    return f"{max_bytes() // (1024 * 1024)} MB"


def job_progress(job: ImportJob) -> dict:
    """The figures a job page and the API show: share done, rate, time left."""
    now = timezone.now()
    started = job.started_at
    end = job.finished_at or now
    seconds = (end - started).total_seconds() if started else 0.0
    rate = job.rows_read / seconds if seconds > 0 and job.rows_read else 0.0
    expected = job.rows_expected
    if job.status == St.DONE:
        fraction = 1.0
    elif expected:
        fraction = min(job.rows_read / expected, 0.99)
    else:
        fraction = 0.0
    left = None
    if job.status == St.RUNNING and rate and expected:
        left = max(expected - job.rows_read, 0) / rate
    return {
        "percent": round(fraction * 100),
        "rows_per_second": round(rate, 1),
        "seconds": round(seconds, 1),
        "seconds_left": round(left) if left is not None else None,
    }


# --- Writes ----------------------------------------------------------------------------------


def import_job_create(
    *,
    reach: Reach,
    merchant: Merchant,
    kind: str,
    upload,
    platform: str = "",
    actor: User | None = None,
) -> ImportJob:
    """Store ``upload`` and enqueue its job (after the commit); answer the earlier job when the
    same file was uploaded before (``job.repeated`` is set on the returned object then)."""
    if kind == K.ORDERS:
        require_act(reach, merchant, ORDERS_HANDLE)
        csv_import.check_platform(platform)
    elif kind == K.CATALOGUE:
        require_act(reach, merchant, CATALOGUE_EDIT)
        platform = ""
    else:
        raise DomainError(_("Unknown import kind."), field="kind")
    name = (getattr(upload, "name", "") or "")[:200]
    readers.check_suffix(name)
    size = upload.size or 0
    if size == 0:
        raise DomainError(_("The file is empty."), field="file")
    if size > max_bytes():
        raise DomainError(
            _("The file is larger than %(max)s.") % {"max": max_size_label()}, field="file"
        )
    _check_header(upload, name, kind, platform)
    digest = hashlib.sha256()
    upload.seek(0)
    for piece in upload.chunks():
        digest.update(piece)
    sha = digest.hexdigest()
    earlier = (
        ImportJob.objects.filter(merchant=merchant, kind=kind, platform=platform, sha256=sha)
        .exclude(status=St.FAILED)
        .order_by("id")
        .first()
    )
    if earlier is not None:
        earlier.repeated_upload = True
        return earlier
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(
            merchant=merchant,
            kind=kind,
            platform=platform,
            filename=name,
            size=size,
            sha256=sha,
            uploaded_by=actor,
        )
        job.file.save(name, upload, save=False)
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    job.repeated_upload = False
    return job


def _check_header(upload, name: str, kind: str, platform: str) -> None:
    """The header row is read in the request (a few KB), so a file of the wrong layout is
    refused at once, naming the missing columns, instead of failing in the worker."""
    upload.seek(0)
    table = readers.open_table(upload, name)
    try:
        if kind == K.ORDERS:
            csv_import.header_columns(table.header, layout_for(platform))
        else:
            catalogue_imports.header_columns(table.header)
    finally:
        table.close()
        if hasattr(table.rows, "close"):
            table.rows.close()


def _enqueue(job_id: int) -> None:
    from orders.tasks import run_import

    run_import.delay(job_id)


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run (or resume) the job; a finished one is left as it is. Safe to call any number of
    times, also at once: a second caller finds the job locked and returns."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return job
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_KEY, job_id])
        if not cursor.fetchone()[0]:
            log.info("import job %s is already being run by another worker", job_id)
            return job
    try:
        job.refresh_from_db()
        if job.finished:
            return job
        if job.started_at is None:
            job.started_at = timezone.now()
        job.status = St.RUNNING
        job.save(update_fields=["status", "started_at"])
        try:
            _run(job)
        except DomainError as exc:
            _finish(job, St.FAILED, str(exc.message))
        except Exception:
            log.exception("import job %s failed", job.pk)
            _finish(job, St.FAILED, _("The import stopped on an unexpected error."))
            raise
        else:
            _finish(job, St.DONE, "")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_KEY, job_id])
    return job


def _finish(job: ImportJob, status: str, error: str) -> None:
    job.refresh_from_db()
    job.status = status
    job.error = error[:300]
    job.finished_at = timezone.now()
    if status == St.DONE:
        job.rows_expected = job.rows_read
    job.save(update_fields=["status", "error", "finished_at", "rows_expected"])


def _run(job: ImportJob) -> None:
    with job.file.open("rb") as handle:
        table = readers.open_table(handle, job.filename)
        try:
            if job.kind == K.ORDERS:
                _run_orders(job, table)
            else:
                _run_catalogue(job, table)
        finally:
            table.close()


def _order_record(job: ImportJob) -> OrderImport | None:
    """The job's import record (orders keep it as their batch); None when the same file was
    imported before by another job or the old page: then nothing is to be done."""
    if job.order_import_id:
        return job.order_import
    try:
        with transaction.atomic():
            record = OrderImport.objects.create(
                merchant=job.merchant,
                platform=job.platform,
                filename=job.filename,
                sha256=job.sha256,
                uploaded_by=job.uploaded_by,
            )
    except IntegrityError:
        record = OrderImport.objects.get(
            merchant=job.merchant, platform=job.platform, sha256=job.sha256
        )
        # A file whose earlier job failed (a broken row far down, a worker lost) is taken up
        # again: what that job committed stays, orders already stored are skipped.
        if not record.jobs.exists() or record.jobs.exclude(status=St.FAILED).exists():
            return None
    job.order_import = record
    job.save(update_fields=["order_import"])
    return record


def _run_orders(job: ImportJob, table: readers.Table) -> None:
    layout = layout_for(job.platform)
    col = csv_import.header_columns(table.header, layout)
    record = _order_record(job)
    if record is None:
        job.repeated = True
        job.save(update_fields=["repeated"])
        return
    context = csv_import.ChunkContext.load(record, job.merchant, job.platform, layout, col)
    oid = col["order_id"]

    def key(row: list[str]) -> str:
        return row[oid].strip() if oid < len(row) else ""

    def checked():
        # The file read and each chunk checked, no query (in the reading thread if any).
        for chunk, position in _chunks(job, table, key):
            consumed = table.bytes_read() if table.bytes_read else None
            yield chunk, position, consumed, csv_import.check_chunk(context, chunk)

    depth = _read_ahead(job)
    with read_ahead(checked, depth) as chunks:
        for chunk, position, consumed, checked_chunk in chunks:
            for attempt in (1, 2):
                try:
                    with transaction.atomic():
                        _fast_commit()
                        counts = csv_import.write_chunk(context, checked_chunk)
                        _commit_chunk(
                            job,
                            table,
                            chunk,
                            position,
                            read=counts.rows_total,
                            imported=counts.rows_imported,
                            already=counts.rows_already,
                            orders=counts.orders_imported,
                            errors=counts.errors,
                            consumed=consumed,
                        )
                    break
                except Conflict:
                    # An order of the chunk arrived meanwhile by another door: once more, and
                    # the intake skips it as already stored.
                    if attempt == 2:
                        raise
    if job.rows_read == 0:
        raise DomainError(_("The file has no order rows."), field="file")
    _record_totals(job, record)


def _read_ahead(job: ImportJob) -> int:
    """Chunks read ahead in a thread: ``IMPORT_READ_AHEAD`` if set; else 2 for a workbook, whose
    parsing (openpyxl, pure Python) is most of its import, and 0 for a CSV, whose parsing is
    short against its writes (the thread's GIL hand-offs cost it more than the overlap gains)."""
    configured = getattr(settings, "IMPORT_READ_AHEAD", None)
    if configured is not None:
        return int(configured)
    return 2 if readers.suffix_of(job.filename) == ".xlsx" else 0


def _fast_commit() -> None:
    """A chunk's commit does not wait for the disk: should the server crash right after, the
    chunk and the job's position are lost together, and the job resumes before that chunk."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _record_totals(job: ImportJob, record: OrderImport) -> None:
    job.refresh_from_db()
    record.rows_total = job.rows_read
    record.orders_imported = job.orders_imported
    record.rows_imported = job.rows_imported
    record.rows_already = job.rows_already
    record.save(update_fields=["rows_total", "orders_imported", "rows_imported", "rows_already"])


def _run_catalogue(job: ImportJob, table: readers.Table) -> None:
    col = catalogue_imports.header_columns(table.header)
    seen: dict[str, int] = {}
    for chunk, position in _chunks(job, table, None):
        with transaction.atomic():
            _fast_commit()
            counts = catalogue_imports.import_catalogue_chunk(
                merchant=job.merchant, rows=chunk, col=col, seen=seen
            )
            _commit_chunk(
                job,
                table,
                chunk,
                position,
                read=counts.rows_total,
                imported=counts.created + counts.updated,
                already=counts.unchanged,
                orders=0,
                errors=counts.errors,
            )
    if job.rows_read == 0:
        raise DomainError(_("The file has no product rows."), field="file")


def _chunks(job: ImportJob, table: readers.Table, key):
    """Chunks of about ``CHUNK`` rows, each with the position after it (rows of the file
    consumed); a chunk ends only where ``key`` changes, so an order is never split. Rows before
    the job's committed position are skipped (a resumed job)."""
    skip = job.position
    position = 0
    chunk: list[tuple[int, list[str]]] = []
    for line, row in table.rows:
        position += 1
        if position <= skip:
            continue
        # The key is read only past a chunk's size: where the chunk may end.
        if len(chunk) >= CHUNK and (key is None or key(row) != key(chunk[-1][1])):
            yield chunk, position - 1
            chunk = []
        chunk.append((line, row))
    if chunk:
        yield chunk, position


def _raw(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([c.replace("\x00", "") for c in row])
    return out.getvalue().rstrip("\r\n")[:BAD_ROW_TEXT]


def _commit_chunk(
    job, table, chunk, position, *, read, imported, already, orders, errors, consumed=None
):
    """The chunk's bad rows and the job's counters and position, in the chunk's transaction;
    ``consumed`` is the bytes of the file read up to the chunk's end (read ahead: the file's
    position is past it by then)."""
    if errors:
        by_line = dict(chunk)
        ImportBadRow.objects.bulk_create(
            [
                ImportBadRow(
                    job=job,
                    line=line,
                    raw=_raw(by_line.get(line, [])),
                    problem=str(reason)[:BAD_ROW_PROBLEM],
                )
                for line, reason in errors
            ],
            batch_size=5000,
        )
    expected = table.rows_expected
    if expected is None and table.bytes_read and job.size:
        # Estimated from the share of the file read so far (exact once the job is done).
        consumed = (table.bytes_read() if consumed is None else consumed) - table.start
        if consumed > 0:
            expected = int((job.rows_read + read) * max(job.size - table.start, 1) / consumed)
    ImportJob.objects.filter(pk=job.pk).update(
        rows_read=F("rows_read") + read,
        rows_imported=F("rows_imported") + imported,
        rows_already=F("rows_already") + already,
        rows_bad=F("rows_bad") + len(errors),
        orders_imported=F("orders_imported") + orders,
        position=position,
        rows_expected=expected,
    )
    job.rows_read += read
    job.position = position
    _pause()


def _pause() -> None:
    """A breath between chunks, so on a small machine the web workers keep their share."""
    pause = float(getattr(settings, "IMPORT_CHUNK_PAUSE", 0))
    if pause:
        time.sleep(pause)
