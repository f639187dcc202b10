"""Live-stream pages: thin, they parse with forms and call selectors and services."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from jingdezhen.core import bounds
from jingdezhen.core.days import week_start
from jingdezhen.core.errors import DomainError
from jingdezhen.core.forms import add_domain_error
from jingdezhen.core.pickers import search_text
from jingdezhen.core.tenancy import Reach, get_reach
from merchants import permissions as team
from merchants import selectors as merchant_selectors
from orders.ordering import flash_deals
from orders.ordering import selectors as order_selectors

from . import access, calendar_feeds, picker_views, selectors
from .calendar import week_from_today
from .forms import (
    BaseStreamFilter,
    FlashDealForm,
    ResultsForm,
    RoomForm,
    SeriesChangeForm,
    SeriesForm,
    SettingsForm,
    StreamForm,
)
from .history import room_history, rules_history, stream_history
from .models import LiveStream
from .runsheet_views import run_sheet
from .services import rooms as room_services
from .services import runsheet as runsheet_services
from .services import series as series_services
from .services import streams as stream_services


class BadParameter(Exception):
    """A query parameter of a page is not a value the page can answer for."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


def _day_param(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    """The day in query parameter ``name`` (``YYYY-MM-DD``, within the window of
    ``jingdezhen.core.bounds``), or ``default`` when it is absent."""
    try:
        return bounds.parse_day(request.GET.get(name), field=name, default=default)
    except DomainError as exc:
        raise BadParameter(exc) from exc


def answers_bad_parameters(view):
    """A page asked with a bad query parameter answers 400 naming the parameter (never a 500)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadParameter as exc:
            return render(
                request,
                "livestreams/bad_parameter.html",
                {"parameter": exc.error.field, "message": exc.error.message, "path": request.path},
                status=400,
            )

    return wrapper


def merchant_page(capability: str):
    """A page of a merchant member whose team role holds ``capability``: gives the view the reach
    and the merchant (who may: ``access.member_merchant``; a base manager is shown the base's
    streams instead)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            reach = get_reach(request)
            if not reach.is_merchant and access.sees_base_pages(reach):
                return redirect("livestreams:base_streams")
            merchant = access.member_merchant(reach=reach, capability=capability)
            return view(request, reach, merchant, *args, **kwargs)

        return wrapper

    return decorator


def stream_page(view):
    """A page about one stream within reach (merchant members: their own; managers: the base's)."""

    @wraps(view)
    @login_required
    def wrapper(request, pk, *args, **kwargs):
        reach = get_reach(request)
        stream = selectors.stream_get(reach=reach, pk=pk)
        return view(request, reach, stream, *args, **kwargs)

    return wrapper


def _crew(reach: Reach, merchant_id: int):
    rooms = selectors.room_list(reach=reach, active_only=True)
    members = merchant_selectors.team_list(reach=reach, merchant_id=merchant_id)
    return {"rooms": rooms, "team": members.filter(is_active=True)}


# --- merchant pages ---------------------------------------------------------------------------


@answers_bad_parameters
@merchant_page(team.STREAMS_READ)
def calendar(request: HttpRequest, reach: Reach, merchant) -> HttpResponse:
    today = timezone.localdate()
    monday = week_start(_day_param(request, "week", today))
    context = {
        "merchant": merchant,
        "monday": monday,
        "prev_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "days": week_from_today(
            selectors.merchant_week(reach=reach, merchant_id=merchant.pk, monday=monday), today
        ),
        "today": today,
        "feed_sections": [] if request.htmx else calendar_feeds.member_sections(reach=reach),
        "feed_team": [] if request.htmx else calendar_feeds.team_for_links(reach=reach),
    }
    template = "livestreams/calendar.html"
    if request.htmx:
        template += "#week"
    return render(request, template, context)


@answers_bad_parameters
@merchant_page(team.STREAMS_SCHEDULE)
def stream_create(request: HttpRequest, reach: Reach, merchant) -> HttpResponse:
    initial = {"day": _day_param(request, "day", timezone.localdate())}
    return _stream_form_page(request, reach, merchant=merchant, stream=None, initial=initial)


