"""The manager's supervision pages: thin, they call the selectors and services. To anyone but a
base manager (or an admin) they answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingdezhen.core.days import today as base_today
from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.storage import private_file_response
from jingdezhen.core.tenancy import Reach, get_reach

from . import selectors, services
from .forms import FollowUpCloseForm, RulesForm, TargetForm, ViolationForm
from .models import SUPERVISED_STAGES

PAGE_SIZE = 50


def _to_merchant(merchant_id: int) -> HttpResponse:
    """Back to the merchant's page, at its supervision panel."""
    return redirect(reverse("merchants:merchant_detail", args=[merchant_id]) + "#supervision")


def _supervisor(request: HttpRequest) -> Reach:
    reach = get_reach(request)
    selectors.require_supervisor(reach)
    return reach


@login_required
def behind(request: HttpRequest) -> HttpResponse:
    """The merchants below target in their last complete week, and the open alerts."""
    reach = _supervisor(request)
    today = base_today()
    rows = selectors.merchants_falling_behind(reach=reach, today=today)
    alerts = list(selectors.open_alerts(reach=reach).order_by("-opened_at", "-pk")[:PAGE_SIZE])
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "alerts": alerts,
        "week": selectors.last_complete_week(today),
        "rules": selectors.rules_for(reach.base_id) if reach.base_id else None,
    }
    return render(request, "merchants/supervision/behind.html", context)


@login_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Open follow-ups due today or overdue, each closed with a note (htmx swaps the row)."""
    reach = _supervisor(request)
    today = base_today()
    page = Paginator(selectors.follow_ups_due(reach=reach, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "today": today, "form": FollowUpCloseForm()}
    return render(request, "merchants/supervision/follow_ups.html", context)


@login_required
@require_POST
def follow_up_close(request: HttpRequest, review_id: int) -> HttpResponse:
    reach = _supervisor(request)
    review = selectors.follow_up_get(reach=reach, review_id=review_id)
    form = FollowUpCloseForm(request.POST)
    closure = None
    if form.is_valid():
        try:
            closure = services.follow_up_close(
                actor=reach, review_id=review.pk, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            add_domain_error(form, error)
    if request.htmx:
        context = {"review": review, "form": form, "closure": closure, "today": base_today()}
        response = render(
            request,
            "merchants/supervision/follow_ups.html#row",
            context,
            status=200 if closure else 400,
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if closure is None:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("merchants:follow_ups")
    messages.success(request, _("Follow-up closed."))
    if request.POST.get("back") == "merchant":
        return _to_merchant(review.merchant_id)
    return redirect("merchants:follow_ups")


def _target_forms(reach: Reach, data=None) -> list[tuple[str, str, TargetForm]]:
    current = selectors.stage_targets(reach=reach, base_id=reach.base_id)
    forms = []
    for stage, label in SUPERVISED_STAGES:
        row = current.get(stage)
        initial = (
            {"streams_per_week": row.streams_per_week, "gmv_per_week": row.gmv_per_week}
            if row
            else {}
        )
        forms.append((stage, label, TargetForm(data, prefix=stage, initial=initial)))
    return forms


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    """The base's weekly targets per stage and its alert rules, edited on one form."""
    reach = _supervisor(request)
    if reach.base_id is None:
        return redirect("merchants:supervision_behind")
    rules = selectors.rules_for(reach.base_id)
    rule_fields = list(RulesForm.base_fields)
    data = request.POST if request.method == "POST" else None
    stage_forms = _target_forms(reach, data)
    rules_form = RulesForm(
        data, prefix="rules", initial={name: getattr(rules, name) for name in rule_fields}
    )
    if data is not None and rules_form.is_valid() and all(f.is_valid() for *_x, f in stage_forms):
        try:
            for stage, _label, form in stage_forms:
                services.stage_target_set(actor=reach, stage=stage, **form.cleaned_data)
            services.rules_set(actor=reach, **rules_form.cleaned_data)
        except DomainError as error:
            add_domain_error(rules_form, error)
        else:
            messages.success(request, _("Targets and rules saved."))
            return redirect("merchants:supervision_targets")
    invalid = data is not None
    context = {"stage_forms": stage_forms, "rules_form": rules_form}
    return render(
        request, "merchants/supervision/targets.html", context, status=400 if invalid else 200
    )


def _panel(request, reach, pk, *, status=200, **forms) -> HttpResponse:
    context = selectors.merchant_supervision(reach=reach, merchant_id=pk, today=base_today())
    own = context["own_target"]
    initial = (
        {"streams_per_week": own.streams_per_week, "gmv_per_week": own.gmv_per_week} if own else {}
    )
    context["target_form"] = forms.get("target_form") or TargetForm(
        prefix="target", initial=initial
    )
    context["violation_form"] = forms.get("violation_form") or ViolationForm(
        prefix="violation", initial={"occurred_on": context["today"]}
    )
    context["close_form"] = FollowUpCloseForm()
    template = "merchants/supervision/merchant.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#panel"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def merchant_supervision(request: HttpRequest, pk: int) -> HttpResponse:
    """A merchant's supervision: its target, this week's figures, alerts, follow-ups and
    violations (loaded into the merchant page for the manager, or read on its own)."""
    return _panel(request, _supervisor(request), pk)


@login_required
@require_POST
def merchant_target(request: HttpRequest, pk: int) -> HttpResponse:
    reach = _supervisor(request)
    form = TargetForm(request.POST, prefix="target")
    if form.is_valid():
        try:
            services.merchant_target_set(actor=reach, merchant_id=pk, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Target saved."))
            return _to_merchant(pk)
    return _panel(request, reach, pk, status=400, target_form=form)


@login_required
@require_POST
def violation_create(request: HttpRequest, pk: int) -> HttpResponse:
    reach = _supervisor(request)
    form = ViolationForm(request.POST, request.FILES, prefix="violation")
    if form.is_valid():
        try:
            services.violation_record(actor=reach, merchant_id=pk, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Violation recorded."))
            return _to_merchant(pk)
    return _panel(request, reach, pk, status=400, violation_form=form)


@login_required
def violation_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A violation's evidence, for the base's managers only (anyone else: 404)."""
    violation = selectors.violation_get(reach=_supervisor(request), pk=pk)
    response = private_file_response(violation.evidence)
    if violation.evidence.name.endswith(".pdf"):
        # Kept as sent (images are re-encoded): downloaded, never rendered in the site's origin.
        response["Content-Disposition"] = "attachment"
    return response


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where an alert's notification leads: the merchant's supervision."""
    alert = selectors.alert_get(reach=_supervisor(request), pk=pk)
    return _to_merchant(alert.merchant_id)


@login_required
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    alert = services.alert_close(actor=_supervisor(request), alert_id=pk)
    messages.success(request, _("Alert closed."))
    return _to_merchant(alert.merchant_id)
