"""Forms of the shared-employees pages. They only parse what the user typed; the rules are
the services' (`ptce.pooling.employees.services`), whose errors `apply_errors` puts back next
to the fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ptce.pooling.employees.models import Employee, PlanMode

PLAN_ROWS = 6


def _date_widget() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _choices(organisations: Iterable[Any]) -> list[tuple[str, str]]:
    return [(str(o.pk), o.name) for o in organisations]


class MonthForm(forms.Form):
    mois = forms.CharField(
        label=_("Mois"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"}),
    )

    def clean_mois(self) -> dt.date | None:
        value = (self.cleaned_data.get("mois") or "").strip()
        if not value:
            return None
        try:
            month = dt.date.fromisoformat(value + "-01")
        except ValueError:
            raise ValidationError(
                _("Mois invalide : « %(v)s » (attendu AAAA-MM).") % {"v": value}
            ) from None
        if not 1900 <= month.year <= 9000:
            raise ValidationError(
                _("Mois invalide : « %(v)s » (une année entre 1900 et 9000).") % {"v": value}
            )
        return month


class GroupForm(forms.Form):
    carrier = forms.ChoiceField(
        label=_("Structure employeuse"),
        help_text=_(
            "Une association ou une coopérative membre du pôle, souvent sa structure porteuse."
        ),
    )
    name = forms.CharField(label=_("Nom du groupement"), max_length=200, required=False)
    overhead_percent = forms.DecimalField(
        label=_("Frais de gestion (% du coût salarial)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal(0),
    )

    def __init__(self, *args: Any, organisations: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", "—"), *_choices(organisations)]


class JoinForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Membre du pôle"))
    joined_on = forms.DateField(label=_("Entrée le"), widget=_date_widget())

    def __init__(self, *args: Any, organisations: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "—"), *_choices(organisations)]


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Sortie le"), widget=_date_widget())


class EmployeeForm(forms.Form):
    person_name = forms.CharField(label=_("Nom et prénom"), max_length=200)
    job_title = forms.CharField(label=_("Poste"), max_length=200)
    contractual_hours_per_year = forms.DecimalField(
        label=_("Heures contractuelles par an"),
        help_text=_("1 607 h pour un temps plein."),
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    hourly_cost = forms.DecimalField(
        label=_("Coût horaire chargé (EUR)"),
        help_text=_("Salaire et charges, par heure travaillée."),
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    start_on = forms.DateField(label=_("Date d'embauche"), widget=_date_widget())
    end_on = forms.DateField(label=_("Fin du contrat"), required=False, widget=_date_widget())

    FIELD_MAP = {"hourly_cost_cents": "hourly_cost"}

    @classmethod
    def initial_for(cls, employee: Employee) -> dict[str, Any]:
        return {
            "person_name": employee.person_name,
            "job_title": employee.job_title,
            "contractual_hours_per_year": employee.contractual_hours_per_year,
            "hourly_cost": Decimal(employee.hourly_cost_cents) / 100,
            "start_on": employee.start_on,
            "end_on": employee.end_on,
        }

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["hourly_cost_cents"] = int(data.pop("hourly_cost") * 100)
        return data


class PlanLineForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Membre"), required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=PlanMode.choices, required=False)
    quantity = forms.DecimalField(label=_("Quantité"), decimal_places=2, required=False)
    starts_on = forms.DateField(label=_("Du"), required=False, widget=_date_widget())
    ends_on = forms.DateField(label=_("Au"), required=False, widget=_date_widget())

    def __init__(self, *args: Any, organisations: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "—"), *_choices(organisations)]

    def line(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("organisation"):
            return None
        return {
            "organisation": int(data["organisation"]),
            "mode": data.get("mode"),
            "quantity": data.get("quantity") if data.get("quantity") is not None else "",
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
        }


class AdjustmentForm(forms.Form):
    employee = forms.ChoiceField(label=_("Salarié"))
    organisation = forms.ChoiceField(label=_("Membre"))
    hours = forms.DecimalField(label=_("Heures à ajouter (négatif pour retirer)"), decimal_places=2)
    reason = forms.CharField(label=_("Motif"), max_length=255)

    def __init__(
        self,
        *args: Any,
        employees: Sequence[Any] = (),
        organisations: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].choices = [(str(e.pk), e.person_name) for e in employees]
        self.fields["organisation"].choices = _choices(organisations)


def timesheet_field_name(employee_id: int, organisation_id: int) -> str:
    return f"h-{employee_id}-{organisation_id}"


class TimesheetGridForm(forms.Form):
    """One hours field per (employee, member organisation) the user may record for."""

    def __init__(
        self,
        *args: Any,
        cells: Sequence[tuple[Any, Any]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for employee, organisation in cells:
            self.fields[timesheet_field_name(employee.pk, organisation.pk)] = forms.DecimalField(
                label=_("Heures de %(name)s pour %(org)s")
                % {"name": employee.person_name, "org": organisation.name},
                required=False,
                max_digits=7,
                decimal_places=2,
                min_value=Decimal(0),
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}
                ),
            )