@stream_page
def stream_edit(request: HttpRequest, reach: Reach, stream: LiveStream) -> HttpResponse:
    access.require_stream(reach, stream, team.STREAMS_SCHEDULE)
    initial = StreamForm.initial_for(stream)
    return _stream_form_page(
        request, reach, merchant=stream.merchant, stream=stream, initial=initial
    )


def _stream_form_page(
    request: HttpRequest,
    reach: Reach,
    *,
    merchant,
    stream: LiveStream | None,
    initial: dict,
) -> HttpResponse:
    """Booking a stream (``stream`` None) and changing one are one page: the same form turned
    into the same plan, checked by the same rules; only the service differs."""
    form = StreamForm(request.POST or None, initial=initial, **_crew(reach, merchant.pk))
    if request.method == "POST" and form.is_valid():
        try:
            if stream is None:
                saved = stream_services.stream_schedule(
                    reach=reach, merchant=merchant, **form.plan()
                )
                done = _("Stream scheduled.")
            else:
                saved = stream_services.stream_update(reach=reach, stream=stream, **form.plan())
                done = _("Stream changed.")
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("livestreams:stream_detail", pk=saved.pk)
    return render(
        request,
        "livestreams/stream_form.html",
        {"form": form, "merchant": merchant, "stream": stream},
    )


def _picker_query(request: HttpRequest, name: str) -> str:
    try:
        return search_text(request.GET, name)
    except DomainError as exc:
        raise BadParameter(exc) from exc


@answers_bad_parameters
@stream_page
def stream_detail(request: HttpRequest, reach: Reach, stream: LiveStream) -> HttpResponse:
    stream = selectors.stream_with_featured(reach=reach, pk=stream.pk)
    results = ResultsForm(
        initial={name: getattr(stream, name) for name in stream_services.RESULT_FIELDS}
    )
    products = selectors.products_for_run_sheet(reach=reach, merchant_id=stream.merchant_id)
    query = _picker_query(request, picker_views.PARAM)
    return render(
        request,
        "livestreams/stream_detail.html",
        {
            "stream": stream,
            "results_form": results,
            "featured_form": picker_views.featured_form(reach=reach, stream=stream, query=query),
            "deal_form": FlashDealForm(products=products),
            "deals": order_selectors.stream_flash_deals(reach=reach, stream_id=stream.pk),
            "history": stream_history(reach=reach, stream=stream, page=request.GET.get("history")),
            "offers": access.stream_offers(reach, stream),
        },
    )


