"""Projects of a hub: list, creation (coordination), and one project with its budget, funding
plan and milestones. Public projects of visible hubs are readable without authentication;
what was received and the funders' decisions are shown only to those who follow the project
(coordination, observers, the lead organisation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from ptce.actors.models import Organisation
from ptce.api.api import authenticated
from ptce.core.choices import Visibility
from ptce.poles import permissions
from ptce.poles.models import Pole
from ptce.projects import access, queries, services
from ptce.projects.models import (
    BudgetCategory,
    FundingSource,
    FundingStatus,
    Project,
    ProjectStatus,
    PublicLevel,
    StrategyAxis,
)

router = Router()
ID_MAX = 2**63 - 1  # a database key: larger numbers are refused (422), not sent to the database


class Message(Schema):
    detail: str


class ProjectItem(Schema):
    id: int
    slug: str
    title: str
    summary: str
    status: str
    visibility: str
    axis: str | None
    lead: str | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    progress: int
    public_url: str | None


class PartnerOut(Schema):
    organisation_id: int
    name: str
    role: str


class BudgetLineOut(Schema):
    id: int
    label: str
    category: str
    amount_cents: int


class FundingLineOut(Schema):
    id: int
    source: str
    funder: str
    public_level: str
    planned_cents: int
    status: str | None = Field(None, description="demandé, accordé... (suivi seulement)")
    received_cents: int | None = Field(None, description="reçu (suivi seulement)")


class MilestoneOut(Schema):
    id: int
    title: str
    description: str
    due_on: dt.date | None
    done_on: dt.date | None
    progress: int
    done: bool


class ResultOut(Schema):
    text: str
    figure: str | None
    unit: str
    recorded_on: dt.date | None


class PlanOut(Schema):
    budget_cents: int
    planned_cents: int
    gap_cents: int
    balanced: bool
    self_financing_ratio: float
    by_source: dict[str, int]
    by_public_level: dict[str, int]
    secured_cents: int | None = None
    received_cents: int | None = None
    received_by_source: dict[str, int] | None = None
    received_by_public_level: dict[str, int] | None = None


class ProjectDetail(ProjectItem):
    pole: str
    description: str
    objectives: str
    lead_id: int | None
    territory: str
    perimeter: str | None
    partners: list[PartnerOut]
    budget: list[BudgetLineOut]
    funding_plan: list[FundingLineOut]
    plan: PlanOut
    milestones: list[MilestoneOut]
    results: list[ResultOut]
    follow_up: bool


class PartnerIn(Schema):
    organisation_id: int = Field(..., ge=1, le=ID_MAX)
    role: str = Field("", max_length=200)


class BudgetLineIn(Schema):
    label: str = Field(..., max_length=200)
    category: BudgetCategory = BudgetCategory.OTHER
    amount_cents: int = Field(..., ge=1)


class FundingLineIn(Schema):
    source: FundingSource
    funder: str = Field("", max_length=200)
    public_level: PublicLevel | None = None
    planned_cents: int = Field(..., ge=1)
    status: FundingStatus = FundingStatus.REQUESTED
    received_cents: int = Field(0, ge=0)
    decided_on: dt.date | None = None


class MilestoneIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = ""
    due_on: dt.date | None = None
    progress: int = Field(0, ge=0, le=100)
    done: bool = False


class ProjectIn(Schema):
    title: str = Field(..., max_length=200)
    slug: str = Field("", max_length=80)
    summary: str = Field("", max_length=300)
    description: str = ""
    objectives: str = ""
    axis_id: int | None = Field(None, ge=1, le=ID_MAX)
    lead_organisation_id: int | None = Field(None, ge=1, le=ID_MAX)
    partners: list[PartnerIn] = Field([], max_length=100)
    territory: str = Field("", max_length=200)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    status: ProjectStatus = ProjectStatus.IDEA
    visibility: Visibility = Visibility.MEMBERS
    budget: list[BudgetLineIn] = Field([], max_length=200)
    funding_plan: list[FundingLineIn] = Field([], max_length=200)
    milestones: list[MilestoneIn] = Field([], max_length=200)


def _pole(request: HttpRequest, slug: str) -> Pole:
    pole = Pole.objects.filter(slug=slug).first()
    if pole is None or not permissions.can_view_pole(request.user, pole):
        raise Http404(_("Aucun pôle n'a l'identifiant « %(slug)s ».") % {"slug": slug})
    return pole


def _public_url(project: Project) -> str | None:
    if project.visibility != Visibility.PUBLIC or project.pole.visibility != Visibility.PUBLIC:
        return None
    return reverse("projects:public", args=[project.pole.slug, project.slug])


def _item(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk,
        "slug": project.slug,
        "title": project.title,
        "summary": project.summary,
        "status": project.status,
        "visibility": project.visibility,
        "axis": project.axis.title if project.axis else None,
        "lead": project.lead_organisation.name if project.lead_organisation else None,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "progress": queries.progress_of(project),
        "public_url": _public_url(project),
    }


def project_payload(project: Project, user: Any) -> dict[str, Any]:
    follow = access.can_follow(user, project)
    plan = queries.plan_of(project)
    plan_out: dict[str, Any] = {
        "budget_cents": plan.budget_cents,
        "planned_cents": plan.planned_cents,
        "gap_cents": plan.gap_cents,
        "balanced": plan.balanced,
        "self_financing_ratio": round(plan.self_financing_ratio, 4),
        "by_source": plan.by_source,
        "by_public_level": plan.by_level,
    }
    if follow:
        plan_out |= {
            "secured_cents": plan.secured_cents,
            "received_cents": plan.received_cents,
            "received_by_source": plan.received_by_source,
            "received_by_public_level": plan.received_by_level,
        }
    return {
        **_item(project),
        "pole": project.pole.slug,
        "description": project.description,
        "objectives": project.objectives,
        "lead_id": project.lead_organisation_id,
        "territory": project.territory,
        "perimeter": project.perimeter.name if project.perimeter else None,
        "partners": [
            {"organisation_id": p.organisation_id, "name": p.organisation.name, "role": p.role}
            for p in project.partnerships.all()
        ],
        "budget": list(project.budget_lines.all()),
        "funding_plan": [
            {
                "id": line.pk,
                "source": line.source,
                "funder": line.funder,
                "public_level": line.public_level,
                "planned_cents": line.planned_cents,
                "status": line.status if follow else None,
                "received_cents": line.received_cents if follow else None,
            }
            for line in project.funding_lines.all()
            # a refused request is part of the follow-up, not of the published plan
            if follow or line.status != FundingStatus.REFUSED
        ],
        "plan": plan_out,
        "milestones": list(project.milestones.all()),
        "results": [
            {
                "text": r.text,
                "figure": str(r.figure) if r.figure is not None else None,
                "unit": r.unit,
                "recorded_on": r.recorded_on,
            }
            for r in project.results.all()
        ],
        "follow_up": follow,
    }


def _renamed(error: ValidationError) -> ValidationError:
    """The service's field names as the API spells them (`lead_organisation_id`)."""
    if not hasattr(error, "error_dict"):
        return error
    names = {"lead_organisation": "lead_organisation_id", "axis": "axis_id"}
    return ValidationError({names.get(k, k): v for k, v in error.message_dict.items()})


