"""Projects across hubs and under bad input: the people of hub A neither read nor change hub
B's non-public projects (pages, forms, documents, follow-up, API); bad input never gives a
500 and is answered in French naming the field; lists keep a bounded number of queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ptce.core.choices import Visibility
from ptce.projects import services
from ptce.projects.models import BudgetLine, Document, FundingLine, Milestone, Project
from tests.api.auth import bearer
from tests.projects.factories import fund, hub


@pytest.fixture
def private_b(db, settings, tmp_path):
    """Hub B (public hub) with a members-only project, funded, with a public document."""
    settings.MEDIA_ROOT = str(tmp_path)
    b = hub("pole-b", prefix="b-", project_visibility=Visibility.MEMBERS)
    fund(b.project)
    services.add_document(
        None,
        project=b.project,
        title="Convention",
        upload=SimpleUploadedFile("convention.pdf", b"%PDF-1.4 secret", "application/pdf"),
        visibility=Visibility.PUBLIC,
    )
    return b


@pytest.fixture
def a(db):
    return hub("pole-a", prefix="a-", project_visibility=Visibility.PUBLIC)


def b_pages(b):
    slug, pk = b.pole.slug, b.project.pk
    line = BudgetLine.objects.filter(project=b.project).first()
    funding = FundingLine.objects.filter(project=b.project).first()
    doc = Document.objects.get(project=b.project)
    return {
        "project": reverse("projects:project", args=[slug, pk]),
        "follow_up": reverse("projects:follow_up", args=[slug, pk]),
        "edit": reverse("projects:project_edit", args=[slug, pk]),
        "budget": reverse("projects:line_edit", args=[slug, pk, "budget", line.pk]),
        "funding": reverse("projects:line_edit", args=[slug, pk, "financement", funding.pk]),
        "new_doc": reverse("projects:document_create", args=[slug, pk]),
        "download": reverse("projects:document", args=[doc.pk]),
        "index": reverse("projects:index", args=[slug]),
    }


@pytest.mark.parametrize("who", ["coordinator", "alice", "observer"])
def test_people_of_hub_a_neither_read_nor_change_hub_b_private_project(client, a, private_b, who):
    b = private_b
    client.force_login(getattr(a, who))
    pages = b_pages(b)
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (403, 404), (name, response.status_code)
        assert b"Recyclerie" not in response.content or name == "index"
        assert b"secret" not in response.content
    # htmx fragment requests get the same answer
    for url in (pages["project"], pages["follow_up"]):
        assert client.get(url, HTTP_HX_REQUEST="true").status_code in (403, 404)
    # writes are refused and change nothing
    before = BudgetLine.objects.get(pk=BudgetLine.objects.filter(project=b.project).first().pk)
    response = client.post(pages["budget"], {"label": "Pirate", "amount_cents": "1"})
    assert response.status_code in (403, 404)
    response = client.post(pages["budget"] + "supprimer/")
    assert response.status_code in (403, 404)
    response = client.post(pages["edit"], {"title": "Pirate"})
    assert response.status_code in (403, 404)
    assert BudgetLine.objects.get(pk=before.pk).label == before.label
    assert Project.objects.get(pk=b.project.pk).title == b.project.title
    # the API neither lists nor shows it
    api = bearer(getattr(a, who))
    listed = client.get(f"/api/v1/poles/{b.pole.slug}/projects", **api).json()
    assert listed == []
    assert client.get(f"/api/v1/projects/{b.project.pk}", **api).status_code == 404
    response = client.post(
        f"/api/v1/poles/{b.pole.slug}/projects",
        {"title": "Pirate"},
        content_type="application/json",
        **api,
    )
    assert response.status_code == 403
    assert not Project.objects.filter(title="Pirate").exists()


def test_hub_b_member_partner_reads_but_not_the_follow_up_nor_refused_lines(client, private_b):
    b = private_b
    client.force_login(b.bruno)  # partner, not lead
    pages = b_pages(b)
    assert client.get(pages["project"]).status_code == 200
    assert client.get(pages["follow_up"]).status_code == 403
    body = client.get(f"/api/v1/projects/{b.project.pk}", **bearer(b.bruno)).json()
    assert body["follow_up"] is False
    assert body["plan"]["received_cents"] is None
    assert all(line["received_cents"] is None for line in body["funding_plan"])


def test_anonymous_gets_only_the_public_page(client, private_b):
    b = private_b
    pages = b_pages(b)
    assert client.get(pages["download"]).status_code == 404  # project not public
    assert client.get(f"/api/v1/projects/{b.project.pk}").status_code == 404
    assert client.get(f"/api/v1/poles/{b.pole.slug}/projects").json() == []
    for name in ("project", "follow_up", "edit"):
        assert client.get(pages[name]).status_code == 302  # to the login page


# ----------------------------------------------------------------------------- bad input


@pytest.fixture
def h(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    h = hub(project_visibility=Visibility.PUBLIC)
    fund(h.project)
    return h


def line_url(h, kind, pk=None):
    args = [h.pole.slug, h.project.pk, kind]
    if pk is None:
        return reverse("projects:line_create", args=args)
    return reverse("projects:line_edit", args=[*args, pk])


@pytest.mark.parametrize(
    ("kind", "data", "field_words"),
    [
        ("budget", {"label": "Peinture", "amount_cents": "-50"}, "Montant"),
        ("budget", {"label": "Peinture", "amount_cents": "1e400"}, "Montant"),
        ("budget", {"label": "Peinture", "amount_cents": "99999999999999999999999"}, "Montant"),
        ("financement", {"source": "bank_loan", "planned_cents": "-3"}, "Montant"),
        (
            "financement",
            {"source": "bank_loan", "planned_cents": "10", "received_cents": "-1"},
            "Reçu",
        ),
        (
            "financement",
            {"source": "bank_loan", "planned_cents": "10", "decided_on": "2026-02-31"},
            "date",
        ),
        ("jalons", {"title": "Étape", "due_on": "31/31/2026"}, "date"),
        ("jalons", {"title": "Étape", "progress": "150"}, "100"),
        ("jalons", {"title": "Étape", "progress": "abc"}, "nombre"),
        ("resultats", {"text": "Objets", "figure": "douze"}, "nombre"),
        ("resultats", {"text": "Objets", "figure": "1e30"}, ""),
    ],
)
def test_bad_lines_are_refused_in_french_with_the_input_kept(client, h, kind, data, field_words):
    client.force_login(h.coordinator)
    response = client.post(line_url(h, kind), data)
    assert response.status_code == 400, response.content[:300]
    html = response.content.decode()
    assert field_words.lower() in html.lower()
    for value in data.values():
        assert f'value="{value}"' in html or value in html  # the input is kept


def test_bad_project_dates_and_ids(client, h):
    client.force_login(h.coordinator)
    url = reverse("projects:project_edit", args=[h.pole.slug, h.project.pk])
    response = client.post(
        url,
        {
            "title": "Recyclerie",
            "status": "in_progress",
            "visibility": "public",
            "starts_on": "2026-05-01",
            "ends_on": "2026-01-01",
            "lead_organisation": "abc",
            "axis": "999999",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "2026-05-01" in html and "2026-01-01" in html
    assert client.get(f"/espace/poles/{h.pole.slug}/projets/abc/").status_code == 404
    assert client.get(f"/espace/poles/{h.pole.slug}/projets/99999999999/").status_code == 404
    assert client.get(line_url(h, "budget", 99999999)).status_code == 404
    assert client.get(reverse("projects:document", args=[99999999])).status_code == 404
    big = 2**70
    assert client.get(f"/espace/poles/{h.pole.slug}/projets/{big}/").status_code == 404
    assert client.get(f"/projets/documents/{big}/").status_code == 404
    assert client.get(f"/api/v1/projects/{big}").status_code in (404, 422)


@pytest.mark.parametrize(
    ("name", "content", "content_type", "words"),
    [
        ("virus.exe", b"MZ\x90\x00", "application/octet-stream", "fichier"),
        ("faux.pdf", b"MZ\x90\x00 not a pdf", "application/pdf", "fichier"),
        ("vide.pdf", b"", "application/pdf", "fichier"),
        ("gros.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024 + 1), "application/pdf", "10"),
    ],
)
def test_bad_documents_are_refused(client, h, name, content, content_type, words):
    client.force_login(h.coordinator)
    url = reverse("projects:document_create", args=[h.pole.slug, h.project.pk])
    upload = SimpleUploadedFile(name, content, content_type)
    response = client.post(url, {"title": "Pièce", "file": upload, "visibility": "members"})
    assert response.status_code == 400
    html = response.content.decode()
    assert words.lower() in html.lower() and 'value="Pièce"' in html
    assert not Document.objects.exists()


def test_api_bad_input_is_a_french_422(client, h):
    api = bearer(h.coordinator)
    url = f"/api/v1/poles/{h.pole.slug}/projects"
    cases = [
        {"title": "X", "budget": [{"label": "a", "amount_cents": -5}]},
        {"title": "X", "starts_on": "2026-02-30"},
        {"title": "X", "budget": [{"label": "a", "amount_cents": "douze"}]},
        {"title": "X", "funding_plan": [{"source": "nope", "planned_cents": 10}]},
        {"title": "X", "milestones": [{"title": "m", "progress": 101}]},
        {"title": "X", "budget": [{"label": "a", "amount_cents": 2**70}]},
        {"title": "X", "lead_organisation_id": 2**70},
        {"title": "X", "axis_id": "abc"},
        {"title": "Projet", "starts_on": "2026-05-01", "ends_on": "2026-01-01"},
    ]
    for payload in cases:
        response = client.post(url, payload, content_type="application/json", **api)
        assert response.status_code == 422, (payload, response.status_code, response.content)
        assert response.json()["detail"], payload
    assert Project.objects.count() == 1
    response = client.post(url, "not json", content_type="application/json", **api)
    assert response.status_code in (400, 422)


def test_milestone_progress_and_a_deleted_line_twice(client, h):
    client.force_login(h.coordinator)
    line = Milestone.objects.filter(project=h.project).first()
    url = line_url(h, "jalons", line.pk) + "supprimer/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404  # already gone: no 500


# ----------------------------------------------------------------------------- query counts


def test_hub_list_and_api_list_queries_do_not_grow(client, h, django_assert_max_num_queries):
    for i in range(15):
        p = services.create_project(
            None, pole=h.pole, title=f"Projet {i}", lead_organisation=h.org_b, visibility="public"
        )
        services.add_milestone(None, project=p, title="Étape", progress=i)
    client.force_login(h.observer)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("projects:index", args=[h.pole.slug])).status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(f"/api/v1/poles/{h.pole.slug}/projects", **bearer(h.observer))
    assert len(response.json()) == 16
