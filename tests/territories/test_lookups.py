import numpy as np

from ptce.territories import lookups


def names(communes):
    return [c.nom for c in communes]


def test_search_by_name_ignores_accents_case_hyphens_and_saint(territory):
    assert names(lookups.search_communes("romans"))[0] == "Romans-sur-Isère"
    assert names(lookups.search_communes("ROMANS SUR ISERE")) == ["Romans-sur-Isère"]
    assert names(lookups.search_communes("st etienne")) == ["Saint-Étienne"]
    assert names(lookups.search_communes("Saint-Étienne")) == ["Saint-Étienne"]
    assert lookups.search_communes("   ") == []


def test_prefix_matches_come_before_word_matches(territory):
    # "saint" starts Saint-Étienne and Saint-Paul-lès-Romans (ranked by population)
    assert names(lookups.search_communes("saint")) == ["Saint-Étienne", "Saint-Paul-lès-Romans"]
    # "romans" starts Romans-sur-Isère and is a later word of Saint-Paul-lès-Romans
    assert names(lookups.search_communes("romans")) == ["Romans-sur-Isère", "Saint-Paul-lès-Romans"]


def test_search_by_postal_code_and_code_insee(territory):
    assert names(lookups.search_communes("26100")) == ["Romans-sur-Isère"]
    assert names(lookups.search_communes("42100")) == ["Saint-Étienne"]
    assert names(lookups.search_communes("26362")) == ["Valence"]


def test_locate_known_points(territory):
    found = lookups.locate(45.0433, 5.0511)
    assert found is not None and found.commune.code_insee == "26281"
    assert found.arrondissement is None
    paris = lookups.locate(48.86, 2.33)
    assert paris.commune.code_insee == "75056"
    assert paris.arrondissement.code_insee == "75101"
    assert lookups.locate(43.3, 5.4) is None  # the sea, in this small reference


def test_locate_codes_vectorised(territory):
    lats = np.array([45.05, 44.95, 45.45, 0.0])
    lons = np.array([5.05, 4.9, 4.4, 0.0])
    assert lookups.locate_codes(lats, lons) == ["26281", "26362", "42218", None]


def test_within_radius_nearest_first(territory):
    found = [c.code_insee for c in lookups.communes_within_radius(45.05, 5.05, 6)]
    assert found[0] == "26281"
    assert set(found) == {"26281", "26057", "26313"}  # Valence is more than 6 km away


def test_neighbours_share_a_border(territory):
    from ptce.territories.models import Commune

    romans = Commune.objects.get(code_insee="26281")
    assert names(lookups.neighbours(romans)) == [
        "Bourg-de-Péage",
        "Saint-Paul-lès-Romans",
        "Valence",
    ]
