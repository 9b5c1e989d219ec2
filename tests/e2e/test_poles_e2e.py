"""The hubs end to end: a coordinator creates a hub through the guided flow, adds an ESS
enterprise, an SME and a local authority, and sees the décret's conditions turn to met; then
an anonymous visitor finds the hub on the observatory's map and list and opens its page."""

import re

import pytest
from django.urls import include, path
from playwright.sync_api import expect

from ptce.web import urls_poles

pytestmark = pytest.mark.usefixtures("e2e_territory")

# The invitation links are mounted at /invitations/ by ptce/web/urls.py (the lead's file);
# this URLconf mounts them too, so that the tests run whether or not that is done yet.
urlpatterns = [
    path("invitations/", include(urls_poles.invitation_patterns)),
    path("", include("ptce.urls")),
]

PASSWORD = "motdepasse-solide-42"
HUB = "Pôle des Tisserands Romanais (fictif)"
MEMBERS = [
    ("jardins part", "Association Les Jardins Partagés (fictive)"),
    ("chaussures drom", "Chaussures Drômoises SARL (fictive)"),
    ("commune de romans", "Commune de Romans-sur-Isère (adhésion fictive)"),
]


def _no_script_errors(page, *, form_errors=False):
    # Aborted tile requests are expected (no network); anything else is a defect,
    # in particular a Content-Security-Policy refusal. A form sent back with its errors
    # answers 400, which chromium also reports: expected where the test sends one.
    expected = ["net::ERR_FAILED"]
    if form_errors:
        expected.append("the server responded with a status of 400 (Bad Request)")
    errors = [e for e in page.console_errors if not any(x in e for x in expected)]
    assert errors == []


@pytest.fixture
def directory():
    from ptce.core.services import create_user
    from tests.actors import factories as actors

    create_user(None, email="camille@example.org", password=PASSWORD, first_name="Camille")
    actors.association(MEMBERS[0][1])
    actors.sme(MEMBERS[1][1])
    actors.commune_body(MEMBERS[2][1])


def _decret_statuses(page):
    return page.locator("#eligibility li[data-code^='decret_']").evaluate_all(
        "items => items.map(item => item.dataset.status)"
    )


