from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from jingdezhen.core.tenancy import get_reach
from merchants.notifications.selectors import unread_count

from .navigation import entries_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "reach": None}
    reach = get_reach(request)
    return {
        "nav_entries": entries_for(reach, request.path),
        "reach": reach,
        "unread_notifications": SimpleLazyObject(lambda: _unread(request, reach)),
    }


def _unread(request: HttpRequest, reach) -> int:
    """The menu's unread badge: one query, counted once per request however often it is shown."""
    cached = getattr(request, "_jdz_unread_notifications", None)
    if cached is None:
        cached = unread_count(reach=reach)
        request._jdz_unread_notifications = cached
    return cached
