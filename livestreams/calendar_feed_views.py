"""Calendar feed pages: the public ``.ics`` link, and making and revoking a link (thin: the rules
are in ``livestreams.calendar_feeds``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from jingdezhen.core.errors import DomainError
from jingdezhen.core.tenancy import get_reach

from . import calendar_feeds
from .calendar_feeds import FeedSection
from .models import CalendarFeed

SECTION = "livestreams/calendar_feeds.html#feed"


class FeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=CalendarFeed.Kind.choices)
    subject = forms.IntegerField(label=_("subject"), min_value=1, max_value=2**31 - 1)


@require_safe
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed a calendar subscribes to: no login, the token is the key; 404 once revoked."""
    found = calendar_feeds.feed_for_token(token)
    if found is None:
        raise Http404
    feed, reach = found
    body = calendar_feeds.feed_calendar(
        feed,
        reach=reach,
        run_sheet_url=lambda stream: request.build_absolute_uri(
            reverse("livestreams:run_sheet", args=[stream.pk])
        ),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="streams.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def feed_links(request: HttpRequest, token: str) -> dict[str, str]:
    """The link to subscribe to, as https:// (Google, Outlook) and webcal:// (Apple)."""
    url = request.build_absolute_uri(reverse("livestreams:calendar_feed", args=[token]))
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _answer(request: HttpRequest, section: FeedSection, *, status: int = 200, error: str = ""):
    context = {"section": section, "error": error}
    if section.token:
        context["links"] = feed_links(request, section.token)
    if request.htmx:
        return render(request, SECTION, context, status=status)
    if section.token or error:  # the link is shown once: on a page of its own without htmx
        return render(request, "livestreams/calendar_feeds.html", context, status=status)
    return redirect(_page_of(section))


def _page_of(section: FeedSection) -> str:
    if section.kind == CalendarFeed.Kind.ROOM:
        return reverse("livestreams:room_edit", args=[section.subject_id])
    return reverse("livestreams:calendar")


@require_POST
@login_required
def feed_create(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    form = FeedForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return HttpResponse(f"{field}: {' '.join(errors)}", status=400, content_type="text/plain")
    kind, subject_id = form.cleaned_data["kind"], form.cleaned_data["subject"]
    try:
        issued = calendar_feeds.feed_create(reach=reach, kind=kind, subject_id=subject_id)
    except DomainError as exc:
        section = calendar_feeds.section_for(reach=reach, kind=kind, subject_id=subject_id)
        return _answer(request, section, status=exc.status_code, error=exc.message)
    section = calendar_feeds.section_for(reach=reach, kind=kind, subject_id=subject_id)
    section.token = issued.token
    return _answer(request, section)


@require_POST
@login_required
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)
    feed = calendar_feeds.feed_revoke(reach=reach, feed_id=pk)
    subject_id = feed.member_id or feed.room_id or feed.merchant_id
    section = calendar_feeds.section_for(reach=reach, kind=feed.kind, subject_id=subject_id)
    return _answer(request, section)
