"""Forms of the projects pages. They parse the input; `ptce.projects.services` decide the rules
(a service's ValidationError goes next to its field with `forms_poles.apply_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ptce.core.choices import Visibility
from ptce.projects import funding
from ptce.projects.models import (
    BudgetCategory,
    BudgetLine,
    FundingLine,
    FundingSource,
    FundingStatus,
    Milestone,
    Project,
    ProjectStatus,
    PublicLevel,
    Result,
    StrategyAxis,
)


def _date() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class EurosField(forms.CharField):
    """ "1 234,56" -> cents (an int)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("En euros, ex. 12 500 ou 12 500,50."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return funding.parse_euros(text)
        except ValueError:
            raise forms.ValidationError(
                _("Montant illisible : « %(t)s » (un nombre positif en euros, ex. 1 234,56).")
                % {"t": text}
            ) from None

    def prepare_value(self, value: Any) -> Any:
        return funding.input_euros(value) if isinstance(value, int) else value


class AxisForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=_area())
    order = forms.IntegerField(label=_("Ordre d’affichage"), min_value=0, max_value=999, initial=1)

    @staticmethod
    def initial_for(axis: StrategyAxis) -> dict[str, Any]:
        return {"title": axis.title, "description": axis.description, "order": axis.order}


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    slug = forms.SlugField(
        label=_("Identifiant court"),
        max_length=80,
        required=False,
        help_text=_("Pour l’adresse de la page publique ; tiré de l’intitulé si vide."),
    )
    summary = forms.CharField(label=_("Résumé"), max_length=300, required=False)
    axis = forms.TypedChoiceField(
        label=_("Axe stratégique"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Statut"), choices=ProjectStatus.choices, initial=ProjectStatus.IDEA
    )
    lead_organisation = forms.TypedChoiceField(
        label=_("Porteur (membre chef de file)"), required=False, coerce=int, empty_value=None
    )
    partners = forms.TypedMultipleChoiceField(
        label=_("Partenaires"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), required=False, widget=_area(5))
    objectives = forms.CharField(label=_("Objectifs"), required=False, widget=_area(4))
    territory = forms.CharField(label=_("Territoire"), max_length=200, required=False)
    on_hub_perimeter = forms.BooleanField(
        label=_("Le projet couvre le périmètre du pôle"), required=False
    )
    starts_on = forms.DateField(label=_("Début"), required=False, widget=_date())
    ends_on = forms.DateField(label=_("Fin"), required=False, widget=_date())
    visibility = forms.ChoiceField(
        label=_("Visibilité"),
        choices=Visibility.choices,
        initial=Visibility.MEMBERS,
        help_text=_("« Public » publie la page du projet sur le site."),
    )

    def __init__(
        self,
        *args: Any,
        axes: list[StrategyAxis],
        leads: list[Any],
        partners: list[Any],
        has_perimeter: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["axis"].choices = [("", "—")] + [(a.pk, a.title) for a in axes]  # type: ignore[attr-defined]
        self.fields["lead_organisation"].choices = [("", "—")] + [(o.pk, o.name) for o in leads]  # type: ignore[attr-defined]
        self.fields["partners"].choices = [(o.pk, o.name) for o in partners]  # type: ignore[attr-defined]
        if not has_perimeter:
            del self.fields["on_hub_perimeter"]

    @staticmethod
    def initial_for(project: Project) -> dict[str, Any]:
        return {
            "title": project.title,
            "slug": project.slug,
            "summary": project.summary,
            "axis": project.axis_id,
            "status": project.status,
            "lead_organisation": project.lead_organisation_id,
            "partners": [p.organisation_id for p in project.partnerships.all()],
            "description": project.description,
            "objectives": project.objectives,
            "territory": project.territory,
            "on_hub_perimeter": project.perimeter_id is not None,
            "starts_on": project.starts_on,
            "ends_on": project.ends_on,
            "visibility": project.visibility,
        }


class BudgetLineForm(forms.Form):
    label = forms.CharField(label=_("Dépense"), max_length=200)
    category = forms.ChoiceField(label=_("Catégorie"), choices=BudgetCategory.choices)
    amount_cents = EurosField(label=_("Montant"))

    @staticmethod
    def initial_for(line: BudgetLine) -> dict[str, Any]:
        return {"label": line.label, "category": line.category, "amount_cents": line.amount_cents}

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class FundingLineForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=FundingSource.choices)
    funder = forms.CharField(
        label=_("Financeur"),
        max_length=200,
        required=False,
        help_text=_("Obligatoire pour une subvention publique ou une fondation."),
    )
    public_level = forms.ChoiceField(
        label=_("Niveau de la collectivité"),
        choices=[("", "—"), *PublicLevel.choices],
        required=False,
        help_text=_("Pour une subvention publique seulement."),
    )
    planned_cents = EurosField(label=_("Montant prévu"))
    status = forms.ChoiceField(
        label=_("État"), choices=FundingStatus.choices, initial=FundingStatus.REQUESTED
    )
    received_cents = EurosField(label=_("Montant reçu"), required=False)
    decided_on = forms.DateField(label=_("Décision le"), required=False, widget=_date())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    @staticmethod
    def initial_for(line: FundingLine) -> dict[str, Any]:
        return {
            f: getattr(line, f)
            for f in (
                "source",
                "funder",
                "public_level",
                "planned_cents",
                "status",
                "received_cents",
                "decided_on",
                "note",
            )
        }

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["received_cents"] = data["received_cents"] or 0
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Jalon"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=_area(2))
    due_on = forms.DateField(label=_("Échéance"), required=False, widget=_date())
    progress = forms.IntegerField(
        label=_("Avancement (%)"), min_value=0, max_value=100, initial=0, required=False
    )
    done = forms.BooleanField(label=_("Atteint"), required=False)
    done_on = forms.DateField(label=_("Atteint le"), required=False, widget=_date())

    @staticmethod
    def initial_for(m: Milestone) -> dict[str, Any]:
        return {
            f: getattr(m, f)
            for f in ("title", "description", "due_on", "progress", "done", "done_on")
        }

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["progress"] = data["progress"] or 0
        return data


class ResultForm(forms.Form):
    text = forms.CharField(label=_("Résultat"), widget=_area(3), max_length=2000)
    figure = forms.CharField(label=_("Valeur chiffrée"), required=False, max_length=30)
    unit = forms.CharField(label=_("Unité"), required=False, max_length=50)
    recorded_on = forms.DateField(label=_("Constaté le"), required=False, widget=_date())

    @staticmethod
    def initial_for(r: Result) -> dict[str, Any]:
        figure = "" if r.figure is None else str(r.figure).replace(".", ",")
        return {"text": r.text, "figure": figure, "unit": r.unit, "recorded_on": r.recorded_on}

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF, ODT, ODS, DOCX, XLSX, CSV, TXT, PNG ou JPEG ; 10 Mo au plus."),
    )
    visibility = forms.ChoiceField(
        label=_("Qui peut le lire"),
        choices=Visibility.choices,
        initial=Visibility.MEMBERS,
        help_text=_(
            "Le suivi du projet (coordination, observateurs, porteur) lit tous les documents."
        ),
    )
