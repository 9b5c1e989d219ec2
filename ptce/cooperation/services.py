"""Writes on cooperation: needs and offers, links, synergy runs and answers to proposals.

Every function checks the acting user's permission (None = the system), validates with a
French message naming the field, runs in a transaction and records an audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.actors.models import Establishment, Organisation
from ptce.cooperation import units
from ptce.cooperation.models import (
    Confidentiality,
    CooperationLink,
    Declaration,
    DeclarationStatus,
    Kind,
    LinkSource,
    LinkType,
    LinkVisibility,
    PriceIntent,
    Proposal,
    ProposalKind,
    ProposalOrganisation,
    ProposalStatus,
    Side,
    SynergyRun,
)
from ptce.cooperation.prospects import Candidate
from ptce.cooperation.reference import KINDS
from ptce.cooperation.synergies import run_all
from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.poles import permissions
from ptce.poles.models import Membership, Pole

MAX_CANDIDATES = 20_000  # directory organisations loaded as prospects, at most
MAX_ITEMS = 200_000

# kind of an exchange -> type of the link it becomes
EXCHANGE_LINK_TYPES: dict[str, str] = {
    "premises": LinkType.SHARED_RESOURCE,
    "equipment": LinkType.SHARED_RESOURCE,
    "vehicles": LinkType.SHARED_RESOURCE,
    "land": LinkType.SHARED_RESOURCE,
    "data_software": LinkType.SHARED_RESOURCE,
    "skills": LinkType.KNOWLEDGE,
    "staff_time": LinkType.SHARED_EMPLOYEE,
    "group_purchasing": LinkType.PURCHASE,
    "services": LinkType.PURCHASE,
    "material_flows": LinkType.PURCHASE,
    "energy": LinkType.PURCHASE,
}
# kind of a pool -> kind of the draft shared resource (ptce.pooling)
POOL_RESOURCE_KINDS: dict[str, str] = {
    "premises": "premises",
    "vehicles": "vehicle",
    "equipment": "equipment",
}

DECLARATION_FIELDS = (
    "side",
    "kind",
    "category",
    "title",
    "description",
    "quantity",
    "unit",
    "periodicity",
    "start_on",
    "end_on",
    "max_km",
    "price_intent",
    "cost_cents_per_year",
    "confidentiality",
    "establishment",
)


# ------------------------------------------------------------------------------ helpers


def _require_manager(acting_user: User | None, pole: Pole) -> None:
    if acting_user is not None and not permissions.can_manage_pole(acting_user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut faire cela."))


def _speaks_for(acting_user: User | None, pole: Pole, organisation_ids: Iterable[int]) -> bool:
    if acting_user is None or permissions.can_manage_pole(acting_user, pole):
        return True
    if not permissions.is_member(acting_user, pole):
        return False
    return bool(permissions.member_organisation_ids(acting_user, pole) & set(organisation_ids))


def _is_member_org(pole: Pole, organisation: Organisation, *, current: bool = True) -> bool:
    qs = Membership.objects.filter(pole=pole, organisation=organisation)
    return (qs.current() if current else qs).exists()


def _day(value: Any, field: str, errors: dict[str, str]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Date invalide : « %(v)s » (format AAAA-MM-JJ attendu).") % {"v": value}
        return None


def _decimal(value: Any, field: str, errors: dict[str, str], label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        errors[field] = _("%(label)s : nombre attendu, « %(v)s » reçu.") % {
            "label": label,
            "v": value,
        }
        return None
    if not number.is_finite() or number <= 0:
        errors[field] = _("%(label)s : nombre strictement positif attendu.") % {"label": label}
        return None
    return number


INTEGER_MAX = 10**13  # cents (100 billion euros), km...: larger is a typing error


def _integer(value: Any, field: str, errors: dict[str, str], label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[field] = _("%(label)s : nombre entier attendu, « %(v)s » reçu.") % {
            "label": label,
            "v": value,
        }
        return None
    if number < 0:
        errors[field] = _("%(label)s : nombre positif ou nul attendu.") % {"label": label}
        return None
    if number > INTEGER_MAX:
        errors[field] = _("%(label)s : valeur trop grande (%(max)s au plus).") % {
            "label": label,
            "max": f"{INTEGER_MAX:,}".replace(",", "\u202f"),
        }
        return None
    return number


def _location(
    pole: Pole, organisation: Organisation, establishment: Establishment | None
) -> tuple[float, float] | None:
    if (
        establishment is not None
        and establishment.lat is not None
        and establishment.lon is not None
    ):
        return float(establishment.lat), float(establishment.lon)
    located = (
        Establishment.objects.filter(
            organisation=organisation, lat__isnull=False, lon__isnull=False, active=True
        )
        .order_by("-siege", "id")
        .values_list("lat", "lon")
        .first()
    )
    if located is not None:
        return float(located[0]), float(located[1])
    if pole.lat is not None and pole.lon is not None:
        return float(pole.lat), float(pole.lon)
    return None


def _clean_declaration(
    pole: Pole, organisation: Organisation, values: dict[str, Any]
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    side = values.get("side")
    if side not in Side.values:
        errors["side"] = _("Sens inconnu : « %(v)s » (besoin ou offre).") % {"v": side}
    clean["side"] = side
    kind = values.get("kind") or ""
    category = values.get("category") or ""
    if kind not in Kind.values:
        errors["kind"] = _("Type inconnu : « %(v)s ».") % {"v": kind}
    elif category not in KINDS[kind].categories:
        errors["category"] = _("Catégorie « %(v)s » inconnue pour le type « %(k)s ».") % {
            "v": category,
            "k": _(KINDS[kind].label),
        }
    clean["kind"], clean["category"] = kind, category
    title = str(values.get("title") or "").strip()
    if not title:
        errors["title"] = _("L'intitulé est obligatoire.")
    elif len(title) > 200:
        errors["title"] = _("L'intitulé tient en 200 caractères au plus.")
    clean["title"] = title
    clean["description"] = str(values.get("description") or "").strip()
    quantity = _decimal(values.get("quantity"), "quantity", errors, _("Quantité"))
    if quantity is not None and quantity >= Decimal("1e11"):
        errors["quantity"] = _("Quantité : valeur trop grande.")
    unit = values.get("unit") or ""
    if unit:
        try:
            units.get_unit(unit)
        except units.UnitError:
            errors["unit"] = _("Unité inconnue : « %(v)s ».") % {"v": unit}
    if quantity is not None and not unit and "quantity" not in errors:
        errors["unit"] = _("Une quantité doit avoir une unité.")
    clean["quantity"] = (
        quantity.quantize(Decimal("0.001"))
        if quantity is not None and "quantity" not in errors
        else None
    )
    clean["unit"] = unit
    periodicity = values.get("periodicity") or "once"
    if periodicity not in units.PERIODICITIES:
        errors["periodicity"] = _("Périodicité inconnue : « %(v)s ».") % {"v": periodicity}
    clean["periodicity"] = periodicity
    clean["start_on"] = _day(values.get("start_on"), "start_on", errors)
    clean["end_on"] = _day(values.get("end_on"), "end_on", errors)
    if clean["start_on"] and clean["end_on"] and clean["end_on"] < clean["start_on"]:
        errors["end_on"] = _("La fin de la période précède son début.")
    max_km = _integer(values.get("max_km"), "max_km", errors, _("Distance maximale"))
    if max_km is not None and max_km > 20_000:
        errors["max_km"] = _("Distance maximale : 20 000 km au plus.")
    clean["max_km"] = max_km
    price = values.get("price_intent") or PriceIntent.MARKET
    if price not in PriceIntent.values:
        errors["price_intent"] = _("Intention de prix inconnue : « %(v)s ».") % {"v": price}
    clean["price_intent"] = price
    clean["cost_cents_per_year"] = _integer(
        values.get("cost_cents_per_year"), "cost_cents_per_year", errors, _("Coût annuel")
    )
    confidentiality = values.get("confidentiality") or Confidentiality.MEMBERS
    if confidentiality not in Confidentiality.values:
        errors["confidentiality"] = _("Confidentialité inconnue : « %(v)s ».") % {
            "v": confidentiality
        }
    clean["confidentiality"] = confidentiality
    establishment = values.get("establishment")
    if establishment is not None and establishment.organisation_id != organisation.pk:
        errors["establishment"] = _("Cet établissement n'est pas celui de l'organisation.")
    clean["establishment"] = establishment
    if errors:
        raise ValidationError(errors)
    location = _location(pole, organisation, establishment)
    if location is None:
        raise ValidationError(
            {"establishment": _("Emplacement inconnu : choisissez un établissement localisé.")}
        )
    clean["lat"], clean["lon"] = location
    return clean


# ------------------------------------------------------------------- needs and offers


def declare(
    acting_user: User | None, *, pole: Pole, organisation: Organisation, **values: Any
) -> Declaration:
    """A need or an offer (`side`) of a member organisation, declared by someone who speaks
    for it or by the coordination."""
    if not _speaks_for(acting_user, pole, [organisation.pk]):
        raise PermissionDenied(
            _("Vous ne pouvez déclarer que pour les organisations membres que vous représentez.")
        )
    if not _is_member_org(pole, organisation):
        raise ValidationError({"organisation": _("Cette organisation n'est pas membre du pôle.")})
    unknown = set(values) - set(DECLARATION_FIELDS)
    if unknown:
        raise ValidationError(
            {"__all__": _("Champs inconnus : %(v)s.") % {"v": ", ".join(sorted(unknown))}}
        )
    clean = _clean_declaration(pole, organisation, values)
    with transaction.atomic():
        declaration = Declaration.objects.create(
            pole=pole, organisation=organisation, created_by=acting_user, **clean
        )
        audit.record(
            acting_user,
            verb="cooperation.declare",
            obj=declaration,
            action=AuditEntry.Action.CREATE,
        )
    return declaration


def update_declaration(
    acting_user: User | None, *, declaration: Declaration, **values: Any
) -> Declaration:
    pole = declaration.pole
    if not _speaks_for(acting_user, pole, [declaration.organisation_id]):
        raise PermissionDenied(
            _("Vous ne pouvez modifier que les déclarations de votre organisation.")
        )
    if declaration.status != DeclarationStatus.ACTIVE:
        raise ValidationError({"status": _("Une déclaration retirée ne se modifie plus.")})
    current = {f: getattr(declaration, f) for f in DECLARATION_FIELDS}
    current.update(values)
    clean = _clean_declaration(pole, declaration.organisation, current)
    with transaction.atomic():
        before = audit.snapshot(declaration)
        for field, value in clean.items():
            setattr(declaration, field, value)
        declaration.save()
        audit.record(acting_user, verb="cooperation.update", obj=declaration, before=before)
    return declaration


def withdraw_declaration(acting_user: User | None, *, declaration: Declaration) -> Declaration:
    if not _speaks_for(acting_user, declaration.pole, [declaration.organisation_id]):
        raise PermissionDenied(
            _("Vous ne pouvez retirer que les déclarations de votre organisation.")
        )
    with transaction.atomic():
        before = audit.snapshot(declaration, ["status"])
        declaration.status = DeclarationStatus.WITHDRAWN
        declaration.save(update_fields=["status", "updated_at"])
        audit.record(
            acting_user,
            verb="cooperation.withdraw",
            obj=declaration,
            before=before,
            after=audit.snapshot(declaration, ["status"]),
        )
    return declaration


# -------------------------------------------------------------------------------- links


def declare_link(
    acting_user: User | None,
    *,
    pole: Pole,
    from_organisation: Organisation,
    to_organisation: Organisation,
    type: str,
    start_on: Any,
    end_on: Any = None,
    directed: bool = True,
    volume_cents: Any = None,
    volume_hours: Any = None,
    visibility: str = LinkVisibility.MEMBERS,
    note: str = "",
    source: str = LinkSource.DECLARED,
    proposal: Proposal | None = None,
) -> CooperationLink:
    """A cooperation link between two member organisations of the hub."""
    if not _speaks_for(acting_user, pole, [from_organisation.pk, to_organisation.pk]):
        raise PermissionDenied(
            _("Vous ne pouvez déclarer que les liens d'une organisation que vous représentez.")
        )
    errors: dict[str, str] = {}
    if from_organisation.pk == to_organisation.pk:
        errors["to_organisation"] = _("Un lien relie deux organisations distinctes.")
    for field, org in (
        ("from_organisation", from_organisation),
        ("to_organisation", to_organisation),
    ):
        if field not in errors and not _is_member_org(pole, org, current=False):
            errors[field] = _("%(org)s n'est pas membre du pôle.") % {"org": org.name}
    if type not in LinkType.values:
        errors["type"] = _("Type de lien inconnu : « %(v)s ».") % {"v": type}
    if visibility not in LinkVisibility.values:
        errors["visibility"] = _("Visibilité inconnue : « %(v)s ».") % {"v": visibility}
    if source not in LinkSource.values:
        errors["source"] = _("Origine inconnue : « %(v)s ».") % {"v": source}
    start = _day(start_on, "start_on", errors)
    if start is None and "start_on" not in errors:
        errors["start_on"] = _("La date de début est obligatoire.")
    end = _day(end_on, "end_on", errors)
    if start and end and end < start:
        errors["end_on"] = _("La fin du lien précède son début.")
    cents = _integer(volume_cents, "volume_cents", errors, _("Volume annuel (centimes)"))
    hours = None
    if volume_hours not in (None, ""):
        hours = _decimal(volume_hours, "volume_hours", errors, _("Volume annuel (heures)"))
        if hours is not None and hours >= Decimal("1e8"):
            errors["volume_hours"] = _("Volume annuel (heures) : valeur trop grande.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        link = CooperationLink.objects.create(
            pole=pole,
            from_organisation=from_organisation,
            to_organisation=to_organisation,
            type=type,
            directed=bool(directed),
            start_on=start,
            end_on=end,
            volume_cents=cents,
            volume_hours=hours.quantize(Decimal("0.01")) if hours is not None else None,
            visibility=visibility,
            note=str(note or "").strip(),
            source=source,
            proposal=proposal,
            created_by=acting_user,
        )
        audit.record(
            acting_user, verb="cooperation.link", obj=link, action=AuditEntry.Action.CREATE
        )
    return link


def end_link(acting_user: User | None, *, link: CooperationLink, end_on: Any) -> CooperationLink:
    if not _speaks_for(
        acting_user, link.pole, [link.from_organisation_id, link.to_organisation_id]
    ):
        raise PermissionDenied(_("Vous ne pouvez terminer que les liens de votre organisation."))
    errors: dict[str, str] = {}
    end = _day(end_on, "end_on", errors)
    if end is None and not errors:
        errors["end_on"] = _("La date de fin est obligatoire.")
    if end is not None and end < link.start_on:
        errors["end_on"] = _("La fin du lien précède son début.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.snapshot(link, ["end_on"])
        link.end_on = end
        link.save(update_fields=["end_on"])
        audit.record(
            acting_user,
            verb="cooperation.end_link",
            obj=link,
            before=before,
            after=audit.snapshot(link, ["end_on"]),
        )
    return link


def import_pooling_links(acting_user: User | None, *, pole: Pole) -> int:
    """Links "shared resource" (source: pooling records) between the member organisations
    that share an active resource of `ptce.pooling`, one per pair and resource; idempotent
    (a pair already linked for that resource is skipped). Returns the links created."""
    from ptce.pooling.models import ResourceShare, ResourceStatus

    _require_manager(acting_user, pole)
    members = set(Membership.objects.filter(pole=pole).values_list("organisation_id", flat=True))
    shares: dict[int, tuple[str, dt.date, list[int]]] = {}
    for resource_id, name, created_at, org in (
        ResourceShare.objects.filter(resource__pole=pole, resource__status=ResourceStatus.ACTIVE)
        .order_by("resource_id", "organisation_id")
        .values_list("resource_id", "resource__name", "resource__created_at", "organisation_id")
    ):
        entry = shares.setdefault(resource_id, (name, timezone.localdate(created_at), []))
        if org in members and org not in entry[2]:
            entry[2].append(org)
    existing = {
        (min(a, b), max(a, b), note)
        for a, b, note in CooperationLink.objects.filter(
            pole=pole, source=LinkSource.POOLING
        ).values_list("from_organisation_id", "to_organisation_id", "note")
    }
    new: list[CooperationLink] = []
    for name, start, orgs in shares.values():
        note = _("Ressource partagée : %(name)s") % {"name": name}
        for i, first in enumerate(orgs):
            for second in orgs[i + 1 :]:
                if (first, second, note) in existing:
                    continue
                existing.add((first, second, note))
                new.append(
                    CooperationLink(
                        pole=pole,
                        from_organisation_id=first,
                        to_organisation_id=second,
                        type=LinkType.SHARED_RESOURCE,
                        directed=False,
                        start_on=start,
                        source=LinkSource.POOLING,
                        note=note,
                        visibility=LinkVisibility.MEMBERS,
                        created_by=acting_user,
                    )
                )
    with transaction.atomic():
        CooperationLink.objects.bulk_create(new, batch_size=1000)
        if new:
            audit.record(
                acting_user,
                verb="cooperation.import_pooling_links",
                obj=pole,
                after={"links": len(new)},
                object_repr=str(pole),
            )
    return len(new)


# ----------------------------------------------------------------------------- synergies


def proposal_key(kind: str, item_ids: Iterable[int], candidate: int | None) -> str:
    """The identity of a proposal across runs: its kind, its items and its candidate."""
    key = f"{kind}:{'-'.join(str(i) for i in item_ids)}"
    if candidate is not None:
        key += f":{candidate}"
    if len(key) > 200:
        key = f"{kind}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def _reason_rows(reasons: Iterable[Any]) -> list[dict[str, Any]]:
    """Codes and figures as stored; pages, API and e-mails write the message again in the
    reader's language (`ptce.cooperation.reasons`), so the run does not format numbers."""
    return [{"code": r.code, "params": dict(r.params), "message": r.message} for r in reasons]


