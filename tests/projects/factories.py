"""A hub with projects: coordinator, two member organisations with one person each (alice for
the lead, bruno for the other), an observer (a funder), and a project led by org_a."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ptce.actors import services as actor_services
from ptce.actors.models import Organisation
from ptce.core.choices import Role, Visibility
from ptce.core.services import create_user
from ptce.poles import services as pole_services
from ptce.poles.models import Pole
from ptce.projects import services
from ptce.projects.models import FundingSource, FundingStatus, Project, PublicLevel


@dataclass
class Hub:
    pole: Pole
    coordinator: Any
    alice: Any  # speaks for org_a, the lead
    bruno: Any  # speaks for org_b
    observer: Any
    org_a: Organisation
    org_b: Organisation
    project: Project


def organisation(name: str) -> Organisation:
    return actor_services.create_organisation(None, name=name, categorie_juridique="9220")


def hub(
    slug: str = "pole-proj",
    *,
    prefix: str = "",
    visibility: str = Visibility.PUBLIC,
    project_visibility: str = Visibility.MEMBERS,
) -> Hub:
    pole = pole_services.create_pole(None, name=f"Pôle {slug}", slug=slug, visibility=visibility)
    people = {}
    for name, role in (
        ("coord", Role.COORDINATOR),
        ("alice", Role.MEMBER),
        ("bruno", Role.MEMBER),
        ("obs", Role.OBSERVER),
    ):
        people[name] = create_user(None, email=f"{prefix}{name}@example.org")
        pole_services.grant_role(None, pole=pole, user=people[name], role=role)
    org_a = organisation(f"{prefix}Atelier Alpha (fictif)")
    org_b = organisation(f"{prefix}Bureau Bêta (fictif)")
    for org, person in ((org_a, people["alice"]), (org_b, people["bruno"])):
        pole_services.add_member(None, pole=pole, organisation=org, joined_on="2020-01-01")
        actor_services.affiliate(None, user=person, organisation=org)
    project = services.create_project(
        None,
        pole=pole,
        title="Recyclerie partagée (fictive)",
        lead_organisation=org_a,
        partners=[(org_b, "Partenaire technique")],
        visibility=project_visibility,
        status="in_progress",
    )
    return Hub(
        pole,
        people["coord"],
        people["alice"],
        people["bruno"],
        people["obs"],
        org_a,
        org_b,
        project,
    )


def fund(project: Project) -> None:
    """A budget of 100 000 € and a plan: Région 40 000 (received 20 000), commune 10 000
    (granted), self-financing 30 000 (received), bank loan 20 000 (requested)."""
    services.add_budget_line(
        None, project=project, label="Travaux", category="investment", amount_cents=8_000_000
    )
    services.add_budget_line(
        None, project=project, label="Animation", category="staff", amount_cents=2_000_000
    )
    services.add_funding_line(
        None,
        project=project,
        source=FundingSource.PUBLIC_SUBSIDY,
        funder="Région (fictive)",
        public_level=PublicLevel.REGION,
        planned_cents=4_000_000,
        status=FundingStatus.GRANTED,
        received_cents=2_000_000,
    )
    services.add_funding_line(
        None,
        project=project,
        source=FundingSource.PUBLIC_SUBSIDY,
        funder="Commune (fictive)",
        public_level=PublicLevel.COMMUNE,
        planned_cents=1_000_000,
        status=FundingStatus.GRANTED,
    )
    services.add_funding_line(
        None,
        project=project,
        source=FundingSource.SELF_FINANCING,
        planned_cents=3_000_000,
        status=FundingStatus.RECEIVED,
        received_cents=3_000_000,
    )
    services.add_funding_line(
        None,
        project=project,
        source=FundingSource.BANK_LOAN,
        funder="Banque",
        planned_cents=2_000_000,
    )
    services.add_milestone(None, project=project, title="Étude", done=True, due_on="2026-01-31")
    services.add_milestone(None, project=project, title="Travaux", progress=50, due_on="2026-09-30")
