"""Cooperation end to end: a member declares a need, the coordination runs the synergy
search and accepts the exchange proposed, and the graph page shows the new link (network
view drawn by Cytoscape.js, table and metrics)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.cooperation import factories as f

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def coop_hub(transactional_db):
    h = f.hub()
    for person in (h.alice, h.coordinator):
        person.set_password(PASSWORD)
        person.save()
    f.offer(h, h.org_b, title="Notre utilitaire, libre le jeudi")
    return h


def _login(page, email, next_url):
    page.context.clear_cookies()
    page.goto(f"/comptes/connexion/?next={next_url}")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _no_script_errors(page):
    assert [e for e in page.console_errors if "net::ERR_FAILED" not in e] == []


def test_need_run_accept_and_graph(page, shoot, coop_hub):
    h = coop_hub
    base = f"/espace/poles/{h.pole.slug}/cooperation/"

    # ---- a member declares a need for her organisation ----
    _login(page, "alice@example.org", base + "besoins/")
    expect(page.locator("h1")).to_have_text("Besoins des membres")
    page.get_by_label("Type et catégorie").select_option("vehicles:van")
    page.get_by_label("Intitulé").fill("Un utilitaire le jeudi matin")
    page.get_by_label("Quantité").fill("1")
    page.get_by_label("Unité").select_option("jour")
    page.get_by_label("Périodicité").select_option("week")
    page.get_by_label("Distance maximale (km)").fill("30")
    shoot(page, "cooperation-01-declare")
    page.get_by_role("button", name="Déclarer").click()
    expect(page.locator(".messages")).to_contain_text("Déclaration enregistrée")
    expect(page.locator("#declarations")).to_contain_text("Un utilitaire le jeudi matin")
    _no_script_errors(page)

    # ---- the coordination runs the search and accepts the exchange ----
    _login(page, "coord@example.org", base + "propositions/")
    expect(page.locator("h1")).to_have_text("Propositions de synergie")
    page.locator("#run-synergies").click()
    expect(page.locator(".messages")).to_contain_text("1 nouvelle(s)")
    proposal = page.locator(".coop-proposal").first
    expect(proposal).to_contain_text("Échange")
    expect(proposal).to_contain_text("km")
    shoot(page, "cooperation-02-proposals")
    proposal.get_by_role("button", name="Accepter").click()
    expect(page.locator(".messages")).to_contain_text("Proposition acceptée")
    expect(page.locator("#count-accepted")).to_have_text("1")

    # ---- the graph shows the new link at once ----
    page.get_by_role("link", name="Graphe", exact=True).click()
    expect(page.locator("h1")).to_have_text("Graphe de coopération")
    expect(page.locator("#metric-links")).to_have_text("1")
    expect(page.locator("#graph-links")).to_contain_text(h.org_b.name)
    expect(page.locator("#graph-links")).to_contain_text(h.org_a.name)
    expect(page.locator("#coop-graph canvas").first).to_be_attached()
    edges = page.evaluate(
        "() => JSON.parse(document.getElementById('coop-graph-data').textContent).links.length"
    )
    assert edges == 1
    shoot(page, "cooperation-03-graph")
    _no_script_errors(page)
