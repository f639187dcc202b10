"""The order list's bulk actions: mark the selected orders paid, or ship them with a form of one
row per order (carrier, tracking number, insured value). Thin: the rules are in
``orders.ordering.bulk`` (all or nothing, the error names the order)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jingdezhen.core.api import MAX_ID
from jingdezhen.core.errors import DomainError
from orders.ordering import bulk, selectors
from orders.ordering.forms import ShipmentFormSet
from orders.view_helpers import reader

# The list's query string kept across a bulk action (its filters and page), bounded.
MAX_QUERY = 500


def _ids(values: list[str]) -> list[int] | None:
    """The order ids of the checked boxes, or None when one is not an id at all."""
    ids = []
    for value in values[: bulk.MAX_BULK_ORDERS + 1]:
        if not value.isdigit() or not 0 < int(value) <= MAX_ID:
            return None
        ids.append(int(value))
    return ids


def _back(request: HttpRequest) -> str:
    query = request.POST.get("query", "")[:MAX_QUERY]
    url = reverse("orders:order_list")
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def orders_bulk_mark_paid(request: HttpRequest) -> HttpResponse:
    reach = reader(request)
    ids = _ids(request.POST.getlist("order"))
    if not ids:
        messages.error(request, _("Choose at least one order."))
        return redirect(_back(request))
    try:
        orders = bulk.orders_mark_paid_bulk(reach=reach, order_ids=ids, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        count = len(orders)
        messages.success(
            request,
            ngettext("%(n)s order marked paid.", "%(n)s orders marked paid.", count) % {"n": count},
        )
    return redirect(_back(request))


def _rows(formset, orders: dict) -> list[tuple]:
    """Each row's form beside the order it ships (its reference, buyer and total)."""
    rows = []
    for form in formset.forms:
        value = form["order"].value()
        pk = int(value) if str(value).isdigit() else None
        rows.append((form, orders.get(pk)))
    return rows


def _show_error(formset, exc: DomainError) -> str | None:
    """Put a service error on its row's field (``shipments.<index>.<field>``); the message for
    the top of the form when it names no row."""
    parts = (exc.field or "").split(".")
    if len(parts) == 3 and parts[0] == "shipments" and parts[1].isdigit():
        index, name = int(parts[1]), parts[2]
        if index < len(formset.forms):
            form = formset.forms[index]
            form.add_error(name if name in form.fields and name != "order" else None, exc.message)
            return None
    return str(exc.message)


@login_required
def orders_bulk_ship(request: HttpRequest) -> HttpResponse:
    """GET ``?order=<id>&order=<id>...``: one row per selected order. POST ships them all."""
    reach = reader(request)
    error = None
    if request.method == "POST":
        formset = ShipmentFormSet(request.POST)
        ids = _ids([str(form["order"].value() or "") for form in formset.forms]) or []
    else:
        ids = _ids(request.GET.getlist("order"))
        if not ids:
            messages.error(request, _("Choose at least one order."))
            return redirect("orders:order_list")
        formset = ShipmentFormSet(initial=[{"order": pk} for pk in ids[: bulk.MAX_BULK_ORDERS]])
    orders = {order.pk: order for order in selectors.order_list(reach=reach).filter(pk__in=ids)}
    if request.method == "GET" and len(orders) != len(set(ids)):
        raise Http404  # an order out of reach, as anywhere else
    if request.method == "POST" and formset.is_valid():
        rows = [
            bulk.ShipmentIn(
                order_id=data["order"],
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                insured_value=data.get("insured_value"),
            )
            for data in formset.cleaned_data
        ]
        try:
            shipped = bulk.orders_ship_bulk(reach=reach, shipments=rows, actor=request.user)
        except DomainError as exc:
            error = _show_error(formset, exc)
        else:
            count = len(shipped)
            messages.success(
                request,
                ngettext("%(n)s order shipped.", "%(n)s orders shipped.", count) % {"n": count},
            )
            return redirect(reverse("orders:order_list") + "?" + urlencode({"status": "shipped"}))
    context = {"formset": formset, "rows": _rows(formset, orders), "error": error}
    template = "orders/bulk_ship.html"
    if request.htmx and request.method == "GET":
        template += "#panel"
    status = 400 if request.method == "POST" else 200
    return render(request, template, context, status=status)
