"""Writes on hubs: identity, perimeter, members, colleges, roles and invitations.

Every function checks the acting user's permission (None = the system), validates with a
French message naming the field, runs in a transaction and records an audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ptce.actors import member_list, naf
from ptce.actors import services as actor_services
from ptce.actors.models import Organisation
from ptce.core import audit
from ptce.core.choices import Role, Visibility
from ptce.core.i18n import translate
from ptce.core.models import AuditEntry, User
from ptce.poles import colleges as college_rules
from ptce.poles import permissions
from ptce.poles.models import (
    College,
    Dynamic,
    Impulse,
    Invitation,
    LegalForm,
    Maturity,
    MemberRole,
    Membership,
    Objective,
    Pole,
    PoleRole,
    Specificity,
)
from ptce.territories.models import Commune, Perimeter
from ptce.territories.services import save_perimeter

INVITATION_DAYS = 14
POLE_FIELDS = (
    "name",
    "description",
    "carrier",
    "legal_form",
    "carrier_private_law",
    "created_on",
    "shared_place",
    "shared_place_name",
    "shared_place_address",
    "impulse",
    "dynamic",
    "objectives",
    "specificities",
    "maturity",
    "naf_sections",
    "tags",
    "website",
    "contact_email",
    "charter",
    "common_strategy_formalised",
    "long_term_commitment",
    "pooled_resources",
    "visibility",
    "commune",
    "is_demo",
)
_AUDITED = (
    *tuple(f for f in POLE_FIELDS if f not in {"carrier", "maturity", "commune"}),
    "carrier_id",
    "maturity_id",
    "commune_id",
    "perimeter_id",
)


def _require_manager(acting_user: User | None, pole: Pole) -> None:
    if acting_user is not None and not permissions.can_manage_pole(acting_user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut faire cela."))


def _choices(field: str, values: Any, allowed: Sequence[str], label: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError(
            {
                field: _("%(label)s inconnu(s) : %(v)s.")
                % {"label": label, "v": ", ".join(map(str, unknown))}
            }
        )
    return values


def _clean_identity(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    errors: dict[str, str] = {}
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if len(cleaned["name"]) < 3:
            errors["name"] = _("Le nom du pôle compte au moins 3 caractères.")
    checks = {
        "legal_form": (LegalForm.values, _("Forme juridique")),
        "impulse": (Impulse.values, _("Impulsion")),
        "dynamic": (Dynamic.values, _("Dynamique")),
    }
    for field, (allowed, label) in checks.items():
        if cleaned.get(field) and cleaned[field] not in allowed:
            errors[field] = _("%(label)s inconnue : %(v)s.") % {"label": label, "v": cleaned[field]}
    if cleaned.get("visibility") and cleaned["visibility"] not in Visibility.values:
        errors["visibility"] = _("Visibilité inconnue : %(v)s.") % {"v": cleaned["visibility"]}
    try:
        if "objectives" in cleaned:
            cleaned["objectives"] = _choices(
                "objectives", cleaned["objectives"], Objective.values, _("Objectif(s)")
            )
        if "specificities" in cleaned:
            cleaned["specificities"] = _choices(
                "specificities", cleaned["specificities"], Specificity.values, _("Spécificité(s)")
            )
        if "naf_sections" in cleaned:
            cleaned["naf_sections"] = _choices(
                "naf_sections",
                [str(s).upper() for s in cleaned["naf_sections"] or []],
                list(naf.SECTIONS),
                _("Section(s) NAF"),
            )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if "tags" in cleaned:
        cleaned["tags"] = [t.strip()[:40] for t in cleaned["tags"] or [] if t and t.strip()][:20]
    if cleaned.get("created_on"):
        try:
            cleaned["created_on"] = _parse_day(cleaned["created_on"], "created_on")
        except ValidationError as exc:
            errors["created_on"] = exc.message_dict["created_on"][0]
        else:
            if cleaned["created_on"] > timezone.localdate():
                errors["created_on"] = _("La date de création ne peut être dans le futur.")
    if isinstance(cleaned.get("maturity"), str):
        maturity = Maturity.objects.filter(code=cleaned["maturity"]).first()
        if maturity is None:
            errors["maturity"] = _("Maturité inconnue : %(v)s.") % {"v": cleaned["maturity"]}
        cleaned["maturity"] = maturity
    if isinstance(cleaned.get("commune"), str):
        commune = Commune.objects.filter(code_insee=cleaned["commune"]).first()
        if commune is None:
            errors["commune"] = _("Code commune inconnu : %(v)s.") % {"v": cleaned["commune"]}
        cleaned["commune"] = commune
    if isinstance(cleaned.get("carrier"), int):
        cleaned["carrier"] = Organisation.objects.filter(pk=cleaned["carrier"]).first()
        if cleaned["carrier"] is None:
            errors["carrier"] = _("Structure porteuse introuvable dans l'annuaire.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _place(pole: Pole) -> None:
    """The hub's point on the map and its région and département, from its commune."""
    commune = pole.commune
    if commune is None and pole.perimeter_id:
        commune = pole.perimeter.communes.order_by("-population").first()
    if commune is not None:
        pole.lat, pole.lon = commune.lat, commune.lon
        pole.departement_id, pole.region_id = commune.departement_id, commune.region_id


