"""The directory in a browser: search by name, the list and the map follow; the map asks
the API again when it moves; a point opens an organisation; clusters zoom; the import."""

import re

import pytest
from playwright.sync_api import expect

from ptce.actors import services
from tests.actors import factories
from tests.poles import factories as pole_factories

pytestmark = pytest.mark.usefixtures("e2e_territory")

MAP_API = "/api/v1/map/establishments"


def _no_script_errors(page):
    # Aborted tile requests are expected (no network); anything else is a defect,
    # in particular a Content-Security-Policy refusal.
    errors = [e for e in page.console_errors if "net::ERR_FAILED" not in e]
    assert errors == []


def _map_answer(response):
    return MAP_API in response.url and response.status == 200


@pytest.fixture
def directory_data():
    """A handful of organisations around Romans-sur-Isère, Valence and Saint-Étienne."""
    jardins = factories.association("Les Jardins de Cocagne (fictifs)")
    services.add_establishment(
        None,
        organisation=jardins,
        siret=factories.siret_for(jardins.siren, 2),
        name="Jardin de Valence",
        address="12 chemin des Jardins",
        code_commune="26362",
        lat=44.93,
        lon=4.89,
    )
    scop = factories.scop("Scop Les Tisserands Romanais (fictive)", commune="26057")
    sme = factories.sme("Chaussures Drômoises SARL (fictive)", commune="42218")
    services.update_organisation(None, organisation=sme, societe_mission=True)
    town = factories.commune_body("Commune de Romans-sur-Isère")
    ressourcerie = factories.association("Ressourcerie du Pays de Romans (fictive)")
    hub = pole_factories.pole("Pôle Sud (fictif)")
    from ptce.poles import services as pole_services

    pole_services.add_member(None, pole=hub, organisation=jardins)
    return {"jardins": jardins, "scop": scop, "sme": sme, "town": town, "other": ressourcerie}


def test_search_by_name_see_the_map_follow_and_open_an_organisation(page, shoot, directory_data):
    with page.expect_response(_map_answer) as first:
        page.goto("/annuaire/")
    assert "bbox=" in first.value.url and "zoom=" in first.value.url
    expect(page.locator("h1")).to_have_text("Annuaire des acteurs")
    expect(page.locator("#directory-status")).to_contain_text("5 organisations trouvées")
    expect(page.locator(".org-result")).to_have_count(5)
    map_container = page.locator("[data-directory-map]")
    expect(map_container).to_have_attribute("data-map-ready", "true")
    expect(map_container.locator("path.directory-point")).not_to_have_count(0)
    box = map_container.bounding_box()
    results = page.locator("#directory-results").bounding_box()
    assert box["width"] > 350 and box["height"] > 350
    assert box["x"] > results["x"] + results["width"] - 1  # side by side
    # Facets carry their counts.
    expect(page.locator("label[for='f-type-ess']")).to_contain_text("3")
    shoot(page, "directory-01-search")

    # Typing a name: the list (htmx) and the map (same filters) follow; the URL too.
    with page.expect_response(lambda r: _map_answer(r) and "q=jardins" in r.url) as filtered:
        page.get_by_label("Nom ou sigle").press_sequentially("jardins", delay=40)
    assert filtered.value.json()["total"] == 2  # the head office and the garden in Valence
    expect(page.locator(".org-result")).to_have_count(1)
    expect(page.locator(".org-result")).to_contain_text("Les Jardins de Cocagne (fictifs)")
    expect(page.locator("#directory-status")).to_contain_text("1 organisation trouvée")
    expect(page).to_have_url(re.compile(r"/annuaire/\?q=jardins"))
    expect(page.locator("label[for='f-type-ess']")).to_contain_text("1")
    expect(map_container.locator("path.directory-point")).to_have_count(2)
    export = page.get_by_role("link", name="CSV")
    expect(export).to_have_attribute("href", re.compile(r"format=csv&q=jardins"))
    shoot(page, "directory-02-filtered")

    # Moving the map asks again for the new viewport.
    before = map_container.get_attribute("data-map-requests")
    with page.expect_response(_map_answer) as zoomed:
        page.locator(".leaflet-control-zoom-in").click()
    assert zoomed.value.url != filtered.value.url
    box = map_container.bounding_box()  # where it is now, in the viewport
    with page.expect_response(_map_answer) as panned:
        centre_x, centre_y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
        page.mouse.move(centre_x, centre_y)
        page.mouse.down()
        page.mouse.move(centre_x + 60, centre_y + 40, steps=6)
        page.mouse.up()
    assert re.search(r"bbox=([^&]+)", panned.value.url).group(1) != re.search(
        r"bbox=([^&]+)", zoomed.value.url
    ).group(1)
    expect(map_container).not_to_have_attribute("data-map-requests", before or "")
    _no_script_errors(page)

    # A point opens a popup with the organisation and a link to its page.
    with page.expect_response(_map_answer):
        page.locator(".leaflet-control-zoom-out").click()
    expect(map_container).not_to_have_attribute("aria-busy", "true")
    point = map_container.locator("path.directory-point").first
    expect(point).to_be_visible()
    point.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Les Jardins de Cocagne (fictifs)")
    expect(popup).to_contain_text("Entreprise de l'ESS")
    page.wait_for_timeout(600)  # the popup's fade and the map's pan to show it, for the picture
    box = map_container.bounding_box()
    popup_box = page.locator(".leaflet-popup").bounding_box()
    assert (
        box["x"] <= popup_box["x"]
        and popup_box["x"] + popup_box["width"] <= box["x"] + box["width"]
    )
    shoot(page, "directory-03-popup")
    popup.get_by_role("link").first.click()
    expect(page).to_have_url(
        re.compile(rf"/annuaire/organisations/{directory_data['jardins'].pk}/$")
    )
    expect(page.locator("h1")).to_have_text("Les Jardins de Cocagne (fictifs)")
    expect(page.locator(".badge-list")).to_contain_text("ESS · Association")
    expect(page.locator("table tbody tr")).to_have_count(2)
    org_map = page.locator("[data-establishments-map]")
    expect(org_map).to_have_attribute("data-map-ready", "true")
    expect(org_map.locator("path.leaflet-interactive")).to_have_count(2)
    expect(page.get_by_role("link", name="Pôle Sud (fictif)")).to_have_attribute(
        "href", "/observatoire/poles/pole-sud-fictif/"
    )
    shoot(page, "directory-04-organisation")
    _no_script_errors(page)


