"""Forms of the directory pages: the search filters and the member-list upload.

Field names of the search form are the parameters of the API (`/api/v1/organisations`,
`/api/v1/map/establishments`, `/api/v1/organisations/export`), so that the map and the
export links carry exactly the filters of the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ptce.actors import naf
from ptce.actors.directory import HEADCOUNT_BANDS, DirectoryFilters
from ptce.actors.models import ActorType, EssFamily
from ptce.core import i18n

IMPORT_MAX_BYTES = 2 * 1024 * 1024
QUERY_MAX_LENGTH = 200  # the API's limit on `q`

# (form field, DirectoryFilters attribute, key of directory.facet_counts)
FACETS: tuple[tuple[str, str, str], ...] = (
    ("type", "actor_types", "actor_type"),
    ("family", "ess_families", "ess_family"),
    ("section", "naf_sections", "naf_section"),
    ("tranche", "tranches", "tranche_effectifs"),
)


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Unknown values are dropped, not refused: an old or hand-edited address still works
    with the values the directory knows."""

    def clean(self, value: Any) -> list[str]:
        values = self.to_python(value)
        return [v for v in values if self.valid_value(v)]


def _checkboxes(label: str, choices: Sequence[tuple[str, str]]) -> LenientMultipleChoiceField:
    return LenientMultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Nom ou sigle"),
        max_length=QUERY_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("ex. jardins, scop, ressourcerie"),
            }
        ),
    )
    type = _checkboxes(_("Type d'acteur"), ActorType.choices)
    family = _checkboxes(_("Famille de l'ESS"), EssFamily.choices)
    section = _checkboxes(
        _("Secteur (section NAF)"),
        [
            (letter, format_lazy("{} — {}", letter, _(label)))
            for letter, (_a, _b, label) in naf.SECTIONS.items()
        ],
    )
    tranche = _checkboxes(_("Tranche d'effectifs"), list(HEADCOUNT_BANDS.items()))
    departement = forms.ChoiceField(label=_("Département"), required=False)
    epci = forms.CharField(
        label=_("Intercommunalité (code SIREN de l'EPCI)"),
        required=False,
        max_length=9,
        validators=[
            RegexValidator(
                r"^\d{9}$", _("Le code d'un EPCI est son SIREN : 9 chiffres, ex. 200068781.")
            )
        ],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "200068781"}
        ),
    )
    active = forms.BooleanField(label=_("Organisations en activité seulement"), required=False)

    def __init__(
        self, data: QueryDict, *, departements: Iterable[tuple[str, str]], **kwargs: Any
    ) -> None:
        # The text field is always sent by the form: without it, this is a first visit (or
        # a link from elsewhere), and the directory shows the organisations in activity.
        if "q" not in data:
            data = data.copy()
            data["active"] = "true"
        super().__init__(data, **kwargs)
        field = self.fields["departement"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tous les départements"))] + [
            (code, f"{code} — {nom}") for code, nom in departements
        ]
        field.error_messages["invalid_choice"] = _("Département inconnu : %(value)s.")

    def value(self, name: str) -> Any:
        """The cleaned value of a field, or its empty value when it is in error."""
        self.is_valid()
        if name in self.cleaned_data:
            return self.cleaned_data[name]
        return [] if name in {f for f, _attr, _key in FACETS} else ""

    def filters(self) -> DirectoryFilters:
        """The valid filters; a field in error filters nothing (its error is shown)."""
        departement = self.value("departement")
        epci = self.value("epci")
        return DirectoryFilters(
            q=self.value("q").strip(),
            actor_types=self.value("type"),
            ess_families=self.value("family"),
            naf_sections=self.value("section"),
            tranches=self.value("tranche"),
            departements=[departement] if departement else [],
            epci=[epci] if epci else [],
            active=True if self.value("active") else None,
        )

    def query_pairs(self) -> list[tuple[str, str]]:
        """The valid filters as query-string pairs, in the API's parameter names.

        `active` is sent only when true (the page's own parameter); `api_query` says "all"
        to the API otherwise."""
        pairs: list[tuple[str, str]] = []
        q = self.value("q").strip()
        if q:
            pairs.append(("q", q))
        for name, _attr, _key in FACETS:
            pairs += [(name, value) for value in self.value(name)]
        for name in ("departement", "epci"):
            if self.value(name):
                pairs.append((name, self.value(name)))
        if self.value("active"):
            pairs.append(("active", "true"))
        return pairs

    def api_query(self) -> str:
        pairs = self.query_pairs()
        if not self.value("active"):
            pairs.append(("active", "all"))
        return urlencode(pairs)

    def page_query(self) -> str:
        """The page's own query string (without `page`): `q` is always there, so that the
        "active only" toggle keeps its state."""
        pairs = self.query_pairs()
        if not any(name == "q" for name, _value in pairs):
            pairs.insert(0, ("q", ""))
        return urlencode(pairs)


class MemberListUploadForm(forms.Form):
    fichier = forms.FileField(
        label=_("Fichier de la liste des membres (CSV ou XLSX)"),
        help_text=_(
            "Une ligne par organisation ; en première ligne, les noms des colonnes : "
            "« siret » (ou « siren »), ou bien « nom » et « commune » (nom, code postal ou "
            "code INSEE). 2 Mo au plus, 5 000 lignes au plus."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,.xlsm,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_fichier(self) -> Any:
        upload = self.cleaned_data["fichier"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "Fichier de la liste des membres : le fichier pèse %(size)s ; "
                    "2 Mo au plus sont acceptés. Découpez la liste en plusieurs fichiers."
                ),
                params={"size": _megabytes(upload.size)},
                code="too_big",
            )
        return upload


def _megabytes(size: int) -> str:
    """A file's size in megabytes, the active language's way: "2,5 Mo" in French."""
    return gettext("%(size)s Mo") % {"size": i18n.number(size / (1024 * 1024), 1)}
