"""Forms of the cooperation pages: needs and offers, links, answers to proposals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ptce.actors.models import Establishment, Organisation
from ptce.cooperation import units
from ptce.cooperation.models import (
    PERIODICITY_CHOICES,
    Confidentiality,
    Frequency,
    LinkType,
    LinkVisibility,
    PriceIntent,
)
from ptce.cooperation.reference import KINDS


def category_choices() -> list[tuple[str, Any]]:
    """Categories grouped by kind, in the active language; the value is `kind:category`."""
    return [("", "—")] + [
        (
            gettext(entry.label),
            [(f"{kind}:{code}", gettext(label)) for code, label in entry.categories.items()],
        )
        for kind, entry in KINDS.items()
    ]


def unit_choices() -> list[tuple[str, Any]]:
    return [("", _("— sans quantité —"))] + [
        (u.code, f"{gettext(u.label)} ({gettext(units.DIMENSIONS[u.dimension])})")
        for u in units.UNITS
    ]


class DateInput(forms.DateInput):
    input_type = "date"


class DeclarationForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    establishment = forms.TypedChoiceField(
        label=_("Établissement"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Son emplacement sert à mesurer les distances ; par défaut le siège."),
    )
    category = forms.ChoiceField(label=_("Type et catégorie"))
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.CharField(label=_("Quantité"), required=False, max_length=30)
    unit = forms.ChoiceField(label=_("Unité"), required=False)
    periodicity = forms.ChoiceField(
        label=_("Périodicité"),
        choices=PERIODICITY_CHOICES,
        initial="once",
    )
    start_on = forms.DateField(label=_("Début de la période"), required=False, widget=DateInput)
    end_on = forms.DateField(label=_("Fin de la période"), required=False, widget=DateInput)
    max_km = forms.IntegerField(
        label=_("Distance maximale (km)"), required=False, min_value=0, max_value=20000
    )
    price_intent = forms.ChoiceField(
        label=_("Intention de prix"), choices=PriceIntent.choices, initial=PriceIntent.MARKET
    )
    cost_euros = forms.DecimalField(
        label=_("Coût annuel actuel (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "Sert à estimer l'économie d'une mutualisation (montant global) ; "
            "n'apparaît dans aucune liste."
        ),
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentialité"), choices=Confidentiality.choices, initial=Confidentiality.MEMBERS
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        located = Establishment.objects.filter(
            organisation__in=organisations, lat__isnull=False, lon__isnull=False, active=True
        ).select_related("organisation")
        self.fields["establishment"].choices = [("", _("— le siège ou le premier localisé —"))] + [
            (e.pk, f"{e.organisation.name} — {e.name or e.address or e.code_commune or e.siret}")
            for e in located.order_by("organisation__name", "-siege", "pk")[:500]
        ]
        self.fields["category"].choices = category_choices()
        self.fields["unit"].choices = unit_choices()

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, _sep, category = (data.get("category") or ":").partition(":")
        cost = data.get("cost_euros")
        return {
            "kind": kind,
            "category": category,
            "title": data["title"],
            "description": data["description"],
            "quantity": data["quantity"],
            "unit": data["unit"],
            "periodicity": data["periodicity"],
            "start_on": data["start_on"],
            "end_on": data["end_on"],
            "max_km": data["max_km"],
            "price_intent": data["price_intent"],
            "cost_cents_per_year": int(cost * 100) if cost is not None else None,
            "confidentiality": data["confidentiality"],
        }


DECLARATION_ERROR_FIELDS = {"kind": "category", "cost_cents_per_year": "cost_euros"}


class LinkForm(forms.Form):
    from_organisation = forms.TypedChoiceField(label=_("De"), coerce=int)
    to_organisation = forms.TypedChoiceField(label=_("Vers"), coerce=int)
    type = forms.ChoiceField(label=_("Type de lien"), choices=LinkType.choices)
    directed = forms.BooleanField(label=_("Lien orienté (de → vers)"), required=False, initial=True)
    start_on = forms.DateField(label=_("Début"), widget=DateInput)
    end_on = forms.DateField(label=_("Fin"), required=False, widget=DateInput)
    volume_euros = forms.DecimalField(
        label=_("Volume annuel (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    volume_hours = forms.DecimalField(
        label=_("Volume annuel (heures)"),
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
    )
    visibility = forms.ChoiceField(
        label=_("Visibilité"), choices=LinkVisibility.choices, initial=LinkVisibility.MEMBERS
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        own: list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_organisation"].choices = [(o.pk, o.name) for o in own]
        self.fields["to_organisation"].choices = [(o.pk, o.name) for o in organisations]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        euros = data.get("volume_euros")
        return {
            "type": data["type"],
            "directed": data["directed"],
            "start_on": data["start_on"],
            "end_on": data["end_on"],
            "volume_cents": int(euros * 100) if euros is not None else None,
            "volume_hours": data["volume_hours"],
            "visibility": data["visibility"],
            "note": data["note"],
        }


LINK_ERROR_FIELDS = {"volume_cents": "volume_euros"}


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison du refus"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Me prévenir des nouvelles propositions"), choices=Frequency.choices
    )
