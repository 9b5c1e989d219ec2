"""Projects pages: public page, hub list, forms (errors keep the input), follow-up,
documents served only to readers; permissions across hubs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ptce.core.choices import Visibility
from ptce.poles import services as pole_services
from ptce.projects import services
from ptce.projects.models import FundingLine, Milestone, Project
from tests.projects.factories import fund, hub
from tests.web.html import squash


@pytest.fixture
def h(db):
    h = hub(project_visibility=Visibility.PUBLIC)
    fund(h.project)
    return h


def u(name, h, *args):
    return reverse(f"projects:{name}", args=[h.pole.slug, *args])


def public_url(h):
    return reverse("projects:public", args=[h.pole.slug, h.project.slug])


def test_public_page_shows_plan_and_milestones_not_the_follow_up(client, h, parse):
    response = client.get(public_url(h))
    assert response.status_code == 200
    figures = squash(parse(response).by_id("plan-figures").text)
    assert "Budget100\u202f000\u00a0€" in figures and "Équilibreéquilibré" in figures
    html = response.content.decode()
    assert "Recyclerie partagée (fictive)" in html
    assert "Atelier Alpha (fictif)" in html and "Partenaire technique" in html
    assert "100\u202f000\u00a0€" in html  # budget
    assert "Région" in html and "40\u00a0%" in html  # level share of the plan
    assert "Étude" in html and "75 %" in html  # mean of 100 and 50
    assert "Reçu" not in html  # received amounts are the follow-up's


def test_public_page_404_when_not_public(client, h):
    services.update_project(None, project=h.project, visibility=Visibility.MEMBERS)
    assert client.get(public_url(h)).status_code == 404
    services.update_project(None, project=h.project, visibility=Visibility.PUBLIC)
    pole_services.update_pole(None, pole=h.pole, visibility=Visibility.MEMBERS)
    assert client.get(public_url(h)).status_code == 404
    client.force_login(h.coordinator)  # not even for its people: the public page is public
    assert client.get(public_url(h)).status_code == 404


def test_public_page_query_count(client, h, django_assert_max_num_queries):
    for i in range(10):
        services.add_milestone(None, project=h.project, title=f"Étape {i}")
        services.add_budget_line(None, project=h.project, label=f"Poste {i}", amount_cents=100)
    with django_assert_max_num_queries(12):
        assert client.get(public_url(h)).status_code == 200


def test_hub_list_and_permissions(client, h, parse, django_assert_max_num_queries):
    for i in range(6):
        services.create_project(None, pole=h.pole, title=f"Projet {i} (fictif)")
    assert client.get(u("index", h)).status_code == 302
    client.force_login(h.bruno)
    with django_assert_max_num_queries(15):
        response = client.get(u("index", h))
    assert response.status_code == 200
    page = parse(response)
    assert any("Projets" in a.text for a in page.find_all("a", **{"aria-current": "page"}))
    assert "Recyclerie partagée (fictive)" in response.content.decode()
    # a member of another hub sees neither the hub space nor the project
    other = hub("autre-pole", prefix="o-", visibility=Visibility.MEMBERS)
    client.force_login(other.alice)
    assert client.get(u("project", h, h.project.pk)).status_code == 403
    services.update_project(None, project=h.project, visibility=Visibility.MEMBERS)
    client.force_login(h.alice)
    assert (
        client.get(reverse("projects:project", args=[h.pole.slug, other.project.pk])).status_code
        == 404
    )
    client.force_login(h.coordinator)
    assert client.get(reverse("projects:index", args=[other.pole.slug])).status_code == 404


def test_coordinator_creates_a_project_and_errors_keep_input(client, h, parse):
    client.force_login(h.coordinator)
    assert client.get(u("project_create", h)).status_code == 200
    data = {
        "title": "Jardin partagé (fictif)",
        "status": "preparation",
        "visibility": "public",
        "lead_organisation": str(h.org_b.pk),
        "partners": [str(h.org_a.pk)],
        "summary": "Un jardin pour tous",
        "starts_on": "2026-06-01",
        "ends_on": "2026-01-01",
    }
    response = client.post(u("project_create", h), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "La date de fin précède la date de début." in html
    assert 'value="Un jardin pour tous"' in html
    data["ends_on"] = "2027-06-01"
    response = client.post(u("project_create", h), data)
    project = Project.objects.get(pole=h.pole, slug="jardin-partage-fictif")
    assert response.status_code == 302
    assert response["Location"] == u("project", h, project.pk)
    assert project.lead_organisation == h.org_b
    assert list(project.partners.all()) == [h.org_a]
    # members may not create; bruno leads the new project and edits it
    client.force_login(h.alice)
    assert client.get(u("project_create", h)).status_code == 403
    client.force_login(h.bruno)
    response = client.post(u("project_edit", h, project.pk), {**data, "title": "Jardin des Lilas"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Jardin des Lilas" and project.slug == "jardin-partage-fictif"


def test_lines_forms(client, h):
    client.force_login(h.alice)  # the lead's user
    url = reverse("projects:line_create", args=[h.pole.slug, h.project.pk, "financement"])
    response = client.post(
        url,
        {"source": "public_subsidy", "funder": "", "planned_cents": "5 000", "status": "requested"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "niveau de la collectivité" in html and 'value="5 000"' in html
    response = client.post(
        url,
        {
            "source": "public_subsidy",
            "funder": "Département (fictif)",
            "public_level": "departement",
            "planned_cents": "5 000,50",
            "status": "granted",
        },
    )
    assert response.status_code == 302
    line = FundingLine.objects.get(funder="Département (fictif)")
    assert line.planned_cents == 500050 and line.public_level == "departement"
    edit = reverse("projects:line_edit", args=[h.pole.slug, h.project.pk, "financement", line.pk])
    assert 'value="5000,50"' in client.get(edit).content.decode()
    response = client.post(
        url.replace("financement", "jalons"), {"title": "Inauguration", "progress": "30"}
    )
    assert response.status_code == 302
    assert Milestone.objects.get(title="Inauguration").progress == 30
    response = client.post(
        url.replace("financement", "budget"),
        {"label": "Peinture", "category": "equipment", "amount_cents": "douze"},
    )
    assert response.status_code == 400 and "Montant illisible" in response.content.decode()
    response = client.post(
        url.replace("financement", "resultats"),
        {"text": "Objets réemployés", "figure": "12,5", "unit": "t"},
    )
    assert response.status_code == 302
    assert client.get(url.replace("financement", "inconnu")).status_code == 404
    client.post(edit + "supprimer/")
    assert not FundingLine.objects.filter(pk=line.pk).exists()
    # bruno (partner only) may not change lines
    client.force_login(h.bruno)
    assert client.post(url, {"source": "bank_loan", "planned_cents": "10"}).status_code == 403


def test_follow_up_for_coordination_observers_and_lead_only(client, h, parse):
    url = u("follow_up", h, h.project.pk)
    for person in (h.coordinator, h.observer, h.alice):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person.email
    page = parse(response)
    received = squash(page.by_id("follow-received").text)
    assert received == "50\u202f000\u00a0€"  # 20 000 from the Région + 30 000 self-financing
    assert "sur 100\u202f000\u00a0€ prévus (50\u00a0%)" in squash(response.content.decode())
    assert "Versé" in page.by_id("follow-lines").text
    client.force_login(h.bruno)
    assert client.get(url).status_code == 403


def test_documents_are_served_to_readers_only(client, h, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(h.alice)
    response = client.post(
        u("document_create", h, h.project.pk),
        {
            "title": "Convention",
            "visibility": "coordinators",
            "file": SimpleUploadedFile("convention.pdf", b"%PDF-1.7 test"),
        },
    )
    assert response.status_code == 302
    doc = h.project.documents.get()
    url = reverse("projects:document", args=[doc.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert response["Content-Type"] == "application/pdf"
    client.force_login(h.bruno)  # a member, not following, the document is for coordination
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    doc.visibility = Visibility.PUBLIC
    doc.save()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"  # consumed: file closed
    response = client.post(
        u("document_create", h, h.project.pk),
        {"title": "Faux", "visibility": "public", "file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert response.status_code == 302  # anonymous: to the login page


def test_axes_pages(client, h):
    client.force_login(h.coordinator)
    response = client.post(u("axis_create", h), {"title": "Économie circulaire", "order": "1"})
    assert response.status_code == 302
    response = client.post(u("axis_create", h), {"title": "économie circulaire", "order": "2"})
    assert response.status_code == 400 and "déjà un axe" in response.content.decode()
    axis = h.pole.strategy_axes.get()
    client.force_login(h.alice)
    assert client.post(u("axis_delete", h, axis.pk)).status_code == 403


def test_observatory_page_links_public_projects(client, h, parse):
    private = services.create_project(None, pole=h.pole, title="Projet interne (fictif)")
    response = client.get(reverse("observatory:pole", args=[h.pole.slug]))
    listed = parse(response).by_id("hub-projects")
    assert listed is not None and "Recyclerie partagée (fictive)" in listed.text
    assert private.title not in response.content.decode()
    assert public_url(h) in response.content.decode()


def test_project_and_follow_up_query_counts(client, h, django_assert_max_num_queries):
    for i in range(10):
        services.add_milestone(None, project=h.project, title=f"Étape {i}")
        services.add_funding_line(
            None, project=h.project, source="foundation", funder=f"Fondation {i}", planned_cents=100
        )
    client.force_login(h.alice)
    with django_assert_max_num_queries(25):
        response = client.get(u("project", h, h.project.pk))
    assert response.status_code == 200 and "Fondation 9" in response.content.decode()
    with django_assert_max_num_queries(25):
        assert client.get(u("follow_up", h, h.project.pk)).status_code == 200
