from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolesConfig(AppConfig):
    name = "ptce.poles"
    label = "poles"
    verbose_name = _("Pôles")
