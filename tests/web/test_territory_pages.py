"""The territory pages: home, search (full page and htmx fragment), département, commune, EPCI."""

import json

import pytest
from django.urls import reverse

from ptce.territories import indexes
from ptce.territories.models import Commune, Departement
from tests.territories.builders import MGP, SEM, VRA
from tests.web.html import squash

NNBSP = "\xa0"  # the French thousands separator of Django's number formats


def test_home_presents_ptce_and_the_search_box(client, parse):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["La plateforme des pôles territoriaux de coopération économique"]
    assert "Un pôle territorial de coopération économique (PTCE) réunit" in response.text
    search = page.find_all("input", name="q")
    assert len(search) == 1
    assert search[0].attrs["hx-get"] == reverse("territories:search")
    assert "delay:250ms" in search[0].attrs["hx-trigger"]
    assert page.find_all("a", href=reverse("territories:search"))
    assert page.find_all("a", href=reverse("login"))


def test_search_page_lists_regions_and_departements(client, territory, parse):
    response = client.get(reverse("territories:search"))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Territoires"]
    assert "Auvergne-Rhône-Alpes" in page.text_of("h3")
    assert page.find_all("a", href=reverse("territories:departement", args=["26"]))
    assert page.find_all("a", href=reverse("territories:departement", args=["75"]))
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_search_without_javascript_renders_the_results_in_the_page(client, territory, parse):
    response = client.get(reverse("territories:search"), {"q": "roma"})
    assert response.status_code == 200
    page = parse(response)
    results = page.by_id("search-results")
    assert "Romans-sur-Isère" in results.text
    link = page.find_all("a", href=reverse("territories:commune", args=["26281"]))
    assert link
    text = squash(link[0].text)
    assert "Drôme (26)" in text
    assert "26100" in text
    assert f"33{NNBSP}500 hab." in text
    assert squash(page.by_id("search-status").text) == "2 communes trouvées pour « roma »."
    assert page.find_all("input", name="q", value="roma")


def test_search_by_postal_code_and_by_insee_code(client, territory):
    by_postal = client.get(reverse("territories:search"), {"q": "42100"})
    assert "Saint-Étienne" in by_postal.text
    by_code = client.get(reverse("territories:search"), {"q": "26057"})
    assert "Bourg-de-Péage" in by_code.text


def test_search_with_no_match_says_so(client, territory, parse):
    response = client.get(reverse("territories:search"), {"q": "xyzzy"})
    assert response.status_code == 200
    assert (
        "Aucune commune ne correspond à « xyzzy »." in parse(response).by_id("search-status").text
    )


