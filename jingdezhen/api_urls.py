"""/api/v1/: one router; each app registers its own viewsets in its api.py."""

from importlib import import_module

from django.urls import path
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle

API_APPS = ["merchants", "livestreams", "orders", "training"]
# Further API modules that register their own viewsets (kept apart from an app's api.py).
EXTRA_API_MODULES = ["orders.turnover.api"]


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled; locked out by axes)."""

    throttle_classes = [LoginRateThrottle]

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes refused to check the password: say so, as the login page does (429).
            if getattr(request, "axes_locked_out", False):
                raise Throttled(
                    detail=_(
                        "This account is locked for a while after repeated failed attempts. "
                        "Try again in 15 minutes or ask the base manager."
                    )
                ) from None
            raise


router = DefaultRouter()
extra_urlpatterns = []
for app_label in API_APPS:
    module = import_module(f"{app_label}.api")
    if hasattr(module, "register"):
        module.register(router)
    extra_urlpatterns += getattr(module, "urlpatterns", [])
for module_name in EXTRA_API_MODULES:
    import_module(module_name).register(router)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    *extra_urlpatterns,
    *router.urls,
]