def _items(pole: Pole) -> tuple[list[Any], dict[int, tuple[int, str]]]:
    """The engine's items of the hub's active declarations (one query), and for each its
    (organisation, confidentiality)."""
    from ptce.cooperation.reference import Item

    rows = (
        Declaration.objects.filter(pole=pole, status=DeclarationStatus.ACTIVE)
        .filter(
            Exists(
                Membership.objects.filter(
                    pole=pole, organisation=OuterRef("organisation"), left_on__isnull=True
                )
            )
        )
        .order_by("id")
        .values_list(
            "id",
            "organisation_id",
            "side",
            "kind",
            "category",
            "lat",
            "lon",
            "quantity",
            "unit",
            "periodicity",
            "start_on",
            "end_on",
            "max_km",
            "price_intent",
            "cost_cents_per_year",
            "confidentiality",
        )[:MAX_ITEMS]
    )
    items = []
    meta: dict[int, tuple[int, str]] = {}
    for row in rows:
        (
            pk,
            org,
            side,
            kind,
            category,
            lat,
            lon,
            qty,
            unit,
            per,
            start,
            end,
            km,
            price,
            cost,
            conf,
        ) = row
        items.append(
            Item(
                id=pk,
                organisation=org,
                side=side,
                kind=kind,
                category=category,
                lat=lat,
                lon=lon,
                quantity=float(qty) if qty is not None else None,
                unit=unit or None,
                periodicity=per,
                start=start,
                end=end,
                max_km=float(km) if km is not None else None,
                price_intent=price,
                cost_cents_per_year=cost,
                confidentiality=conf,
            )
        )
        meta[pk] = (org, conf)
    return items, meta