def test_facets_and_clusters(page, shoot, directory_data, monkeypatch):
    import ptce.urls  # noqa: F401 (the API's routers import in their order)
    from ptce.api import actors as api_actors

    monkeypatch.setattr(api_actors, "MAP_MAX_POINTS", 1)  # clusters as soon as 2 points
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_response(_map_answer):
        page.goto("/annuaire/")
    map_container = page.locator("[data-directory-map]")
    expect(map_container).to_have_attribute("data-map-mode", "clusters")
    labels = map_container.locator(".directory-cluster-label")
    expect(labels).not_to_have_count(0)
    shoot(page, "directory-05-clusters")

    # A facet: the list, the other facets' counts and the map follow.
    with page.expect_response(lambda r: _map_answer(r) and "family=scop" in r.url):
        page.get_by_label(re.compile(r"^SCOP")).check()
    expect(page.locator(".org-result")).to_have_count(1)
    expect(page.locator(".org-result")).to_contain_text("Scop Les Tisserands Romanais")
    expect(page.locator("label[for='f-family-association']")).to_contain_text("2")
    expect(page.locator("#facet-section")).to_contain_text("Industrie manufacturière")
    expect(page).to_have_url(re.compile(r"family=scop"))
    expect(page.get_by_label(re.compile(r"^SCOP"))).to_be_checked()
    with page.expect_response(_map_answer):
        page.get_by_label(re.compile(r"^SCOP")).uncheck()
    expect(page.locator(".org-result")).to_have_count(5)

    # A cluster zooms on its points when clicked, and the map asks again.
    zoom_before = page.evaluate("document.querySelector('[data-directory-map]').dataset.mapTotal")
    assert int(zoom_before) == 6
    cluster = labels.first
    with page.expect_response(_map_answer) as after:
        cluster.click()
    zoom = int(re.search(r"zoom=(\d+)", after.value.url).group(1))
    assert zoom > 7
    _no_script_errors(page)


