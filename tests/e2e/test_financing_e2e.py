"""Citizen financing end to end: a visitor subscribes to an open campaign and sees the
progress change; the hub's coordinator marks the payment received and downloads the
investor register."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ptce.financing.models import Subscription
from tests.financing import factories as f

pytestmark = pytest.mark.usefixtures("e2e_territory")

PASSWORD = "motdepasse-solide-42"


def _no_script_errors(page, *, form_errors=False):
    expected = ["net::ERR_FAILED"]
    if form_errors:
        expected.append("the server responded with a status of 400 (Bad Request)")
    errors = [e for e in page.console_errors if not any(x in e for x in expected)]
    assert errors == []


@pytest.fixture
def campaign():
    from ptce.core.services import create_user
    from ptce.poles import services as pole_services

    pole = f.hub("Pôle solaire drômois (fictif)")
    c = f.campaign(
        pole,
        title="Toits solaires de Romans (fictif)",
        description="Des panneaux sur les toits des écoles, financés par les habitants.",
    )
    f.subscribe(c, 1, units=5)
    f.subscribe(c, 2, units=3, commune="42218", postcode="42000")
    f.subscribe(c, 3, units=2)
    f.subscribe(c, 4, units=1, commune="42218", postcode="42000")
    f.subscribe(c, 5, units=1, commune="42218", postcode="42000")
    coordinator = create_user(
        None, email="coordination@example.org", password=PASSWORD, first_name="Alex"
    )
    pole_services.grant_role(None, pole=pole, user=coordinator, role="coordinator")
    return c


def test_visitor_subscribes_then_coordinator_records_payment(page, shoot, campaign):
    # ---- the visitor opens the public campaign page ----
    page.goto(f"/campagnes/{campaign.pk}/")
    expect(page.locator("h1")).to_have_text("Toits solaires de Romans (fictif)")
    expect(page.locator("#campaign-raised")).to_have_text("1\u00a0200\u00a0€")
    expect(page.locator("#campaign-investors")).to_have_text("5")
    # Romans-sur-Isère has 2 investors: hidden, and Saint-Étienne (3) with it, or Romans's
    # figures could be read as the total minus Saint-Étienne's (statistical disclosure)
    expect(page.locator("#campaign-map .leaflet-interactive")).to_have_count(0)
    shoot(page, "financing-01-campaign")
    _no_script_errors(page)

    # ---- a first try forgets the consent: refused, nothing typed is lost ----
    page.get_by_label("Nom et prénom, ou raison sociale").fill("Camille Martin (fictive)")
    page.get_by_label("E-mail (obligatoire)", exact=True).fill("camille.martin@example.org")
    page.get_by_label("Adresse (obligatoire)", exact=True).fill("12 rue de la Presle")
    page.get_by_label("Code postal (obligatoire)", exact=True).fill("26100")
    page.get_by_label("Rechercher votre commune").press_sequentially("romans", delay=40)
    choice = page.get_by_label(re.compile(r"^Romans-sur-Isère"))
    expect(choice).to_be_visible()
    choice.check()
    page.get_by_label("Nombre de titres").fill("4")
    page.get_by_label("IBAN (facultatif)").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_role("button", name="Souscrire").click()
    expect(page.locator("#id_consent_errors")).to_contain_text("consentement")
    expect(page.get_by_label("Nom et prénom, ou raison sociale")).to_have_value(
        "Camille Martin (fictive)"
    )
    expect(page.get_by_label("Nombre de titres")).to_have_value("4")
    _no_script_errors(page, form_errors=True)
    page.console_errors.clear()

    # ---- consents, subscribes, and sees the progress change ----
    page.get_by_label(re.compile("J'accepte que mes données")).check()
    page.get_by_role("button", name="Souscrire").click()
    expect(page.locator(".messages")).to_contain_text("Votre souscription de 400,00")
    expect(page.locator("#campaign-raised")).to_have_text("1\u00a0600\u00a0€")
    expect(page.locator("#campaign-investors")).to_have_text("6")
    expect(page.locator("#campaign-progress")).to_have_attribute("value", "160000")
    # both communes now have 3 investors: both discs appear
    expect(page.locator("#campaign-map .leaflet-interactive")).to_have_count(2)
    shoot(page, "financing-02-subscribed")
    sub = Subscription.objects.get(email="camille.martin@example.org")
    assert sub.is_local and sub.amount_cents == 40_000 and sub.payment_status == "pledged"

    # ---- the coordinator signs in, marks the payment received ----
    page.goto(f"/comptes/connexion/?next=/campagnes/{campaign.pk}/")
    page.get_by_label("Adresse e-mail").fill("coordination@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Gérer la campagne").click()
    expect(page.locator("h1")).to_have_text("Toits solaires de Romans (fictif)")
    row = page.locator(f"#sub-{sub.pk}")
    expect(row).to_contain_text("Promesse")
    row.get_by_role("button", name="Versement reçu").click()
    expect(page.locator(".messages")).to_contain_text("versement reçu")
    expect(page.locator(f"#sub-{sub.pk}")).to_contain_text("Versement reçu")
    shoot(page, "financing-03-coordinator")
    sub.refresh_from_db()
    assert sub.payment_status == "paid" and sub.paid_at is not None

    # ---- and downloads the register ----
    with page.expect_download() as info:
        page.get_by_role("link", name="Registre (CSV)").click()
    download = info.value
    assert download.suggested_filename == f"registre-campagne-{campaign.pk}.csv"
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "Camille Martin (fictive)" in content and "Versement reçu" in content
    with page.expect_download() as info:
        page.get_by_role("link", name="Registre (XLSX)").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    _no_script_errors(page)
