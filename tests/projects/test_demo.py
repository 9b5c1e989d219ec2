"""The demo projects: one per real hub with a funding plan (several sources and public levels,
some received) and milestones; the wind farm the financing demo looks for; idempotent."""

from __future__ import annotations

import pytest

from ptce.poles import demo as poles_demo
from ptce.poles.demo.data import REAL_HUBS
from ptce.projects import demo, queries
from ptce.projects.models import Project
from tests.poles.test_demo import real_territory  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_demo_projects(real_territory):  # noqa: F811
    poles_demo.build(generated_hubs=0)
    created = demo.build()
    assert created["projets"] == len(REAL_HUBS) == 5
    projects = queries.with_details(Project.objects.all())
    assert {p.pole.slug for p in projects} == {hub.slug for hub in REAL_HUBS}
    for project in projects:
        plan = queries.plan_of(project)
        assert project.visibility == "public" and project.is_demo
        assert project.lead_organisation is not None
        assert project.pole.memberships.filter(organisation=project.lead_organisation).exists()
        assert project.partnerships.count() >= 2
        assert len(plan.by_source) >= 3 and len(plan.by_level) >= 2
        assert 0 < plan.received_cents <= plan.planned_cents
        assert project.milestones.count() >= 3
        assert project.axis is not None
    wind = Project.objects.get(
        pole__slug="eoliennes-en-pays-de-vilaine", slug="parc-eolien-citoyen"
    )
    assert wind.title == "Parc éolien citoyen"
    assert queries.plan_of(wind).by_source["citizen_campaign"] == 180_000_000
    assert demo.build() == {}  # idempotent
    assert Project.objects.count() == 5
