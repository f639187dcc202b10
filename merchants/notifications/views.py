"""The inbox page: the reader's notifications, mark one read (htmx), mark all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingdezhen.core.tenancy import get_reach

from . import selectors, services

PAGE_SIZE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    page = Paginator(selectors.notification_list(reach=reach), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "merchants/notifications.html",
        {"page": page, "items": selectors.shown(page.object_list)},
    )


@require_POST
@login_required
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    reach = get_reach(request)
    notification = services.notification_mark_read(reach=reach, notification_id=notification_id)
    if not request.htmx:
        return redirect("merchants:notifications")
    # The item, read now, and the menu's badge swapped out of band.
    return render(
        request,
        "merchants/notifications.html#item",
        {
            "item": selectors.shown([notification])[0],
            "badge_oob": True,
            "unread_notifications": selectors.unread_count(reach=reach),
        },
    )


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(reach=get_reach(request))
    return redirect("merchants:notifications")
