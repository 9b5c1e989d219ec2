from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployeesConfig(AppConfig):
    name = "ptce.pooling.employees"
    label = "employees"
    verbose_name = _("Salariés partagés")
