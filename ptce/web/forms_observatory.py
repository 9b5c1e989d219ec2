"""Forms of the public observatory of hubs: the directory and map filters, the statistics."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ptce.actors import naf
from ptce.poles.models import Dynamic, Impulse, Objective


class ObservatoryFilterForm(forms.Form):
    """The filters of the hubs' directory and map (every field optional, GET)."""

    q = forms.CharField(label=_("Nom du pôle"), max_length=100, required=False)
    region = forms.ChoiceField(label=_("Région"), required=False)
    departement = forms.ChoiceField(label=_("Département"), required=False)
    dynamic = forms.ChoiceField(
        label=_("Dynamique économique"),
        choices=[("", _("Toutes")), *list(Dynamic.choices)],
        required=False,
    )
    impulse = forms.ChoiceField(
        label=_("Impulsion"), choices=[("", _("Toutes")), *list(Impulse.choices)], required=False
    )
    maturity = forms.ChoiceField(label=_("Maturité"), required=False)
    objective = forms.ChoiceField(
        label=_("Objectif"),
        choices=[("", _("Tous")), *list(Objective.choices)],
        required=False,
    )
    sector = forms.ChoiceField(
        label=_("Secteur (section NAF)"),
        choices=[("", _("Tous"))]
        + [
            (letter, format_lazy("{} — {}", letter, _(label)))
            for letter, (_a, _b, label) in naf.SECTIONS.items()
        ],
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        regions: Iterable[tuple[str, str]] = (),
        departements: Iterable[tuple[str, str]] = (),
        maturities: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["region"].choices = [("", _("Toutes")), *list(regions)]
        self.fields["departement"].choices = [("", _("Tous"))] + [
            (code, f"{code} — {name}") for code, name in departements
        ]
        self.fields["maturity"].choices = [("", _("Toutes")), *list(maturities)]

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters (invalid values are ignored, as a search box would)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}


class StatsForm(forms.Form):
    """Whether the national statistics include the demonstration hubs (default: yes)."""

    demo = forms.BooleanField(label=_("Inclure les pôles de démonstration"), required=False)
    # Present when the form was submitted: an unchecked box then means "exclude".
    shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def include_demo(self) -> bool:
        if not self.is_bound or not self.data.get("shown"):
            return True
        return bool(self.data.get("demo"))