def test_create_a_hub_add_members_then_find_it_in_the_observatory(page, shoot, directory):
    # ---- the coordinator signs in and creates the hub ----
    page.goto("/comptes/connexion/?next=/espace/")
    page.get_by_label("Adresse e-mail").fill("camille@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Mes pôles")
    page.get_by_role("link", name="Créer un pôle").first.click()
    expect(page.locator("h1")).to_have_text("Créer un pôle")

    page.get_by_label("Nom du pôle").fill(HUB)
    page.get_by_label("Rechercher la commune").press_sequentially("romans", delay=40)
    choice = page.get_by_label(re.compile(r"^Romans-sur-Isère"))
    expect(choice).to_be_visible()
    choice.check()
    page.get_by_label("Forme juridique de la structure porteuse").select_option("association")
    page.get_by_label("Date de création").fill("2019-09-15")
    page.get_by_label("Présentation").fill(
        "Des ateliers de Romans qui relancent ensemble la chaussure éthique (fictif)."
    )
    expect(page.get_by_label("Public : visible dans l’observatoire")).to_be_checked()
    shoot(page, "poles-01-create")
    _no_script_errors(page)
    page.get_by_role("button", name="Créer le pôle").click()

    # ---- the workspace: the other steps are cards; eligibility on the side ----
    expect(page.locator("h1")).to_have_text(HUB)
    expect(page.locator(".messages")).to_contain_text("est créé")
    expect(page.locator("#eligibility-badge")).to_have_text("non éligible")
    assert _decret_statuses(page)[0] == "met"  # an association is a private-law person
    assert "not_met" in _decret_statuses(page)
    shoot(page, "poles-02-workspace-new")
    # Playwright's screenshot leaves `style=""` on the inputs (it hides the caret), which
    # htmx's settle step would copy onto the swapped-in inputs: a CSP report that no
    # visitor would cause. A fresh page starts clean.
    page.reload()

    search = page.get_by_label("Rechercher une organisation par nom, SIREN ou SIRET")
    for query, name in MEMBERS:
        search.fill("")
        search.press_sequentially(query, delay=30)
        add = page.get_by_role("button", name=f"Ajouter {name}")
        expect(add).to_be_visible()
        add.click()
        expect(page.locator("#membres .notice--success")).to_have_text(
            f"{name} est membre du pôle."
        )
        expect(page.locator("#current-members")).to_contain_text(name)
        search = page.get_by_label("Rechercher une organisation par nom, SIREN ou SIRET")
    assert page.url.endswith(f"/espace/poles/{_slug(page)}/")  # htmx: no reload
    expect(page.locator("#eligibility-badge")).to_have_text("éligible")
    assert _decret_statuses(page) == ["met"] * 6
    expect(page.locator("#membres-title")).to_contain_text("(3)")
    page.locator("#eligibility").scroll_into_view_if_needed()
    shoot(page, "poles-03-workspace-eligible")
    _no_script_errors(page)

    # ---- the characterisation step, then sign out ----
    page.get_by_role("link", name="Caractériser le pôle").click()
    page.get_by_label("Entrepreneuriale").check()
    page.get_by_label("Filière ou secteur").check()
    page.get_by_label("Structurer une filière sur le territoire").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("caractérisation du pôle est enregistrée")
    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("link", name="Connexion")).to_be_visible()

    # ---- an anonymous visitor: the observatory's map and list ----
    page.goto("/observatoire/")
    expect(page.locator("h1")).to_have_text(
        "Observatoire des pôles territoriaux de coopération économique"
    )
    map_container = page.locator("[data-observatory-map]")
    expect(map_container).to_have_attribute("data-map-ready", "true")
    expect(map_container).to_have_attribute("data-total", "1")
    marker = map_container.locator(".hub-marker")
    expect(marker).to_have_count(1)
    expect(marker).to_have_attribute("title", f"{HUB} — Romans-sur-Isère")
    row = page.locator("#hub-results tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Filière ou secteur")
    expect(row.locator("td.num")).to_have_text("3")
    shoot(page, "poles-04-observatory")
    _no_script_errors(page)

    # The filters redraw the list (htmx) and the map.
    page.get_by_label("Dynamique économique").select_option("pooling")
    expect(page.locator("#hub-results")).to_contain_text("Aucun pôle ne correspond")
    expect(map_container).to_have_attribute("data-total", "0")
    expect(page).to_have_url(re.compile(r"dynamic=pooling"))
    page.get_by_label("Dynamique économique").select_option("sector")
    expect(row).to_have_count(1)
    expect(map_container).to_have_attribute("data-total", "1")

    # The marker opens the hub's page, from the keyboard too.
    marker.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/observatoire/poles/[a-z0-9-]+/$"))
    expect(page.locator("h1")).to_have_text(HUB)
    expect(page.locator("#eligibility-badge")).to_have_text("éligible")
    expect(page.locator(".condition__message")).to_have_count(0)  # details: coordination only
    hub_map = page.locator("[data-hub-map]")
    expect(hub_map).to_have_attribute("data-map-ready", "true")
    expect(hub_map.locator("path.leaflet-interactive")).to_have_count(4)  # hub + 3 members
    expect(page.locator("main")).to_contain_text("Chaussures Drômoises SARL (fictive)")
    expect(page.locator("main")).to_contain_text("emplois directs")
    shoot(page, "poles-05-hub-page")
    _no_script_errors(page)

    page.goto("/observatoire/statistiques/")
    expect(page.locator("#stat-hubs")).to_have_text("1")
    expect(page.locator("#stat-members")).to_have_text("3")
    shoot(page, "poles-06-stats")
    _no_script_errors(page)