@require_POST
@stream_page
def flash_deal_add(request: HttpRequest, reach: Reach, stream: LiveStream) -> HttpResponse:
    products = selectors.products_for_run_sheet(reach=reach, merchant_id=stream.merchant_id)
    form = FlashDealForm(request.POST, products=products)
    if not stream.is_active:
        messages.error(request, _("Flash deals run only in a scheduled or live stream."))
    elif form.is_valid():
        data = form.cleaned_data
        try:
            flash_deals.flash_deal_create(
                reach=reach,
                stream=stream,
                product=data["product"],
                deal_price=data["deal_price"],
                quantity=data["quantity"],
                per_buyer_limit=data["per_buyer_limit"],
                duration=dt.timedelta(minutes=data["minutes"]),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Flash deal started: its units are set aside."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("livestreams:stream_detail", pk=stream.pk)


@require_POST
@stream_page
def flash_deal_end(request: HttpRequest, reach: Reach, stream: LiveStream, deal_id: int):
    deal = get_object_or_404(
        order_selectors.stream_flash_deals(reach=reach, stream_id=stream.pk), pk=deal_id
    )
    back = flash_deals.flash_deal_end(reach=reach, deal_id=deal.pk)
    messages.success(
        request, _("Flash deal ended; %(units)s unsold units went back to stock.") % {"units": back}
    )
    return redirect("livestreams:stream_detail", pk=stream.pk)


ACTIONS = {
    "go-live": (stream_services.stream_go_live, gettext_lazy("The stream is live.")),
    "end": (
        stream_services.stream_end,
        gettext_lazy("The stream has ended. Record its results below."),
    ),
    "cancel": (stream_services.stream_cancel, gettext_lazy("Stream cancelled.")),
}


@require_POST
@stream_page
def stream_action(request: HttpRequest, reach: Reach, stream: LiveStream, action: str):
    if action not in ACTIONS:
        raise Http404
    service, done = ACTIONS[action]
    try:
        service(reach=reach, stream=stream)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done))
    target = request.POST.get("next")
    if target == "run_sheet":
        url = reverse("livestreams:run_sheet", args=[stream.pk])
    else:
        url = reverse("livestreams:stream_detail", args=[stream.pk])
    if request.htmx:  # the run sheet's sticky bar: the whole page moves on
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_POST
@stream_page
def stream_results(request: HttpRequest, reach: Reach, stream: LiveStream) -> HttpResponse:
    form = ResultsForm(request.POST)
    if form.is_valid():
        try:
            stream_services.stream_record_results(reach=reach, stream=stream, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Results saved."))
            return redirect("livestreams:stream_detail", pk=stream.pk)
    stream = selectors.stream_with_featured(reach=reach, pk=stream.pk)
    featured_form = picker_views.featured_form(reach=reach, stream=stream)
    return render(
        request,
        "livestreams/stream_detail.html",
        {
            "stream": stream,
            "results_form": form,
            "featured_form": featured_form,
            "offers": access.stream_offers(reach, stream),
        },
        status=400,
    )


@require_POST
@stream_page
def featured_add(request: HttpRequest, reach: Reach, stream: LiveStream) -> HttpResponse:
    form = picker_views.featured_form(reach=reach, stream=stream, data=request.POST)
    if form.is_valid():
        try:
            runsheet_services.featured_add(reach=reach, stream=stream, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Added to the run sheet."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("livestreams:stream_detail", pk=stream.pk)


# The "add a product" picker's search (an htmx fragment), for a stream within reach.
featured_product_picks = stream_page(picker_views.featured_product_picks)


@require_POST
@login_required
def featured_action(request: HttpRequest, pk: int, fid: int, action: str) -> HttpResponse:
    reach = get_reach(request)
    featured = selectors.featured_get(reach=reach, stream_pk=pk, pk=fid)
    try:
        if action == "up" or action == "down":
            runsheet_services.featured_move(reach=reach, featured=featured, up=action == "up")
        elif action == "remove":
            runsheet_services.featured_remove(reach=reach, featured=featured)
        elif action == "show":
            runsheet_services.featured_mark_showing(reach=reach, featured=featured)
            if request.htmx:
                return run_sheet(request, pk=pk)
            return redirect("livestreams:run_sheet", pk=pk)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("livestreams:stream_detail", pk=pk)


@stream_page
def stream_report(request: HttpRequest, reach: Reach, stream: LiveStream) -> HttpResponse:
    report = selectors.stream_report(reach=reach, stream=stream)
    return render(request, "livestreams/report.html", {"stream": stream, "report": report})


@merchant_page(team.STREAMS_SCHEDULE)
def series_create(request: HttpRequest, reach: Reach, merchant) -> HttpResponse:
    crew = _crew(reach, merchant.pk)
    form = SeriesForm(request.POST or None, initial={"first_date": timezone.localdate()}, **crew)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = series_services.series_create(reach=reach, merchant=merchant, **form.plan())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return render(
                request,
                "livestreams/series_detail.html",
                _series_context(reach, outcome.series, outcome=outcome),
            )
    return render(request, "livestreams/series_form.html", {"form": form})


def _series_context(reach, series, outcome=None, change_form=None):
    return {
        "series": series,
        "streams": selectors.series_streams(reach=reach, series=series),
        "outcome": outcome,
        "change_form": change_form or SeriesChangeForm(initial={"from_date": timezone.localdate()}),
    }


@login_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)
    series = selectors.series_get(reach=reach, pk=pk)
    form = SeriesChangeForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "cancel":
                count = series_services.series_cancel_from(
                    reach=reach, series=series, from_date=data["from_date"]
                )
                messages.success(request, _("%(n)s streams cancelled.") % {"n": count})
                return redirect("livestreams:series_detail", pk=series.pk)
            outcome = series_services.series_change_from(
                reach=reach,
                series=series,
                from_date=data["from_date"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                title=data["title"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "livestreams/series_detail.html",
        _series_context(reach, series, outcome=outcome, change_form=form),
    )


@answers_bad_parameters
@login_required
def free_slots(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The free stretches of a room on a day (a fragment the stream form loads with htmx)."""
    reach = get_reach(request)
    room_id = pk or request.GET.get("room")
    day = _day_param(request, "day", timezone.localdate())
    context = {"day": day, "room": None, "slots": []}
    if room_id:
        try:
            room = selectors.room_get(reach=reach, pk=int(room_id))
        except (TypeError, ValueError) as exc:
            raise Http404 from exc
        rules = selectors.settings_get(reach=reach)
        context["room"] = room
        context["slots"] = selectors.room_free_slots(
            reach=reach, room=room, day=day, buffer_minutes=rules.changeover_minutes
        )
        context["buffer"] = rules.changeover_minutes
    template = "livestreams/free_slots.html"
    if request.htmx:
        template += "#slots"
    return render(request, template, context)


def notifications(request: HttpRequest) -> HttpResponse:
    """The old reminders page: notifications have one inbox for every role now."""
    return redirect("merchants:notifications", permanent=True)


# --- base manager pages -----------------------------------------------------------------------


@answers_bad_parameters
@login_required
def room_grid(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    access.require_base_manager(reach)  # a page of the base's management: 403 for others
    day = _day_param(request, "day", timezone.localdate())
    context = selectors.room_day_grid(reach=reach, day=day)
    context.update(prev_day=day - dt.timedelta(days=1), next_day=day + dt.timedelta(days=1))
    template = "livestreams/room_grid.html"
    if request.htmx:
        template += "#grid"
    return render(request, template, context)


@answers_bad_parameters
@login_required
def room_utilisation(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    access.require_base_manager(reach)  # a page of the base's management: 403 for others
    monday = week_start(_day_param(request, "week", timezone.localdate()))
    context = selectors.room_utilisation(reach=reach, monday=monday)
    context.update(prev_week=monday - dt.timedelta(days=7), next_week=monday + dt.timedelta(days=7))
    template = "livestreams/utilisation.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)


@login_required
def base_streams(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    access.require_base_manager(reach)  # a page of the base's management: 403 for others
    rooms = list(selectors.room_list(reach=reach))
    form = BaseStreamFilter(request.GET or None, rooms=rooms)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.base_streams(
        reach=reach,
        merchant=filters.get("merchant") or "",
        platform=filters.get("platform") or "",
        room_id=filters.get("room"),
        status=filters.get("status") or "",
        day=filters.get("day"),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "livestreams/base_streams.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    access.require_base_manager(reach)  # a page of the base's management: 403 for others
    rules = selectors.settings_get(reach=reach)
    form = SettingsForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            room_services.settings_update(
                reach=reach,
                base=merchant_selectors.base_list(reach=reach).get(pk=reach.base_id),
                **form.cleaned_data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Booking rules saved."))
            return redirect("livestreams:room_list")
    rooms = selectors.room_list(reach=reach)
    history = rules_history(reach=reach, rules=rules, page=request.GET.get("history"))
    return render(
        request, "livestreams/room_list.html", {"rooms": rooms, "form": form, "history": history}
    )


@login_required
def room_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    reach = get_reach(request)
    access.require_base_manager(reach)  # a page of the base's management: 403 for others
    room = selectors.room_get(reach=reach, pk=pk) if pk else None
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            room_services.room_save(
                reach=reach,
                base=merchant_selectors.base_list(reach=reach).get(pk=reach.base_id),
                room=room,
                **form.cleaned_data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Room saved."))
            return redirect(reverse("livestreams:room_list"))
    sections = calendar_feeds.room_sections(reach=reach, room=room) if room else []
    history = None
    if room is not None:
        history = room_history(reach=reach, room=room, page=request.GET.get("history"))
    return render(
        request,
        "livestreams/room_form.html",
        {"form": form, "room": room, "feed_sections": sections, "history": history},
    )
