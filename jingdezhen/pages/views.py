"""Cross-app pages: home, health, API docs."""

from csp.decorators import csp_update
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularSwaggerSplitView

from jingdezhen import health
from jingdezhen.core.tenancy import get_reach

from .home import home_context


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and a Celery worker answer; 503 naming what is down.
    Unauthenticated and cheap (one query, two Redis round trips), for load balancers."""
    report = health.check()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    context = home_context(reach)
    return render(request, f"jingdezhen/home_{context['template_role']}.html", context)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


# Swagger UI from drf-spectacular-sidecar (no CDN); its page carries one inline <style> block.
api_docs = csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL nothing answers: JSON under /api/ (as every other API answer), a page
    elsewhere. Used when DEBUG is off (handler404 in jingdezhen/urls.py)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)
