"""The intake's pages: an order taken by hand (the order form) and a platform's export
imported before import jobs (its report). The upload and the job pages are in
``orders.intake.job_views``; every door hands its orders to ``orders.intake.take_in``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.pickers import chosen_id, picker_answer, search_text
from livestreams import selectors as stream_selectors
from livestreams.models import LiveStream
from orders.catalogue import selectors as catalogue_selectors
from orders.intake import selectors as intake_selectors
from orders.intake.forms import OrderForm
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
    streams = reach.scope(LiveStream.objects.filter(merchant=merchant))
    try:
        query = search_text(request.GET, "stream_q")
    except DomainError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc.message}")
    picks = stream_selectors.stream_picks(
        reach=reach, merchant_id=merchant.pk, q=query, chosen=chosen_id(request.POST.get("stream"))
    )
    form = OrderForm(
        request.POST or None,
        products=products,
        streams=streams,
        stream_picks=picks,
        stream_query=query,
    )
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
def order_stream_picks(request: HttpRequest) -> HttpResponse:
    """The order form's stream picker answering a search: the radios of the merchant's streams
    whose title holds ``stream_q`` (an htmx fragment)."""
    reach = reader(request)
    merchant = member_merchant(reach)
    return picker_answer(
        request,
        widget=OrderForm.base_fields["stream"].widget,
        name="stream",
        field_id="id_stream",
        param="stream_q",
        picks=lambda query, chosen: stream_selectors.stream_picks(
            reach=reach, merchant_id=merchant.pk, q=query, chosen=chosen
        ),
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = reader(request)
    record = intake_selectors.import_get(reach=reach, pk=pk)
    return render(request, "orders/import_detail.html", {"record": record})