def _candidates(pole: Pole) -> list[Candidate]:
    """Directory organisations with a located head office inside the hub's perimeter, not
    current members (one query, at most MAX_CANDIDATES)."""
    if not pole.perimeter_id:
        return []
    members = Membership.objects.filter(pole=pole, left_on__isnull=True).values("organisation_id")
    rows = (
        Establishment.objects.filter(
            code_commune__in=pole.perimeter.communes.values("code_insee"),
            siege=True,
            active=True,
            lat__isnull=False,
            lon__isnull=False,
            organisation__active=True,
        )
        .exclude(organisation_id__in=members)
        .order_by("organisation_id", "id")
        .values_list("organisation_id", "organisation__naf", "naf", "lat", "lon")[:MAX_CANDIDATES]
    )
    seen: set[int] = set()
    found: list[Candidate] = []
    for org, naf, establishment_naf, lat, lon in rows:
        if org in seen:
            continue
        seen.add(org)
        found.append(Candidate(id=org, naf=naf or establishment_naf or None, lat=lat, lon=lon))
    return found


def run_synergies(acting_user: User | None, *, pole: Pole, notify: bool = True) -> SynergyRun:
    """Run the three detectors on the hub's needs and offers and the directory around it.

    Idempotent: proposals are kept by their key (kind, items, candidate); a run on the same
    data gives the same proposals, scores and ranks. Answered proposals keep their status;
    proposals no longer found and not answered are marked as no longer current."""
    _require_manager(acting_user, pole)
    items, meta = _items(pole)
    candidates = _candidates(pole)
    found = run_all(items, candidates)
    with transaction.atomic():
        run = SynergyRun.objects.create(
            pole=pole, started_by=acting_user, items=len(items), candidates=len(candidates)
        )
        existing = {p.key: p for p in Proposal.objects.filter(pole=pole)}
        created: list[Proposal] = []
        updated: list[Proposal] = []
        links: list[tuple[Proposal, tuple[int, ...], list[int]]] = []
        seen: set[str] = set()
        for rank, engine in enumerate(found, start=1):
            candidate = engine.organisations[0] if engine.kind == "prospect" else None
            key = proposal_key(engine.kind, engine.item_ids, candidate)
            if key in seen:
                continue
            seen.add(key)
            values = {
                "rank": rank,
                "score": Decimal(str(engine.score)).quantize(Decimal("0.000001")),
                "reasons": _reason_rows(engine.reasons),
                "saving_cents": engine.saving_cents,
                "run": run,
                "current": True,
            }
            proposal = existing.get(key)
            if proposal is None:
                proposal = Proposal(
                    pole=pole, key=key, kind=engine.kind, candidate_id=candidate, **values
                )
                created.append(proposal)
                members = [meta[i][0] for i in engine.item_ids]
                links.append((proposal, engine.item_ids, list(dict.fromkeys(members))))
            else:
                for field, value in values.items():
                    setattr(proposal, field, value)
                updated.append(proposal)
        Proposal.objects.bulk_create(created, batch_size=1000)
        Proposal.objects.bulk_update(
            updated,
            ["rank", "score", "reasons", "saving_cents", "run", "current"],
            batch_size=1000,
        )
        Proposal.objects.filter(pole=pole).exclude(key__in=seen).update(current=False)
        through = Proposal.declarations.through
        through.objects.bulk_create(
            [
                through(proposal_id=p.pk, declaration_id=item)
                for p, item_ids, _orgs in links
                for item in item_ids
            ],
            batch_size=2000,
        )
        ProposalOrganisation.objects.bulk_create(
            [
                ProposalOrganisation(proposal_id=p.pk, organisation_id=org, position=position)
                for p, _ids, orgs in links
                for position, org in enumerate(orgs)
            ],
            batch_size=2000,
        )
        run.proposals = len(seen)
        run.created = len(created)
        run.save(update_fields=["proposals", "created"])
        audit.record(
            acting_user,
            verb="cooperation.run_synergies",
            obj=run,
            action=AuditEntry.Action.CREATE,
        )
    if notify and created:
        from ptce.cooperation import notifications

        notifications.notify_new_proposals(pole, [p.pk for p in created])
    return run


