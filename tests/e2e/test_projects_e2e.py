"""Projects end to end: a coordinator creates a public project, adds a funding line and a
milestone; the public project page shows them; the follow-up shows what was received."""

import pytest
from playwright.sync_api import expect

from ptce.core.choices import Visibility
from tests.projects.factories import hub

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def hub_with_people(transactional_db):
    h = hub(project_visibility=Visibility.MEMBERS)
    h.coordinator.set_password(PASSWORD)
    h.coordinator.save()
    return h


def test_coordinator_creates_a_project_seen_on_its_public_page(page, shoot, hub_with_people):
    h = hub_with_people
    page.goto(f"/comptes/connexion/?next=/espace/poles/{h.pole.slug}/projets/")
    page.get_by_label("Adresse e-mail").fill("coord@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Projets du pôle")

    # ---- the project ----
    page.get_by_role("link", name="Nouveau projet").click()
    page.get_by_label("Intitulé").fill("Tiers-lieu des Tanneurs (fictif)")
    page.get_by_label("Résumé").fill("Un lieu partagé pour les artisans.")
    page.get_by_label("Porteur (membre chef de file)").select_option(label="Atelier Alpha (fictif)")
    page.get_by_label("Bureau Bêta (fictif)").check()
    page.get_by_label("Statut").select_option(label="En cours")
    page.get_by_label("Visibilité").select_option(label="Public")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_have_text("Tiers-lieu des Tanneurs (fictif)")

    # ---- a budget line, a funding line (a first try without the level is refused) ----
    page.get_by_role("link", name="Ajouter une dépense").click()
    page.get_by_label("Dépense").fill("Travaux")
    page.get_by_label("Montant").fill("50 000")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("link", name="Ajouter une ressource").click()
    page.get_by_label("Source").select_option(label="Subvention publique")
    page.get_by_label("Financeur").fill("Région (fictive)")
    page.get_by_label("Montant prévu").fill("30 000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#id_public_level_errors")).to_contain_text("niveau de la collectivité")
    expect(page.get_by_label("Montant prévu")).to_have_value("30 000")
    page.get_by_label("Niveau de la collectivité").select_option(label="Région")
    page.locator("#id_status").select_option(label="Versé")
    page.get_by_label("Montant reçu").fill("10 000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#funding-lines")).to_contain_text("Région (fictive)")

    # ---- a milestone ----
    page.get_by_role("link", name="Ajouter un jalon").click()
    page.get_by_label("Jalon").fill("Ouverture du lieu")
    page.get_by_label("Avancement (%)").fill("40")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#milestones").locator("xpath=..")).to_contain_text("Ouverture du lieu")
    shoot(page, "projects-01-project")

    # ---- the follow-up: received against planned ----
    page.get_by_role("link", name="Suivi du projet").click()
    expect(page.locator("#follow-received")).to_have_text("10\u202f000\u00a0€")
    shoot(page, "projects-02-follow-up")

    # ---- the hub's list ----
    page.get_by_role("link", name="Projets", exact=True).click()
    expect(page.locator(".project-list")).to_contain_text("Tiers-lieu des Tanneurs (fictif)")
    shoot(page, "projects-00-index")

    # ---- the public page, anonymously ----
    page.context.clear_cookies()
    page.goto(f"/projets/{h.pole.slug}/tiers-lieu-des-tanneurs-fictif/")
    expect(page.locator("h1")).to_have_text("Tiers-lieu des Tanneurs (fictif)")
    expect(page.locator("#by-level")).to_contain_text("Région")
    expect(page.locator("#by-source")).to_contain_text("30\u202f000\u00a0€")
    expect(page.locator("body")).to_contain_text("Ouverture du lieu")
    expect(page.locator("body")).to_contain_text("il manque 20\u202f000\u00a0€")
    expect(page.locator("body")).not_to_contain_text("Reçu")
    shoot(page, "projects-03-public")
    assert [e for e in page.console_errors if "400" not in e and "ERR_FAILED" not in e] == []
