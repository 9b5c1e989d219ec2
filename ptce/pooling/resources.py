"""Writes on shared resources: create (also as a draft, for cooperation), update, archive,
units, availability, the organisations that share them, and iCal feed tokens.

Every function checks the acting user's permission (None = the system), validates with a
French message keyed by field, runs in a transaction and records an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.actors.models import Organisation
from ptce.core import audit
from ptce.core.choices import Role
from ptce.core.models import AuditEntry, User
from ptce.poles import permissions
from ptce.poles.models import Membership, Pole
from ptce.pooling import booking_rules
from ptce.pooling.models import (
    ClosedDay,
    FeedToken,
    OpeningHours,
    Ownership,
    Period,
    PeriodStatus,
    Resource,
    ResourceKind,
    ResourceShare,
    ResourceStatus,
    Unit,
)

RESOURCE_FIELDS = (
    "name",
    "kind",
    "description",
    "ownership",
    "owner_id",
    "status",
    "max_booking_minutes",
    "min_notice_minutes",
    "bookable_by",
)


def require_manager(acting_user: User | None, pole: Pole) -> None:
    if acting_user is not None and not permissions.can_manage_pole(acting_user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut faire cela."))


def speaks_for(acting_user: User | None, pole: Pole, organisation_id: int) -> bool:
    """May act for this organisation on the hub: the system, coordination, or a member
    affiliated with it."""
    if acting_user is None or permissions.can_manage_pole(acting_user, pole):
        return True
    return permissions.is_member(acting_user, pole) and organisation_id in (
        permissions.member_organisation_ids(acting_user, pole)
    )


def hub_organisation_ids(pole: Pole) -> set[int]:
    """The current members and the carrier: who may book and share."""
    ids = set(pole.memberships.current().values_list("organisation_id", flat=True))
    if pole.carrier_id:
        ids.add(pole.carrier_id)
    return ids


def closed_period_on(pole: Pole, day: dt.date) -> Period | None:
    return (
        Period.objects.filter(
            pole=pole, status=PeriodStatus.CLOSED, starts_on__lte=day, ends_on__gte=day
        )
        .order_by("starts_on")
        .first()
    )


# ------------------------------------------------------------------------------ resources


def _clean_resource(pole: Pole, values: dict[str, Any], exclude_pk: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if len(cleaned["name"]) < 2:
            errors["name"] = _("Le nom de la ressource compte au moins 2 caractères.")
        elif (
            Resource.objects.filter(pole=pole, name__iexact=cleaned["name"])
            .exclude(pk=exclude_pk)
            .exists()
        ):
            errors["name"] = _("Une ressource du pôle porte déjà ce nom : %(n)s.") % {
                "n": cleaned["name"]
            }
    if "kind" in cleaned and cleaned["kind"] not in ResourceKind.values:
        errors["kind"] = _("Type de ressource inconnu : %(v)s.") % {"v": cleaned["kind"]}
    if "ownership" in cleaned and cleaned["ownership"] not in Ownership.values:
        errors["ownership"] = _("Propriété inconnue : %(v)s.") % {"v": cleaned["ownership"]}
    if cleaned.get("ownership") == Ownership.MEMBER and not cleaned.get("owner"):
        errors["owner"] = _("Indiquez le membre propriétaire de la ressource.")
    owner = cleaned.get("owner")
    if owner is not None and owner.pk not in hub_organisation_ids(pole):
        errors["owner"] = _("Le propriétaire doit être membre du pôle.")
    if cleaned.get("ownership") in (Ownership.CARRIER, Ownership.MEMBERS):
        cleaned["owner"] = None
    if "status" in cleaned and cleaned["status"] not in ResourceStatus.values:
        errors["status"] = _("Statut inconnu : %(v)s.") % {"v": cleaned["status"]}
    if "bookable_by" in cleaned and cleaned["bookable_by"] not in (Role.MEMBER, Role.COORDINATOR):
        errors["bookable_by"] = _("« Qui peut réserver » : membres ou coordination.")
    for field in ("max_booking_minutes", "min_notice_minutes"):
        value = cleaned.get(field)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[field] = _("Indiquez un nombre entier de minutes, positif.")
    if cleaned.get("max_booking_minutes") == 0:
        errors["max_booking_minutes"] = _("La réservation la plus longue doit dépasser 0 minute.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _set_shares(
    resource: Resource, organisations: Iterable[Organisation], shares: dict[int, Decimal] | None
) -> None:
    organisations = list(dict.fromkeys(organisations))
    allowed = hub_organisation_ids(resource.pole)
    outside = [o.name for o in organisations if o.pk not in allowed]
    if outside:
        raise ValidationError(
            {"organisations": _("Ne sont pas membres du pôle : %(o)s.") % {"o": ", ".join(outside)}}
        )
    shares = shares or {}
    ticked = {o.pk for o in organisations}
    for organisation_id, value in shares.items():
        if organisation_id not in ticked:
            raise ValidationError(
                {
                    "shares": _(
                        "Part de propriété pour l’organisation %(i)s, qui ne partage pas la "
                        "ressource."
                    )
                    % {"i": organisation_id}
                }
            )
        if not Decimal(value).is_finite() or not 0 <= Decimal(value) <= 100:
            raise ValidationError(
                {
                    "shares": _(
                        "Une part de propriété est comprise entre 0 et 100 %% (reçu : %(v)s)."
                    )
                    % {"v": value}
                }
            )
        if Decimal(value) != Decimal(value).quantize(Decimal("0.001")):
            raise ValidationError(
                {
                    "shares": _("Une part de propriété a au plus 3 décimales (reçu : %(v)s).")
                    % {"v": value}
                }
            )
    if resource.ownership == Ownership.MEMBERS and organisations:
        total = sum((shares.get(o.pk, Decimal(0)) for o in organisations), Decimal(0))
        if total != 100:
            raise ValidationError(
                {
                    "shares": _("Les parts de propriété doivent faire 100 %% au total (%(t)s %%).")
                    % {"t": total}
                }
            )
    ResourceShare.objects.filter(resource=resource).exclude(organisation__in=organisations).delete()
    for organisation in organisations:
        ResourceShare.objects.update_or_create(
            resource=resource,
            organisation=organisation,
            defaults={"ownership_share": shares.get(organisation.pk, Decimal(0))},
        )


def create_resource(
    acting_user: User | None,
    *,
    pole: Pole,
    name: str,
    kind: str,
    description: str = "",
    ownership: str = Ownership.CARRIER,
    owner: Organisation | None = None,
    status: str = ResourceStatus.ACTIVE,
    organisations: Iterable[Organisation] = (),
    shares: dict[int, Decimal] | None = None,
    max_booking_minutes: int | None = None,
    min_notice_minutes: int = 0,
    bookable_by: str = Role.MEMBER,
    units: Sequence[str] = (),
) -> Resource:
    """A shared resource with its bookable units (one, named after it, by default) and the
    organisations that share it (its costs are split between them; all members if none)."""
    require_manager(acting_user, pole)
    return _create_resource(
        acting_user,
        pole=pole,
        name=name,
        kind=kind,
        description=description,
        ownership=ownership,
        owner=owner,
        status=status,
        organisations=organisations,
        shares=shares,
        max_booking_minutes=max_booking_minutes,
        min_notice_minutes=min_notice_minutes,
        bookable_by=bookable_by,
        units=units,
    )


def _create_resource(
    acting_user: User | None,
    *,
    pole: Pole,
    name: str,
    kind: str,
    description: str,
    ownership: str,
    owner: Organisation | None,
    status: str,
    organisations: Iterable[Organisation],
    shares: dict[int, Decimal] | None,
    max_booking_minutes: int | None,
    min_notice_minutes: int,
    bookable_by: str,
    units: Sequence[str],
) -> Resource:
    cleaned = _clean_resource(
        pole,
        {
            "name": name,
            "kind": kind,
            "ownership": ownership,
            "owner": owner,
            "status": status,
            "bookable_by": bookable_by,
            "max_booking_minutes": max_booking_minutes,
            "min_notice_minutes": min_notice_minutes,
        },
        None,
    )
    with transaction.atomic():
        resource = Resource.objects.create(pole=pole, description=description.strip(), **cleaned)
        for unit_name in list(units) or [resource.name]:
            Unit.objects.create(resource=resource, name=unit_name.strip() or resource.name)
        _set_shares(resource, organisations, shares)
        audit.record(
            acting_user,
            verb="pooling.create_resource",
            obj=resource,
            action=AuditEntry.Action.CREATE,
            after=audit.snapshot(resource, RESOURCE_FIELDS),
        )
    return resource


def create_draft_resource(
    acting_user: User | None,
    *,
    pole: Pole,
    name: str,
    kind: str,
    organisations: Iterable[Organisation | int],
    note: str = "",
) -> Resource:
    """A draft resource proposed by some members (a pooling proposal accepted in
    cooperation): coordination completes and activates it. Any member of the hub may make
    one. `organisations` (instances or ids) become the organisations that share it; those
    that are not (or no longer) members of the hub are left out. A name already taken on
    the hub gets a number: "Camion (2)"."""
    if acting_user is not None and not permissions.is_member(acting_user, pole):
        raise PermissionDenied(_("Seuls les membres du pôle peuvent proposer une ressource."))
    if kind not in ResourceKind.values:
        raise ValidationError({"kind": _("Type de ressource inconnu : %(v)s.") % {"v": kind}})
    base = (name or "").strip()[:190]
    if len(base) < 2:
        raise ValidationError({"name": _("Le nom de la ressource compte au moins 2 caractères.")})
    allowed = hub_organisation_ids(pole)
    ids = [o if isinstance(o, int) else o.pk for o in organisations]
    sharing = list(Organisation.objects.filter(pk__in=[i for i in ids if i in allowed]))
    candidate, number = base, 1
    while Resource.objects.filter(pole=pole, name__iexact=candidate).exists():
        number += 1
        candidate = f"{base} ({number})"
    return _create_resource(
        acting_user,
        pole=pole,
        name=candidate,
        kind=kind,
        description=note or "",
        ownership=Ownership.CARRIER,
        owner=None,
        status=ResourceStatus.DRAFT,
        organisations=sharing,
        shares=None,
        max_booking_minutes=None,
        min_notice_minutes=0,
        bookable_by=Role.MEMBER,
        units=(),
    )


def update_resource(
    acting_user: User | None,
    *,
    resource: Resource,
    organisations: Iterable[Organisation] | None = None,
    shares: dict[int, Decimal] | None = None,
    **values: Any,
) -> Resource:
    require_manager(acting_user, resource.pole)
    unknown = set(values) - {f.removesuffix("_id") for f in RESOURCE_FIELDS}
    if unknown:
        raise ValidationError(_("Champs inconnus : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    values.setdefault("ownership", resource.ownership)
    if values["ownership"] == Ownership.MEMBER:
        values.setdefault("owner", resource.owner)
    cleaned = _clean_resource(resource.pole, values, resource.pk)
    with transaction.atomic():
        before = audit.snapshot(resource, RESOURCE_FIELDS)
        for field, value in cleaned.items():
            setattr(resource, field, value)
        resource.save()
        if organisations is not None:
            _set_shares(resource, organisations, shares)
        audit.record(
            acting_user,
            verb="pooling.update_resource",
            obj=resource,
            before=before,
            after=audit.snapshot(resource, RESOURCE_FIELDS),
        )
    return resource


def set_units(acting_user: User | None, *, resource: Resource, names: Sequence[str]) -> list[Unit]:
    """The bookable units, by name: new names are added, units no longer named are
    deactivated (their bookings are kept). At least one unit."""
    require_manager(acting_user, resource.pole)
    wanted = list(dict.fromkeys(n.strip()[:200] for n in names if n.strip()))
    if not wanted:
        raise ValidationError({"units": _("Une ressource a au moins une unité réservable.")})
    with transaction.atomic():
        existing = {u.name: u for u in Unit.objects.select_for_update().filter(resource=resource)}
        for name, unit in existing.items():
            if unit.active != (name in wanted):
                unit.active = name in wanted
                unit.save(update_fields=["active"])
        for name in wanted:
            if name not in existing:
                Unit.objects.create(resource=resource, name=name)
        audit.record(acting_user, verb="pooling.set_units", obj=resource, after={"units": wanted})
    return list(resource.units.filter(active=True))


def archive_resource(acting_user: User | None, *, resource: Resource) -> Resource:
    return update_resource(acting_user, resource=resource, status=ResourceStatus.ARCHIVED)


def set_availability(
    acting_user: User | None,
    *,
    resource: Resource,
    opening: dict[int, list[tuple[dt.time, dt.time]]],
    closed_days: Iterable[dt.date] = (),
) -> None:
    """Opening hours per weekday (0 = Monday; none at all = always open) and closed days."""
    require_manager(acting_user, resource.pole)
    errors: list[str] = []
    for weekday, windows in opening.items():
        if not 0 <= weekday <= 6:
            errors.append(_("Jour inconnu : %(d)s.") % {"d": weekday})
        for opens, closes in windows:
            if closes <= opens:
                errors.append(
                    _("%(day)s : la fermeture (%(c)s) doit suivre l’ouverture (%(o)s).")
                    % {"day": booking_rules.WEEKDAYS[weekday % 7], "o": opens, "c": closes}
                )
    if errors:
        raise ValidationError({"opening": errors})
    with transaction.atomic():
        OpeningHours.objects.filter(resource=resource).delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(resource=resource, weekday=w, opens=a, closes=b)
            for w, windows in sorted(opening.items())
            for a, b in windows
        )
        ClosedDay.objects.filter(resource=resource).delete()
        ClosedDay.objects.bulk_create(
            ClosedDay(resource=resource, day=day) for day in sorted(set(closed_days))
        )
        audit.record(
            acting_user,
            verb="pooling.set_availability",
            obj=resource,
            after={
                "opening": {
                    str(w): [f"{a:%H:%M}-{b:%H:%M}" for a, b in ws] for w, ws in opening.items()
                },
                "closed_days": [d.isoformat() for d in sorted(set(closed_days))],
            },
        )


def rules_of(resource: Resource) -> booking_rules.Rules:
    opening: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in resource.opening_hours.all():
        opening.setdefault(row.weekday, []).append((row.opens, row.closes))
    return booking_rules.Rules(
        opening=opening,
        closed_days=frozenset(row.day for row in resource.closed_days.all()),
        max_minutes=resource.max_booking_minutes,
        min_notice_minutes=resource.min_notice_minutes,
    )


# ---------------------------------------------------------------------------------- feeds


def create_feed_token(
    acting_user: User | None,
    *,
    pole: Pole,
    resource: Resource | None = None,
    organisation: Organisation | None = None,
) -> FeedToken:
    """A secret iCal feed of a resource (any role) or of a member organisation (it speaks
    for it); an existing live token of the same feed is revoked."""
    if (resource is None) == (organisation is None):
        raise ValidationError(_("Un flux porte sur une ressource ou sur une organisation."))
    if acting_user is not None:
        if resource is not None and not permissions.can_observe(acting_user, pole):
            raise PermissionDenied(_("Réservé aux personnes du pôle."))
        if organisation is not None and not speaks_for(acting_user, pole, organisation.pk):
            raise PermissionDenied(_("Vous ne parlez pas au nom de cette organisation."))
    if organisation is not None and organisation.pk not in hub_organisation_ids(pole):
        raise ValidationError(
            {"organisation": _("%(o)s n’est pas membre du pôle.") % {"o": organisation.name}}
        )
    if resource is not None and resource.pole_id != pole.pk:
        raise ValidationError({"resource": _("Cette ressource n’est pas partagée par ce pôle.")})
    with transaction.atomic():
        FeedToken.objects.filter(
            pole=pole, resource=resource, organisation=organisation, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        token = FeedToken.objects.create(
            pole=pole, resource=resource, organisation=organisation, created_by=acting_user
        )
        audit.record(
            acting_user,
            verb="pooling.create_feed_token",
            obj=token,
            action=AuditEntry.Action.CREATE,
            after={"resource_id": token.resource_id, "organisation_id": token.organisation_id},
        )
    return token


def feed_is_live(token: FeedToken) -> bool:
    """A feed works while its maker still holds a role on the hub (an organisation's feed:
    while they still speak for it); feeds made by the system always work."""
    maker = token.created_by
    if maker is None:
        return True
    if not maker.is_active or not permissions.can_observe(maker, token.pole):
        return False
    if token.organisation_id is not None:
        return speaks_for(maker, token.pole, token.organisation_id)
    return True


def feed_shows_who(token: FeedToken) -> bool:
    """Who booked is in the feed only when its maker may see it on the pages (members and
    coordination); an observer's feed says "réservé"."""
    maker = token.created_by
    return maker is None or permissions.is_member(maker, token.pole)


def revoke_feed_token(acting_user: User | None, *, token: FeedToken) -> None:
    if acting_user is not None and not (
        permissions.can_manage_pole(acting_user, token.pole)
        or token.created_by_id == acting_user.pk
    ):
        raise PermissionDenied(
            _("Seule la personne qui a créé ce flux, ou la coordination, peut le révoquer.")
        )
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            acting_user, verb="pooling.revoke_feed_token", obj=token, after={"revoked": True}
        )


def members_of(resource: Resource, day: dt.date) -> list[Organisation]:
    """The organisations that share the resource's costs: those named on it, else the
    members of the hub on `day`."""
    named = [share.organisation for share in resource.shares.select_related("organisation")]
    if named:
        return sorted(named, key=lambda o: (o.name, o.pk))
    rows = (
        Membership.objects.at(day).filter(pole_id=resource.pole_id).select_related("organisation")
    )
    return sorted({m.organisation for m in rows}, key=lambda o: (o.name, o.pk))
