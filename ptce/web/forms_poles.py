"""Forms of the hubs' coordinator workspace and invitations (observatory filters:
`forms_observatory`).

They parse and check the shape of the input; the services of `ptce.poles` decide the
rules and do the writes. `apply_errors` puts a service's ValidationError (a dict keyed by
field) next to the matching fields, so that every message shows where it belongs and the
input is kept.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ptce.actors import naf
from ptce.core.choices import Role, Visibility
from ptce.poles.models import (
    Dynamic,
    Impulse,
    LegalForm,
    Maturity,
    MemberRole,
    Objective,
    Specificity,
)
from ptce.territories.lookups import search_communes
from ptce.territories.models import Commune

# A hub is public, or seen by its members, or by its coordination only ("owner" is for
# records an organisation enters, not for a hub).
POLE_VISIBILITIES = [
    (Visibility.PUBLIC, _("Public : visible dans l’observatoire")),
    (Visibility.MEMBERS, _("Réservé aux membres du pôle")),
    (Visibility.COORDINATORS, _("Réservé à la coordination du pôle")),
]
MEMBER_VISIBILITIES = [
    (Visibility.PUBLIC, _("Publique")),
    (Visibility.MEMBERS, _("Membres du pôle")),
    (Visibility.COORDINATORS, _("Coordination du pôle")),
]
NULL_BOOLEAN = [("", _("Non renseigné")), ("true", _("Oui")), ("false", _("Non"))]
CODE_SPLIT = re.compile(r"[\s,;]+")


def apply_errors(
    form: forms.Form, error: ValidationError, field_map: Mapping[str, str | None] | None = None
) -> None:
    """Put the messages of a service's ValidationError on the form: next to the field of
    the same name (or the one `field_map` names), else at the top of the form."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages in error.message_dict.items():
        name = field_map.get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _null_boolean(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=NULL_BOOLEAN,
        coerce=lambda v: v == "true",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def null_boolean_initial(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def split_codes(text: str) -> list[str]:
    return [code for code in CODE_SPLIT.split(text.strip().upper()) if code]


# ---- workspace: identity ---------------------------------------------------------------------


class CommuneChoiceMixin(forms.Form):
    """The hub's commune, chosen among the suggestions of a search (`commune_q`); a single
    unambiguous match of the search (a code INSEE, a postal code with one commune) is taken
    as the choice."""

    commune_q = forms.CharField(
        label=_("Rechercher la commune"),
        help_text=_("Nom, code postal ou code INSEE ; puis choisissez dans la liste."),
        max_length=100,
        required=False,
    )
    commune = forms.CharField(label=_("Commune du pôle"), max_length=5, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune_q"].widget.attrs.update(
            {"type": "search", "autocomplete": "off", "spellcheck": "false"}
        )

    def commune_choices(self) -> list[Commune]:
        """The communes to offer: the search's matches, and the one already chosen."""
        data = self.data if self.is_bound else self.initial
        query = str(data.get("commune_q") or "").strip()
        found = search_communes(query, limit=8) if query else []
        chosen = str(data.get("commune") or self.initial.get("commune") or "").strip().upper()
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
                raise ValidationError(_("Choisissez la commune du pôle dans la liste proposée."))
            else:
                raise ValidationError(_("Aucune commune ne correspond à « %(q)s ».") % {"q": query})
        if not code:
            raise ValidationError(_("Indiquez la commune où le pôle est implanté."))
        if not Commune.objects.current().filter(code_insee=code).exists():
            raise ValidationError(_("Code commune inconnu : %(code)s.") % {"code": code})
        return code


class PoleCreateForm(CommuneChoiceMixin):
    """Step 1 of the guided creation: who the hub is."""

    name = forms.CharField(label=_("Nom du pôle"), max_length=200)
    legal_form = forms.ChoiceField(
        label=_("Forme juridique de la structure porteuse"),
        help_text=_(
            "Le décret n° 2015-431 demande une personne morale de droit privé "
            "(association, SCIC, SCOP, GIE, SAS…)."
        ),
        choices=[("", _("Pas encore renseignée")), *list(LegalForm.choices)],
        required=False,
    )
    created_on = forms.DateField(label=_("Date de création"), required=False, widget=_date_widget())
    description = forms.CharField(
        label=_("Présentation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    visibility = forms.ChoiceField(
        label=_("Visibilité"),
        choices=POLE_VISIBILITIES,
        initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )

    field_order = [
        "name",
        "commune_q",
        "commune",
        "legal_form",
        "created_on",
        "description",
        "visibility",
    ]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if len(name) < 3:
            raise ValidationError(_("Le nom du pôle compte au moins 3 caractères."))
        return name

    def clean_created_on(self) -> Any:
        day = self.cleaned_data.get("created_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("La date de création ne peut pas être dans le futur."))
        return day

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "commune": data["commune"],
            "legal_form": data["legal_form"],
            "created_on": data["created_on"],
            "description": data["description"].strip(),
            "visibility": data["visibility"],
        }


class PoleEditForm(PoleCreateForm):
    """Everything about who the hub is, after its creation."""

    carrier = forms.TypedChoiceField(
        label=_("Structure porteuse"),
        help_text=_("Choisie parmi les membres actuels du pôle."),
        coerce=int,
        empty_value=None,
        required=False,
    )
    carrier_private_law = _null_boolean(
        _("La structure porteuse est-elle une personne morale de droit privé ?"),
        _("À préciser quand la forme juridique est « Autre forme »."),
    )
    website = forms.URLField(
        label=_("Site web"), required=False, assume_scheme="https", max_length=200
    )
    contact_email = forms.EmailField(label=_("E-mail de contact"), required=False)
    shared_place = forms.BooleanField(
        label=_("Le pôle est ancré dans un lieu partagé (tiers-lieu, locaux communs…)"),
        required=False,
    )
    shared_place_name = forms.CharField(label=_("Nom du lieu"), max_length=200, required=False)
    shared_place_address = forms.CharField(
        label=_("Adresse du lieu"), max_length=255, required=False
    )

    field_order = [
        *PoleCreateForm.field_order,
        "carrier",
        "carrier_private_law",
        "website",
        "contact_email",
        "shared_place",
        "shared_place_name",
        "shared_place_address",
    ]

    def __init__(self, *args: Any, carriers: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", _("Non renseignée")), *list(carriers)]
        self.fields["website"].widget.attrs["placeholder"] = "https://"

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().values(),
            "carrier": data["carrier"],
            "carrier_private_law": data["carrier_private_law"],
            "website": data["website"],
            "contact_email": data["contact_email"].strip().lower(),
            "shared_place": data["shared_place"],
            "shared_place_name": data["shared_place_name"].strip(),
            "shared_place_address": data["shared_place_address"].strip(),
        }


# ---- workspace: characterisation ---------------------------------------------------------------


class CharacterisationForm(forms.Form):
    impulse = forms.ChoiceField(
        label=_("Impulsion"),
        help_text=_("Qui a lancé le pôle."),
        choices=[("", _("Non renseignée")), *list(Impulse.choices)],
        required=False,
        widget=forms.RadioSelect,
    )
    dynamic = forms.ChoiceField(
        label=_("Dynamique économique"),
        choices=[("", _("Non renseignée")), *list(Dynamic.choices)],
        required=False,
        widget=forms.RadioSelect,
    )
    objectives = forms.MultipleChoiceField(
        label=_("Objectifs"),
        choices=Objective.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    specificities = forms.MultipleChoiceField(
        label=_("Spécificités revendiquées"),
        choices=Specificity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    maturity = forms.ChoiceField(label=_("Maturité"), required=False)
    naf_sections = forms.MultipleChoiceField(
        label=_("Secteurs d’activité (sections NAF)"),
        choices=[
            (letter, format_lazy("{} — {}", letter, _(label)))
            for letter, (_a, _b, label) in naf.SECTIONS.items()
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    common_strategy_formalised = _null_boolean(
        _("Stratégie commune formalisée (charte, document stratégique)")
    )
    long_term_commitment = _null_boolean(_("Engagement dans la durée (convention pluriannuelle…)"))
    pooled_resources = _null_boolean(_("Ressources mutualisées ou investissement commun"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["maturity"].choices = [("", _("Non renseignée"))] + [
            (m.code, m.display_label) for m in Maturity.objects.all()
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {**data, "maturity": data["maturity"] or None}


# ---- workspace: perimeter -------------------------------------------------------------------------


class PerimeterForm(forms.Form):
    communes = forms.CharField(
        label=_("Communes (codes INSEE)"),
        help_text=_("Séparés par des espaces ou des virgules, par exemple « 26281 26057 »."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    epci = forms.CharField(
        label=_("Intercommunalités (SIREN des EPCI)"),
        help_text=_("Toutes leurs communes membres entrent dans le périmètre."),
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    departements = forms.CharField(
        label=_("Départements (codes)"),
        help_text=_("Par exemple « 26 07 »."),
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    radius_km = forms.DecimalField(
        label=_("Rayon autour de la commune du pôle (km)"),
        help_text=_("Facultatif : les communes à moins de cette distance, jusqu’à 200 km."),
        required=False,
        min_value=0,
        max_value=200,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )

    def definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "communes": split_codes(data["communes"]),
            "epci": split_codes(data["epci"]),
            "departements": split_codes(data["departements"]),
        }

    @staticmethod
    def initial_for(definition: Mapping[str, Any]) -> dict[str, Any]:
        radii = definition.get("radii") or []
        return {
            "communes": " ".join(definition.get("communes", [])),
            "epci": " ".join(definition.get("epci", [])),
            "departements": " ".join(definition.get("departements", [])),
            "radius_km": radii[0]["km"] if radii else None,
        }


# ---- workspace: members ----------------------------------------------------------------------------


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher une organisation par nom, SIREN ou SIRET"),
        max_length=100,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "autocomplete": "off", "spellcheck": "false"}
        )

    def query(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class AddMemberForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("Rôle dans le pôle"), choices=MemberRole.choices, initial=MemberRole.MEMBER
    )
    joined_on = forms.DateField(
        label=_("Date d’entrée"),
        help_text=_("Aujourd’hui si vide."),
        required=False,
        widget=_date_widget(),
    )
    visibility = forms.ChoiceField(
        label=_("Adhésion visible par"), choices=MEMBER_VISIBILITIES, initial=Visibility.PUBLIC
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].error_messages["required"] = _(
            "Choisissez l’organisation à ajouter dans les résultats de la recherche."
        )


class EndMembershipForm(forms.Form):
    left_on = forms.DateField(label=_("Date de sortie"), widget=_date_widget())

    def clean_left_on(self) -> Any:
        day = self.cleaned_data["left_on"]
        if day > timezone.localdate():
            raise ValidationError(_("La date de sortie ne peut pas être dans le futur."))
        return day


class MembersDateForm(forms.Form):
    date = forms.DateField(label=_("Membres à la date du"), required=False, widget=_date_widget())


class MemberImportForm(forms.Form):
    MAX_BYTES = 2 * 1024 * 1024

    file = forms.FileField(
        label=_("Liste des membres (CSV ou XLSX)"),
        help_text=_(
            "Une ligne par organisation : une colonne « siret » (ou « siren »), ou bien "
            "« nom » et « commune ». 2 Mo au plus."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("Fichier trop volumineux : 2 Mo au plus."))
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise ValidationError(_("Format non pris en charge : envoyez un fichier CSV ou XLSX."))
        return upload


# ---- workspace: colleges ----------------------------------------------------------------------------


class CollegesForm(forms.Form):
    """Rows of (name, weight); an empty row is ignored. The rules are the service's."""

    MAX_ROWS = 12

    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ROWS)

    def __init__(self, *args: Any, row_count: int = 4, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            with contextlib.suppress(ValueError):
                row_count = int(self.data.get("rows") or row_count)
        self.row_count = max(1, min(row_count, self.MAX_ROWS))
        self.fields["rows"].initial = self.row_count
        for i in range(self.row_count):
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Nom du collège n° %(n)s") % {"n": i + 1}, max_length=100, required=False
            )
            self.fields[f"weight_{i}"] = forms.CharField(
                label=_("Poids du collège n° %(n)s (%%)") % {"n": i + 1},
                max_length=10,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def row_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"name_{i}"], self[f"weight_{i}"]) for i in range(self.row_count)]

    def colleges(self) -> list[tuple[str, str]]:
        rows = []
        for i in range(self.row_count):
            name = (self.cleaned_data.get(f"name_{i}") or "").strip()
            weight = (self.cleaned_data.get(f"weight_{i}") or "").strip()
            if name or weight:
                rows.append((name, weight))
        return rows

    @classmethod
    def initial_for(cls, colleges: Iterable[Any]) -> tuple[dict[str, Any], int]:
        initial: dict[str, Any] = {}
        count = 0
        for i, college in enumerate(colleges):
            initial[f"name_{i}"] = college.name
            initial[f"weight_{i}"] = f"{college.weight.normalize():f}".replace(".", ",")
            count = i + 1
        return initial, min(max(count + 1, 3), cls.MAX_ROWS)


# ---- workspace: people and invitations -------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.MEMBER)
    organisation = forms.TypedChoiceField(
        label=_("Organisation représentée"),
        help_text=_("Parmi les membres actuels du pôle ; facultatif."),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(
        self, *args: Any, organisations: Iterable[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["organisation"].choices = [("", _("Aucune")), *list(organisations)]


class RoleForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    action = forms.ChoiceField(choices=[("grant", "grant"), ("revoke", "revoke")])


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["password1"].help_text = password_validators_help_text_html()

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1")
        second = self.cleaned_data.get("password2", "")
        if first and second and first != second:
            raise ValidationError(_("Les deux mots de passe ne sont pas identiques."))
        return second
