from django.http import HttpRequest

from jingdezhen.core.tenancy import get_reach

from .navigation import entries_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "reach": None}
    reach = get_reach(request)
    return {"nav_entries": entries_for(reach, request.path), "reach": reach}