def _slug(page):
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def test_hub_pages_fit_a_small_screen(page, shoot, directory):
    from ptce.actors.models import Organisation
    from ptce.poles import services

    hub = services.create_pole(None, name=HUB, commune="26281", legal_form="association")
    for org in Organisation.objects.all():
        services.add_member(None, pole=hub, organisation=org)
    services.set_perimeter(None, pole=hub, definition={"epci": ["200068781"]})
    for n in range(70):  # enough hubs for the map to cluster them
        services.create_pole(
            None, name=f"Pôle groupé {n} (démo)", commune=("26057", "42218")[n % 2]
        )

    # Desktop: clusters, and a cluster zooms on its hubs.
    page.goto("/observatoire/")
    map_container = page.locator("[data-observatory-map]")
    expect(map_container).to_have_attribute("data-total", "71")
    clusters = map_container.locator(".hub-cluster")
    expect(clusters.first).to_be_visible()
    counts = [int(text) for text in clusters.all_inner_texts()]
    assert sum(counts) + map_container.locator(".hub-marker").count() == 71
    shoot(page, "poles-09-observatory-clusters")
    zoom = int(map_container.get_attribute("data-zoom"))
    clusters.first.click()
    expect(map_container).not_to_have_attribute("data-zoom", str(zoom))
    assert int(map_container.get_attribute("data-zoom")) > zoom
    _no_script_errors(page)

    page.set_viewport_size({"width": 375, "height": 740})
    for address, name in (
        ("/observatoire/", "poles-07-mobile-observatory"),
        (f"/observatoire/poles/{hub.slug}/", "poles-08-mobile-hub"),
        ("/observatoire/statistiques/", None),
    ):
        page.goto(address)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{address} scrolls sideways by {overflow}px"
        if name:
            shoot(page, name)
    hub_map = page.locator("[data-hub-map]")
    _no_script_errors(page)
    page.goto(f"/observatoire/poles/{hub.slug}/")
    expect(hub_map).to_have_attribute("data-map-ready", "true")
    expect(hub_map.locator("path.leaflet-interactive")).to_have_count(4)


@pytest.mark.urls(__name__)
def test_workspace_steps_errors_and_an_invitation(page, shoot, directory):
    from django.core import mail

    from ptce.core.models import User
    from ptce.poles import services

    camille = User.objects.get(email="camille@example.org")
    hub = services.create_pole(camille, name=HUB, commune="26281", legal_form="association")
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill("camille@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/espace/poles/{hub.slug}/")

    # Perimeter: nothing is refused next to the field, then an EPCI.
    page.get_by_role("link", name="Définir le périmètre").click()
    page.get_by_label("Communes (codes INSEE)").fill("")
    page.get_by_role("button", name="Enregistrer le périmètre").click()
    expect(page.locator("#id_communes_errors")).to_contain_text("ne contient aucune commune")
    page.get_by_label("Intercommunalités (SIREN des EPCI)").fill("200068781")
    page.get_by_role("button", name="Enregistrer le périmètre").click()
    expect(page.locator(".messages")).to_contain_text("4 commune(s)")

    # Colleges: every broken rule at once, the input kept.
    page.get_by_role("link", name="Définir les collèges").click()
    for i, (name, weight) in enumerate(
        [("Salariés", "60"), ("Usagers", "30"), ("Collectivités", "5")]
    ):
        page.get_by_label(f"Nom du collège n° {i + 1}").fill(name)
        page.get_by_label(f"Poids du collège n° {i + 1} (%)").fill(weight)
    page.get_by_role("button", name="Enregistrer les collèges").click()
    alert = page.locator("#college-errors")
    expect(alert.locator("li")).to_have_count(3)
    expect(page.get_by_label("Poids du collège n° 1 (%)")).to_have_value("60")
    shoot(page, "poles-10-colleges-errors")
    _no_script_errors(page, form_errors=True)

    # People: an invitation by e-mail, then its link in a fresh browser session.
    page.goto(f"/espace/poles/{hub.slug}/personnes/")
    page.get_by_label("Adresse e-mail").fill("lea@example.org")
    page.locator("#id_role").select_option("observer")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.locator(".messages")).to_contain_text("Invitation envoyée à lea@example.org")
    expect(page.locator(".pending-list")).to_contain_text("lea@example.org")
    shoot(page, "poles-11-people")
    link = re.search(r"https?://[^/]+(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)
    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("h1")).to_have_text(f"Rejoindre « {HUB} »")
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Martin")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill("un-mot-de-passe-solide-43")
    page.get_by_label("Confirmation du mot de passe").fill("un-mot-de-passe-solide-43")
    shoot(page, "poles-12-invitation")
    page.get_by_role("button", name="Accepter et créer mon compte").click()
    expect(page.locator("h1")).to_have_text("Mes pôles")
    expect(page.locator("tbody tr")).to_contain_text("Observateur")
    shoot(page, "poles-13-my-hubs")
    _no_script_errors(page, form_errors=True)
    response = page.goto(link)
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Invitation introuvable")
