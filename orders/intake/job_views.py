"""The pages of import jobs: the upload of a platform's order export or a product catalogue
(the request only stores the file and enqueues), the job's page whose progress refreshes itself
while it runs, and its bad rows as a downloadable CSV."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.platforms import Platform
from jingdezhen.core.spreadsheets import csv_response
from orders.catalogue import imports as catalogue_imports
from orders.intake import csv_layouts, jobs
from orders.intake import selectors as intake_selectors
from orders.intake.forms import CatalogueImportForm, ImportForm
from orders.models import ImportJob
from orders.permissions import CATALOGUE_EDIT, member_merchant
from orders.view_helpers import reader

BAD_ROWS_PAGE = 50
POLL_SECONDS = 2


def _upload(request: HttpRequest, *, kind: str, form, merchant) -> HttpResponse | None:
    upload = form.cleaned_data["file"]
    try:
        job = jobs.import_job_create(
            reach=reader(request),
            merchant=merchant,
            kind=kind,
            platform=form.cleaned_data.get("platform", ""),
            upload=upload,
            actor=request.user,
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    if job.repeated_upload:
        messages.warning(request, _("This file was imported before; nothing was changed."))
    return redirect("orders:import_job", pk=job.pk)


def _too_large(form) -> bool:
    upload = form.files.get("file")
    if upload is not None and upload.size > jobs.max_bytes():
        form.add_error(
            "file", _("The file is larger than %(max)s.") % {"max": jobs.max_size_label()}
        )
        return True
    return False


@login_required
def order_import(request: HttpRequest) -> HttpResponse:
    reach = reader(request)
    merchant = member_merchant(reach)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not _too_large(form) and form.is_valid():
        response = _upload(request, kind=ImportJob.Kind.ORDERS, form=form, merchant=merchant)
        if response:
            return response
    context = {
        "form": form,
        "layouts": _layouts(),
        "max_size": jobs.max_size_label(),
        "jobs": intake_selectors.job_list(reach=reach, kind=ImportJob.Kind.ORDERS)[:10],
    }
    return render(request, "orders/order_import.html", context, status=400 if form.errors else 200)


@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    reach = reader(request)
    merchant = member_merchant(reach, CATALOGUE_EDIT)
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not _too_large(form) and form.is_valid():
        response = _upload(request, kind=ImportJob.Kind.CATALOGUE, form=form, merchant=merchant)
        if response:
            return response
    context = {
        "form": form,
        "columns": [" / ".join(names[:2]) for names in catalogue_imports.COLUMNS.values()],
        "max_size": jobs.max_size_label(),
        "jobs": intake_selectors.job_list(reach=reach, kind=ImportJob.Kind.CATALOGUE)[:10],
    }
    status = 400 if form.errors else 200
    return render(request, "orders/catalogue_import.html", context, status=status)


def _layouts() -> list[dict]:
    shown = [
        (Platform.DOUYIN.label, csv_layouts.LAYOUTS[Platform.DOUYIN]),
        (Platform.TAOBAO.label, csv_layouts.LAYOUTS[Platform.TAOBAO]),
        (_("Other platforms"), csv_layouts.GENERIC),
    ]
    return [
        {"platform": label, "name": layout.name, "columns": list(layout.columns.values())}
        for label, layout in shown
    ]


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page; while it runs, htmx asks for its progress every two seconds."""
    reach = reader(request)
    job = intake_selectors.job_get(reach=reach, pk=pk)
    page = Paginator(intake_selectors.bad_rows(job=job), BAD_ROWS_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "job": job,
        "progress": jobs.job_progress(job),
        "page": page,
        "poll_seconds": POLL_SECONDS,
    }
    template = "orders/import_job.html"
    if request.htmx and request.htmx.target == "job-progress":
        template += "#progress"
    return render(request, template, context)


@login_required
def import_job_bad_rows(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The bad rows as CSV (streamed, however many there are), formula-like cells quoted."""
    reach = reader(request)
    job = intake_selectors.job_get(reach=reach, pk=pk)
    rows = (
        intake_selectors.bad_rows(job=job)
        .values_list("line", "problem", "raw")
        .iterator(chunk_size=2000)
    )
    header = [_("Line"), _("Problem"), _("Row")]
    return csv_response(f"import-{job.pk}-bad-rows.csv", header, rows)