def test_htmx_search_returns_only_the_fragment(client, territory, parse):
    response = client.get(
        reverse("territories:search"), {"q": "roma"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html and "<body" not in html and "<header" not in html
    page = parse(response)
    assert page.find_all("a", href=reverse("territories:commune", args=["26281"]))
    status = page.by_id("search-status-text")
    assert status.attrs["hx-swap-oob"] == "true"
    assert "trouvée" in status.text
    assert "HX-Request" in response["Vary"]


def test_htmx_search_with_an_empty_query_clears_the_results(client, territory, parse):
    response = client.get(reverse("territories:search"), {"q": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = parse(response)
    assert not page.find_all("li")
    assert page.by_id("search-status-text").text.strip() == ""


def test_search_rejects_posts(client, territory):
    assert client.post(reverse("territories:search"), {"q": "roma"}).status_code == 405


def test_departement_lists_its_communes_with_their_epci(client, territory, parse):
    response = client.get(reverse("territories:departement", args=["26"]))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Drôme (26)"]
    assert "Auvergne-Rhône-Alpes" in response.text
    rows = page.text_of("tr")[1:]
    names = [row.split(" 26")[0] for row in rows]
    assert names == ["Bourg-de-Péage", "Romans-sur-Isère", "Saint-Paul-lès-Romans", "Valence"]
    epci_links = page.find_all("a", href=reverse("territories:epci", args=[VRA]))
    assert len(epci_links) == 1 + 4  # the EPCI list, then one per row
    assert "4 communes" in page.text_of("h2")


def test_departement_is_paginated_by_hundred(client, territory, parse):
    drome = Departement.objects.get(code="26")
    template = Commune.objects.get(code_insee="26281")
    Commune.objects.bulk_create(
        [
            Commune(
                code_insee=f"26{i:03d}",
                nom=f"Commune test {i:03d}",
                departement=drome,
                region_id="84",
                lat=template.lat,
                lon=template.lon,
                min_lon=template.min_lon,
                min_lat=template.min_lat,
                max_lon=template.max_lon,
                max_lat=template.max_lat,
                geometry=template.geometry,
            )
            for i in range(500, 620)
        ]
    )
    first = parse(client.get(reverse("territories:departement", args=["26"])))
    assert len(first.find_all("tr")) == 1 + 100
    assert first.find_all("a", rel="next")
    second = client.get(reverse("territories:departement", args=["26"]), {"page": 2})
    assert "Page 2 sur 2" in second.text
    assert len(parse(second).find_all("tr")) == 1 + 24


def test_commune_page_shows_its_facts(client, territory, parse):
    response = client.get(reverse("territories:commune", args=["26281"]))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Romans-sur-Isère"]
    facts = page.facts()
    assert facts["Code INSEE"] == "26281"
    assert facts["Département"] == "Drôme (26)"
    assert facts["Région"] == "Auvergne-Rhône-Alpes"
    assert facts["Intercommunalité (EPCI)"] == "CA Valence Romans Agglo Communauté d'agglomération"
    assert facts["Population"] == f"33{NNBSP}500 habitants"
    assert facts["Codes postaux"] == "26100"
    area = Commune.objects.get(code_insee="26281").area_km2
    assert area > 0
    assert facts["Superficie"] == f"{area:.2f} km²".replace(".", ",")
    epci = page.find_all("a", href=reverse("territories:epci", args=[VRA]))
    assert epci and epci[0].text == "CA Valence Romans Agglo"


def test_commune_page_links_its_neighbours(client, territory, parse):
    page = parse(client.get(reverse("territories:commune", args=["26281"])))
    neighbours = page.find_all("ul", class_="tag-list")[-1].text
    for name in ("Bourg-de-Péage", "Saint-Paul-lès-Romans", "Valence"):
        assert name in neighbours
    assert "Saint-Étienne" not in neighbours
    assert page.find_all("a", href=reverse("territories:commune", args=["26313"]))


def test_commune_page_carries_its_outline_for_the_map(client, territory, parse):
    response = client.get(reverse("territories:commune", args=["26281"]))
    page = parse(response)
    (container,) = page.find_all("div", **{"data-map": ""})
    assert container.attrs["aria-label"].startswith("Carte")
    assert container.attrs["data-tiles-url"]
    data = json.loads(page.by_id(container.attrs["data-geojson"]).text)
    assert data["type"] == "FeatureCollection"
    main = [f for f in data["features"] if f["properties"]["role"] == "commune"]
    assert len(main) == 1
    assert main[0]["properties"]["name"] == "Romans-sur-Isère"
    assert main[0]["geometry"]["type"] == "MultiPolygon"
    ring = main[0]["geometry"]["coordinates"][0][0]
    assert {tuple(p) for p in ring} == {(5.0, 45.0), (5.1, 45.0), (5.1, 45.1), (5.0, 45.1)}
    neighbours = {f["properties"]["code"] for f in data["features"]} - {"26281"}
    assert neighbours == {"26057", "26313", "26362"}


def test_paris_lists_its_arrondissements_and_an_arrondissement_its_commune(
    client, territory, parse
):
    paris = parse(client.get(reverse("territories:commune", args=["75056"])))
    assert paris.find_all("a", href=reverse("territories:commune", args=["75101"]))
    assert paris.find_all("a", href=reverse("territories:epci", args=[MGP]))
    first = client.get(reverse("territories:commune", args=["75101"]))
    assert first.status_code == 200
    page = parse(first)
    assert page.text_of("h1") == ["Paris 1er Arrondissement"]
    assert "Arrondissement municipal" in first.text
    assert page.find_all("a", href=reverse("territories:commune", args=["75056"]))
    assert page.facts()["Commune"] == "Paris (75056)"
    # Its parent commune contains it: that is no neighbour, on the page nor on the map.
    assert "Aucune commune voisine dans le référentiel." in first.text
    (container,) = page.find_all("div", **{"data-map": ""})
    data = json.loads(page.by_id(container.attrs["data-geojson"]).text)
    assert [f["properties"]["code"] for f in data["features"]] == ["75101"]


def test_commune_code_is_case_insensitive(client, territory):
    # Corsican codes are written 2A/2B; an unknown one still answers 404 in French.
    response = client.get(reverse("territories:commune", args=["2a004"]))
    assert response.status_code == 404
    assert "Aucune commune n&#x27;a le code INSEE 2a004." in response.text


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("territories:commune", "99999", "Aucune commune n&#x27;a le code INSEE 99999."),
        ("territories:epci", "123456789", "Aucun EPCI n&#x27;a le SIREN 123456789."),
        ("territories:departement", "99", "Aucun département n&#x27;a le code 99."),
    ],
)
def test_unknown_codes_answer_a_french_404(client, territory, parse, name, code, message):
    response = client.get(reverse(name, args=[code]))
    assert response.status_code == 404
    assert parse(response).text_of("h1") == ["Page introuvable"]
    assert message in response.text
    assert "Retour à l’accueil" in response.text


def test_unknown_address_answers_the_french_404_page(client, db, parse):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert parse(response).text_of("h1") == ["Page introuvable"]
    assert "Resolver404" not in response.text


def test_epci_page_lists_its_members_and_maps_them(client, territory, parse):
    response = client.get(reverse("territories:epci", args=[VRA]))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["CA Valence Romans Agglo"]
    facts = page.facts()
    assert facts["Nature"] == "Communauté d'agglomération"
    assert facts["Population"] == f"113{NNBSP}700 habitants"
    assert facts["Communes membres"] == "4"
    rows = page.text_of("tr")[1:]
    assert rows == [
        "Bourg-de-Péage 26057 10 600".replace(" 600", f"{NNBSP}600"),
        "Romans-sur-Isère 26281 33 500".replace(" 500", f"{NNBSP}500"),
        "Saint-Paul-lès-Romans 26313 4 900".replace(" 900", f"{NNBSP}900"),
        "Valence 26362 64 700".replace(" 700", f"{NNBSP}700"),
    ]
    (container,) = page.find_all("div", **{"data-map": ""})
    data = json.loads(page.by_id(container.attrs["data-geojson"]).text)
    assert [f["properties"]["code"] for f in data["features"]] == [
        "26057",
        "26281",
        "26313",
        "26362",
    ]
    assert all(
        f["properties"]["url"].startswith("/territoires/communes/") for f in data["features"]
    )


def test_epci_map_simplifies_big_outlines(client, territory, monkeypatch):
    from ptce.web import geojson

    monkeypatch.setattr(geojson, "SIMPLIFY_ABOVE_POINTS", 1)
    response = client.get(reverse("territories:epci", args=[SEM]))
    assert response.status_code == 200
    assert "Saint-Étienne" in response.text


def test_list_pages_run_a_bounded_number_of_queries(
    client, territory, django_assert_max_num_queries
):
    indexes.get()  # built once per process, not per request
    with django_assert_max_num_queries(2):
        client.get(reverse("territories:search"))
    with django_assert_max_num_queries(3):
        client.get(reverse("territories:search"), {"q": "saint"})
    with django_assert_max_num_queries(4):
        client.get(reverse("territories:departement", args=["26"]))
    with django_assert_max_num_queries(3):
        client.get(reverse("territories:commune", args=["26281"]))
    with django_assert_max_num_queries(2):
        client.get(reverse("territories:epci", args=[VRA]))


def test_search_query_is_escaped(client, territory):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(
            reverse("territories:search"), {"q": '<script>alert("x")</script>'}, headers=headers
        )
        assert response.status_code == 200
        assert "<script>alert" not in response.text
        assert "&lt;script&gt;alert" in response.text
