"""The intake's pages: an order taken by hand (the order form) and a platform's export
imported (CSV), with the import's report. Both hand their orders to ``orders.intake.take_in``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.platforms import Platform
from livestreams.models import LiveStream
from orders.catalogue import selectors as catalogue_selectors
from orders.intake import csv_import, csv_layouts
from orders.intake import selectors as intake_selectors
from orders.intake.forms import ImportForm, OrderForm
from orders.intake.specs import LineIn
from orders.ordering import services as ordering_services
from orders.permissions import member_merchant
from orders.view_helpers import reader


@login_required
def order_create(request: HttpRequest) -> HttpResponse:
    reach = reader(request)
    merchant = member_merchant(reach)
    products = (
        catalogue_selectors.product_list(reach=reach).filter(is_active=True).order_by("name", "id")
    )
    streams = reach.scope(LiveStream.objects.filter(merchant=merchant)).order_by("-planned_start")
    form = OrderForm(request.POST or None, products=products, streams=streams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = ordering_services.order_place(
                reach=reach,
                merchant=merchant,
                platform=data["platform"],
                external_id=data["external_id"],
                buyer_name=data["buyer_name"],
                buyer_country=data["buyer_country"],
                currency=data["currency"],
                stream_id=data["stream"].pk if data["stream"] else None,
                actor=request.user,
                lines=[LineIn(product_id=p, quantity=q) for p, q in form.lines()],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Order taken; its units are held until it is paid."))
            return redirect("orders:order_detail", pk=order.pk)
    return render(request, "orders/order_form.html", {"form": form})


@login_required
def order_import(request: HttpRequest) -> HttpResponse:
    reach = reader(request)
    merchant = member_merchant(reach)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > csv_import.MAX_BYTES:
            form.add_error("file", _("The file is larger than 50 MB."))
        else:
            try:
                result = csv_import.import_orders(
                    reach=reach,
                    merchant=merchant,
                    platform=form.cleaned_data["platform"],
                    data=upload.read(),
                    filename=upload.name,
                    actor=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if result.repeated:
                    messages.warning(
                        request, _("This file was imported before; nothing was changed.")
                    )
                return redirect("orders:import_detail", pk=result.record.pk)
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "layouts": _layouts(),
        "imports": intake_selectors.import_list(reach=reach)[:10],
    }
    return render(request, "orders/order_import.html", context, status=status)


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
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = reader(request)
    record = intake_selectors.import_get(reach=reach, pk=pk)
    return render(request, "orders/import_detail.html", {"record": record})