# --------------------------------------------------------------------------- answers


def can_answer(user: User | None, proposal: Proposal) -> bool:
    """Coordination answers any proposal; a member answers a proposal concerning one of
    their organisations that they may see (never a prospect)."""
    if user is None or permissions.can_manage_pole(user, proposal.pole):
        return True
    if proposal.kind == ProposalKind.PROSPECT:
        return False
    return Proposal.objects.visible_to(user, proposal.pole).filter(pk=proposal.pk).exists()


def _lock(proposal: Proposal) -> None:
    """Lock the proposal's row (PostgreSQL) and read its answer again: two people answering
    at once, or a page left open since, see the first answer and are told (no double links).
    Call inside a transaction."""
    status, current = (
        Proposal.objects.select_for_update()
        .filter(pk=proposal.pk)
        .values_list("status", "current")
        .get()
    )
    proposal.status, proposal.current = status, current


def _answerable(acting_user: User | None, proposal: Proposal) -> None:
    if not can_answer(acting_user, proposal):
        raise PermissionDenied(_("Vous ne pouvez pas répondre à cette proposition."))
    if proposal.status == ProposalStatus.PROPOSED and not proposal.current:
        raise ValidationError(
            {
                "status": _(
                    "Cette proposition n'est plus faite par la dernière recherche "
                    "(une déclaration a changé ou a été retirée)."
                )
            }
        )
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(
            {
                "status": _("Cette proposition a déjà reçu une réponse (%(s)s).")
                % {"s": proposal.get_status_display()}
            }
        )


