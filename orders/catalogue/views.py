"""Catalogue pages: products, their photos, stock and platform prices. Thin: they call the
catalogue's selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from merchants.permissions import role_may
from orders.catalogue import selectors, services
from orders.catalogue.forms import (
    CatalogueFilterForm,
    PhotoForm,
    PlatformPriceForm,
    ProductForm,
    RestockForm,
)
from orders.catalogue.history import product_history
from orders.models.catalogue import PRODUCT_FIELDS
from orders.ordering import money
from orders.ordering.selectors import held_units
from orders.permissions import (
    CATALOGUE_EDIT,
    may_act,
    member_merchant,
    require_act,
    require_member_role,
)
from orders.view_helpers import PAGE_SIZE, query_without_page, reader


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    reach = reader(request)
    filters = CatalogueFilterForm(request.GET or None)
    products = selectors.product_list(reach=reach, **filters.selector_kwargs()).order_by(
        "name", "id"
    )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "query": query_without_page(request),
        # The "Add a product" button: only for a member whose team role may edit the catalogue.
        "can_add": reach.is_merchant and role_may(reach, CATALOGUE_EDIT),
    }
    template = "orders/product_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_form(request, pk=None)


@login_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_form(request, pk=pk)


def _product_form(request: HttpRequest, *, pk: int | None) -> HttpResponse:
    """The one path of the product form, for a new product and an edit alike: the description
    fields (``PRODUCT_FIELDS``) go to the service as the form cleaned them; a new product also
    brings its SKU, opening stock and photos (an edit changes none of those)."""
    reach = reader(request)
    product = None if pk is None else selectors.product_get(reach=reach, pk=pk)
    if product is None:
        require_member_role(reach, CATALOGUE_EDIT)
    else:
        require_act(reach, product.merchant, CATALOGUE_EDIT)
    form = ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PRODUCT_FIELDS}
        try:
            if product is None:
                saved = services.product_create(
                    reach=reach,
                    merchant=member_merchant(reach, CATALOGUE_EDIT),
                    sku=form.cleaned_data["sku"],
                    stock=form.cleaned_data["stock"],
                    photo_uploads=form.cleaned_data["photos"],
                    **fields,
                )
            else:
                # The ModelForm wrote the values on its instance; the service saves a fresh row.
                fresh = selectors.product_get(reach=reach, pk=pk)
                saved = services.product_update(reach=reach, product=fresh, **fields)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Product added.") if pk is None else _("Product saved."))
            return redirect("orders:product_detail", pk=saved.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "product": product}
    return render(request, "orders/product_form.html", context, status=status)


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = reader(request)
    product = selectors.product_get(reach=reach, pk=pk)
    context = _detail_context(reach, product)
    context["history"] = product_history(
        reach=reach, product=product, page=request.GET.get("history")
    )
    return render(request, "orders/product_detail.html", context)


def _detail_context(reach, product, form=None) -> dict:
    """The product page's context; ``form`` is the one action form that came back refused."""
    return {
        "product": product,
        "held": held_units(product_id=product.pk),
        "can_act": may_act(reach, product.merchant, CATALOGUE_EDIT),
        "photo_form": form if isinstance(form, PhotoForm) else PhotoForm(),
        "restock_form": form if isinstance(form, RestockForm) else RestockForm(),
        "price_form": form if isinstance(form, PlatformPriceForm) else PlatformPriceForm(),
    }


def _product_action(request, pk, form_class, apply):
    reach = reader(request)
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
        context = _detail_context(reach, product, form)
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
        lambda reach, product, data: money.platform_price_set(
            reach=reach, product=product, platform=data["platform"], price=data["price"]
        ),
    )


@login_required
@require_POST
def product_photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reach = reader(request)
    photo = selectors.photo_get(reach=reach, pk=pk)
    product_id = photo.product_id
    services.product_photo_delete(reach=reach, photo=photo)
    return redirect("orders:product_detail", pk=product_id)


# --- orders ------------------------------------------------------------------------------------
