"""API of projects: list, creation by coordination with budget, funding plan and milestones,
one project with its figures; public projects anonymously; follow-up figures per rights."""

from __future__ import annotations

import pytest

from ptce.actors.models import Organisation
from ptce.core.choices import Visibility
from ptce.core.models import AuditEntry
from ptce.projects import services
from ptce.projects.models import Project
from tests.api.auth import bearer
from tests.projects.factories import fund, hub

pytestmark = pytest.mark.django_db


@pytest.fixture
def h():
    h = hub(project_visibility=Visibility.PUBLIC)
    fund(h.project)
    return h


def test_anonymous_reads_public_projects_without_follow_up(client, h):
    private = services.create_project(None, pole=h.pole, title="Projet interne (fictif)")
    response = client.get(f"/api/v1/poles/{h.pole.slug}/projects")
    assert response.status_code == 200
    assert [p["title"] for p in response.json()] == ["Recyclerie partagée (fictive)"]
    item = response.json()[0]
    assert item["progress"] == 75 and item["lead"] == "Atelier Alpha (fictif)"
    assert item["public_url"] == f"/projets/{h.pole.slug}/{h.project.slug}/"
    body = client.get(f"/api/v1/projects/{h.project.pk}").json()
    assert body["plan"]["budget_cents"] == 10_000_000
    assert body["plan"]["balanced"] is True
    assert body["plan"]["by_public_level"] == {"region": 4_000_000, "commune": 1_000_000}
    assert body["plan"]["received_cents"] is None
    assert {line["received_cents"] for line in body["funding_plan"]} == {None}
    assert [m["title"] for m in body["milestones"]] == ["Étude", "Travaux"]
    assert body["partners"] == [
        {
            "organisation_id": h.org_b.pk,
            "name": "Bureau Bêta (fictif)",
            "role": "Partenaire technique",
        }
    ]
    assert body["follow_up"] is False
    response = client.get(f"/api/v1/projects/{private.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == f"Aucun projet n'a le numéro {private.pk}."


def test_observer_sees_the_follow_up_and_members_the_members_projects(client, h):
    private = services.create_project(None, pole=h.pole, title="Projet interne (fictif)")
    body = client.get(f"/api/v1/projects/{h.project.pk}", **bearer(h.observer)).json()
    assert body["follow_up"] is True
    assert body["plan"]["received_cents"] == 5_000_000
    assert body["plan"]["received_by_public_level"] == {"region": 2_000_000, "commune": 0}
    titles = [
        p["title"]
        for p in client.get(f"/api/v1/poles/{h.pole.slug}/projects", **bearer(h.bruno)).json()
    ]
    assert titles == ["Projet interne (fictif)", "Recyclerie partagée (fictive)"]
    other = hub("autre-pole", prefix="o-")
    response = client.get(f"/api/v1/projects/{private.pk}", **bearer(other.coordinator))
    assert response.status_code == 404


def test_list_query_count(client, h, django_assert_max_num_queries):
    for i in range(15):
        p = services.create_project(
            None, pole=h.pole, title=f"Projet {i} (fictif)", visibility=Visibility.PUBLIC
        )
        services.add_milestone(None, project=p, title="Début", progress=10)
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/poles/{h.pole.slug}/projects")
    assert len(response.json()) == 16
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/projects/{h.project.pk}").status_code == 200


PAYLOAD = {
    "title": "Chaufferie bois collective (fictive)",
    "summary": "Chaleur locale",
    "visibility": "public",
    "status": "preparation",
    "starts_on": "2026-03-01",
    "ends_on": "2027-12-31",
    "budget": [
        {"label": "Chaudière", "category": "equipment", "amount_cents": 30_000_000},
        {"label": "Réseau", "category": "investment", "amount_cents": 20_000_000},
    ],
    "funding_plan": [
        {
            "source": "public_subsidy",
            "funder": "ADEME (fictif)",
            "public_level": "state",
            "planned_cents": 20_000_000,
            "status": "granted",
        },
        {"source": "citizen_campaign", "planned_cents": 10_000_000},
        {"source": "bank_loan", "funder": "Banque", "planned_cents": 15_000_000},
    ],
    "milestones": [{"title": "Permis", "due_on": "2026-06-30"}, {"title": "Mise en service"}],
}


def test_coordinator_creates_a_project_with_its_plan(client, h):
    url = f"/api/v1/poles/{h.pole.slug}/projects"
    payload = {
        **PAYLOAD,
        "lead_organisation_id": h.org_a.pk,
        "partners": [{"organisation_id": h.org_b.pk, "role": "Exploitant"}],
    }
    assert client.post(url, payload, content_type="application/json").status_code == 401
    response = client.post(url, payload, content_type="application/json", **bearer(h.alice))
    assert response.status_code == 403
    response = client.post(url, payload, content_type="application/json", **bearer(h.coordinator))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "chaufferie-bois-collective-fictive"
    assert body["plan"]["gap_cents"] == 5_000_000 and body["plan"]["balanced"] is False
    assert body["plan"]["by_source"]["citizen_campaign"] == 10_000_000
    assert [m["title"] for m in body["milestones"]] == ["Permis", "Mise en service"]
    assert body["partners"][0]["role"] == "Exploitant"
    project = Project.objects.get(pk=body["id"])
    assert AuditEntry.objects.filter(verb="add_funding_line").count() >= 3
    assert project.created_by == h.coordinator


def test_bad_input_is_refused_in_french_and_nothing_is_kept(client, h):
    url = f"/api/v1/poles/{h.pole.slug}/projects"
    bad = {**PAYLOAD, "funding_plan": [{"source": "public_subsidy", "planned_cents": 100}]}
    response = client.post(url, bad, content_type="application/json", **bearer(h.coordinator))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"funding_plan[0].public_level", "funding_plan[0].funder"}
    assert not Project.objects.filter(title=PAYLOAD["title"]).exists()
    response = client.post(
        url,
        {**PAYLOAD, "ends_on": "2020-01-01"},
        content_type="application/json",
        **bearer(h.coordinator),
    )
    assert response.status_code == 422
    assert "précède" in response.json()["detail"]
    response = client.post(
        url,
        {**PAYLOAD, "lead_organisation_id": 999999},
        content_type="application/json",
        **bearer(h.coordinator),
    )
    assert response.status_code == 422 and "inconnue" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "lead_organisation_id"
    stranger = Organisation.objects.create(name="Entreprise extérieure (fictive)")
    response = client.post(
        url,
        {**PAYLOAD, "lead_organisation_id": stranger.pk},
        content_type="application/json",
        **bearer(h.coordinator),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "lead_organisation_id",
            "message": "Le porteur du projet doit être un membre actuel du pôle "
            "(Entreprise extérieure (fictive) ne l’est pas).",
        }
    ]
    assert (
        client.post(
            "/api/v1/poles/inconnu/projects",
            PAYLOAD,
            content_type="application/json",
            **bearer(h.coordinator),
        ).status_code
        == 404
    )
