import pytest

URL = "/api/v1/territories"


def test_locate_known_point(client, territory):
    response = client.get(f"{URL}/locate", {"lat": 45.0433, "lon": 5.0511})
    assert response.status_code == 200
    assert response.json() == {
        "code_insee": "26281",
        "nom": "Romans-sur-Isère",
        "departement": "26",
        "region": "84",
        "epci": "200068781",
        "arrondissement": None,
    }


def test_locate_in_paris_gives_the_arrondissement(client, territory):
    data = client.get(f"{URL}/locate", {"lat": 48.86, "lon": 2.33}).json()
    assert (data["code_insee"], data["arrondissement"]) == ("75056", "75101")


def test_locate_outside_any_commune_is_404_in_french(client, territory):
    response = client.get(f"{URL}/locate", {"lat": 43.0, "lon": 5.0})
    assert response.status_code == 404
    assert "Aucune commune ne contient le point" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"lat": "abc", "lon": 5}, "lat", "doit être un nombre"),
        ({"lat": 95, "lon": 5}, "lat", "inférieur ou égal à 90"),
        ({"lat": 45}, "lon", "est obligatoire"),
    ],
)
def test_locate_bad_parameters_are_422_naming_the_parameter(
    client, territory, params, field, words
):
    response = client.get(f"{URL}/locate", params)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert f"« {field} »" in body["detail"] and words in body["detail"]


def test_search_communes(client, territory, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(f"{URL}/communes", {"q": "st etienne"})
    assert response.status_code == 200
    data = response.json()
    assert [c["code_insee"] for c in data] == ["42218"]
    assert data[0]["codes_postaux"] == ["42000", "42100"]
    assert data[0]["departement"] == "42"


def test_search_needs_a_query(client, territory):
    response = client.get(f"{URL}/communes")
    assert response.status_code == 422
    assert "« q » est obligatoire" in response.json()["detail"]
    assert client.get(f"{URL}/communes", {"q": "a", "limit": 500}).status_code == 422


def test_commune_detail_and_geometry(client, territory):
    data = client.get(f"{URL}/communes/26281").json()
    assert data["nom"] == "Romans-sur-Isère"
    assert data["epci_detail"] == {
        "code": "200068781",
        "nom": "CA Valence Romans Agglo",
        "type": "CA",
    }
    assert data["departement_nom"] == "Drôme"
    assert data["geometry"] is None
    assert data["bbox"] == [5.0, 45.0, 5.1, 45.1]
    with_geometry = client.get(f"{URL}/communes/26281", {"geometry": "true"}).json()
    assert with_geometry["geometry"]["type"] == "MultiPolygon"


def test_commune_unknown_and_malformed_codes(client, territory):
    unknown = client.get(f"{URL}/communes/99999")
    assert unknown.status_code == 404
    assert "99999" in unknown.json()["detail"]
    malformed = client.get(f"{URL}/communes/ABC")
    assert malformed.status_code == 422
    assert "« code »" in malformed.json()["detail"]


def test_epci_with_members(client, territory):
    data = client.get(f"{URL}/epci/200068781").json()
    assert data["type"] == "CA"
    assert [m["code_insee"] for m in data["membres"]] == ["26057", "26281", "26313", "26362"]
    assert client.get(f"{URL}/epci/123456789").status_code == 404
    assert client.get(f"{URL}/epci/12").status_code == 422


def test_regions_and_departements(client, territory, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        regions = client.get(f"{URL}/regions").json()
    assert {r["code"] for r in regions} == {"11", "84"}
    departements = client.get(f"{URL}/departements").json()
    assert {"code": "26", "nom": "Drôme", "region": "84"} in departements


def test_openapi_docs_are_served(client, db):
    assert client.get("/api/v1/docs").status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/territories/locate" in schema["paths"]


def test_token_authentication(client, user):
    from ptce.api.api import token_auth
    from ptce.core.services import create_api_token

    _, raw = create_api_token(None, user=user, name="t")
    request = type("R", (), {"headers": {"Authorization": f"Bearer {raw}"}, "META": {}})()
    assert token_auth.authenticate(request, raw) == user
    assert token_auth.authenticate(request, "ptce_wrong") is None
