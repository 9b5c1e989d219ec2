"""Shared employees end to end: the coordinator opens the GE page (legal checks, register),
enters a month's hours in the timesheet grid, computes the invoices and sees the invoice
total, then downloads its PDF."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.usefixtures("e2e_territory")

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def ge():
    from tests.pooling.employees import factories

    built = factories.build("E2E")
    built.coordinator.set_password(PASSWORD)
    built.coordinator.save()
    return built


def _no_script_errors(page):
    assert [e for e in page.console_errors if "net::ERR_FAILED" not in e] == []


def test_coordinator_enters_a_timesheet_and_sees_the_invoice(page, shoot, ge):
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill(ge.coordinator.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(f"/espace/poles/{ge.pole.slug}/salaries-partages/")
    expect(page.locator("h1")).to_have_text("Salariés partagés")
    expect(page.locator("#register")).to_contain_text(ge.orgs["commune"].name)
    expect(page.locator("#legal-checks")).to_contain_text("1 sur 4 membres")
    shoot(page, "employees-group")

    page.get_by_role("link", name="Saisir les heures").click()
    page.get_by_label("Mois").fill("2026-03")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("h1")).to_contain_text("mars 2026")
    cell = page.get_by_label(f"Heures de Camille Martin pour {ge.orgs['scop'].name}")
    cell.fill("40.5")
    page.get_by_label(f"Heures de Camille Martin pour {ge.orgs['commune'].name}").fill("30")
    page.get_by_role("button", name="Enregistrer les heures").click()
    expect(page.locator(".notice--success, .messages, [role=status]").first).to_contain_text(
        "2 modifiés"
    )
    shoot(page, "employees-timesheets")

    page.get_by_role("link", name="Voir les factures du mois").click()
    page.get_by_role("button", name="Calculer les factures").click()
    scop = page.locator("article", has_text=ge.orgs["scop"].name)
    # 40.5 h x 25 EUR = 1 012,50 EUR + 8 % overhead = 1 093,50 EUR
    expect(scop.locator(".invoice-total")).to_have_text(re.compile(r"1\s093,50\s€"))
    expect(page.locator("#invoices-total")).to_have_text(re.compile(r"1\s903,50\s€"))
    shoot(page, "employees-invoices")
    with page.expect_download() as download:
        scop.get_by_role("link", name="Télécharger la facture (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    _no_script_errors(page)


def test_coordinator_sets_a_plan_and_sees_the_warning(page, shoot, ge):
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill(ge.coordinator.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/espace/poles/{ge.pole.slug}/salaries-partages/")
    page.get_by_role("link", name="Modifier le plan").click()
    line = page.locator("fieldset").first
    line.get_by_label("Membre").select_option(label=ge.orgs["commune"].name)
    line.get_by_label("Mode").select_option("hours_per_month")
    line.get_by_label("Quantité").fill("95")
    shoot(page, "employees-plan")
    page.get_by_role("button", name="Enregistrer le plan").click()
    expect(page.locator("h1")).to_have_text("Salariés partagés")
    # 95 h x 12 = 1 140 h for a local authority, 3/4 of 1 607 h = 1 205,25 h: a warning
    expect(page.locator("#legal-checks")).to_contain_text("proche du plafond des trois quarts")
    shoot(page, "employees-plan-saved")
    _no_script_errors(page)