def accept_proposal(
    acting_user: User | None, *, proposal: Proposal, start_on: dt.date | None = None
) -> Proposal:
    """Accept: an exchange becomes a directed link (offer -> need), a pool becomes links
    between its organisations and a draft shared resource, a prospect becomes the links
    it foresees between the candidate and the members whose needs or offers it meets
    (for the coordination; the graph draws them once the candidate joins the hub)."""
    pole = proposal.pole
    start = start_on or timezone.localdate()
    with transaction.atomic():
        _lock(proposal)
        _answerable(acting_user, proposal)
        declarations = list(proposal.declarations.select_related("organisation").order_by("id"))
        secret = any(d.confidentiality == Confidentiality.COORDINATORS for d in declarations)
        visibility = LinkVisibility.COORDINATORS if secret else LinkVisibility.MEMBERS
        before = audit.snapshot(proposal, ["status"])
        if proposal.kind == ProposalKind.EXCHANGE and declarations:
            need = next(d for d in declarations if d.side == Side.NEED)
            offer = next(d for d in declarations if d.side == Side.OFFER)
            declare_link(
                None,
                pole=pole,
                from_organisation=offer.organisation,
                to_organisation=need.organisation,
                type=EXCHANGE_LINK_TYPES[need.kind],
                start_on=start,
                directed=True,
                visibility=visibility,
                note=_("Synergie acceptée : %(t)s") % {"t": need.title},
                source=LinkSource.SYNERGY,
                proposal=proposal,
            )
        elif proposal.kind == ProposalKind.POOLING and declarations:
            orgs = list({d.organisation_id: d.organisation for d in declarations}.values())
            kind = declarations[0].kind
            label = _(KINDS[kind].categories[declarations[0].category])
            for i, first in enumerate(orgs):
                for second in orgs[i + 1 :]:
                    declare_link(
                        None,
                        pole=pole,
                        from_organisation=first,
                        to_organisation=second,
                        type=LinkType.SHARED_RESOURCE,
                        start_on=start,
                        directed=False,
                        visibility=visibility,
                        note=_("Mutualisation acceptée : %(t)s") % {"t": label},
                        source=LinkSource.SYNERGY,
                        proposal=proposal,
                    )
            _draft_resource(acting_user, pole, label, kind, orgs, proposal)
        elif proposal.kind == ProposalKind.PROSPECT and proposal.candidate_id:
            _prospect_links(acting_user, proposal, declarations, start)
        proposal.status = ProposalStatus.ACCEPTED
        proposal.answered_by = acting_user
        proposal.answered_at = timezone.now()
        proposal.save(update_fields=["status", "answered_by", "answered_at"])
        audit.record(
            acting_user,
            verb="cooperation.accept",
            obj=proposal,
            before=before,
            after=audit.snapshot(proposal, ["status"]),
        )
    return proposal