def _unique_slug(name: str, slug: str | None, exclude_pk: int | None = None) -> str:
    base = slugify(slug or name)[:70] or "pole"
    candidate, n = base, 1
    others = Pole.objects.exclude(pk=exclude_pk)
    while others.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def create_pole(
    acting_user: User | None,
    *,
    name: str,
    slug: str | None = None,
    visibility: str = Visibility.PUBLIC,
    **values: Any,
) -> Pole:
    """Create a hub; its creator (if any) becomes its coordinator."""
    if acting_user is not None and not acting_user.is_authenticated:
        raise PermissionDenied(_("Connectez-vous pour créer un pôle."))
    unknown = set(values) - set(POLE_FIELDS)
    if unknown:
        raise TypeError(f"create_pole() got unknown fields {sorted(unknown)}")
    cleaned = _clean_identity({"name": name, "visibility": visibility, **values})
    pole = Pole(**cleaned)
    pole.slug = _unique_slug(cleaned["name"], slug)
    _place(pole)
    pole.full_clean()
    pole.save()
    audit.record(
        acting_user,
        verb="create_pole",
        obj=pole,
        action=AuditEntry.Action.CREATE,
        after=audit.snapshot(pole, _AUDITED),
    )
    if acting_user is not None:
        PoleRole.objects.create(pole=pole, user=acting_user, role=Role.COORDINATOR)
    return pole


@transaction.atomic
def update_pole(acting_user: User | None, *, pole: Pole, **values: Any) -> Pole:
    _require_manager(acting_user, pole)
    unknown = set(values) - set(POLE_FIELDS)
    if unknown:
        raise TypeError(f"update_pole() got unknown fields {sorted(unknown)}")
    before = audit.snapshot(pole, _AUDITED)
    for field, value in _clean_identity(values).items():
        setattr(pole, field, value)
    _place(pole)
    pole.full_clean()
    pole.save()
    audit.record(
        acting_user,
        verb="update_pole",
        obj=pole,
        before=before,
        after=audit.snapshot(pole, _AUDITED),
    )
    return pole


@transaction.atomic
def set_perimeter(
    acting_user: User | None, *, pole: Pole, definition: dict[str, Any], name: str = ""
) -> Perimeter:
    """Build (or rebuild) the hub's perimeter from communes, EPCI, départements, régions, radii."""
    _require_manager(acting_user, pole)
    perimeter = save_perimeter(
        acting_user,
        name=name or _("Périmètre de %(pole)s") % {"pole": pole.name},
        definition=definition,
        perimeter=pole.perimeter,
    )
    if pole.perimeter_id != perimeter.pk:
        before = {"perimeter_id": pole.perimeter_id}
        pole.perimeter = perimeter
        _place(pole)
        pole.save()
        audit.record(
            acting_user,
            verb="set_perimeter",
            obj=pole,
            before=before,
            after={"perimeter_id": perimeter.pk},
        )
    return perimeter


