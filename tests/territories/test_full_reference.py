"""The one test that loads the real territory reference shipped with ptce."""

from django.conf import settings

from ptce.territories import indexes, lookups
from ptce.territories.importers.reference import load_reference
from ptce.territories.models import Commune, Departement, Epci, Region

KNOWN_POINTS = [
    # (lat, lon, code_insee): the hubs of DOMAIN.md and the arrondissements
    (45.0433, 5.0511, "26281"),  # Romans-sur-Isère
    (47.6236, -2.2392, "56011"),  # Béganne
    (45.4397, 4.3872, "42218"),  # Saint-Étienne
    (50.6292, 3.0573, "59350"),  # Lille
    (48.8625, 2.3364, "75056"),  # Paris (1er arrondissement)
    (41.9192, 8.7386, "2A004"),  # Ajaccio
    (16.2411, -61.5331, "97120"),  # Pointe-à-Pitre, Guadeloupe
]


def test_the_full_reference_loads_idempotently_and_answers(db):
    report = load_reference(settings.TERRITORIES_DATA_DIR)
    assert report.changed
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Epci.objects.count() > 1200
    assert Commune.objects.current().count() > 34800
    assert Commune.objects.filter(type=Commune.Type.ARRONDISSEMENT).count() == 45
    assert not Commune.objects.filter(geometry=b"").exists()
    # every commune but four islands belongs to an EPCI
    assert Commune.objects.current().filter(epci__isnull=True).count() <= 4
    assert Commune.objects.get(code_insee="14645").nom == "Saint-Pierre-Azif"

    indexes.reset()
    for lat, lon, code in KNOWN_POINTS:
        found = lookups.locate(lat, lon)
        assert found is not None and found.commune.code_insee == code, (lat, lon, code)
    assert lookups.locate(48.8625, 2.3364).arrondissement.code_insee == "75101"
    assert lookups.locate(46.0, -5.0) is None  # Atlantic Ocean
    assert lookups.search_communes("st etienne")[0].code_insee == "42218"
    assert lookups.search_communes("26100")[0].code_insee == "26281"

    again = load_reference(settings.TERRITORIES_DATA_DIR)
    assert not again.changed
