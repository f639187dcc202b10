"""Trainer pages (managers read them): thin, they call selectors and services.

Who may open them is the selectors' rule (``selectors.require_reader`` and ``require_trainer``,
shared with the API); the pages ask for the reach and show what the selectors answer.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingdezhen.core import bounds
from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.tenancy import Reach, get_reach

from . import selectors, services
from .forms import ApplicantForm, CapacityForm, CohortForm, CourseForm, NewcomerForm, VerifyForm
from .models import Enrollment

PAGE_SIZE = 50


# --- courses -------------------------------------------------------------------------------------


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)  # the selectors decide who may read
    form = CourseForm()
    if request.method == "POST":
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                services.course_create(actor=reach, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Course saved."))
                return redirect("training:course_list")
    context = {
        "courses": selectors.course_list(reach=reach),
        "form": form,
        "can_train": selectors.may_train(reach),
    }
    return render(request, "training/course_list.html", context, status=400 if form.errors else 200)


# --- cohorts -------------------------------------------------------------------------------------


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)  # the selectors decide who may read
    course_id = request.GET.get("course")
    cohorts = selectors.cohort_list(
        reach=reach, course_id=int(course_id) if (course_id or "").isdigit() else None
    )
    page = Paginator(cohorts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "courses": selectors.course_list(reach=reach),
        "course_id": course_id or "",
        "can_train": selectors.may_train(reach),
        "today": timezone.localdate(),
    }
    template = "training/cohort_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#cohorts"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def cohort_create(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    trainers = selectors.trainer_choices(reach=reach)  # the trainers' form: 403 for anyone else
    courses = selectors.course_list(reach=reach).filter(is_active=True)
    initial = {"trainer": reach.user_id, "course": request.GET.get("course")}
    form = CohortForm(request.POST or None, courses=courses, trainers=trainers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(actor=reach, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Cohort created."))
            return redirect("training:cohort_detail", pk=cohort.pk)
    return render(
        request, "training/cohort_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _cohort_context(reach: Reach, cohort_id: int, **extra) -> dict:
    cohort = selectors.cohort_get(reach=reach, pk=cohort_id)
    roster = list(selectors.cohort_roster(reach=reach, cohort_id=cohort.pk))
    by_status = {status: [] for status in Enrollment.Status.values}
    for enrollment in roster:
        by_status[enrollment.status].append(enrollment)
    return {
        "cohort": cohort,
        "holding": by_status["enrolled"] + by_status["completed"],
        "waitlist": by_status["waitlisted"],
        "dropped": by_status["dropped"],
        "free_places": max(cohort.capacity - cohort.enrolled_count, 0),
        "can_train": selectors.may_train(reach),
        "newcomer_form": extra.pop("newcomer_form", None) or NewcomerForm(),
        "capacity_form": extra.pop("capacity_form", None)
        or CapacityForm(initial={"capacity": cohort.capacity}),
        **extra,
    }


@login_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)  # the selectors decide who may read
    return render(request, "training/cohort_detail.html", _cohort_context(reach, pk))


def _roster_response(request: HttpRequest, reach: Reach, pk: int, *, note=None, error=None):
    """After a change on the roster: the roster fragment for htmx, the page otherwise."""
    if request.htmx:
        context = _cohort_context(reach, pk, note=note, error=error)
        return render(request, "training/cohort_detail.html#roster", context)
    if error:
        messages.error(request, error)
    elif note:
        messages.success(request, note)
    return redirect("training:cohort_detail", pk=pk)


def _enrolled_note(enrollment: Enrollment) -> str:
    if enrollment.status == Enrollment.Status.WAITLISTED:
        return _("The cohort is full: %(name)s is on the waitlist.") % {
            "name": enrollment.trainee.name
        }
    return _("%(name)s is enrolled.") % {"name": enrollment.trainee.name}


@login_required
def cohort_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """Trainees matching a search, to enrol with one click (an htmx fragment)."""
    reach = get_reach(request)
    query = (request.GET.get("q") or "").strip()
    cohort, trainees = selectors.enrol_candidates(reach=reach, cohort_id=pk, search=query)
    context = {"cohort": cohort, "candidates": trainees, "query": query}
    return render(request, "training/cohort_detail.html#candidates", context)


@login_required
@require_POST
def cohort_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)  # the service decides who may
    selectors.cohort_get(reach=reach, pk=pk)  # a foreign or missing cohort: 404 before anything
    try:
        trainee_id = int(request.POST.get("trainee", ""))
    except ValueError:
        return _roster_response(request, reach, pk, error=_("Choose a trainee."))
    try:
        enrollment = services.enrollment_create(actor=reach, cohort_id=pk, trainee_id=trainee_id)
    except DomainError as error:
        return _roster_response(request, reach, pk, error=str(error.message))
    return _roster_response(request, reach, pk, note=_enrolled_note(enrollment))


@login_required
@require_POST
def cohort_enrol_newcomer(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)  # the service decides who may
    form = NewcomerForm(request.POST)
    if form.is_valid():
        try:
            enrollment = services.newcomer_enrol(actor=reach, cohort_id=pk, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _enrolled_note(enrollment))
            return redirect("training:cohort_detail", pk=pk)
    context = _cohort_context(reach, pk, newcomer_form=form)
    return render(request, "training/cohort_detail.html", context, status=400)


@login_required
@require_POST
def cohort_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)  # the service decides who may
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.cohort_set_capacity(
                actor=reach, cohort_id=pk, capacity=form.cleaned_data["capacity"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Capacity changed."))
            return redirect("training:cohort_detail", pk=pk)
    context = _cohort_context(reach, pk, capacity_form=form)
    return render(request, "training/cohort_detail.html", context, status=400)


def _enrollment_action(request: HttpRequest, pk: int, service, note: str) -> HttpResponse:
    reach = get_reach(request)  # the service decides who may
    enrollment = selectors.enrollment_get(reach=reach, pk=pk)
    try:
        service(actor=reach, enrollment_id=enrollment.pk)
    except DomainError as error:
        return _roster_response(request, reach, enrollment.cohort_id, error=str(error.message))
    note = note % {"name": enrollment.trainee.name}
    return _roster_response(request, reach, enrollment.cohort_id, note=note)


@login_required
@require_POST
def enrollment_drop(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrollment_action(
        request, pk, services.enrollment_drop, _("%(name)s dropped out; the waitlist moved up.")
    )


@login_required
@require_POST
def enrollment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrollment_action(
        request, pk, services.enrollment_complete, _("%(name)s completed the course.")
    )


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """One day of a cohort on one screen: tick who was there, save once."""
    reach = get_reach(request)  # the selectors decide who may read
    cohort = selectors.cohort_get(reach=reach, pk=pk)
    today = timezone.localdate()
    default_day = min(max(today, cohort.starts_on), cohort.ends_on)
    error = None
    try:
        day = bounds.parse_day(
            request.GET.get("day") or request.POST.get("day"), field="day", default=default_day
        )
    except DomainError as exc:
        day, error = default_day, _("Parameter “day”: %(message)s") % {"message": exc.message}
    if request.method == "POST" and error is None:
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        try:
            saved = services.attendance_record(
                actor=reach, cohort_id=cohort.pk, day=day, present_ids=present
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(
                request,
                _("Attendance of %(day)s saved: %(present)d of %(total)d present.")
                % {"day": day.isoformat(), "present": len(present), "total": saved},
            )
            url = reverse("training:attendance", args=[cohort.pk])
            return redirect(f"{url}?day={day.isoformat()}")
    recorded = selectors.attendance_days_recorded(reach=reach, cohort_id=cohort.pk)
    context = {
        "cohort": cohort,
        "day": day,
        "days": [(d, d in recorded) for d in cohort.session_days()],
        "rows": selectors.attendance_sheet(reach=reach, cohort_id=cohort.pk, day=day),
        "can_record": (
            selectors.may_train(reach) and cohort.starts_on <= day <= min(cohort.ends_on, today)
        ),
        "is_future": day > today,
        "error": error,
    }
    return render(request, "training/attendance.html", context, status=400 if error else 200)


# --- trainees ------------------------------------------------------------------------------------


@login_required
def trainee_list(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)  # the selectors decide who may read
    query = (request.GET.get("q") or "").strip()
    page = Paginator(selectors.trainee_list(reach=reach, search=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "query": query, "can_train": selectors.may_train(reach)}
    template = "training/trainee_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#trainees"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def trainee_create(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    selectors.require_trainer(reach)  # a form page that reads nothing: the rule itself
    form = NewcomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trainee = services.trainee_create(actor=reach, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Newcomer registered."))
            return redirect("training:trainee_detail", pk=trainee.pk)
    return render(
        request, "training/trainee_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def trainee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)  # the selectors decide who may read
    trainee = selectors.trainee_get(reach=reach, pk=pk)
    form = ApplicantForm(request.POST or None, initial={"merchant_name": trainee.name})
    if request.method == "POST" and form.is_valid():
        try:
            merchant = services.trainee_to_applicant(
                actor=reach, trainee_id=trainee.pk, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now a merchant applicant.") % {"name": merchant.name},
            )
            return redirect("training:trainee_detail", pk=trainee.pk)
    enrollments = list(trainee.enrollments.all())
    context = {
        "trainee": trainee,
        "enrollments": enrollments,
        "has_completed": any(e.status == Enrollment.Status.COMPLETED for e in enrollments),
        "form": form,
        "can_train": selectors.may_train(reach),
    }
    return render(
        request, "training/trainee_detail.html", context, status=400 if form.errors else 200
    )


# --- certificates --------------------------------------------------------------------------------


def _verify_url(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("training:certificate_verify", args=[code]))


@login_required
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The printable certificate (trainers and managers of the base)."""
    reach = get_reach(request)  # the selectors decide who may read
    cert = selectors.certificate_get(reach=reach, code=code)
    context = {"cert": cert, "verify_url": _verify_url(request, cert.code)}
    return render(request, "training/certificate.html", context)


def certificate_verify(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public: anyone holding a code can check that the certificate is genuine."""
    form = VerifyForm(request.GET or None, initial={"code": code})
    if not code and form.is_valid():
        return redirect("training:certificate_verify", code=form.cleaned_data["code"].upper())
    cert = selectors.certificate_verify(code=code) if code else None
    context = {"form": form, "code": code, "cert": cert}
    return render(
        request,
        "training/certificate_verify.html",
        context,
        status=404 if code and not cert else 200,
    )


@login_required
@require_POST
def trainee_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a trainee to the team member they became (by the member's username)."""
    reach = get_reach(request)
    try:
        trainee = services.trainee_link_member(
            actor=reach, trainee_id=pk, username=request.POST.get("username", "")
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Linked to %(member)s.") % {"member": trainee.team_member.name})
    return redirect("training:trainee_detail", pk=pk)