def _prospect_links(
    acting_user: User | None,
    proposal: Proposal,
    declarations: list[Declaration],
    start: dt.date,
) -> None:
    """One link per member, kind and direction: candidate -> member when the candidate
    offers what the member needs, member -> candidate when it needs what the member offers.
    The candidate is not a member yet: the links are the coordination's (visibility
    coordinators) and enter the graph and its figures when the candidate joins."""
    candidate = proposal.candidate
    assert candidate is not None
    seen: set[tuple[int, int, str]] = set()
    for d in declarations:
        kind_type = EXCHANGE_LINK_TYPES.get(d.kind, LinkType.PURCHASE)
        member_needs = d.side == Side.NEED
        ends = (candidate, d.organisation) if member_needs else (d.organisation, candidate)
        key = (ends[0].pk, ends[1].pk, kind_type)
        if key in seen or ends[0].pk == ends[1].pk:
            continue
        seen.add(key)
        link = CooperationLink.objects.create(
            pole=proposal.pole,
            from_organisation=ends[0],
            to_organisation=ends[1],
            type=kind_type,
            directed=True,
            start_on=start,
            visibility=LinkVisibility.COORDINATORS,
            note=_("Futur membre proposé : %(org)s (%(t)s)")
            % {"org": candidate.name, "t": d.title},
            source=LinkSource.SYNERGY,
            proposal=proposal,
            created_by=acting_user,
        )
        audit.record(
            acting_user, verb="cooperation.link", obj=link, action=AuditEntry.Action.CREATE
        )


