"""Forms of the pooling pages. They parse the input; `ptce.pooling` services decide the rules
(a service's ValidationError goes next to its field with `forms_poles.apply_errors`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptce.actors.models import Organisation
from ptce.core.choices import Role
from ptce.pooling.accounting import parse_amount
from ptce.pooling.models import (
    CostCategory,
    Key,
    Measure,
    Method,
    Ownership,
    PeriodKind,
    Resource,
    ResourceKind,
    ResourceStatus,
)

WEEKDAY_CHOICES = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]


def _date() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _time() -> forms.TimeInput:
    return forms.TimeInput(format="%H:%M", attrs={"type": "time"})


class EurosField(forms.CharField):
    """ "1 234,56" -> cents."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=ResourceKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(
        label=_("Statut"), choices=ResourceStatus.choices, initial=ResourceStatus.ACTIVE
    )
    ownership = forms.ChoiceField(
        label=_("Propriété"), choices=Ownership.choices, initial=Ownership.CARRIER
    )
    owner = forms.TypedChoiceField(
        label=_("Membre propriétaire"), required=False, coerce=int, empty_value=None
    )
    units = forms.CharField(
        label=_("Unités réservables"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Un nom par ligne (par exemple « Fourgon 1 », « Fourgon 2 ») ; vide : une seule "
            "unité, au nom de la ressource. Une unité retirée garde ses réservations."
        ),
    )
    organisations = forms.TypedMultipleChoiceField(
        label=_("Membres qui la partagent"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ses coûts sont répartis entre eux ; aucun coché : entre tous les membres."),
    )
    max_booking_minutes = forms.IntegerField(
        label=_("Réservation la plus longue (minutes)"), required=False, min_value=1
    )
    min_notice_minutes = forms.IntegerField(
        label=_("Délai de prévenance (minutes)"), required=False, min_value=0, initial=0
    )
    bookable_by = forms.ChoiceField(
        label=_("Qui peut réserver"),
        choices=[(Role.MEMBER, _("Les membres")), (Role.COORDINATOR, _("La coordination"))],
    )
    open_days = forms.TypedMultipleChoiceField(
        label=_("Jours d’ouverture"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun jour coché : réservable à toute heure."),
    )
    opens = forms.TimeField(label=_("Ouverture"), required=False, widget=_time())
    closes = forms.TimeField(label=_("Fermeture"), required=False, widget=_time())
    closed_days = forms.CharField(
        label=_("Jours de fermeture"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Une date par ligne, par exemple 2026-12-25."),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(o.pk, o.name) for o in organisations]
        self.fields["owner"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        self.fields["organisations"].choices = choices  # type: ignore[attr-defined]
        # One ownership share (%) per organisation, right after the organisations ticked.
        self.share_names = {o.pk: f"share_{o.pk}" for o in organisations}
        fields = list(self.fields.items())
        at = [name for name, _field in fields].index("organisations") + 1
        shares = [
            (
                self.share_names[o.pk],
                forms.DecimalField(
                    label=o.name,
                    required=False,
                    min_value=Decimal(0),
                    max_value=Decimal(100),
                    max_digits=6,
                    decimal_places=3,
                    localize=True,
                ),
            )
            for o in organisations
        ]
        self.fields = dict(fields[:at] + shares + fields[at:])  # type: ignore[assignment]

    def clean_closed_days(self) -> list[dt.date]:
        days = []
        for line in self.cleaned_data["closed_days"].split():
            try:
                days.append(dt.date.fromisoformat(line.strip()))
            except ValueError:
                raise forms.ValidationError(
                    _("Date illisible : %(v)s (format AAAA-MM-JJ).") % {"v": line}
                ) from None
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("open_days") and not (data.get("opens") and data.get("closes")):
            self.add_error("opens", _("Indiquez l’heure d’ouverture et de fermeture."))
        self._clean_shares(data)
        return data

    def _clean_shares(self, data: dict[str, Any]) -> None:
        """Ownership shares typed: only for a resource several members own, only for the
        organisations ticked, each typed, and 100 % in all."""
        typed = {
            pk: data.get(name)
            for pk, name in self.share_names.items()
            if data.get(name) is not None
        }
        if not typed or any(name in self.errors for name in self.share_names.values()):
            return
        if data.get("ownership") != Ownership.MEMBERS:
            first = self.share_names[next(iter(typed))]
            self.add_error(
                first,
                _(
                    "Part de propriété : seulement quand la propriété est « plusieurs membres » "
                    "(laissez vide sinon)."
                ),
            )
            return
        ticked = list(data.get("organisations") or [])
        for pk in typed:
            if pk not in ticked:
                self.add_error(
                    self.share_names[pk],
                    _("Part de propriété : cochez ce membre parmi ceux qui la partagent."),
                )
        for pk in ticked:
            if pk in self.share_names and pk not in typed:
                self.add_error(
                    self.share_names[pk],
                    _("Part de propriété : indiquez la part de chaque membre coché."),
                )
        if self.errors:
            return
        total = sum(typed.values(), Decimal(0))
        if total != 100:
            self.add_error(
                self.share_names[ticked[0]],
                _("Parts de propriété : elles font %(t)s %% au total ; il faut 100 %%.")
                % {"t": f"{total.normalize():f}".replace(".", ",")},
            )

    def share_fields(self) -> list[forms.BoundField]:
        """The ownership share fields, shown together (the template leaves them out of the
        main list)."""
        return [self[name] for name in self.share_names.values()]

    def shares(self) -> dict[int, Decimal] | None:
        """The ownership shares typed (None: none typed, the page keeps or splits them)."""
        data = self.cleaned_data
        typed = {
            pk: data[name] for pk, name in self.share_names.items() if data.get(name) is not None
        }
        return typed or None

    def unit_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["units"].splitlines() if line.strip()]

    def opening(self) -> dict[int, list[tuple[dt.time, dt.time]]]:
        data = self.cleaned_data
        if not data.get("open_days"):
            return {}
        return {day: [(data["opens"], data["closes"])] for day in data["open_days"]}

    @classmethod
    def initial_for(cls, resource: Resource) -> dict[str, Any]:
        hours = list(resource.opening_hours.all())
        return {
            "name": resource.name,
            "kind": resource.kind,
            "description": resource.description,
            "status": resource.status,
            "ownership": resource.ownership,
            "owner": resource.owner_id,
            "organisations": [s.organisation_id for s in resource.shares.all()],
            "units": "\n".join(u.name for u in resource.units.all() if u.active),
            "max_booking_minutes": resource.max_booking_minutes,
            "min_notice_minutes": resource.min_notice_minutes,
            "bookable_by": resource.bookable_by,
            "open_days": sorted({h.weekday for h in hours}),
            "opens": hours[0].opens if hours else None,
            "closes": hours[0].closes if hours else None,
            "closed_days": "\n".join(d.day.isoformat() for d in resource.closed_days.all()),
            **(
                {
                    f"share_{s.organisation_id}": f"{s.ownership_share.normalize():f}".replace(
                        ".", ","
                    )
                    for s in resource.shares.all()
                }
                if resource.ownership == Ownership.MEMBERS
                else {}
            ),
        }


class BookingForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Quoi"), coerce=int)
    organisation = forms.TypedChoiceField(label=_("Pour"), coerce=int)
    day = forms.DateField(label=_("Jour"), widget=_date())
    start = forms.TimeField(label=_("De"), widget=_time())
    end = forms.TimeField(label=_("À"), widget=_time())
    note = forms.CharField(label=_("Objet"), required=False, max_length=255)
    weeks = forms.IntegerField(
        label=_("Répéter chaque semaine (nombre d’occurrences)"),
        required=False,
        min_value=1,
        max_value=104,
        help_text=_("Laisser vide pour une seule réservation."),
    )

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]],
        organisations: list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        start = timezone.make_aware(dt.datetime.combine(data["day"], data["start"]))
        end_day = data["day"] + dt.timedelta(days=1) if data["end"] == dt.time(0) else data["day"]
        end = timezone.make_aware(dt.datetime.combine(end_day, data["end"]))
        return start, end


class UsageForm(forms.Form):
    resource = forms.TypedChoiceField(label=_("Ressource"), coerce=int)
    organisation = forms.TypedChoiceField(label=_("Membre"), coerce=int)
    day = forms.DateField(label=_("Jour"), widget=_date())
    used_hours = forms.DecimalField(
        label=_("Heures utilisées"), required=False, max_digits=9, decimal_places=2, localize=True
    )
    km = forms.DecimalField(
        label=_("Kilomètres"), required=False, max_digits=9, decimal_places=1, localize=True
    )
    units = forms.DecimalField(
        label=_("Unités"), required=False, max_digits=11, decimal_places=2, localize=True
    )
    adjustment = forms.BooleanField(label=_("Ajustement (coordination)"), required=False)
    reason = forms.CharField(label=_("Motif de l’ajustement"), required=False, max_length=255)

    def __init__(
        self,
        *args: Any,
        resources: list[Resource],
        organisations: list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [(r.pk, r.name) for r in resources]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]


class CostForm(forms.Form):
    resource = forms.TypedChoiceField(label=_("Ressource"), coerce=int)
    period = forms.TypedChoiceField(label=_("Période"), coerce=int)
    category = forms.ChoiceField(label=_("Catégorie"), choices=CostCategory.choices)
    amount = EurosField(label=_("Montant (€)"), help_text=_("Par exemple 1 234,56"))
    label = forms.CharField(label=_("Libellé"), required=False, max_length=255)

    def __init__(
        self, *args: Any, resources: list[Resource], periods: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [(r.pk, r.name) for r in resources]  # type: ignore[attr-defined]
        self.fields["period"].choices = [(p.pk, p.label) for p in periods]  # type: ignore[attr-defined]


class CostImportForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Période"), coerce=int)
    file = forms.FileField(
        label=_("Fichier CSV"),
        required=False,
        help_text=_(
            "Colonnes : ressource ; catégorie ; montant ; libellé (séparateur « ; » ou « , »)."
        ),
    )
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, periods: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.pk, p.label) for p in periods]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > 2_000_000:
                self.add_error("file", _("Fichier trop gros (2 Mo au plus)."))
                return data
            raw = upload.read()
            try:
                data["content"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                data["content"] = raw.decode("cp1252")
        if not data.get("content"):
            self.add_error("file", _("Choisissez un fichier CSV."))
        return data


class RuleForm(forms.Form):
    method = forms.ChoiceField(label=_("Méthode"), choices=Method.choices)
    key = forms.ChoiceField(label=_("Clé"), choices=[("", "—"), *Key.choices], required=False)
    fixed_share = forms.DecimalField(
        label=_("Part fixe (entre 0 et 1)"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=3,
        localize=True,
    )
    measure = forms.ChoiceField(label=_("Mesure de l’utilisation"), choices=Measure.choices)
    shared_cost = EurosField(label=_("Coût de l’option partagée (€, Shapley)"), required=False)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        for org in organisations:
            self.fields[f"key_{org.pk}"] = forms.DecimalField(
                label=_("Clé — %(o)s") % {"o": org.name}, required=False, min_value=0, localize=True
            )
            self.fields[f"alone_{org.pk}"] = EurosField(
                label=_("Coût isolé (€) — %(o)s") % {"o": org.name}, required=False
            )

    def key_fields(self) -> list[Any]:
        return [self[f"key_{o.pk}"] for o in self.organisations]

    def alone_fields(self) -> list[Any]:
        return [self[f"alone_{o.pk}"] for o in self.organisations]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "method": data["method"],
            "key": data.get("key") or "",
            "fixed_share": data.get("fixed_share"),
            "measure": data["measure"],
            "key_values": {
                str(o.pk): data[f"key_{o.pk}"]
                for o in self.organisations
                if data.get(f"key_{o.pk}") is not None
            },
            "standalone_costs": {
                str(o.pk): data[f"alone_{o.pk}"]
                for o in self.organisations
                if data.get(f"alone_{o.pk}") is not None
            },
            "shared_cost_cents": data.get("shared_cost"),
        }


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=PeriodKind.choices)
    starts_on = forms.DateField(label=_("Premier jour"), widget=_date())


class AdjustmentForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Membre"), coerce=int)
    amount = EurosField(label=_("Montant (€, négatif pour un avoir)"))
    reason = forms.CharField(label=_("Motif"), max_length=255)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]


def key_initial(organisations: list[Organisation], rule: Any) -> dict[str, Any]:
    if rule is None:
        return {"method": Method.EQUAL, "measure": Measure.HOURS}
    initial: dict[str, Any] = {
        "method": rule.method,
        "key": rule.key,
        "fixed_share": rule.fixed_share,
        "measure": rule.measure,
        "shared_cost": f"{Decimal(rule.shared_cost_cents) / 100:.2f}".replace(".", ",")
        if rule.shared_cost_cents
        else "",
    }
    for org in organisations:
        initial[f"key_{org.pk}"] = rule.key_values.get(str(org.pk))
        cents = rule.standalone_costs.get(str(org.pk))
        initial[f"alone_{org.pk}"] = (
            f"{Decimal(cents) / 100:.2f}".replace(".", ",") if cents is not None else ""
        )
    return initial
