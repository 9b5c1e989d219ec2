"""Writes on organisations, establishments and contacts. Each records an audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from ptce.actors import classification, permissions
from ptce.actors import naf as naf_rules
from ptce.actors.directory import HEADCOUNT_BANDS
from ptce.actors.models import (
    ActorType,
    Affiliation,
    Contact,
    EssFamily,
    Establishment,
    Organisation,
    Source,
)
from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.territories.models import Commune
from ptce.territories.names import normalize

ORGANISATION_FIELDS = (
    "name",
    "siren",
    "acronym",
    "categorie_juridique",
    "ess",
    "societe_mission",
    "date_creation",
    "active",
    "tranche_effectifs",
    "naf",
    "rna",
    "website",
    "visibility",
)
_AUDITED = (*ORGANISATION_FIELDS, "actor_type", "ess_family", "size_class", "actor_type_override")


def _validated(module: Any, value: str, field: str, messages: dict[type, str]) -> str:
    """`value` compacted and checked by a python-stdnum module, or ValidationError on `field`
    with the message of the rule it breaks."""
    compact = module.compact(value or "")
    try:
        return str(module.validate(compact))
    except stdnum_errors.ValidationError as exc:
        rule = next((k for k in messages if isinstance(exc, k)), stdnum_errors.InvalidChecksum)
        raise ValidationError({field: messages[rule]}) from None


def validate_siren(value: str, field: str = "siren") -> str:
    """The SIREN without spaces, or ValidationError naming the rule it breaks."""
    return _validated(
        stdnum_siren,
        value,
        field,
        {
            stdnum_errors.InvalidLength: _("Un SIREN compte 9 chiffres."),
            stdnum_errors.InvalidFormat: _("Un SIREN ne contient que des chiffres."),
            stdnum_errors.InvalidChecksum: _(
                "Ce SIREN est invalide : sa clé de contrôle (formule de Luhn) ne correspond pas."
            ),
        },
    )


def validate_siret(value: str, field: str = "siret") -> str:
    """The SIRET without spaces, or ValidationError naming the rule it breaks (La Poste
    establishments follow their own rule: the sum of the 14 digits is a multiple of 5)."""
    return _validated(
        stdnum_siret,
        value,
        field,
        {
            stdnum_errors.InvalidLength: _("Un SIRET compte 14 chiffres (SIREN + NIC)."),
            stdnum_errors.InvalidFormat: _("Un SIRET ne contient que des chiffres."),
            stdnum_errors.InvalidChecksum: _(
                "Ce SIRET est invalide : sa clé de contrôle (formule de Luhn) ne correspond pas."
            ),
        },
    )


def _clean(values: dict[str, Any], instance: Organisation | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            errors["name"] = _("Le nom est obligatoire.")
    if cleaned.get("siren"):
        try:
            cleaned["siren"] = validate_siren(cleaned["siren"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        else:
            taken = Organisation.objects.filter(siren=cleaned["siren"])
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                errors["siren"] = _("Une organisation avec ce SIREN existe déjà dans l'annuaire.")
    elif "siren" in cleaned:
        cleaned["siren"] = None
    if cleaned.get("naf") and not naf_rules.is_naf_code(cleaned["naf"]):
        errors["naf"] = _("Code NAF attendu au format 62.01Z (NAF rév. 2).")
    if cleaned.get("categorie_juridique") and not (
        len(cleaned["categorie_juridique"]) == 4 and cleaned["categorie_juridique"].isdigit()
    ):
        errors["categorie_juridique"] = _("La catégorie juridique compte 4 chiffres (ex. 9220).")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _classify(organisation: Organisation) -> None:
    if organisation.actor_type_override:
        return
    result = classification.classify(
        organisation.categorie_juridique or None,
        organisation.ess,
        organisation.naf or None,
        organisation.tranche_effectifs or None,
        has_siren=bool(organisation.siren),
    )
    organisation.actor_type = result.actor_type
    organisation.ess_family = result.ess_family
    organisation.size_class = result.size_class
    organisation.classification_reason = result.reason


def _search_text(organisation: Organisation) -> str:
    return normalize(" ".join(p for p in (organisation.name, organisation.acronym) if p))


@transaction.atomic
def create_organisation(acting_user: User | None, **values: Any) -> Organisation:
    if acting_user is not None and not permissions.can_create_organisation(acting_user):
        raise PermissionDenied(
            _(
                "Seuls la coordination d'un pôle et l'équipe de la plateforme peuvent ajouter une organisation."
            )
        )
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"create_organisation() got unknown fields {sorted(unknown)}")
    cleaned = _clean(values, None)
    organisation = Organisation(source=Source.MANUAL, **cleaned)
    _classify(organisation)
    organisation.search_text = _search_text(organisation)
    organisation.full_clean(exclude=["search_text"])
    organisation.save()
    audit.record(
        acting_user,
        verb="create_organisation",
        obj=organisation,
        action=AuditEntry.Action.CREATE,
        after=audit.snapshot(organisation, _AUDITED),
    )
    return organisation


@transaction.atomic
def update_organisation(
    acting_user: User | None, *, organisation: Organisation, **values: Any
) -> Organisation:
    if acting_user is not None and not permissions.can_change_organisation(
        acting_user, organisation
    ):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette organisation."))
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"update_organisation() got unknown fields {sorted(unknown)}")
    before = audit.snapshot(organisation, _AUDITED)
    for name, value in _clean(values, organisation).items():
        setattr(organisation, name, value)
    _classify(organisation)
    organisation.search_text = _search_text(organisation)
    organisation.full_clean(exclude=["search_text"])
    organisation.save()
    audit.record(
        acting_user,
        verb="update_organisation",
        obj=organisation,
        before=before,
        after=audit.snapshot(organisation, _AUDITED),
    )
    return organisation


@transaction.atomic
def declare_actor_type(
    acting_user: User | None,
    *,
    organisation: Organisation,
    actor_type: str | None,
    ess_family: str = "",
    reason: str = "",
) -> Organisation:
    """Override the computed actor type, with a reason; `actor_type=None` goes back to the
    classification computed from the register."""
    if acting_user is not None and not permissions.can_change_organisation(
        acting_user, organisation
    ):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette organisation."))
    before = audit.snapshot(organisation, _AUDITED)
    if actor_type is None:
        organisation.actor_type_override = False
        _classify(organisation)
    else:
        errors = {}
        if actor_type not in ActorType.values:
            errors["actor_type"] = _("Type d'acteur inconnu : %(v)s.") % {"v": actor_type}
        if actor_type == ActorType.ESS and ess_family not in EssFamily.values:
            errors["ess_family"] = _("Précisez la famille de l'ESS (association, coopérative…).")
        if not reason.strip():
            errors["reason"] = _("Indiquez pourquoi le type calculé ne convient pas.")
        if errors:
            raise ValidationError(errors)
        organisation.actor_type = actor_type
        organisation.ess_family = ess_family if actor_type == ActorType.ESS else ""
        organisation.actor_type_override = True
        organisation.classification_reason = "declared"
    organisation.save()
    audit.record(
        acting_user,
        verb="declare_actor_type",
        obj=organisation,
        before=before,
        after={**audit.snapshot(organisation, _AUDITED), "reason": reason.strip()},
    )
    return organisation


@transaction.atomic
def add_establishment(
    acting_user: User | None,
    *,
    organisation: Organisation,
    siret: str = "",
    name: str = "",
    address: str = "",
    code_postal: str = "",
    code_commune: str = "",
    lat: float | None = None,
    lon: float | None = None,
    siege: bool = False,
    naf: str = "",
    tranche_effectifs: str = "",
) -> Establishment:
    if acting_user is not None and not permissions.can_change_organisation(
        acting_user, organisation
    ):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette organisation."))
    errors: dict[str, str] = {}
    if siret:
        try:
            siret = validate_siret(siret)
        except ValidationError as exc:
            errors["siret"] = exc.message_dict["siret"][0]
        else:
            if organisation.siren and not siret.startswith(organisation.siren):
                errors["siret"] = _("Ce SIRET n'appartient pas au SIREN %(siren)s.") % {
                    "siren": organisation.siren
                }
            elif Establishment.objects.filter(siret=siret).exists():
                errors["siret"] = _("Un établissement avec ce SIRET existe déjà.")
    if naf and not naf_rules.is_naf_code(naf):
        errors["naf"] = _("Code NAF attendu au format 62.01Z (NAF rév. 2).")
    if tranche_effectifs and tranche_effectifs not in HEADCOUNT_BANDS:
        errors["tranche_effectifs"] = _("Tranche d'effectifs inconnue : %(v)s.") % {
            "v": tranche_effectifs
        }
    commune = Commune.objects.filter(code_insee=code_commune).first() if code_commune else None
    if code_commune and commune is None:
        errors["code_commune"] = _("Code commune inconnu : %(code)s.") % {"code": code_commune}
    if errors:
        raise ValidationError(errors)
    precision = Establishment.Precision.NONE
    if lat is not None and lon is not None:
        precision = Establishment.Precision.EXACT
    elif commune is not None:
        lat, lon, precision = commune.lat, commune.lon, Establishment.Precision.COMMUNE
    establishment = Establishment.objects.create(
        organisation=organisation,
        siret=siret or None,
        name=name.strip(),
        address=address.strip(),
        code_postal=code_postal.strip(),
        code_commune=code_commune,
        commune=commune,
        departement=commune.departement_id if commune else "",
        lat=lat,
        lon=lon,
        precision=precision,
        siege=siege,
        naf=naf,
        tranche_effectifs=tranche_effectifs,
        source=Source.MANUAL,
    )
    audit.record(
        acting_user, verb="add_establishment", obj=establishment, action=AuditEntry.Action.CREATE
    )
    return establishment


CONTACT_FIELDS = ("first_name", "last_name", "role", "email", "phone", "visibility")


@transaction.atomic
def add_contact(
    acting_user: User | None,
    *,
    organisation: Organisation,
    consent_text: str,
    **values: Any,
) -> Contact:
    """A person attached to an organisation; their consent is required and recorded."""
    if acting_user is not None and not permissions.can_change_organisation(
        acting_user, organisation
    ):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette organisation."))
    if not consent_text.strip():
        raise ValidationError(
            {"consent": _("Le consentement de la personne est requis pour l'enregistrer.")}
        )
    contact = Contact(
        organisation=organisation,
        consent_given_at=timezone.now(),
        consent_text=consent_text.strip(),
        **{k: v for k, v in values.items() if k in CONTACT_FIELDS},
    )
    contact.full_clean()
    contact.save()
    audit.record(
        acting_user,
        verb="add_contact",
        obj=contact,
        action=AuditEntry.Action.CREATE,
        after={"organisation": organisation.pk},
    )
    return contact


def export_contact_data(contact: Contact) -> dict[str, Any]:
    """Everything the platform holds about a person (right of access, GDPR art. 15)."""
    return {
        "prenom": contact.first_name,
        "nom": contact.last_name,
        "fonction": contact.role,
        "email": contact.email,
        "telephone": contact.phone,
        "organisation": contact.organisation.name,
        "consentement": {
            "date": contact.consent_given_at.isoformat() if contact.consent_given_at else None,
            "texte": contact.consent_text,
        },
        "visibilite": contact.visibility,
        "cree_le": contact.created_at.isoformat(),
        "modifie_le": contact.updated_at.isoformat(),
    }


@transaction.atomic
def erase_contact(acting_user: User | None, *, contact: Contact) -> None:
    """Erase a person's data (GDPR art. 17). The audit entry keeps no personal data."""
    if acting_user is not None and not permissions.can_change_organisation(
        acting_user, contact.organisation
    ):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette organisation."))
    label = _("contact n° %(pk)s (effacé)") % {"pk": contact.pk}
    audit.forget(contact, label=label)
    audit.record(
        acting_user,
        verb="erase_contact",
        obj=contact,
        action=AuditEntry.Action.DELETE,
        before={"organisation": contact.organisation_id},
        after={},
        object_repr=label,
    )
    contact.delete()


@transaction.atomic
def affiliate(
    acting_user: User | None, *, user: User, organisation: Organisation, position: str = ""
) -> Affiliation:
    """Record that `user` speaks for `organisation` (idempotent)."""
    if acting_user is not None and not permissions.can_change_organisation(
        acting_user, organisation
    ):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette organisation."))
    affiliation, created = Affiliation.objects.get_or_create(
        user=user, organisation=organisation, defaults={"position": position.strip()}
    )
    if created:
        audit.record(
            acting_user,
            verb="affiliate",
            obj=affiliation,
            action=AuditEntry.Action.CREATE,
            after={"user": user.pk, "organisation": organisation.pk},
        )
    return affiliation
