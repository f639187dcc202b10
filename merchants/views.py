"""Merchant pages: thin, they call selectors and services."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingdezhen.core import extensions
from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.tenancy import Reach, get_reach

from . import invitations, lifecycle, permissions, selectors, services
from .forms import (
    AcceptInvitationForm,
    ApplicantForm,
    ForeignAgentForm,
    InviteForm,
    MerchantFilterForm,
    PlatformAccountForm,
    ProfileForm,
    ReviewForm,
    StageForm,
    StatusForm,
    TeamMemberForm,
)
from .history import merchant_history
from .models import Invitation, Merchant, User

PAGE_SIZE = 50


@login_required
def merchant_list(request: HttpRequest) -> HttpResponse:
    """The base manager's list: filter and sort without a full reload (htmx swaps the results)."""
    reach = get_reach(request)
    form = MerchantFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    merchants = selectors.merchant_overview_for_manager(
        reach=reach,
        stage=filters.get("stage", ""),
        milestone=filters.get("milestone", ""),
        search=filters.get("q", ""),
        sort=filters.get("sort") or "name",
    )
    page = Paginator(merchants, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "today": timezone.localdate(),
        "query": query.urlencode(),
    }
    template = "merchants/merchant_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def merchant_create(request: HttpRequest) -> HttpResponse:
    """A base manager registers an applicant (then admits it from its page)."""
    reach = get_reach(request)
    selectors.require_base_manager(reach)  # the page itself is the manager's form
    form = ApplicantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            merchant = services.merchant_create(
                actor=reach,
                base=selectors.base_list(reach=reach).get(pk=reach.base_id),
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                created_by=User.objects.get(pk=reach.user_id),
                reason=data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Applicant registered."))
            return redirect("merchants:merchant_detail", pk=merchant.pk)
    status = 400 if form.errors else 200
    return render(request, "merchants/merchant_form.html", {"form": form}, status=status)


def _detail_context(request: HttpRequest, reach: Reach, merchant: Merchant, **forms) -> dict:
    # What the page offers follows the team role's capabilities (merchants.permissions).
    can_act = permissions.member_may(reach, permissions.MERCHANT_EDIT, merchant)
    can_manage_team = permissions.member_may(reach, permissions.TEAM_MANAGE, merchant)
    is_manager = selectors.is_base_manager(reach)
    context = {
        "merchant": merchant,
        "timeline": selectors.incubation_timeline(merchant),
        "can_act": can_act,
        "can_manage_team": can_manage_team,
        "is_manager": is_manager,
        "days_in_incubation": merchant.days_in_incubation(),
        "team_size": sum(1 for member in merchant.team.all() if member.is_active),
        "history": merchant_history(
            reach=reach, merchant=merchant, page=request.GET.get("history")
        ),
    }
    # the turnover trend and completed courses: contributed by the top layer (orders, training)
    context.update(
        extensions.gather(
            extensions.MERCHANT_DETAIL,
            reach=reach,
            merchant=merchant,
            is_manager=is_manager,
            reads_turnover=permissions.member_may(reach, permissions.TURNOVER_READ, merchant),
        )
    )
    if is_manager:
        allowed = services.allowed_stages(merchant.stage)
        context["stage_form"] = forms.get("stage_form") or StageForm(allowed=allowed)
        context["status_form"] = forms.get("status_form") or StatusForm(prefix="status")
        context["status_moves"] = lifecycle.status_moves(merchant.status)
        context["review_form"] = forms.get("review_form") or ReviewForm()
    invite_kind = invitations.invitation_kind_for(reach=reach, merchant=merchant)
    if invite_kind is not None:
        context["invite_kind"] = invite_kind
        context["pending_invitations"] = selectors.invitations_pending(
            reach=reach, merchant_id=merchant.pk
        )
    if can_manage_team:
        roles = permissions.team_roles_grantable(reach)
        context["team_form"] = forms.get("team_form") or TeamMemberForm(roles=roles)
    if can_act:
        context["account_form"] = forms.get("account_form") or PlatformAccountForm()
        context["agent_form"] = forms.get("agent_form") or ForeignAgentForm()
    return context


@login_required
def merchant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)
    merchant = selectors.merchant_detail(reach=reach, pk=pk, with_summary=True)
    return render(
        request, "merchants/merchant_detail.html", _detail_context(request, reach, merchant)
    )


