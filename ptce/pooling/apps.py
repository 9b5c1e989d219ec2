from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolingConfig(AppConfig):
    name = "ptce.pooling"
    label = "pooling"
    verbose_name = _("Mutualisation")
