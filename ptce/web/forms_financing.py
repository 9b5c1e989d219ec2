"""Forms of financing: the public subscription form and the coordinators' campaign form.

Amounts are typed in euros ("1 250,50") and handed to the services in cents; the services'
ValidationErrors are put back on the fields (`apply_errors` with `CAMPAIGN_FIELD_MAP`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptce.core import i18n
from ptce.financing.models import (
    Instrument,
    InvestorKind,
    Oversubscription,
    PaymentStatus,
    Residency,
)
from ptce.financing.money import format_euros, parse_euros
from ptce.financing.subscribing import MAX_UNITS
from ptce.territories.lookups import search_communes
from ptce.territories.models import Commune

# Service field -> form field.
CAMPAIGN_FIELD_MAP = {
    "unit_price_cents": "unit_price",
    "minimum_cents": "minimum",
    "target_cents": "target",
    "cap_cents": "cap",
    "min_ticket_cents": "min_ticket",
    "max_ticket_cents": "max_ticket",
}


def _euros_field(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _cents(value: str, label: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        cents = parse_euros(value)
    except ValueError:
        raise ValidationError(
            _("%(label)s doit être un montant en euros, par exemple 250 ou 1 250,50.")
            % {"label": label}
        ) from None
    if cents < 0:
        raise ValidationError(_("%(label)s ne peut être négatif.") % {"label": label})
    return cents


def euros_initial(cents: int | None) -> str:
    return "" if cents is None else format_euros(cents, symbol="")


class SubscriptionForm(forms.Form):
    investor_kind = forms.ChoiceField(
        label=_("Vous souscrivez en tant que"),
        choices=InvestorKind.choices,
        initial=InvestorKind.NATURAL,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Nom et prénom, ou raison sociale"),
        max_length=200,
        error_messages={
            "required": _("Le nom est obligatoire : vos nom et prénom, ou la raison sociale."),
            "max_length": _("Le nom compte au plus %(limit_value)d caractères."),
        },
    )
    representative = forms.CharField(
        label=_("Représentée par (personne morale)"),
        max_length=200,
        required=False,
        help_text=_("Obligatoire pour une personne morale."),
        error_messages={"max_length": _("Ce nom compte au plus %(limit_value)d caractères.")},
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("L'e-mail est obligatoire : la coordination vous écrit à cette adresse."),
            "max_length": _("L'e-mail compte au plus %(limit_value)d caractères."),
        },
    )
    address = forms.CharField(
        label=_("Adresse"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages={
            "required": _("L'adresse est obligatoire (numéro et voie)."),
            "max_length": _("L'adresse compte au plus %(limit_value)d caractères."),
        },
    )
    postcode = forms.CharField(
        label=_("Code postal"),
        max_length=5,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        error_messages={
            "required": _("Le code postal est obligatoire (5 chiffres)."),
            "max_length": _("Le code postal compte 5 chiffres."),
        },
    )
    commune_q = forms.CharField(
        label=_("Rechercher votre commune"),
        help_text=_("Nom, code postal ou code INSEE ; puis choisissez dans la liste."),
        max_length=100,
        required=False,
    )
    commune = forms.CharField(
        label=_("Commune de résidence"),
        max_length=5,
        required=False,
        error_messages={"max_length": _("Le code INSEE de la commune compte 5 caractères.")},
    )
    units = forms.IntegerField(
        label=_("Nombre de titres"),
        min_value=1,
        max_value=MAX_UNITS,
        error_messages={
            "required": _("Le nombre de titres est obligatoire."),
            "invalid": _("Le nombre de titres doit être un nombre entier, par exemple 3."),
            "min_value": _("Le nombre de titres doit être au moins %(limit_value)s."),
            "max_value": _("Le nombre de titres ne peut dépasser %(limit_value)s."),
        },
    )
    amount = forms.CharField(
        label=_("Montant (en euros)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": _("Le montant est obligatoire."),
            "max_length": _("Le montant compte au plus %(limit_value)d caractères."),
        },
    )
    iban = forms.CharField(
        label=_("IBAN (facultatif)"),
        max_length=42,
        required=False,
        help_text=_("Pour les remboursements et les intérêts ; vérifié (clé de contrôle)."),
        error_messages={"max_length": _("L'IBAN compte au plus 34 caractères (hors espaces).")},
    )
    bic = forms.CharField(
        label=_("BIC (facultatif)"),
        max_length=11,
        required=False,
        error_messages={"max_length": _("Le BIC compte 8 ou 11 caractères.")},
    )
    consent = forms.BooleanField(
        label="",
        error_messages={
            "required": _(
                "Cochez la case de consentement pour que votre souscription soit enregistrée."
            )
        },
    )

    def __init__(self, *args: Any, campaign: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["consent"].label = campaign.consent_text
        if campaign.has_units:
            del self.fields["amount"]
            self.fields["units"].help_text = _("Prix d'un titre : %(p)s.") % {
                "p": i18n.euros(campaign.unit_price_cents)
            }
        else:
            del self.fields["units"]
        self.fields["commune_q"].widget.attrs.update(
            {"type": "search", "autocomplete": "off", "spellcheck": "false"}
        )

    def commune_choices(self) -> list[Commune]:
        data = self.data if self.is_bound else self.initial
        query = str(data.get("commune_q") or "").strip()
        found = search_communes(query, limit=8) if query else []
        chosen = self.chosen_commune()
        if chosen and chosen not in {c.code_insee for c in found}:
            current = Commune.objects.light().with_relations().filter(code_insee=chosen).first()
            if current is not None:
                found.insert(0, current)
        return found

    def chosen_commune(self) -> str:
        data = self.data if self.is_bound else self.initial
        return str(data.get("commune") or "").strip().upper()

    def clean_commune(self) -> str:
        code = (self.cleaned_data.get("commune") or "").strip().upper()
        query = (self.data.get("commune_q") or "").strip()
        if not code and query:
            found = search_communes(query, limit=2)
            if len(found) == 1:
                code = found[0].code_insee
            elif found:
                raise ValidationError(_("Choisissez votre commune dans la liste proposée."))
            else:
                raise ValidationError(_("Aucune commune ne correspond à « %(q)s ».") % {"q": query})
        return code

    def clean_amount(self) -> int | None:
        return _cents(self.cleaned_data.get("amount", ""), str(_("Le montant")))

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("commune_q", None)
        if "amount" in data:
            data["amount_cents"] = data.pop("amount")
        return data


class CampaignForm(forms.Form):
    project = forms.TypedChoiceField(label=_("Projet financé"), coerce=int)
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(
        label=_("Présentation"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    instrument = forms.ChoiceField(label=_("Instrument"), choices=Instrument.choices)
    unit_price = _euros_field(
        _("Prix unitaire (€)"),
        required=False,
        help_text=_("Pour des parts sociales, actions ou obligations."),
    )
    minimum = _euros_field(
        _("Montant minimum (€)"),
        help_text=_("En dessous, la campagne échoue et les investisseurs sont remboursés."),
    )
    target = _euros_field(_("Objectif (€)"))
    cap = _euros_field(_("Plafond (€)"), required=False, help_text=_("Vide : pas de plafond."))
    min_ticket = _euros_field(_("Ticket minimum par investisseur (€)"))
    max_ticket = _euros_field(_("Ticket maximum par investisseur (€)"), required=False)
    opens_at = forms.DateTimeField(
        label=_("Ouverture"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Clôture"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    residency = forms.ChoiceField(
        label=_("Condition de résidence"),
        choices=Residency.choices,
        widget=forms.RadioSelect,
        initial=Residency.ALL,
    )
    oversubscription = forms.ChoiceField(
        label=_("Règle de sursouscription"),
        choices=Oversubscription.choices,
        widget=forms.RadioSelect,
        initial=Oversubscription.FIRST_COME,
    )
    consent_text = forms.CharField(
        label=_("Texte du consentement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Vide : le texte par défaut."),
    )

    def __init__(self, *args: Any, projects: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.pk, str(p)) for p in projects]

    def _euros(self, name: str) -> int | None:
        return _cents(self.cleaned_data.get(name, ""), str(self.fields[name].label))

    def clean_unit_price(self) -> int | None:
        return self._euros("unit_price")

    def clean_minimum(self) -> int | None:
        return self._euros("minimum")

    def clean_target(self) -> int | None:
        return self._euros("target")

    def clean_cap(self) -> int | None:
        return self._euros("cap")

    def clean_min_ticket(self) -> int | None:
        return self._euros("min_ticket")

    def clean_max_ticket(self) -> int | None:
        return self._euros("max_ticket")

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        out = {
            "title": d["title"],
            "description": d["description"],
            "instrument": d["instrument"],
            "residency": d["residency"],
            "oversubscription": d["oversubscription"],
            "opens_at": d["opens_at"],
            "closes_at": d["closes_at"],
            "consent_text": d["consent_text"],
        }
        for form_name in CAMPAIGN_FIELD_MAP.values():
            service_name = next(k for k, v in CAMPAIGN_FIELD_MAP.items() if v == form_name)
            out[service_name] = d.get(form_name)
        return out

    @staticmethod
    def initial_from(campaign: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            f: getattr(campaign, f)
            for f in (
                "title",
                "description",
                "instrument",
                "residency",
                "oversubscription",
                "consent_text",
            )
        }
        initial["project"] = campaign.project_id
        initial["opens_at"] = timezone.localtime(campaign.opens_at)
        initial["closes_at"] = timezone.localtime(campaign.closes_at)
        for service_name, form_name in CAMPAIGN_FIELD_MAP.items():
            initial[form_name] = euros_initial(getattr(campaign, service_name))
        return initial

    @staticmethod
    def new_initial() -> dict[str, Any]:
        start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
        return {
            "opens_at": start + dt.timedelta(hours=1),
            "closes_at": start + dt.timedelta(days=60),
            "instrument": Instrument.COOPERATIVE_SHARES,
        }


class PaymentForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (PaymentStatus.PAID, PaymentStatus.PAID.label),
            (PaymentStatus.REFUNDED, PaymentStatus.REFUNDED.label),
        ]
    )


class InvestorDataForm(forms.Form):
    email = forms.EmailField(label=_("E-mail de la personne"), max_length=254)
    action = forms.ChoiceField(
        choices=[("export", _("Exporter")), ("erase", _("Effacer"))], widget=forms.HiddenInput
    )
    confirm = forms.BooleanField(
        label=_("Je confirme l'effacement : il est définitif."), required=False
    )