def _parse_day(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Date attendue au format AAAA-MM-JJ.")}) from None


@transaction.atomic
def add_member(
    acting_user: User | None,
    *,
    pole: Pole,
    organisation: Organisation,
    role: str = MemberRole.MEMBER,
    joined_on: dt.date | str | None = None,
    college: College | None = None,
    actor_type_override: str = "",
    actor_type_reason: str = "",
    visibility: str = Visibility.PUBLIC,
) -> Membership:
    """Add an organisation to the hub's members. An organisation is a current member once."""
    from ptce.actors.models import ActorType

    _require_manager(acting_user, pole)
    errors: dict[str, str] = {}
    if role not in MemberRole.values:
        errors["role"] = _("Rôle de membre inconnu : %(v)s.") % {"v": role}
    if actor_type_override and actor_type_override not in ActorType.values:
        errors["actor_type_override"] = _("Type d'acteur inconnu : %(v)s.") % {
            "v": actor_type_override
        }
    if actor_type_override and not actor_type_reason.strip():
        errors["actor_type_reason"] = _("Indiquez pourquoi le type calculé ne convient pas.")
    if college is not None and college.pole_id != pole.pk:
        errors["college"] = _("Ce collège n'appartient pas à ce pôle.")
    if visibility not in Visibility.values:
        errors["visibility"] = _("Visibilité inconnue : %(v)s.") % {"v": visibility}
    day = _parse_day(joined_on, "joined_on") if joined_on else timezone.localdate()
    if Membership.objects.current().filter(pole=pole, organisation=organisation).exists():
        errors["organisation"] = _("%(org)s est déjà membre de ce pôle.") % {
            "org": organisation.name
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                pole=pole,
                organisation=organisation,
                role=role,
                joined_on=day,
                college=college,
                actor_type_override=actor_type_override,
                actor_type_reason=actor_type_reason.strip(),
                visibility=visibility,
            )
    except IntegrityError:
        raise ValidationError(
            {"organisation": _("%(org)s est déjà membre de ce pôle.") % {"org": organisation.name}}
        ) from None
    audit.record(
        acting_user,
        verb="add_member",
        obj=membership,
        action=AuditEntry.Action.CREATE,
        after=audit.snapshot(membership),
    )
    return membership


@transaction.atomic
def end_membership(
    acting_user: User | None, *, membership: Membership, left_on: dt.date | str | None = None
) -> Membership:
    """A member leaves: the membership ends on `left_on`; it is kept for history."""
    _require_manager(acting_user, membership.pole)
    if membership.left_on is not None:
        raise ValidationError({"left_on": _("Cette adhésion est déjà terminée.")})
    day = _parse_day(left_on, "left_on") if left_on else timezone.localdate()
    if day < membership.joined_on:
        raise ValidationError(
            {
                "left_on": _("La date de sortie ne peut précéder la date d'entrée (%(d)s).")
                % {"d": membership.joined_on.strftime("%d/%m/%Y")}
            }
        )
    before = audit.snapshot(membership, ["left_on"])
    membership.left_on = day
    membership.save(update_fields=["left_on"])
    audit.record(
        acting_user,
        verb="end_membership",
        obj=membership,
        before=before,
        after=audit.snapshot(membership, ["left_on"]),
    )
    return membership


@transaction.atomic
def set_colleges(
    acting_user: User | None, *, pole: Pole, colleges: Sequence[tuple[str, Any]]
) -> list[College]:
    """Replace the hub's voting colleges; every rule broken is named (at least three colleges,
    weights summing to 100 %, none above 50 %, none below 10 % unless the setting is off)."""
    _require_manager(acting_user, pole)
    inputs = []
    for index, (name, weight) in enumerate(colleges):
        try:
            value = Decimal(str(weight).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(
                {"weight": _("Poids du collège n° %(n)s : nombre attendu.") % {"n": index + 1}}
            ) from None
        inputs.append(college_rules.CollegeInput(name=str(name).strip(), weight=value))
    problems = college_rules.validate_colleges(
        inputs, min_share_rule=getattr(settings, "PTCE_COLLEGE_MIN_SHARE_RULE", True)
    )
    if problems:
        messages: dict[str, list[str]] = {}
        for problem in problems:
            messages.setdefault(problem.field, []).append(translate(problem.text))
        raise ValidationError(messages)
    before = {"colleges": [[c.name, str(c.weight)] for c in pole.colleges.all()]}
    existing = {c.name: c for c in pole.colleges.all()}
    kept = []
    for order, item in enumerate(inputs):
        college = existing.pop(item.name, None) or College(pole=pole, name=item.name)
        college.weight, college.order = item.weight, order
        college.save()
        kept.append(college)
    for stale in existing.values():
        stale.delete()
    audit.record(
        acting_user,
        verb="set_colleges",
        obj=pole,
        before=before,
        after={"colleges": [[c.name, str(c.weight)] for c in kept]},
    )
    return kept


def grant_role(acting_user: User | None, *, pole: Pole, user: User, role: str) -> PoleRole:
    _require_manager(acting_user, pole)
    if role not in Role.values:
        raise ValidationError({"role": _("Rôle inconnu : %(role)s.") % {"role": role}})
    with transaction.atomic():
        pole_role, created = PoleRole.objects.get_or_create(pole=pole, user=user, role=role)
        if created:
            audit.record(
                acting_user,
                verb="grant_role",
                obj=pole_role,
                action=AuditEntry.Action.CREATE,
                after={"pole": pole.pk, "user": user.pk, "role": role},
            )
    user.__dict__.pop("_ptce_pole_roles", None)
    return pole_role


@transaction.atomic
def revoke_role(acting_user: User | None, *, pole: Pole, user: User, role: str) -> None:
    _require_manager(acting_user, pole)
    pole_role = PoleRole.objects.filter(pole=pole, user=user, role=role).first()
    if pole_role is not None:
        if role == Role.COORDINATOR and pole.roles.filter(role=Role.COORDINATOR).count() == 1:
            raise ValidationError(
                {"role": _("Un pôle garde au moins une personne à la coordination.")}
            )
        audit.record(
            acting_user,
            verb="revoke_role",
            obj=pole_role,
            action=AuditEntry.Action.DELETE,
            before={"pole": pole.pk, "user": user.pk, "role": role},
            after={},
        )
        pole_role.delete()
    user.__dict__.pop("_ptce_pole_roles", None)


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def invite(
    acting_user: User | None,
    *,
    pole: Pole,
    email: str,
    role: str = Role.MEMBER,
    organisation: Organisation | None = None,
    accept_url: str = "",
) -> tuple[Invitation, str]:
    """Invite a person by e-mail; the link (valid INVITATION_DAYS days) is sent and returned."""
    _require_manager(acting_user, pole)
    email = (email or "").strip().lower()
    errors: dict[str, str] = {}
    if "@" not in email or len(email) < 6:
        errors["email"] = _("Adresse e-mail invalide.")
    if role not in Role.values:
        errors["role"] = _("Rôle inconnu : %(role)s.") % {"role": role}
    if errors:
        raise ValidationError(errors)
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        pole=pole,
        email=email,
        role=role,
        organisation=organisation,
        token_hash=_token_hash(raw),
        invited_by=acting_user,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    link = (accept_url or settings.SITE_URL.rstrip("/") + "/invitations/{token}/").replace(
        "{token}", raw
    )
    context = {"pole": pole, "invitation": invitation, "link": link, "days": INVITATION_DAYS}
    send_mail(
        subject=_("Invitation à rejoindre %(pole)s sur ptce") % {"pole": pole.name},
        message=render_to_string("poles/email/invitation.txt", context),
        from_email=None,
        recipient_list=[email],
    )
    audit.record(
        acting_user,
        verb="invite",
        obj=invitation,
        action=AuditEntry.Action.CREATE,
        after={"pole": pole.pk, "email": email, "role": role},
    )
    return invitation, raw


def find_invitation(raw: str) -> Invitation | None:
    """The pending, unexpired invitation behind a link, or None."""
    return (
        Invitation.objects.select_related("pole", "organisation")
        .filter(
            token_hash=_token_hash(raw), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )


@transaction.atomic
def accept_invitation(
    raw: str,
    *,
    user: User | None = None,
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Accept an invitation: the person signs in (or chooses a password), gets the role on
    the hub and is linked to the organisation."""
    from django.contrib.auth.password_validation import validate_password

    from ptce.core.services import create_user

    invitation = find_invitation(raw)
    if invitation is None:
        raise ValidationError(
            {"token": _("Ce lien d'invitation est invalide, déjà utilisé ou expiré.")}
        )
    if user is None:
        existing = User.objects.filter(email=invitation.email).first()
        if existing is not None:
            raise ValidationError(
                {
                    "email": _(
                        "Un compte existe déjà pour cette adresse : connectez-vous pour accepter."
                    )
                }
            )
        try:
            validate_password(
                password, User(email=invitation.email, first_name=first_name, last_name=last_name)
            )
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user = create_user(
            None,
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
    elif user.email.lower() != invitation.email:
        raise ValidationError({"email": _("Cette invitation a été envoyée à une autre adresse.")})
    PoleRole.objects.get_or_create(pole=invitation.pole, user=user, role=invitation.role)
    if invitation.organisation is not None:
        actor_services.affiliate(None, user=user, organisation=invitation.organisation)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        user,
        verb="accept_invitation",
        obj=invitation,
        before={"accepted_at": None},
        after={"accepted_at": invitation.accepted_at.isoformat()},
    )
    user.__dict__.pop("_ptce_pole_roles", None)
    return user


@transaction.atomic
def add_members_from_list(
    acting_user: User | None, *, pole: Pole, preview: member_list.Preview
) -> tuple[int, int]:
    """Add every organisation of a previewed member list (creating the new ones), all or
    nothing; organisations already members are counted, not added twice.
    Returns (added, already members)."""
    _require_manager(acting_user, pole)
    organisations = member_list.apply(acting_user, preview)
    current = set(pole.memberships.current().values_list("organisation_id", flat=True))
    added = already = 0
    for organisation in organisations:
        if organisation.pk in current:
            already += 1
            continue
        try:
            add_member(acting_user, pole=pole, organisation=organisation)
        except ValidationError as error:
            raise ValidationError(
                _("%(org)s : %(why)s Rien n’a été importé.")
                % {"org": organisation.name, "why": " ".join(error.messages)}
            ) from None
        current.add(organisation.pk)
        added += 1
    return added, already
