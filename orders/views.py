"""Catalogue and order pages: thin, they call selectors and services."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.tenancy import MANAGER, MERCHANT, get_reach
from merchants import selectors as merchant_selectors

from . import csv_import, lifecycle, selectors, services
from .forms import (
    CatalogueFilterForm,
    ClaimDecisionForm,
    ClaimForm,
    ImportForm,
    OrderFilterForm,
    OrderForm,
    OrderPolicyForm,
    PhotoForm,
    PlatformPriceForm,
    ProductForm,
    RefundForm,
    RestockForm,
)
from .models import Order

PAGE_SIZE = 48


def _reader(request):
    reach = get_reach(request)
    reach.require_role(MANAGER, MERCHANT)
    return reach


def _own_merchant(reach):
    """The merchant a member acts for; pages that take things in are for merchant members."""
    if not reach.is_merchant:
        raise Http404
    return merchant_selectors.merchant_get(reach=reach, pk=reach.merchant_id)


# --- catalogue ---------------------------------------------------------------------------------


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    reach = _reader(request)
    filters = CatalogueFilterForm(request.GET or None)
    products = selectors.product_list(reach=reach, **filters.selector_kwargs()).order_by(
        "name", "id"
    )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "query": _query_without_page(request)}
    template = "orders/product_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    reach = _reader(request)
    merchant = _own_merchant(reach)
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            product = services.product_create(
                reach=reach,
                merchant=merchant,
                sku=data.pop("sku"),
                stock=data.pop("stock"),
                photo_uploads=data.pop("photos"),
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Product added."))
            return redirect("orders:product_detail", pk=product.pk)
    status = 400 if form.errors else 200
    return render(request, "orders/product_form.html", {"form": form}, status=status)


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = _reader(request)
    product = selectors.product_get(reach=reach, pk=pk)
    return render(
        request,
        "orders/product_detail.html",
        {
            "product": product,
            "held": selectors.held_units(product_id=product.pk),
            "can_act": services.may_act(reach, product.merchant),
            "photo_form": PhotoForm(),
            "restock_form": RestockForm(),
            "price_form": PlatformPriceForm(),
        },
    )


@login_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reach = _reader(request)
    product = selectors.product_get(reach=reach, pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("sku", "stock", "photos")}
        # The ModelForm wrote the values on the instance; the service saves them.
        product = selectors.product_get(reach=reach, pk=pk)
        try:
            services.product_update(reach=reach, product=product, **fields)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Product saved."))
            return redirect("orders:product_detail", pk=pk)
    return render(request, "orders/product_form.html", {"form": form, "product": product})


def _product_action(request, pk, form_class, apply):
    reach = _reader(request)
    product = selectors.product_get(reach=reach, pk=pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            apply(reach, product, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        status = 400
    else:
        messages.success(request, _("Saved."))
        status = None
    if status:
        product = selectors.product_get(reach=reach, pk=pk)
        context = {
            "product": product,
            "held": selectors.held_units(product_id=product.pk),
            "can_act": services.may_act(reach, product.merchant),
            "photo_form": form if isinstance(form, PhotoForm) else PhotoForm(),
            "restock_form": form if isinstance(form, RestockForm) else RestockForm(),
            "price_form": form if isinstance(form, PlatformPriceForm) else PlatformPriceForm(),
        }
        return render(request, "orders/product_detail.html", context, status=status)
    return redirect("orders:product_detail", pk=pk)


@login_required
@require_POST
def product_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_action(
        request,
        pk,
        PhotoForm,
        lambda reach, product, data: services.product_photo_add(
            reach=reach, product=product, upload=data["image"]
        ),
    )


@login_required
@require_POST
def product_restock(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_action(
        request,
        pk,
        RestockForm,
        lambda reach, product, data: services.product_restock(
            reach=reach, product=product, change=data["change"]
        ),
    )


@login_required
@require_POST
def product_platform_price(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_action(
        request,
        pk,
        PlatformPriceForm,
        lambda reach, product, data: services.platform_price_set(
            reach=reach, product=product, platform=data["platform"], price=data["price"]
        ),
    )


@login_required
@require_POST
def product_photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reach = _reader(request)
    photo = selectors.photo_get(reach=reach, pk=pk)
    product_id = photo.product_id
    services.product_photo_delete(reach=reach, photo=photo)
    return redirect("orders:product_detail", pk=product_id)


# --- orders ------------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    reach = _reader(request)
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
        "query": _query_without_page(request),
        "is_merchant": reach.is_merchant,
    }
    template = "orders/order_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
def order_create(request: HttpRequest) -> HttpResponse:
    from livestreams.models import LiveStream

    reach = _reader(request)
    merchant = _own_merchant(reach)
    products = selectors.product_list(reach=reach).filter(is_active=True).order_by("name", "id")
    streams = reach.scope(LiveStream.objects.filter(merchant=merchant)).order_by("-planned_start")
    form = OrderForm(request.POST or None, products=products, streams=streams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_place(
                reach=reach,
                merchant=merchant,
                platform=data["platform"],
                external_id=data["external_id"],
                buyer_name=data["buyer_name"],
                buyer_country=data["buyer_country"],
                currency=data["currency"],
                stream_id=data["stream"].pk if data["stream"] else None,
                actor=request.user,
                lines=[services.LineSpec(product_id=p, quantity=q) for p, q in form.lines()],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Order taken; its units are held until it is paid."))
            return redirect("orders:order_detail", pk=order.pk)
    return render(request, "orders/order_form.html", {"form": form})


def _order_context(reach, order, **extra) -> dict:
    can_act = services.may_act(reach, order.merchant)
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
    reach = _reader(request)
    order = selectors.order_get(reach=reach, pk=pk)
    return render(request, "orders/order_detail.html", _order_context(reach, order))


TRANSITIONS = {
    "pay": services.order_pay,
    "ship": services.order_ship,
    "deliver": services.order_deliver,
    "complete": services.order_complete,
    "cancel": services.order_cancel,
}


@login_required
@require_POST
def order_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    reach = _reader(request)
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
    reach = _reader(request)
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
    reach = _reader(request)
    order = selectors.order_get(reach=reach, pk=pk)
    form = ClaimForm(request.POST, request.FILES, order=order)
    if form.is_valid():
        try:
            services.claim_file(
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
    reach = _reader(request)
    claim = selectors.claim_get(reach=reach, pk=pk)
    form = ClaimDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.claim_decide(
                reach=reach, claim=claim, outcome=form.cleaned_data["outcome"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Claim decided."))
    return redirect("orders:order_detail", pk=claim.order_id)


@login_required
def order_import(request: HttpRequest) -> HttpResponse:
    reach = _reader(request)
    merchant = _own_merchant(reach)
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
        "imports": selectors.import_list(reach=reach)[:10],
    }
    return render(request, "orders/order_import.html", context, status=status)


def _layouts() -> list[dict]:
    from jingdezhen.core.platforms import Platform

    shown = [
        (Platform.DOUYIN.label, csv_import.LAYOUTS[Platform.DOUYIN]),
        (Platform.TAOBAO.label, csv_import.LAYOUTS[Platform.TAOBAO]),
        (_("Other platforms"), csv_import.GENERIC),
    ]
    return [
        {"platform": label, "name": layout.name, "columns": list(layout.columns.values())}
        for label, layout in shown
    ]


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = _reader(request)
    record = selectors.import_get(reach=reach, pk=pk)
    return render(request, "orders/import_detail.html", {"record": record})


def _safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


EXPORT_COLUMNS = [
    "placed_at",
    "platform",
    "external_id",
    "status",
    "buyer_name",
    "buyer_country",
    "currency",
    "amount",
    "amount_cny",
    "refunded_cny",
    "units",
]


@login_required
def order_export(request: HttpRequest) -> StreamingHttpResponse:
    """The orders in reach (with the list's filters) as CSV, streamed in chunks."""
    reach = _reader(request)
    filters = OrderFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = (
        selectors.order_list(
            reach=reach,
            status=data.get("status", ""),
            platform=data.get("platform", ""),
            q=data.get("q", ""),
        )
        .values_list("merchant__name", *EXPORT_COLUMNS)
        .iterator(chunk_size=2000)
    )
    tz = timezone.get_current_timezone()
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so spreadsheet programs read the Chinese names as UTF-8
        yield writer.writerow(["merchant", *EXPORT_COLUMNS])
        for merchant, placed_at, *rest in rows:
            cells = [merchant, placed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), *rest]
            yield writer.writerow(
                [_safe_cell(f"{c:.2f}" if isinstance(c, Decimal) else c) for c in cells]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    return response


@login_required
def order_policy(request: HttpRequest) -> HttpResponse:
    reach = _reader(request)
    merchant = _own_merchant(reach)
    policy = selectors.order_policy_for(reach=reach, merchant_id=merchant.pk)
    form = OrderPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_policy_set(reach=reach, merchant=merchant, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Payment deadlines saved."))
            return redirect("orders:order_list")
    return render(request, "orders/order_policy.html", {"form": form})
