"""The path a visitor takes: home, search a commune, its page and map, its EPCI; the login page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.usefixtures("e2e_territory")


def _no_script_errors(page):
    # Aborted tile requests are expected (no network); anything else is a defect,
    # in particular a Content-Security-Policy refusal.
    errors = [e for e in page.console_errors if "net::ERR_FAILED" not in e]
    assert errors == []


def test_search_a_commune_see_its_map_and_its_epci(page, shoot):
    page.goto("/")
    expect(page.locator("h1")).to_have_text(
        "La plateforme des pôles territoriaux de coopération économique"
    )
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    shoot(page, "01-home")

    search = page.get_by_label("Commune, code postal ou code INSEE")
    search.press_sequentially("roma", delay=60)
    suggestion = page.locator("#search-results a", has_text="Romans-sur-Isère")
    expect(suggestion).to_be_visible()
    expect(page.locator("#search-status")).to_contain_text("2 communes trouvées pour « roma »")
    assert page.url.endswith("/")  # htmx swapped the results in place
    expect(suggestion).to_contain_text("Drôme (26)")
    shoot(page, "02-search-results")

    suggestion.click()
    expect(page).to_have_url(re.compile(r"/territoires/communes/26281/$"))
    expect(page.locator("h1")).to_have_text("Romans-sur-Isère")
    map_container = page.locator("[data-map]")
    expect(map_container).to_be_visible()
    expect(map_container).to_have_attribute("aria-label", re.compile("^Carte"))
    expect(map_container).to_have_attribute("data-map-ready", "true")
    outlines = map_container.locator("path.leaflet-interactive")
    expect(outlines).to_have_count(4)  # the commune and its three neighbours
    box = map_container.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    expect(page.locator("section", has_text="Communes voisines")).to_contain_text("Valence")
    shoot(page, "03-commune")
    _no_script_errors(page)

    page.get_by_role("link", name="CA Valence Romans Agglo").first.click()
    expect(page).to_have_url(re.compile(r"/territoires/epci/200068781/$"))
    expect(page.locator("h1")).to_have_text("CA Valence Romans Agglo")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(4)
    for name in ("Bourg-de-Péage", "Romans-sur-Isère", "Saint-Paul-lès-Romans", "Valence"):
        expect(page.locator("table")).to_contain_text(name)
    members = page.locator("[data-map] path.leaflet-interactive")
    expect(members).to_have_count(4)
    shoot(page, "04-epci")
    _no_script_errors(page)

    # Each outline opens its commune's page.
    members.first.click()
    expect(page).to_have_url(re.compile(r"/territoires/communes/\d{5}/$"))


def test_search_works_with_the_keyboard_only(page):
    page.goto("/territoires/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_label("Commune, code postal ou code INSEE").fill("42100")
    page.keyboard.press("Enter")  # submits the form: the results page without htmx
    expect(page).to_have_url(re.compile(r"\?q=42100$"))
    expect(page.locator("#search-results")).to_contain_text("Saint-Étienne")
    _no_script_errors(page)


def test_browse_a_departement(page, shoot):
    page.goto("/territoires/")
    shoot(page, "06-territories")
    page.get_by_role("link", name="Drôme", exact=True).click()
    expect(page.locator("h1")).to_have_text("Drôme (26)")
    expect(page.locator("table tbody tr")).to_have_count(4)
    shoot(page, "07-departement")
    _no_script_errors(page)
    response = page.goto("/territoires/communes/99999/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page introuvable")
    shoot(page, "12-not-found")


def test_repeated_login_failures_lock_the_account(page, shoot):
    page.goto("/comptes/connexion/")
    for attempt in range(5):
        page.get_by_label("Adresse e-mail").fill("camille@example.org")
        page.get_by_label("Mot de passe").fill(f"mauvais-{attempt}")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Connexion temporairement bloquée")
    expect(page.get_by_role("alert")).to_contain_text("réessayez dans 15 minutes")
    shoot(page, "13-locked-out")


def test_sign_in_create_a_token_and_sign_out(page, shoot):
    from ptce.core.services import create_user

    create_user(None, email="camille@example.org", password="motdepasse-solide-42")
    page.goto("/comptes/connexion/")
    expect(page.locator("h1")).to_have_text("Connexion")
    page.get_by_label("Adresse e-mail").fill("camille@example.org")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    expect(page.get_by_label("Adresse e-mail")).to_have_value("camille@example.org")
    shoot(page, "05-login")

    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/$"))
    menu = page.locator("details.user-menu")
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="Mon compte")).to_be_visible()
    shoot(page, "11-user-menu")
    menu.get_by_role("link", name="Mon compte").click()
    expect(page.locator("h1")).to_have_text("Mon compte")
    page.get_by_label("Nom du jeton").fill("Tableur du pôle")
    page.get_by_role("button", name="Créer le jeton").click()
    key = page.get_by_label("Votre nouveau jeton")
    expect(key).to_have_value(re.compile(r"^ptce_"))
    shoot(page, "08-account-token")
    _no_script_errors(page)

    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("link", name="Connexion")).to_be_visible()


def test_pages_fit_a_small_screen(page, shoot):
    page.set_viewport_size({"width": 375, "height": 740})
    for path, name in (
        ("/", "09-mobile-home"),
        ("/territoires/communes/26281/", "10-mobile-commune"),
        ("/territoires/epci/200068781/", None),
        ("/territoires/departements/26/", None),
    ):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        if name:
            shoot(page, name)