def _draft_resource(
    acting_user: User | None,
    pole: Pole,
    label: str,
    kind: str,
    organisations: list[Organisation],
    proposal: Proposal,
) -> None:
    from ptce.pooling import services as pooling

    pooling.create_draft_resource(
        acting_user,
        pole=pole,
        name=_("Mutualisation : %(label)s") % {"label": label},
        kind=POOL_RESOURCE_KINDS.get(kind, "service"),
        organisations=organisations,
        note=_("Proposée par la recherche de synergies (proposition n° %(id)s).")
        % {"id": proposal.pk},
    )


def decline_proposal(acting_user: User | None, *, proposal: Proposal, reason: str) -> Proposal:
    reason = str(reason or "").strip()
    if not reason:
        _answerable(acting_user, proposal)
        raise ValidationError({"reason": _("Raison du refus : indiquez pourquoi (obligatoire).")})
    with transaction.atomic():
        _lock(proposal)
        _answerable(acting_user, proposal)
        before = audit.snapshot(proposal, ["status", "decline_reason"])
        proposal.status = ProposalStatus.DECLINED
        proposal.decline_reason = reason[:2000]
        proposal.answered_by = acting_user
        proposal.answered_at = timezone.now()
        proposal.save(update_fields=["status", "decline_reason", "answered_by", "answered_at"])
        audit.record(
            acting_user,
            verb="cooperation.decline",
            obj=proposal,
            before=before,
            after=audit.snapshot(proposal, ["status", "decline_reason"]),
        )
    return proposal


def mark_realised(acting_user: User | None, *, proposal: Proposal) -> Proposal:
    if not can_answer(acting_user, proposal):
        raise PermissionDenied(_("Vous ne pouvez pas répondre à cette proposition."))
    with transaction.atomic():
        _lock(proposal)
        if proposal.status != ProposalStatus.ACCEPTED:
            raise ValidationError(
                {"status": _("Seule une proposition acceptée peut être réalisée.")}
            )
        before = audit.snapshot(proposal, ["status"])
        proposal.status = ProposalStatus.REALISED
        proposal.save(update_fields=["status"])
        audit.record(
            acting_user,
            verb="cooperation.realised",
            obj=proposal,
            before=before,
            after=audit.snapshot(proposal, ["status"]),
        )
    return proposal


def set_notification_frequency(acting_user: User, *, frequency: str) -> Any:
    from ptce.cooperation.models import Frequency, NotificationPreference

    if frequency not in Frequency.values:
        raise ValidationError(
            {"frequency": _("Fréquence inconnue : « %(v)s ».") % {"v": frequency}}
        )
    preference, _created = NotificationPreference.objects.update_or_create(
        user=acting_user, defaults={"frequency": frequency}
    )
    return preference
