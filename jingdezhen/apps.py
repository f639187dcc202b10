from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JingdezhenConfig(AppConfig):
    name = "jingdezhen"
    verbose_name = _("Jingdezhen Live Base")

    def ready(self) -> None:
        # The top layer contributes to the extension points of the apps below it.
        from .pages import contributions  # noqa: F401
