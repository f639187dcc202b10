"""The password-reset page, throttled: a flood of reset requests would fill a victim's inbox
and the base's outgoing mail. Each client address, and each e-mail address asked for, gets a few
requests an hour (django-ratelimit, counted in the shared cache); past that the page answers 429
with the form and says when to try again. The rest is Django's own view."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from jingdezhen.core.clients import client_address


def _by_client(group, request) -> str:
    return client_address(request) or ""


def _by_email(group, request) -> str:
    return (request.POST.get("email") or "").strip().lower()[:254]


class PasswordResetView(auth_views.PasswordResetView):
    def post(self, request, *args, **kwargs):
        limits = [
            ("password-reset-client", _by_client, settings.PASSWORD_RESET_RATE_PER_CLIENT),
            ("password-reset-email", _by_email, settings.PASSWORD_RESET_RATE_PER_EMAIL),
        ]
        # Every counter counts this request, so neither can be worn down behind the other.
        limited = [
            is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)
            for group, key, rate in limits
        ]
        if any(limited):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                None,
                _("Too many requests for a reset link: try again in an hour."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)
