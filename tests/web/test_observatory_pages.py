"""The public observatory: national map and directory of hubs, a hub's public page (by who
looks at it), national statistics; bounded queries as the data grows; CSP and accessibility."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ptce.core.choices import Role, Visibility
from ptce.poles import services
from tests.actors import factories as actors
from tests.poles import factories
from tests.web.html import squash

PRIVATE_MEMBER = "Membre discret (fictif)"


@pytest.fixture
def world(territory, staff):
    a = factories.eligible_pole(
        "Pôle A (fictif)",
        dynamic="sector",
        impulse="entrepreneurial",
        maturity="emerging",
        objectives=["sector", "takeover"],
        naf_sections=["C"],
        description="Relancer la chaussure à Romans (fictif).",
        created_on="2015-03-01",
    )
    services.set_perimeter(None, pole=a, definition={"communes": ["26281", "26057"]})
    b = factories.pole("Pôle B (fictif)", commune="42218", dynamic="pooling")
    hidden = factories.pole("Pôle privé (fictif)", visibility=Visibility.MEMBERS)
    services.add_member(
        None,
        pole=a,
        organisation=actors.association(PRIVATE_MEMBER),
        visibility=Visibility.MEMBERS,
    )
    people = {
        "anonymous": None,
        "member_a": factories.person("member-a@example.org", a, Role.MEMBER),
        "coordinator_a": factories.person("coord-a@example.org", a, Role.COORDINATOR),
        "coordinator_b": factories.person("coord-b@example.org", b, Role.COORDINATOR),
        "member_hidden": factories.person("member-h@example.org", hidden, Role.MEMBER),
        "staff": staff,
    }
    a.refresh_from_db()
    return {"a": a, "b": b, "hidden": hidden, "people": people}


def sign_in(client, user):
    if user is not None:
        client.force_login(user)


# ---- the directory and its filters ---------------------------------------------------------------


def test_index_lists_the_public_hubs_with_their_facts(client, world, parse):
    response = client.get(reverse("observatory:index"))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Observatoire des pôles territoriaux de coopération économique"]
    rows = {squash(r.text) for r in page.find_all("tr")[1:]}
    assert len(rows) == 2
    row_a = next(r for r in rows if r.startswith("Pôle A"))
    # name, commune, région, dynamic, maturity, member count (the private member counts)
    assert (
        row_a
        == "Pôle A (fictif) Romans-sur-Isère Auvergne-Rhône-Alpes Filière ou secteur Émergent 4"
    )
    assert not any("Pôle privé" in r for r in rows)
    assert page.find_all("a", href=reverse("observatory:pole", args=[world["a"].slug]))
    assert "2 pôles" in squash(page.by_id("hub-results").text)


def test_index_links_the_open_data_and_describes_the_schema(client, world, parse):
    page = parse(client.get(reverse("observatory:index")))
    hrefs = {a.attrs.get("href") for a in page.find_all("a")}
    for fmt in ("csv", "json", "geojson"):
        assert f"/api/v1/poles/export?format={fmt}" in hrefs
    assert reverse("observatory:schema") in hrefs
    assert "schéma de table" in squash(page.by_id("donnees-ouvertes").text)
    assert reverse("observatory:stats") in hrefs
    schema = client.get(reverse("observatory:schema"))
    assert schema.status_code == 200
    assert schema["Content-Type"] == "application/json"
    fields = [f["name"] for f in json.loads(b"".join(schema.streaming_content))["fields"]]
    assert "nombre_membres" in fields


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"Pôle A (fictif)", "Pôle B (fictif)"}),
        ({"departement": "42"}, {"Pôle B (fictif)"}),
        ({"region": "84", "dynamic": "sector"}, {"Pôle A (fictif)"}),
        ({"impulse": "entrepreneurial"}, {"Pôle A (fictif)"}),
        ({"maturity": "emerging"}, {"Pôle A (fictif)"}),
        ({"objective": "takeover"}, {"Pôle A (fictif)"}),
        ({"sector": "C"}, {"Pôle A (fictif)"}),
        ({"q": "pôle b"}, {"Pôle B (fictif)"}),
        ({"region": "11"}, set()),
        ({"dynamic": "not-a-dynamic"}, {"Pôle A (fictif)", "Pôle B (fictif)"}),
    ],
)
def test_index_filters(client, world, parse, filters, expected):
    response = client.get(reverse("observatory:index"), filters)
    assert response.status_code == 200
    page = parse(response)
    names = {
        squash(th.text).split(" (fictif)")[0] + " (fictif)"
        for th in page.find_all("th", scope="row")
    }
    assert names == expected
    if not expected:
        assert "Aucun pôle ne correspond à ces filtres." in response.text


def test_htmx_filtering_returns_the_results_fragment(client, world, parse):
    response = client.get(
        reverse("observatory:index"), {"departement": "42"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    page = parse(response)
    (results,) = page.find_all("div", class_="hub-results")
    assert results.attrs["data-query"] == "departement=42"
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        reverse("observatory:index"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


def test_signed_in_people_also_see_their_own_non_public_hub(client, world, parse):
    client.force_login(world["people"]["member_hidden"])
    page = parse(client.get(reverse("observatory:index")))
    names = {squash(th.text) for th in page.find_all("th", scope="row")}
    assert "Pôle privé (fictif) non public" in names
    client.force_login(world["people"]["coordinator_b"])
    page = parse(client.get(reverse("observatory:index")))
    assert not any("Pôle privé" in squash(th.text) for th in page.find_all("th", scope="row"))


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_index_query_count_does_not_grow_with_the_hubs(client, world):
    url = reverse("observatory:index")
    few = count_queries(client, url)
    for n in range(25):
        hub = factories.pole(f"Pôle généré {n} (fictif)", commune="26057")
        services.add_member(None, pole=hub, organisation=actors.sme(f"PME {n} (fictive)"))
    many = count_queries(client, url)
    assert many == few <= 8
    assert count_queries(client, url, {"region": "84", "page": "1"}) == few


# ---- the map's data ----------------------------------------------------------------------------


def test_map_data_gives_the_hubs_of_the_viewport(client, world):
    url = reverse("observatory:map_data")
    data = client.get(url, {"bbox": "-5,41,10,51", "zoom": "6"}).json()
    assert data["mode"] == "points" and data["total"] == 2 and data["all"] == 2
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    a = by_name["Pôle A (fictif)"]
    assert a["geometry"]["coordinates"] == [5.05, 45.05]
    assert a["properties"]["url"] == reverse("observatory:pole", args=[world["a"].slug])
    assert a["properties"]["commune"] == "Romans-sur-Isère"
    assert data["extent"] == [4.375, 45.05, 5.05, 45.45]
    only_b = client.get(url, {"bbox": "-5,41,10,51", "zoom": "6", "departement": "42"}).json()
    assert [f["properties"]["name"] for f in only_b["features"]] == ["Pôle B (fictif)"]
    paris = client.get(url, {"bbox": "2,48,3,49", "zoom": "9"}).json()
    assert paris["total"] == 0 and paris["features"] == [] and paris["all"] == 2


def test_map_data_clusters_many_hubs_and_hides_non_public_ones(client, world, staff):
    for n in range(70):
        factories.pole(f"Pôle groupé {n} (fictif)", commune="26057")
    data = client.get(reverse("observatory:map_data"), {"bbox": "-5,41,10,51", "zoom": "5"}).json()
    assert data["mode"] == "clusters"
    assert sum(f["properties"]["count"] for f in data["features"]) == data["total"] == 72
    assert all(f["properties"]["cluster"] for f in data["features"])
    client.force_login(staff)
    assert client.get(reverse("observatory:map_data"), {"zoom": "5"}).json()["all"] == 73


def test_map_clusters_never_hide_each_other(client, world):
    from ptce.web.views.observatory import MAP_CLUSTER_SPACING, _pixels

    for n in range(70):
        factories.pole(f"Pôle voisin {n} (fictif)", commune=("26057", "42218", "26362")[n % 3])
    for zoom in (5, 6, 7, 8):
        data = client.get(
            reverse("observatory:map_data"), {"bbox": "-5,41,10,51", "zoom": str(zoom)}
        ).json()
        assert data["mode"] == "clusters"
        assert sum(f["properties"]["count"] for f in data["features"]) == 72
        spots = [_pixels(*f["geometry"]["coordinates"], zoom) for f in data["features"]]
        for i, (x, y) in enumerate(spots):
            for x2, y2 in spots[i + 1 :]:
                assert ((x - x2) ** 2 + (y - y2) ** 2) ** 0.5 >= MAP_CLUSTER_SPACING
        for feature in data["features"]:
            west, south, east, north = feature["bbox"]
            lon, lat = feature["geometry"]["coordinates"]
            assert west <= lon <= east and south <= lat <= north


@pytest.mark.parametrize(
    "params", [{"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"zoom": "99"}, {"bbox": "10,41,-5,51"}]
)
def test_map_data_rejects_bad_viewports_in_french(client, world, params):
    response = client.get(reverse("observatory:map_data"), params)
    assert response.status_code == 400
    assert "Paramètres attendus" in response.json()["detail"]


# ---- a hub's public page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees_private_member", "sees_detail"),
    [
        ("anonymous", False, False),
        ("member_a", True, False),
        ("coordinator_a", True, True),
        ("coordinator_b", False, False),
        ("staff", True, True),
    ],
)
def test_hub_page_matrix(client, world, parse, who, sees_private_member, sees_detail):
    sign_in(client, world["people"][who])
    a = world["a"]
    response = client.get(reverse("observatory:pole", args=[a.slug]))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Pôle A (fictif)"]
    member_rows = [squash(r.text) for r in page.find_all("tr") if r.attrs == {}]
    names = " ".join(member_rows)
    assert "Scop Les Tisserands Romanais (fictive)" in names
    assert (PRIVATE_MEMBER in names) == sees_private_member
    hidden_note = "Et 1 membre dont l’adhésion n’est pas publique."
    assert (hidden_note in squash(response.text)) == (not sees_private_member)
    # The décret's verdict and conditions are public; the explanations are the coordination's.
    badge = page.by_id("eligibility-badge")
    assert squash(badge.text) == "éligible"
    conditions = page.find_all("li", class_="condition condition--met")
    assert len(conditions) >= 6
    assert "Au moins une entreprise de l’ESS" in response.text
    messages = page.find_all("span", class_="condition__message")
    assert bool(messages) == sees_detail
    if sees_detail:
        assert any("personnes morales parmi les membres" in m.text for m in messages)
    manage = page.find_all("a", href=reverse("workspace:pole", args=[a.slug]))
    assert bool(manage) == sees_detail


def test_hub_page_shows_identity_characterisation_profile_and_map(client, world, parse):
    a = world["a"]
    response = client.get(reverse("observatory:pole", args=[a.slug]))
    page = parse(response)
    facts = page.facts()
    assert facts["Commune"] == "Romans-sur-Isère"
    assert facts["Forme juridique"] == "Association loi 1901"
    assert facts["Date de création"].startswith("1 mars 2015")
    assert facts["Impulsion"] == "Entrepreneuriale"
    assert facts["Dynamique économique"] == "Filière ou secteur"
    assert facts["Maturité"] == "Émergent"
    assert "Structurer une filière sur le territoire" in facts["Objectifs"]
    assert facts["Secteurs"] == "C — Industrie manufacturière"
    assert facts["Périmètre"] == "2 communes, 44\xa0100 habitants"
    # Jobs are a range, never one figure.
    assert re.match(r"^entre \d+ et \d+ emplois directs \(estimation", facts["Emplois directs"])
    assert facts["Part d’entreprises de l’ESS"] == "50\u202f%"
    # Members by actor type: a table of figures with a bar per row.
    chart = page.by_id("chart-types")
    assert chart is not None and chart.tag == "table"
    chart_rows = [squash(r.text) for r in page.find_all("tr") if "Entreprise de l'ESS" in r.text]
    assert chart_rows and chart_rows[0].startswith("Entreprise de l'ESS 2 50")
    assert page.find_all("rect", class_="bar__fill")
    # The map: the perimeter outline, the hub, the public members' establishments.
    data = json.loads(page.by_id("hub-geojson").text)
    roles = [f["properties"]["role"] for f in data["features"]]
    assert roles.count("perimeter") == 1 and roles.count("hub") == 1
    assert roles.count("member") == 3  # the private member's establishment is not shown
    assert page.find_all("div", id="hub-map")[0].attrs["data-geojson"] == "hub-geojson"


def test_hub_page_of_a_hub_with_nothing_yet(client, territory, parse):
    bare = factories.pole("Pôle naissant (fictif)")
    response = client.get(reverse("observatory:pole", args=[bare.slug]))
    assert response.status_code == 200
    page = parse(response)
    assert squash(page.by_id("eligibility-badge").text) in {"non éligible", "à compléter"}
    assert page.facts()["Emplois directs"] == "aucun membre : pas d'emplois directs à estimer"
    assert "Pas encore de membre." in response.text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("member_a", 404),
        ("coordinator_b", 404),
        ("member_hidden", 200),
        ("staff", 200),
    ],
)
def test_non_public_hub_is_not_found_for_those_who_may_not_see_it(client, world, who, status):
    sign_in(client, world["people"][who])
    response = client.get(reverse("observatory:pole", args=[world["hidden"].slug]))
    assert response.status_code == status
    if status == 404:
        assert "Page introuvable" in response.text
        assert "Pôle privé" not in response.text


def test_hub_page_query_count_does_not_grow_with_the_members(client, world):
    url = reverse("observatory:pole", args=[world["a"].slug])
    few = count_queries(client, url)
    for n in range(12):
        services.add_member(
            None, pole=world["a"], organisation=actors.sme(f"Entreprise {n} (fictive)")
        )
    assert count_queries(client, url) == few <= 12
    client.force_login(world["people"]["coordinator_a"])
    signed_in = count_queries(client, url)
    assert signed_in <= few + 4


# ---- national statistics -------------------------------------------------------------------------------


def test_stats_count_hubs_and_members_with_demo_hubs_by_default(client, world, parse):
    services.create_pole(None, name="Pôle de démonstration (démo)", commune="75056", is_demo=True)
    response = client.get(reverse("observatory:stats"))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Statistiques nationales"]
    assert squash(page.by_id("stat-hubs").text) == "3"
    assert "dont 1 de démonstration" in squash(response.text)
    assert squash(page.by_id("stat-members").text) == "4"
    (checkbox,) = page.find_all("input", name="demo")
    assert "checked" in checkbox.attrs
    regions = page.by_id("chart-regions")
    assert regions.tag == "table"
    region_rows = [squash(r.text) for r in page.find_all("tr") if "Auvergne" in r.text]
    assert region_rows[0].startswith("Auvergne-Rhône-Alpes 2 67")
    assert any(
        r.startswith("Île-de-France 1") for r in [squash(r.text) for r in page.find_all("tr")]
    )
    types = [squash(r.text) for r in page.find_all("tr") if "Collectivité" in r.text]
    assert types and types[0].startswith("Collectivité ou groupement 1 25")
    fills = page.find_all("rect", class_="bar__fill")
    assert "100.0%" in {f.attrs["width"] for f in fills}
    assert not any("," in f.attrs["width"] for f in fills)  # SVG lengths, not French numbers


def test_stats_can_leave_the_demo_hubs_out(client, world, parse):
    services.create_pole(None, name="Pôle de démonstration (démo)", commune="75056", is_demo=True)
    response = client.get(reverse("observatory:stats"), {"shown": "1"})
    page = parse(response)
    assert squash(page.by_id("stat-hubs").text) == "2"
    assert "1 pôle de démonstration exclu" in squash(response.text)
    assert "checked" not in page.find_all("input", name="demo")[0].attrs
    assert not any("Île-de-France" in r.text for r in page.find_all("tr"))
    included = parse(client.get(reverse("observatory:stats"), {"shown": "1", "demo": "1"}))
    assert squash(included.by_id("stat-hubs").text) == "3"


def test_stats_query_count_is_bounded(client, world):
    url = reverse("observatory:stats")
    few = count_queries(client, url)
    for n in range(10):
        factories.eligible_pole(f"Pôle éligible {n} (fictif)")
    assert count_queries(client, url) == few


# ---- security headers and accessibility of these pages ---------------------------------------------------


@pytest.fixture
def pages(client, world):
    urls = [
        reverse("observatory:index"),
        reverse("observatory:index") + "?departement=26",
        reverse("observatory:pole", args=[world["a"].slug]),
        reverse("observatory:stats"),
    ]
    fetched = [(url, client.get(url)) for url in urls]
    client.force_login(world["people"]["coordinator_a"])
    fetched.append(("coordinated", client.get(reverse("observatory:pole", args=[world["a"].slug]))))
    assert all(r.status_code == 200 for _url, r in fetched)
    return fetched


def test_observatory_pages_are_accessible_and_have_no_inline_code(pages, parse):
    for url, response in pages:
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        page = parse(response)
        for script in page.find_all("script"):
            assert "src" in script.attrs or script.attrs.get("type") == "application/json", url
        assert not page.find_all("style"), url
        assert not [e for e in page.elements if "style" in e.attrs], url
        assert not re.search(r"\son[a-z]+=", response.text), url
        assert len(page.find_all("h1")) == 1, url
        assert page.by_id("contenu").tag == "main"
        labelled = {e.attrs.get("for") for e in page.find_all("label")}
        for field in page.elements:
            if field.tag in {"input", "select", "textarea"} and field.attrs.get("type") not in {
                "hidden",
                "submit",
            }:
                assert field.attrs.get("id") in labelled or field.attrs.get("aria-label"), (
                    url,
                    field.attrs,
                )
        for table in page.find_all("table"):
            assert table.attrs, url
        assert page.find_all("caption"), url


def test_observatory_pages_load_their_scripts(client, world, parse):
    page = parse(client.get(reverse("observatory:index")))
    sources = [s.attrs.get("src", "") for s in page.find_all("script")]
    assert any(s.endswith("vendor/leaflet/leaflet.js") for s in sources)
    assert any(s.endswith("web/js/observatory.js") for s in sources)
    (container,) = page.find_all("div", id="observatory-map")
    assert container.attrs["data-url"] == reverse("observatory:map_data")
    assert container.attrs["role"] == "region"
    from django.contrib.staticfiles import finders

    assert finders.find("web/js/observatory.js")
