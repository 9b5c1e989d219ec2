import pytest
import shapely
from django.core.exceptions import ValidationError

from ptce.core.models import AuditEntry
from ptce.territories.services import delete_perimeter, save_perimeter


def test_perimeter_from_an_epci_and_a_commune(territory, user):
    perimeter = save_perimeter(
        user,
        name="Pays de Romans et Saint-Étienne",
        definition={"epci": ["200068781"], "communes": ["42218"]},
    )
    codes = set(perimeter.communes.values_list("code_insee", flat=True))
    assert codes == {"26281", "26057", "26362", "26313", "42218"}
    assert perimeter.population == 33500 + 10600 + 64700 + 4900 + 173000
    assert perimeter.commune_count == 5
    assert perimeter.area_km2 > 0
    outline = shapely.from_wkb(bytes(perimeter.outline))
    assert outline.contains(shapely.Point(5.05, 45.05))
    assert perimeter.slug == "pays-de-romans-et-saint-etienne"
    assert AuditEntry.objects.filter(verb="save_perimeter", object_id=str(perimeter.pk)).exists()


def test_perimeter_from_departement_region_and_radius(territory):
    by_departement = save_perimeter(None, name="Drôme", definition={"departements": ["26"]})
    assert by_departement.commune_count == 4
    by_region = save_perimeter(None, name="AURA", definition={"regions": ["84"]})
    assert by_region.commune_count == 5
    by_radius = save_perimeter(
        None, name="Autour de Romans", definition={"radii": [{"lat": 45.05, "lon": 5.05, "km": 6}]}
    )
    assert set(by_radius.communes.values_list("pk", flat=True)) == {"26281", "26057", "26313"}


def test_arrondissements_are_never_counted_twice(territory):
    perimeter = save_perimeter(None, name="Paris", definition={"departements": ["75"]})
    assert list(perimeter.communes.values_list("pk", flat=True)) == ["75056"]
    assert perimeter.population == 2100000


def test_unknown_codes_are_named_per_field(territory):
    with pytest.raises(ValidationError) as exc:
        save_perimeter(
            None, name="X", definition={"communes": ["99999", "26281"], "epci": ["123456789"]}
        )
    errors = exc.value.message_dict
    assert "99999" in errors["communes"][0]
    assert "123456789" in errors["epci"][0]


def test_empty_perimeter_and_bad_radius_are_refused(territory):
    with pytest.raises(ValidationError) as exc:
        save_perimeter(None, name="Vide", definition={})
    assert "aucune commune" in exc.value.message_dict["communes"][0]
    with pytest.raises(ValidationError) as exc:
        save_perimeter(None, name="Loin", definition={"radii": [{"lat": 45, "lon": 5, "km": 900}]})
    assert "distance" in exc.value.message_dict["radii"][0]
    with pytest.raises(ValidationError) as exc:
        save_perimeter(None, name=" ", definition={"communes": ["26281"]})
    assert "name" in exc.value.message_dict


def test_rebuild_and_delete(territory, user):
    perimeter = save_perimeter(user, name="Romans", definition={"communes": ["26281"]})
    same = save_perimeter(
        user, name="Romans", definition={"communes": ["26281", "26057"]}, perimeter=perimeter
    )
    assert same.pk == perimeter.pk and same.commune_count == 2
    other = save_perimeter(user, name="Romans", definition={"communes": ["26281"]})
    assert other.slug == "romans-2"
    delete_perimeter(user, perimeter=other)
    assert AuditEntry.objects.filter(verb="delete_perimeter").count() == 1
