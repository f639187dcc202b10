"""Reads of the order imports (uploaded platform exports and their reports); always scoped, and
refused (403) to a role that may not read orders (``orders.permissions.require_orders_reader``)."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)
from django.shortcuts import get_object_or_404

from jingdezhen.core.tenancy import Reach
from orders.models import OrderImport
from orders.permissions import require_orders_reader


def import_list(*, reach: Reach) -> QuerySet[OrderImport]:
    require_orders_reader(reach)
    return reach.scope(OrderImport.objects.select_related("uploaded_by"))


def import_get(*, reach: Reach, pk: int) -> OrderImport:
    return get_object_or_404(import_list(reach=reach), pk=pk)
