"""Services of projects: permissions, validation with French messages, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ptce.core.choices import Visibility
from ptce.core.models import AuditEntry
from ptce.core.services import create_user
from ptce.projects import access, services
from ptce.projects.models import FundingSource, Project
from tests.projects.factories import fund, hub, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def h():
    return hub()


def test_create_project_is_audited_with_its_partners(h):
    project = services.create_project(
        h.coordinator,
        pole=h.pole,
        title="Atelier vélo (fictif)",
        lead_organisation=h.org_b,
        partners=[h.org_a],
    )
    assert project.slug == "atelier-velo-fictif"
    assert project.created_by == h.coordinator
    assert list(project.partners.all()) == [h.org_a]
    entry = AuditEntry.objects.get(verb="create_project", object_id=str(project.pk))
    assert entry.actor == h.coordinator
    assert entry.changes["title"] == [None, "Atelier vélo (fictif)"]
    assert entry.changes["partners"][1] == [f"{h.org_a.pk}:"]


def test_slug_is_unique_per_hub_only(h):
    with pytest.raises(ValidationError) as exc:
        services.create_project(h.coordinator, pole=h.pole, title="Recyclerie partagée (fictive)")
    assert "identifiant court" in exc.value.message_dict["slug"][0]
    other = hub("autre-pole", prefix="o-")  # makes a project of the same title
    assert other.project.slug == h.project.slug


def test_the_lead_must_be_a_current_member(h):
    stranger = organisation("Entreprise extérieure (fictive)")
    with pytest.raises(ValidationError) as exc:
        services.create_project(
            h.coordinator, pole=h.pole, title="Projet X", lead_organisation=stranger
        )
    assert "membre actuel du pôle" in exc.value.message_dict["lead_organisation"][0]


def test_dates_and_title_are_checked(h):
    with pytest.raises(ValidationError) as exc:
        services.update_project(
            h.coordinator,
            project=h.project,
            title="x",
            starts_on="2026-05-01",
            ends_on="2026-01-01",
        )
    errors = exc.value.message_dict
    assert "au moins 3 caractères" in errors["title"][0]
    assert "précède" in errors["ends_on"][0]
    with pytest.raises(ValidationError) as exc:
        services.update_project(h.coordinator, project=h.project, starts_on="1er mai")
    assert "AAAA-MM-JJ" in exc.value.message_dict["starts_on"][0]


def test_who_may_create_and_edit(h):
    with pytest.raises(PermissionDenied):
        services.create_project(h.alice, pole=h.pole, title="Projet d’Alice")
    # alice speaks for the lead organisation: she edits her project
    services.update_project(h.alice, project=h.project, summary="Réemploi des objets")
    services.add_milestone(h.alice, project=h.project, title="Ouverture")
    # bruno speaks for a partner only; the observer only reads
    for person in (h.bruno, h.observer):
        with pytest.raises(PermissionDenied):
            services.update_project(person, project=h.project, summary="Non")
        with pytest.raises(PermissionDenied):
            services.add_budget_line(person, project=h.project, label="Achat", amount_cents=100)
    h.project.refresh_from_db()
    assert h.project.summary == "Réemploi des objets"


def test_a_member_of_another_hub_can_neither_read_nor_change(h):
    other = hub("autre-pole", prefix="o-")
    assert not access.can_view(other.alice, h.project)
    assert not access.can_follow(other.observer, h.project)
    with pytest.raises(PermissionDenied):
        services.update_project(other.coordinator, project=h.project, title="Pris")
    assert h.project not in Project.objects.visible_to(other.alice)


def test_read_and_follow_rules(h):
    anonymous = type("Anon", (), {"is_authenticated": False, "is_staff": False})()
    outsider = create_user(None, email="dehors@example.org")
    assert not access.can_view(anonymous, h.project)
    assert access.can_view(h.bruno, h.project) and not access.can_follow(h.bruno, h.project)
    assert access.can_follow(h.observer, h.project)
    assert access.can_follow(h.alice, h.project)
    assert access.can_follow(h.coordinator, h.project)
    services.update_project(None, project=h.project, visibility=Visibility.PUBLIC)
    assert access.can_view(anonymous, h.project) and not access.can_follow(outsider, h.project)
    services.update_project(None, project=h.project, visibility=Visibility.OWNER)
    assert access.can_view(h.alice, h.project) and not access.can_view(h.bruno, h.project)
    visible = {
        u.email: list(Project.objects.visible_to(u)) for u in (h.alice, h.bruno, h.coordinator)
    }
    assert visible == {
        "alice@example.org": [h.project],
        "bruno@example.org": [],
        "coord@example.org": [h.project],
    }


def test_visible_to_agrees_with_can_view(h):
    users = [h.coordinator, h.alice, h.bruno, h.observer, create_user(None, email="x@example.org")]
    for visibility in Visibility.values:
        services.update_project(None, project=h.project, visibility=visibility)
        for user in users:
            listed = Project.objects.visible_to(user).filter(pk=h.project.pk).exists()
            assert listed == access.can_view(user, h.project), (visibility, user.email)


def test_funding_lines_rules(h):
    add = services.add_funding_line
    with pytest.raises(ValidationError) as exc:
        add(
            h.coordinator, project=h.project, source=FundingSource.PUBLIC_SUBSIDY, planned_cents=100
        )
    errors = exc.value.message_dict
    assert "niveau de la collectivité" in errors["public_level"][0]
    assert "financeur" in errors["funder"][0]
    with pytest.raises(ValidationError) as exc:
        add(h.coordinator, project=h.project, source="loterie", planned_cents=0)
    assert "Source de financement inconnu" in exc.value.message_dict["source"][0]
    assert "supérieur à zéro" in exc.value.message_dict["planned_cents"][0]
    with pytest.raises(ValidationError) as exc:
        add(
            h.coordinator,
            project=h.project,
            source="bank_loan",
            planned_cents=100,
            status="refused",
            received_cents=10,
        )
    assert "refusé" in exc.value.message_dict["received_cents"][0]
    with pytest.raises(ValidationError) as exc:
        add(
            h.coordinator,
            project=h.project,
            source="bank_loan",
            planned_cents=100,
            received_cents=500,
        )
    assert "dépasse le montant prévu" in exc.value.message_dict["received_cents"][0]
    line = add(
        h.coordinator,
        project=h.project,
        source="public_subsidy",
        funder="Département (fictif)",
        public_level="departement",
        planned_cents=500_000,
    )
    services.update_funding_line(h.alice, line=line, status="received", received_cents=500_000)
    line.refresh_from_db()
    assert (line.status, line.received_cents) == ("received", 500_000)
    entry = AuditEntry.objects.get(verb="update_funding_line", object_id=str(line.pk))
    assert entry.changes["received_cents"] == [0, 500_000]
    # a non-public source drops a stray level
    loan = add(None, project=h.project, source="bank_loan", planned_cents=100)
    with pytest.raises(ValidationError) as exc:
        services.update_funding_line(None, line=loan, public_level="region")
    assert "subvention publique" in exc.value.message_dict["public_level"][0]


def test_milestones(h):
    m = services.add_milestone(h.coordinator, project=h.project, title="Chantier", progress=40)
    with pytest.raises(ValidationError) as exc:
        services.update_milestone(h.coordinator, milestone=m, progress=140)
    assert "entre 0 et 100" in exc.value.message_dict["progress"][0]
    services.update_milestone(h.coordinator, milestone=m, done=True)
    m.refresh_from_db()
    assert m.progress == 100 and m.done_on is not None
    services.update_milestone(h.coordinator, milestone=m, done=False, progress=80)
    m.refresh_from_db()
    assert (m.done, m.progress, m.done_on) == (False, 80, None)
    pk = m.pk
    services.delete_milestone(h.coordinator, milestone=m)
    assert AuditEntry.objects.filter(verb="delete_milestone", object_id=str(pk)).exists()


def test_budget_and_results(h):
    fund(h.project)
    with pytest.raises(ValidationError) as exc:
        services.add_budget_line(h.coordinator, project=h.project, label="", amount_cents=-3)
    assert "libellé" in exc.value.message_dict["label"][0]
    assert "supérieur à zéro" in exc.value.message_dict["amount_cents"][0]
    assert sum(h.project.budget_lines.values_list("amount_cents", flat=True)) == 10_000_000
    result = services.add_result(
        h.alice, project=h.project, text="Tonnes d’objets réemployés", figure="12,5", unit="t"
    )
    assert str(result.figure) == "12.50"
    with pytest.raises(ValidationError) as exc:
        services.update_result(h.alice, result=result, figure="beaucoup")
    assert "nombre" in exc.value.message_dict["figure"][0]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_documents_are_checked_and_stored(h, media):
    pdf = SimpleUploadedFile("bilan.pdf", b"%PDF-1.4\n...", content_type="application/pdf")
    doc = services.add_document(h.alice, project=h.project, title="Bilan 2025", upload=pdf)
    assert doc.size == len(b"%PDF-1.4\n...") and doc.content_type == "application/pdf"
    assert (media / doc.file.name).exists()
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.add_document(h.alice, project=h.project, title="Faux", upload=fake)
    assert "ne correspond pas" in exc.value.message_dict["file"][0]
    exe = SimpleUploadedFile("outil.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        services.add_document(h.alice, project=h.project, title="Outil", upload=exe)
    assert "Type de fichier refusé" in exc.value.message_dict["file"][0]
    big = SimpleUploadedFile("gros.txt", b"a" * (services.MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(ValidationError) as exc:
        services.add_document(h.alice, project=h.project, title="Gros", upload=big)
    assert "dépasse 10 Mo" in exc.value.message_dict["file"][0]
    with pytest.raises(PermissionDenied):
        services.add_document(h.bruno, project=h.project, title="Bilan", upload=pdf)


def test_axes(h):
    axis = services.create_axis(h.coordinator, pole=h.pole, title="Économie circulaire")
    with pytest.raises(ValidationError) as exc:
        services.create_axis(h.coordinator, pole=h.pole, title="économie circulaire")
    assert "déjà un axe" in exc.value.message_dict["title"][0]
    with pytest.raises(PermissionDenied):
        services.create_axis(h.alice, pole=h.pole, title="Mobilité")
    other = hub("autre-pole", prefix="o-")
    with pytest.raises(ValidationError) as exc:
        services.update_project(None, project=other.project, axis=axis)
    assert "pas un axe de ce pôle" in exc.value.message_dict["axis"][0]
    services.update_project(h.coordinator, project=h.project, axis=axis)
    services.delete_axis(h.coordinator, axis=axis)
    h.project.refresh_from_db()
    assert h.project.axis is None
