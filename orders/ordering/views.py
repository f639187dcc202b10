"""Order pages: the list, an order's page, its status changes, refunds and
breakage claims, and the payment deadlines. Thin: they call selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.storage import private_file_response
from orders.models import Order
from orders.ordering import claims, lifecycle, money, selectors, services
from orders.ordering.forms import (
    ClaimDecisionForm,
    ClaimForm,
    OrderFilterForm,
    OrderPolicyForm,
    RefundForm,
)
from orders.permissions import ORDERS_HANDLE, may_act, may_handle_orders, member_merchant
from orders.view_helpers import query_without_page, reader


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    reach = reader(request)
    filters = OrderFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    orders = selectors.order_list(
        reach=reach,
        status=data.get("status", ""),
        platform=data.get("platform", ""),
        q=data.get("q", ""),
    )
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "query": query_without_page(request),
        "is_merchant": reach.is_merchant,
        # The bulk actions (mark paid, ship) for those whose role handles orders.
        "can_bulk": may_handle_orders(reach),
        "mark_paid_label": lifecycle.transition("pay").label,
    }
    template = "orders/order_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _order_context(reach, order, **extra) -> dict:
    can_act = may_act(reach, order.merchant, ORDERS_HANDLE)
    # What the order offers comes from the lifecycle table, never from status literals here.
    actions = lifecycle.actions_for(order.status)
    context = {
        "order": order,
        "can_act": can_act,
        "actions": actions,
        "refund_form": RefundForm(),
        "claim_form": ClaimForm(order=order),
        "decision_form": ClaimDecisionForm(),
    }
    context.update(extra)
    return context


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = reader(request)
    order = selectors.order_get(reach=reach, pk=pk)
    return render(request, "orders/order_detail.html", _order_context(reach, order))


# Shipping needs the parcel (carrier, tracking number, insured value): the order's "Mark
# shipped" opens the shipment form (orders:bulk_ship) for it.
TRANSITIONS = {
    "pay": services.order_pay,
    "deliver": services.order_deliver,
    "complete": services.order_complete,
    "cancel": services.order_cancel,
}


@login_required
@require_POST
def order_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    reach = reader(request)
    order = selectors.order_get(reach=reach, pk=pk)
    service = TRANSITIONS.get(action)
    if service is None:
        raise Http404
    try:
        service(reach=reach, order=order, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Order is now %(status)s.") % {"status": _status(order.pk)})
    return redirect("orders:order_detail", pk=pk)


def _status(order_id: int) -> str:
    return Order.objects.get(pk=order_id).get_status_display()


@login_required
@require_POST
def order_refund(request: HttpRequest, pk: int) -> HttpResponse:
    reach = reader(request)
    order = selectors.order_get(reach=reach, pk=pk)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            services.order_refund(
                reach=reach,
                order=order,
                amount_cny=form.cleaned_data["amount_cny"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    if form.errors:
        order = selectors.order_get(reach=reach, pk=pk)
        return render(
            request,
            "orders/order_detail.html",
            _order_context(reach, order, refund_form=form),
            status=400,
        )
    messages.success(request, _("Refund recorded."))
    return redirect("orders:order_detail", pk=pk)


@login_required
@require_POST
def claim_create(request: HttpRequest, pk: int) -> HttpResponse:
    reach = reader(request)
    order = selectors.order_get(reach=reach, pk=pk)
    form = ClaimForm(request.POST, request.FILES, order=order)
    if form.is_valid():
        try:
            claims.claim_file(
                reach=reach,
                order=order,
                line_ids=form.cleaned_data["lines"],
                photo=form.cleaned_data["photo"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    if form.errors:
        return render(
            request,
            "orders/order_detail.html",
            _order_context(reach, order, claim_form=form),
            status=400,
        )
    messages.success(request, _("Breakage claim filed."))
    return redirect("orders:order_detail", pk=pk)


@login_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    reach = reader(request)
    claim = selectors.claim_get(reach=reach, pk=pk)
    form = ClaimDecisionForm(request.POST)
    if form.is_valid():
        try:
            claims.claim_decide(
                reach=reach, claim=claim, outcome=form.cleaned_data["outcome"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Claim decided."))
    return redirect("orders:order_detail", pk=claim.order_id)


@login_required
def claim_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A breakage claim's photo, for those who may read the claim (its merchant's people and the
    base's managers; anyone else gets a 404, as for the claim itself)."""
    reach = reader(request)
    claim = selectors.claim_get(reach=reach, pk=pk)
    return private_file_response(claim.photo)


@login_required
def order_policy(request: HttpRequest) -> HttpResponse:
    reach = reader(request)
    merchant = member_merchant(reach)
    policy = selectors.order_policy_for(reach=reach, merchant_id=merchant.pk)
    form = OrderPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            money.order_policy_set(reach=reach, merchant=merchant, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Payment deadlines saved."))
            return redirect("orders:order_list")
    return render(request, "orders/order_policy.html", {"form": form})