def _keyed(error: ValidationError, prefix: str) -> ValidationError:
    """A line's errors named after its place in the payload: `budget[2].amount_cents`."""
    if not hasattr(error, "error_dict"):
        return ValidationError({prefix: error.messages})
    return ValidationError({f"{prefix}.{k}": v for k, v in error.message_dict.items()})


@router.get(
    "/poles/{slug}/projects",
    response={200: list[ProjectItem], 404: Message},
    summary="Les projets d'un pôle (publics, ou selon vos droits)",
)
def list_projects(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    pole = _pole(request, slug)
    return [_item(p) for p in queries.hub_projects(request.user, pole)]


@router.post(
    "/poles/{slug}/projects",
    response={201: ProjectDetail, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Créer un projet, avec son budget, son plan de financement et ses jalons "
    "(coordination)",
)
def create_project(request: HttpRequest, slug: str, payload: ProjectIn) -> Status[dict[str, Any]]:
    pole = _pole(request, slug)
    if not access.can_create(request.user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut créer un projet."))
    data = payload.model_dump()
    values: dict[str, Any] = {
        k: data[k]
        for k in (
            "title",
            "summary",
            "description",
            "objectives",
            "territory",
            "starts_on",
            "ends_on",
            "status",
            "visibility",
        )
    }
    if data["slug"]:
        values["slug"] = data["slug"]
    if data["axis_id"] is not None:
        values["axis"] = StrategyAxis.objects.filter(pole=pole, pk=data["axis_id"]).first()
        if values["axis"] is None:
            raise ValidationError(
                {"axis_id": _("Ce pôle n'a pas d'axe n° %(i)s.") % {"i": data["axis_id"]}}
            )
    ids = {p["organisation_id"] for p in data["partners"]}
    if data["lead_organisation_id"] is not None:
        ids.add(data["lead_organisation_id"])
    orgs = Organisation.objects.in_bulk(ids)
    missing = sorted(ids - set(orgs))
    if missing:
        field = "lead_organisation_id" if data["lead_organisation_id"] in missing else "partners"
        raise ValidationError(
            {
                field: _("Organisation(s) inconnue(s) : %(ids)s.")
                % {"ids": ", ".join(map(str, missing))}
            }
        )
    if data["lead_organisation_id"] is not None:
        values["lead_organisation"] = orgs[data["lead_organisation_id"]]
    values["partners"] = [(orgs[p["organisation_id"]], p["role"]) for p in data["partners"]]
    user = request.user
    with transaction.atomic():
        try:
            project = services.create_project(user, pole=pole, **values)  # type: ignore[arg-type]
        except ValidationError as error:
            raise _renamed(error) from None
        parts = (
            ("budget", services.add_budget_line),
            ("funding_plan", services.add_funding_line),
            ("milestones", services.add_milestone),
        )
        for name, add in parts:
            for i, line in enumerate(data[name]):
                if "public_level" in line:
                    line["public_level"] = line["public_level"] or ""
                try:
                    add(user, project=project, order=i + 1, **line)  # type: ignore[operator]
                except ValidationError as error:
                    raise _keyed(error, f"{name}[{i}]") from None
    loaded = queries.with_details(Project.objects.filter(pk=project.pk)).get()
    return Status(201, project_payload(loaded, request.user))


@router.get(
    "/projects/{project_id}",
    response={200: ProjectDetail, 404: Message},
    summary="Un projet : budget, plan de financement, jalons (le suivi selon vos droits)",
)
def get_project(request: HttpRequest, project_id: int) -> dict[str, Any]:
    project = queries.with_details(
        Project.objects.visible_to(request.user).filter(pk=project_id)
    ).first()
    if project is None:
        raise Http404(_("Aucun projet n'a le numéro %(id)s.") % {"id": project_id})
    return project_payload(project, request.user)
