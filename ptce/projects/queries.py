"""Reads of projects for pages and the API, with bounded query counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from ptce.poles.models import Pole
from ptce.projects import funding
from ptce.projects.models import Document, Milestone, Project, ProjectPartner


def hub_projects(user: Any, pole: Pole) -> QuerySet[Project]:
    """The hub's projects `user` may read, with their axis, lead and milestones (3 queries)."""
    return (
        Project.objects.visible_to(user)
        .filter(pole=pole)
        .select_related("axis", "lead_organisation", "pole")
        .prefetch_related("milestones")
        .order_by("axis__order", "axis__id", "title", "pk")
    )


def with_details(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Everything a project page shows, in a fixed number of queries."""
    return qs.select_related(
        "pole", "axis", "lead_organisation", "perimeter", "created_by"
    ).prefetch_related(
        Prefetch(
            "partnerships",
            queryset=ProjectPartner.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        ),
        "budget_lines",
        "funding_lines",
        Prefetch("milestones", queryset=Milestone.objects.order_by("order", "due_on", "id")),
        "results",
        Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
    )


def plan_of(project: Project) -> funding.Plan:
    """The funding plan's figures, from the project's (prefetched) lines."""
    return funding.plan(
        [line.amount_cents for line in project.budget_lines.all()],
        [
            funding.Line(
                line.source,
                line.planned_cents,
                line.received_cents,
                line.status,
                line.public_level,
            )
            for line in project.funding_lines.all()
        ],
    )


def progress_of(project: Project) -> int:
    return funding.progress([funding.Step(m.progress, m.done) for m in project.milestones.all()])


@dataclass(frozen=True)
class Row:
    """One source or public level of the follow-up: planned, received, share of the plan."""

    key: str
    label: str
    planned_cents: int
    received_cents: int
    share: float

    @property
    def received_ratio(self) -> float:
        return self.received_cents / self.planned_cents if self.planned_cents else 0.0


def rows(plan: funding.Plan, labels: dict[str, str], *, levels: bool) -> list[Row]:
    planned = plan.by_level if levels else plan.by_source
    received = plan.received_by_level if levels else plan.received_by_source
    keys = [k for k in labels if k in planned or received.get(k)]
    return [
        Row(k, labels[k], planned.get(k, 0), received.get(k, 0), plan.share(planned.get(k, 0)))
        for k in keys
    ]