def _detail_with_errors(request, reach, pk, **forms) -> HttpResponse:
    merchant = selectors.merchant_detail(reach=reach, pk=pk, with_summary=True)
    context = _detail_context(request, reach, merchant, **forms)
    return render(request, "merchants/merchant_detail.html", context, status=400)


@login_required
@require_POST
def merchant_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a merchant to another stage, with a reason (admitting an applicant is one such move)."""
    reach = get_reach(request)
    merchant = selectors.merchant_get(reach=reach, pk=pk)
    form = StageForm(request.POST, allowed=services.allowed_stages(merchant.stage))
    if form.is_valid():
        try:
            services.merchant_move(
                actor=reach,
                merchant_id=merchant.pk,
                to_stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Stage changed."))
            if merchant.stage == Merchant.Stage.APPLICANT:
                # Admitted: the next step is to let its owner in (the team card's button).
                messages.info(request, _("Admitted: invite its owner from the team card."))
            return redirect("merchants:merchant_detail", pk=pk)
    return _detail_with_errors(request, reach, pk, stage_form=form)


@login_required
@require_POST
def merchant_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Suspend a merchant or reinstate it, with a reason (the service decides who may)."""
    reach = get_reach(request)
    merchant = selectors.merchant_get(reach=reach, pk=pk)
    form = StatusForm(request.POST, prefix="status")
    if form.is_valid():
        try:
            services.merchant_set_status(
                actor=reach,
                merchant_id=merchant.pk,
                action=action,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("merchants:merchant_detail", pk=pk)
    return _detail_with_errors(request, reach, pk, status_form=form)


@login_required
@require_POST
def review_create(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)
    merchant = selectors.merchant_get(reach=reach, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_create(actor=reach, merchant=merchant, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Review saved."))
            return redirect("merchants:merchant_detail", pk=pk)
    return _detail_with_errors(request, reach, pk, review_form=form)


@login_required
def merchant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)
    merchant = selectors.merchant_get(reach=reach, pk=pk)
    if not permissions.member_may(reach, permissions.MERCHANT_EDIT, merchant):
        return redirect("merchants:merchant_detail", pk=pk)
    initial = {
        "name": merchant.name,
        "kind": merchant.kind,
        "specialities": merchant.specialities,
        "store_url": merchant.store_url,
        "description": merchant.description,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.merchant_profile_update(actor=reach, merchant=merchant, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("merchants:merchant_detail", pk=pk)
    status = 400 if form.errors else 200
    return render(
        request, "merchants/profile_form.html", {"form": form, "merchant": merchant}, status=status
    )


def _acting_on(request, pk) -> tuple[Reach, Merchant]:
    reach = get_reach(request)
    return reach, selectors.merchant_get(reach=reach, pk=pk)


@login_required
@require_POST
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    reach, merchant = _acting_on(request, pk)
    form = TeamMemberForm(request.POST, roles=permissions.team_roles_grantable(reach))
    if form.is_valid():
        try:
            services.team_member_add(actor=reach, merchant=merchant, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Team member added."))
            return redirect("merchants:merchant_detail", pk=pk)
    return _detail_with_errors(request, reach, pk, team_form=form)


@login_required
@require_POST
def team_toggle(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    reach, merchant = _acting_on(request, pk)
    member = selectors.team_member_get(reach=reach, pk=member_pk)
    if member.merchant_id == merchant.pk:
        try:
            services.team_member_set_active(
                actor=reach, member=member, is_active=not member.is_active
            )
        except DomainError as error:
            messages.error(request, str(error.message))
    return redirect("merchants:merchant_detail", pk=pk)


@login_required
@require_POST
def account_add(request: HttpRequest, pk: int) -> HttpResponse:
    reach, merchant = _acting_on(request, pk)
    form = PlatformAccountForm(request.POST)
    if form.is_valid():
        try:
            services.platform_account_add(actor=reach, merchant=merchant, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Platform account added."))
            return redirect("merchants:merchant_detail", pk=pk)
    return _detail_with_errors(request, reach, pk, account_form=form)


@login_required
@require_POST
def account_remove(request: HttpRequest, pk: int, account_pk: int) -> HttpResponse:
    reach, merchant = _acting_on(request, pk)
    account = selectors.platform_account_get(reach=reach, pk=account_pk)
    if account.merchant_id == merchant.pk:
        try:
            services.platform_account_remove(actor=reach, account=account)
        except DomainError as error:
            messages.error(request, str(error.message))
    return redirect("merchants:merchant_detail", pk=pk)


@login_required
@require_POST
def agent_add(request: HttpRequest, pk: int) -> HttpResponse:
    reach, merchant = _acting_on(request, pk)
    form = ForeignAgentForm(request.POST)
    if form.is_valid():
        try:
            services.foreign_agent_add(actor=reach, merchant=merchant, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Foreign agent added."))
            return redirect("merchants:merchant_detail", pk=pk)
    return _detail_with_errors(request, reach, pk, agent_form=form)


@login_required
@require_POST
def agent_remove(request: HttpRequest, pk: int, agent_pk: int) -> HttpResponse:
    reach, merchant = _acting_on(request, pk)
    agent = selectors.foreign_agent_get(reach=reach, pk=agent_pk)
    if agent.merchant_id == merchant.pk:
        try:
            services.foreign_agent_remove(actor=reach, agent=agent)
        except DomainError as error:
            messages.error(request, str(error.message))
    return redirect("merchants:merchant_detail", pk=pk)


@login_required
def my_merchant(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    if not reach.is_merchant:
        return redirect("home")
    return redirect("merchants:merchant_detail", pk=reach.merchant_id)


# --- invitations --------------------------------------------------------------------------------


def _sent(request: HttpRequest, issued: invitations.IssuedInvitation) -> HttpResponse:
    """The inviter's one look at the link (the e-mail carries it too); htmx swaps the card."""
    template = "merchants/invitation_sent.html"
    if request.htmx:
        template += "#sent"
    return render(request, template, {"issued": issued}, status=201)


@login_required
def invitation_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite into a merchant: a base manager its owner, the owner a team member with a role."""
    reach, merchant = _acting_on(request, pk)
    kind = invitations.invitation_kind_for(reach=reach, merchant=merchant)
    if kind is None:
        raise PermissionDenied
    with_role = kind == Invitation.Kind.MEMBER
    # A further owner is the base's to invite (invitations.MEMBER_ROLES), not the team's.
    roles = [
        (value, label)
        for value, label in permissions.team_roles_grantable(reach)
        if value in invitations.MEMBER_ROLES
    ]
    form = InviteForm(request.POST or None, with_role=with_role, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        site_url = request.build_absolute_uri("/")
        try:
            if with_role:
                issued = invitations.invite_member(
                    reach=reach, merchant=merchant, site_url=site_url, **data
                )
            else:
                issued = invitations.invite_owner(
                    reach=reach, merchant=merchant, site_url=site_url, **data
                )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _sent(request, issued)
    context = {"form": form, "merchant": merchant, "kind": kind}
    return render(
        request, "merchants/invitation_form.html", context, status=_form_status(request, form)
    )


def _form_status(request: HttpRequest, form) -> int:
    """400 for a form with errors, except to htmx, which swaps only 2xx answers into the page."""
    return 400 if form.errors and not request.htmx else 200


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    """The base manager's pending invitations, and the form to invite a trainer."""
    reach = get_reach(request)
    selectors.require_base_manager(reach)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = invitations.invite_trainer(
                reach=reach, site_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _sent(request, issued)
    context = {"form": form, "pending": selectors.invitations_pending(reach=reach)}
    return render(
        request, "merchants/invitation_list.html", context, status=_form_status(request, form)
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person's page: choose a username and a password, then be logged in. A used or
    expired link answers 410 with a page that says so."""
    try:
        invitation = invitations.invitation_open(token=token)
    except invitations.InvitationClosed as error:
        return _closed(request, error)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except invitations.InvitationClosed as error:
            return _closed(request, error)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your password is set."))
            return redirect("home")
    context = {"form": form, "invitation": invitation}
    return render(
        request, "merchants/invitation_accept.html", context, status=400 if form.errors else 200
    )


def _closed(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(
        request,
        "merchants/invitation_closed.html",
        {"reason": error.message},
        status=error.status_code,
    )
