"""Reads of the order imports (uploaded platform exports and their reports) and of import
jobs; always scoped, and refused (403) to a role that may not read orders
(``orders.permissions.require_orders_reader``)."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)
from django.shortcuts import get_object_or_404

from jingdezhen.core.tenancy import Reach
from orders.models import ImportBadRow, ImportJob, OrderImport
from orders.permissions import require_orders_reader


def import_list(*, reach: Reach) -> QuerySet[OrderImport]:
    require_orders_reader(reach)
    return reach.scope(OrderImport.objects.select_related("uploaded_by"))


def import_get(*, reach: Reach, pk: int) -> OrderImport:
    return get_object_or_404(import_list(reach=reach), pk=pk)


# Import jobs (orders and catalogue files read by a worker) and their bad rows.


def job_list(*, reach: Reach, kind: str | None = None) -> QuerySet[ImportJob]:
    require_orders_reader(reach)
    qs = reach.scope(ImportJob.objects.select_related("uploaded_by"))
    return qs.filter(kind=kind) if kind else qs


def job_get(*, reach: Reach, pk: int) -> ImportJob:
    return get_object_or_404(job_list(reach=reach), pk=pk)


def bad_rows(*, job: ImportJob) -> QuerySet[ImportBadRow]:
    """The job's bad rows in file order (the job was read through the reach)."""
    return ImportBadRow.objects.filter(job=job).order_by("line", "id")
