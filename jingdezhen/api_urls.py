"""/api/v1/: one router; each app registers its own viewsets in its api.py."""

from importlib import import_module

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from jingdezhen.core.clients import client_address
from jingdezhen.core.tokens import token_issue, tokens_revoke

API_APPS = ["merchants", "livestreams", "orders", "training"]
# Further API modules that register their own viewsets (kept apart from an app's api.py).
EXTRA_API_MODULES = [
    "orders.turnover.api",
    "merchants.notifications.api",
    "livestreams.api_series",
]


class LoginRateThrottle(SimpleRateThrottle):
    """Keyed on the client's address through the trusted proxy hops, as axes is -- for every
    caller: a valid token sent along does not lift it (AnonRateThrottle would skip it)."""

    scope = "login"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or ""}


class TokenCredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, min_length=40, max_length=40)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled; locked out by axes).

    The answer is ``{"token": "<40 characters>"}`` as ever; the token expires after
    ``API_TOKEN_TTL_HOURS`` (an expired one is replaced here) and logout revokes it. The body is
    JSON only: one media type, so a generated client has one way to send it."""

    throttle_classes = [LoginRateThrottle]
    # The endpoint takes a password, never a session or a token: whatever credentials come
    # along are not read (so neither lifts the throttle nor asks for a CSRF token).
    authentication_classes: list = []
    parser_classes = [JSONParser]

    @extend_schema(
        request=TokenCredentialsSerializer,
        responses={200: TokenSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        try:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
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
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class TokenRevokeView(APIView):
    """Revoke the caller's API token(s): the token stops working at once (204)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, *args, **kwargs):
        tokens_revoke(user_id=request.user.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    *extra_urlpatterns,
    *router.urls,
]
