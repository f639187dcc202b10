from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.utils.translation import gettext_lazy as _


class JingdezhenConfig(AppConfig):
    name = "jingdezhen"
    verbose_name = _("Jingdezhen Live Base")

    def ready(self) -> None:
        # Imported once the models are loaded: the top layer contributes to the extension points
        # of the apps below it, and tokens reads DRF's Token model.
        from .core import tokens
        from .pages import contributions, supervision  # noqa: F401

        # Logging out of the pages ends the user's API token as well.
        user_logged_out.connect(tokens.revoke_on_logout, dispatch_uid="jdz-revoke-tokens")
