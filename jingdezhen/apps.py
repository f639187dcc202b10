from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JingdezhenConfig(AppConfig):
    name = "jingdezhen"
    verbose_name = _("Jingdezhen Live Base")