def test_back_button_returns_to_the_previous_search(page, directory_data):
    with page.expect_response(_map_answer):
        page.goto("/annuaire/")
    with page.expect_response(lambda r: _map_answer(r) and "q=scop" in r.url):
        page.get_by_label("Nom ou sigle").fill("scop")
        page.get_by_label("Nom ou sigle").press("Enter")
    expect(page.locator(".org-result")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"\?q=scop"))
    page.go_back()  # htmx keeps no snapshot of this page: it is loaded again, map included
    expect(page).to_have_url(re.compile(r"/annuaire/$"))
    expect(page.locator(".org-result")).to_have_count(5)
    expect(page.get_by_label("Nom ou sigle")).to_have_value("")
    expect(page.locator("[data-directory-map]")).to_have_attribute("data-map-ready", "true")
    expect(page.locator("[data-directory-map] .leaflet-map-pane")).to_have_count(1)
    _no_script_errors(page)


def test_without_javascript_the_form_still_searches(browser, live_server, directory_data):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/annuaire/")
        page.get_by_label("Nom ou sigle").fill("scop")
        page.get_by_role("button", name="Rechercher").click()
        expect(page).to_have_url(re.compile(r"\?q=scop"))
        expect(page.locator(".org-result")).to_have_count(1)
        expect(page.locator(".org-result")).to_contain_text("Scop Les Tisserands Romanais")
    finally:
        context.close()


def test_import_a_member_list(page, shoot, directory_data, tmp_path):
    from ptce.core.services import create_user

    user = create_user(None, email="coordination@example.org", password="motdepasse-solide-42")
    pole_factories.pole("Pôle Nord (fictif)", coordinator=user)
    page.goto("/comptes/connexion/?next=/annuaire/import/")
    page.get_by_label("Adresse e-mail").fill("coordination@example.org")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Importer une liste de membres")

    wrong = tmp_path / "membres.csv"
    scop = directory_data["scop"]
    wrong.write_text(
        "siret;nom;commune\n"
        f"{factories.siret_for(scop.siren)};;\n"
        ";Épicerie solidaire (fictive);Atlantide\n"
        ";Épicerie solidaire (fictive);26100\n",
        encoding="utf-8",
    )
    page.get_by_label("Fichier de la liste des membres (CSV ou XLSX)").set_input_files(wrong)
    page.get_by_role("button", name="Prévisualiser l’import").click()
    expect(page.locator("h1")).to_have_text("Aperçu de l’import")
    expect(page.get_by_role("alert")).to_contain_text("rien ne sera importé")
    expect(page.locator("tbody tr").nth(1)).to_contain_text("Atlantide")
    expect(page.get_by_role("button", name="Confirmer l’import")).to_have_count(0)
    shoot(page, "directory-06-import-errors")

    right = tmp_path / "membres-corrigee.csv"
    right.write_text(
        "siret;nom;commune\n"
        f"{factories.siret_for(scop.siren)};;\n"
        ";Épicerie solidaire (fictive);26100\n",
        encoding="utf-8",
    )
    page.get_by_label("Fichier de la liste des membres (CSV ou XLSX)").set_input_files(right)
    page.get_by_role("button", name="Prévisualiser l’import").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    shoot(page, "directory-07-import-preview")
    page.get_by_role("button", name="Confirmer l’import").click()
    expect(page.locator("h1")).to_have_text("Import terminé")
    expect(page.get_by_role("status").last).to_contain_text(
        "1 organisation trouvée dans l’annuaire, 1 organisation créée."
    )
    shoot(page, "directory-08-import-result")
    page.get_by_role("link", name="Épicerie solidaire (fictive)").click()
    expect(page.locator("h1")).to_have_text("Épicerie solidaire (fictive)")
    _no_script_errors(page)


def test_directory_fits_a_small_screen(page, shoot, directory_data):
    page.set_viewport_size({"width": 375, "height": 740})
    for path, name in (
        ("/annuaire/", "directory-09-mobile-search"),
        (f"/annuaire/organisations/{directory_data['jardins'].pk}/", "directory-10-mobile-org"),
    ):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        shoot(page, name)
    page.goto("/annuaire/")
    results = page.locator("#directory-results").bounding_box()
    map_box = page.locator("[data-directory-map]").bounding_box()
    assert map_box["y"] > results["y"]  # stacked: the map under the list
