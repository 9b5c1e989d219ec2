"""Writes on a hub's projects: strategy axes, projects and partners (the lines of a project,
budget, funding plan, milestones, results, documents, are in `lines` and exported here).

Every function checks the acting user's permission (None = the system; rules in
`ptce.projects.access`), validates with a French message keyed by field, runs in a transaction
and records an audit entry. Money is integer cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ptce.actors.models import Organisation
from ptce.core import audit
from ptce.core.choices import Visibility
from ptce.core.models import AuditEntry, User
from ptce.poles.models import Pole
from ptce.projects import cleaning as c
from ptce.projects import lines
from ptce.projects.models import Project, ProjectPartner, ProjectStatus, StrategyAxis
from ptce.territories.models import Perimeter

PROJECT_FIELDS = (
    "title",
    "slug",
    "summary",
    "description",
    "objectives",
    "axis_id",
    "lead_organisation_id",
    "perimeter_id",
    "territory",
    "starts_on",
    "ends_on",
    "status",
    "visibility",
    "is_demo",
)

# The lines' services (budget, funding plan, milestones, results, documents), exported here
# so that callers need one module.
DOCUMENT_TYPES = lines.DOCUMENT_TYPES
MAX_DOCUMENT_BYTES = lines.MAX_DOCUMENT_BYTES
add_budget_line = lines.add_budget_line
add_document = lines.add_document
add_funding_line = lines.add_funding_line
add_milestone = lines.add_milestone
add_result = lines.add_result
check_upload = lines.check_upload
delete_budget_line = lines.delete_budget_line
delete_document = lines.delete_document
delete_funding_line = lines.delete_funding_line
delete_milestone = lines.delete_milestone
delete_result = lines.delete_result
update_budget_line = lines.update_budget_line
update_funding_line = lines.update_funding_line
update_milestone = lines.update_milestone
update_result = lines.update_result


# ------------------------------------------------------------------------------ axes


def _clean_axis(pole: Pole, values: dict[str, Any], exclude_pk: int | None) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if k in {"title", "description", "order"}}
    errors: dict[str, str] = {}
    c.text(cleaned, errors, "title", _("L’intitulé de l’axe"), minimum=2, maximum=200)
    if "order" in cleaned:
        cleaned["order"] = int(cleaned["order"] or 0)
    # Compared in Python: SQLite's case-insensitive match ignores accented capitals.
    titles = StrategyAxis.objects.filter(pole=pole).exclude(pk=exclude_pk)
    if (
        "title" not in errors
        and cleaned.get("title")
        and cleaned["title"].casefold()
        in {t.casefold() for t in titles.values_list("title", flat=True)}
    ):
        errors["title"] = _("Le pôle a déjà un axe intitulé « %(t)s ».") % {"t": cleaned["title"]}
    c.raise_errors(errors)
    return cleaned


@transaction.atomic
def create_axis(acting_user: User | None, *, pole: Pole, **values: Any) -> StrategyAxis:
    c.require_manager(acting_user, pole)
    values.setdefault("title", "")
    cleaned = _clean_axis(pole, values, None)
    if "order" not in cleaned:
        cleaned["order"] = StrategyAxis.objects.filter(pole=pole).count() + 1
    axis = StrategyAxis.objects.create(pole=pole, **cleaned)
    audit.record(acting_user, verb="create_axis", obj=axis, action=AuditEntry.Action.CREATE)
    return axis


@transaction.atomic
def update_axis(acting_user: User | None, *, axis: StrategyAxis, **values: Any) -> StrategyAxis:
    c.require_manager(acting_user, axis.pole)
    before = audit.snapshot(axis)
    c.apply(axis, _clean_axis(axis.pole, values, axis.pk))
    axis.save()
    audit.record(acting_user, verb="update_axis", obj=axis, before=before)
    return axis


@transaction.atomic
def delete_axis(acting_user: User | None, *, axis: StrategyAxis) -> None:
    """Delete an axis; its projects stay, without an axis."""
    c.require_manager(acting_user, axis.pole)
    audit.record(
        acting_user,
        verb="delete_axis",
        obj=axis,
        action=AuditEntry.Action.DELETE,
        before=audit.snapshot(axis),
        after={},
    )
    axis.delete()


# ------------------------------------------------------------------------------ projects


def _clean_project(pole: Pole, values: dict[str, Any], project: Project | None) -> dict[str, Any]:
    allowed = {
        "title",
        "slug",
        "summary",
        "description",
        "objectives",
        "axis",
        "lead_organisation",
        "perimeter",
        "territory",
        "starts_on",
        "ends_on",
        "status",
        "visibility",
        "is_demo",
    }
    unknown = set(values) - allowed - {"partners"}
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    cleaned = {k: v for k, v in values.items() if k in allowed}
    errors: dict[str, str] = {}
    c.text(cleaned, errors, "title", _("L’intitulé du projet"), minimum=3, maximum=200)
    c.text(cleaned, errors, "summary", _("Le résumé"), maximum=300)
    c.text(cleaned, errors, "territory", _("Le territoire"), maximum=200)
    for field in ("description", "objectives"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    if "slug" in cleaned or project is None:
        slug = slugify(cleaned.get("slug") or cleaned.get("title") or "")[:80].strip("-")
        if not slug and "title" not in errors:
            errors["slug"] = _("L’identifiant court ne peut être vide (lettres et chiffres).")
        elif (
            slug
            and Project.objects.filter(pole=pole, slug=slug)
            .exclude(pk=project.pk if project else None)
            .exists()
        ):
            errors["slug"] = _("Un projet du pôle a déjà l’identifiant court « %(s)s ».") % {
                "s": slug
            }
        cleaned["slug"] = slug
    c.choice(cleaned, errors, "status", ProjectStatus.values, _("Statut"))
    c.choice(cleaned, errors, "visibility", Visibility.values, _("Visibilité"))
    axis = cleaned.get("axis")
    if axis is not None and axis.pole_id != pole.pk:
        errors["axis"] = _("Cet axe stratégique n’est pas un axe de ce pôle.")
    lead = cleaned.get("lead_organisation")
    if lead is not None and not (
        pole.memberships.current().filter(organisation=lead).exists() or lead.pk == pole.carrier_id
    ):
        errors["lead_organisation"] = _(
            "Le porteur du projet doit être un membre actuel du pôle (%(o)s ne l’est pas)."
        ) % {"o": lead.name}
    perimeter = cleaned.get("perimeter")
    if perimeter is not None and not isinstance(perimeter, Perimeter):
        errors["perimeter"] = _("Territoire inconnu.")
    c.day(cleaned, errors, "starts_on")
    c.day(cleaned, errors, "ends_on")
    starts = cleaned.get("starts_on", project.starts_on if project else None)
    ends = cleaned.get("ends_on", project.ends_on if project else None)
    if "starts_on" not in errors and "ends_on" not in errors and starts and ends and ends < starts:
        errors["ends_on"] = _("La date de fin précède la date de début.")
    c.raise_errors(errors)
    return cleaned


def _partners(
    pole: Pole, partners: Sequence[Organisation | tuple[Organisation, str]]
) -> list[tuple[Organisation, str]]:
    result: dict[int, tuple[Organisation, str]] = {}
    for item in partners:
        org, role = item if isinstance(item, tuple) else (item, "")
        if len((role or "").strip()) > 200:
            raise ValidationError(
                {"partners": _("Le rôle d’un partenaire compte au plus 200 caractères.")}
            )
        result[org.pk] = (org, (role or "").strip())
    return list(result.values())


def _set_partners(project: Project, partners: list[tuple[Organisation, str]]) -> None:
    if partners and project.lead_organisation_id in {o.pk for o, _r in partners}:
        raise ValidationError(
            {"partners": _("Le porteur du projet ne peut être aussi partenaire.")}
        )
    keep = {o.pk: r for o, r in partners}
    project.partnerships.exclude(organisation_id__in=keep).delete()
    existing = {p.organisation_id: p for p in project.partnerships.all()}
    for org_id, role in keep.items():
        link = existing.get(org_id)
        if link is None:
            ProjectPartner.objects.create(project=project, organisation_id=org_id, role=role)
        elif link.role != role:
            link.role = role
            link.save(update_fields=["role"])


def _partner_snapshot(project: Project) -> list[str]:
    return sorted(f"{p.organisation_id}:{p.role}" for p in project.partnerships.all())


@transaction.atomic
def create_project(acting_user: User | None, *, pole: Pole, **values: Any) -> Project:
    c.require_manager(acting_user, pole)
    values.setdefault("title", "")
    partners = _partners(pole, values.pop("partners", None) or [])
    cleaned = _clean_project(pole, values, None)
    creator = acting_user if acting_user is not None and acting_user.is_authenticated else None
    try:
        with transaction.atomic():
            project = Project.objects.create(pole=pole, created_by=creator, **cleaned)
    except IntegrityError:
        raise ValidationError(
            {"slug": _("Un projet du pôle a déjà l’identifiant court « %(s)s ».") % cleaned}
        ) from None
    _set_partners(project, partners)
    after = audit.snapshot(project, PROJECT_FIELDS) | {"partners": _partner_snapshot(project)}
    audit.record(
        acting_user,
        verb="create_project",
        obj=project,
        action=AuditEntry.Action.CREATE,
        after=after,
    )
    return project


@transaction.atomic
def update_project(acting_user: User | None, *, project: Project, **values: Any) -> Project:
    c.require_editor(acting_user, project)
    before = audit.snapshot(project, PROJECT_FIELDS) | {"partners": _partner_snapshot(project)}
    partners = values.pop("partners", None)
    cleaned = _clean_project(project.pole, values, project)
    c.apply(project, cleaned)
    project.save()
    if partners is not None:
        _set_partners(project, _partners(project.pole, partners))
    after = audit.snapshot(project, PROJECT_FIELDS) | {"partners": _partner_snapshot(project)}
    audit.record(acting_user, verb="update_project", obj=project, before=before, after=after)
    return project


def lead_candidates(pole: Pole) -> list[Organisation]:
    """The organisations that may lead a project: current members, and the carrier."""
    ids = set(pole.memberships.current().values_list("organisation_id", flat=True))
    if pole.carrier_id:
        ids.add(pole.carrier_id)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))
