import json

import pytest

from ptce.actors.models import Organisation
from ptce.core.choices import Role, Visibility
from ptce.core.services import create_user
from ptce.poles import services as pole_services
from tests.actors import factories
from tests.api.auth import bearer


@pytest.fixture
def directory_data(territory):
    return [
        factories.association("Association Les Jardins de Cocagne (fictive)"),
        factories.scop("Scop Les Tisserands Romanais (fictive)"),
        factories.sme("Chaussures Drômoises (fictive)", commune="42218"),
        factories.commune_body(),
    ]


@pytest.fixture
def coordinator(db, staff):
    pole = pole_services.create_pole(None, name="Pôle Sud", slug="pole-sud")
    user = create_user(None, email="coord@example.org")
    pole_services.grant_role(staff, pole=pole, user=user, role=Role.COORDINATOR)
    return user


def test_list_with_facets_and_bounded_queries(
    client, directory_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/organisations", {"ess": "true"})
    data = response.json()
    assert response.status_code == 200
    assert data["count"] == 2
    assert {r["ess_family"] for r in data["results"]} == {"association", "scop"}
    assert data["results"][0]["commune"] == "Romans-sur-Isère"
    assert {f["value"] for f in data["facets"]["actor_type"]} == {"ess"}
    # more rows, same number of queries
    for n in range(10):
        factories.association(f"Association numéro {n} (fictive)")
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/organisations", {"ess": "true"}).json()["count"] == 12


def test_full_text_and_filters(client, directory_data):
    def names(**params):
        return [r["name"] for r in client.get("/api/v1/organisations", params).json()["results"]]

    assert names(q="tisserands") == ["Scop Les Tisserands Romanais (fictive)"]
    assert names(departement="42") == ["Chaussures Drômoises (fictive)"]
    assert names(type="local_authority") == ["Commune de Romans-sur-Isère"]
    assert names(naf="15.20Z") == ["Chaussures Drômoises (fictive)"]
    assert len(names(section="C")) == 2
    page = client.get("/api/v1/organisations", {"page_size": 2, "page": 2}).json()
    assert (page["count"], page["pages"], len(page["results"])) == (4, 2, 2)


def test_detail_by_siren_and_establishment(client, directory_data):
    scop = directory_data[1]
    data = client.get(f"/api/v1/organisations/{scop.siren}").json()
    assert data["ess_family"] == "scop"
    assert "5458" in data["classification"]
    assert data["establishments"][0]["commune"] == "Romans-sur-Isère"
    siret = data["establishments"][0]["siret"]
    assert client.get(f"/api/v1/establishments/{siret}").json()["code_commune"] == "26281"
    assert client.get("/api/v1/organisations/123456782").status_code == 404
    assert client.get("/api/v1/organisations/12").status_code == 422


def test_siret_check(client, directory_data):
    siret = factories.siret_for(directory_data[0].siren)
    known = client.get(f"/api/v1/siret/{siret}/check").json()
    assert known["valid"] and known["known"]
    assert known["organisation"]["name"].startswith("Association Les Jardins")
    bad = client.get("/api/v1/siret/73282932000075/check").json()
    assert not bad["valid"] and "Luhn" in bad["message"]
    poste = client.get("/api/v1/siret/35600000000010/check").json()
    assert poste["valid"] and not poste["known"]


def test_writes_need_auth_and_role(client, directory_data, user, coordinator):
    payload = {"name": "Collectif citoyen de Romans (fictif)"}
    assert (
        client.post("/api/v1/organisations", payload, content_type="application/json").status_code
        == 401
    )
    refused = client.post(
        "/api/v1/organisations", payload, content_type="application/json", **bearer(user)
    )
    assert refused.status_code == 403
    created = client.post(
        "/api/v1/organisations", payload, content_type="application/json", **bearer(coordinator)
    )
    assert created.status_code == 201
    org_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/organisations/id/{org_id}",
        json.dumps({"acronym": "CCR"}),
        content_type="application/json",
        **bearer(coordinator),
    )
    assert patched.status_code == 200 and patched.json()["acronym"] == "CCR"
    denied = client.patch(
        f"/api/v1/organisations/id/{org_id}",
        json.dumps({"acronym": "X"}),
        content_type="application/json",
        **bearer(user),
    )
    assert denied.status_code == 403
    assert Organisation.objects.get(pk=org_id).acronym == "CCR"


def test_bad_input_is_named_in_french(client, directory_data, coordinator):
    response = client.post(
        "/api/v1/organisations",
        {"name": "Doublon", "siren": "732829321"},
        content_type="application/json",
        **bearer(coordinator),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "siren"
    assert "Luhn" in response.json()["detail"]
    response = client.post(
        "/api/v1/organisations",
        {"name": ""},
        content_type="application/json",
        **bearer(coordinator),
    )
    assert response.status_code == 422 and "« name »" in response.json()["detail"]


def test_non_public_organisations_are_hidden(client, territory, user):
    from ptce.actors import services

    hidden = services.create_organisation(
        None, name="Groupe informel (fictif)", visibility=Visibility.OWNER
    )
    assert client.get(f"/api/v1/organisations/id/{hidden.pk}").status_code == 404
    assert client.get("/api/v1/organisations", {"q": "informel"}).json()["count"] == 0
    assert (
        client.patch(
            f"/api/v1/organisations/id/{hidden.pk}",
            json.dumps({"acronym": "X"}),
            content_type="application/json",
            **bearer(user),
        ).status_code
        == 404
    )


def test_map_answers_points_when_zoomed_in_and_clusters_when_out(client, directory_data):
    from ptce.actors import services

    org = directory_data[0]
    for n in range(2, 30):
        services.add_establishment(
            None,
            organisation=org,
            siret=factories.siret_for(org.siren, n),
            code_commune="26057",
            lat=44.95 + n * 0.0005,
            lon=5.05,
        )
    near = client.get(
        "/api/v1/map/establishments", {"bbox": "4.9,44.9,5.2,45.1", "zoom": 14}
    ).json()
    assert near["mode"] == "points"
    assert near["total"] == 31  # 3 head offices in Drôme + 28 establishments
    assert {f["properties"]["org"] for f in near["features"]} >= {org.pk}
    ess = client.get(
        "/api/v1/map/establishments",
        {"bbox": "4.9,44.9,5.2,45.1", "zoom": 14, "type": "enterprise"},
    ).json()
    assert ess["total"] == 0  # the SME is in Saint-Étienne
    from ptce.api import actors as api_actors

    api_actors.MAP_MAX_POINTS, saved = 5, api_actors.MAP_MAX_POINTS
    try:
        far = client.get("/api/v1/map/establishments", {"bbox": "-5,41,9,51", "zoom": 5}).json()
    finally:
        api_actors.MAP_MAX_POINTS = saved
    assert far["mode"] == "clusters"
    assert sum(f["properties"]["count"] for f in far["features"]) == far["total"] == 32


def test_map_bad_bbox_is_422(client, db):
    response = client.get("/api/v1/map/establishments", {"bbox": "5,45,4,44", "zoom": 5})
    assert response.status_code == 422 and "« bbox »" in response.json()["detail"]
    response = client.get("/api/v1/map/establishments", {"bbox": "a,b", "zoom": 5})
    assert response.status_code == 422


def test_exports_csv_xlsx_and_data_inclusion(client, directory_data):
    import csv
    import io

    from data_inclusion.schema import v1
    from openpyxl import load_workbook

    response = client.get("/api/v1/organisations/export", {"ess": "true"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Nom"] for r in rows] == [
        "Association Les Jardins de Cocagne (fictive)",
        "Scop Les Tisserands Romanais (fictive)",
    ]
    assert rows[0]["Commune"] == "Romans-sur-Isère" and rows[0]["Famille de l'ESS"] == "Association"

    xlsx = client.get("/api/v1/organisations/export", {"format": "xlsx", "departement": "42"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][2] == "Nom" and values[1][2] == "Chaussures Drômoises (fictive)"
    assert len(values) == 2

    structures = client.get("/api/v1/organisations/export", {"format": "data-inclusion"}).json()
    assert len(structures) == 4
    for structure in structures:
        v1.Structure.model_validate(structure, context={"ignore_warnings": False})
    scop = next(s for s in structures if s["nom"].startswith("Scop"))
    assert scop["code_insee"] == "26281" and len(scop["siret"]) == 14
    assert scop["source"] == "ptce"


def test_facets_count_each_organisation_once_for_a_signed_in_user(client, directory_data):
    from ptce.actors import services
    from ptce.core.services import create_user

    jardins = directory_data[0]
    people = [create_user(None, email=f"p{n}@example.org") for n in range(3)]
    for person in people:
        services.affiliate(None, user=person, organisation=jardins)
    data = client.get("/api/v1/organisations", {"ess": "true"}, **bearer(people[0])).json()
    assert data["count"] == 2
    assert {f["value"]: f["count"] for f in data["facets"]["actor_type"]} == {"ess": 2}


def test_hidden_organisations_stay_off_the_map(client, territory, user):
    from ptce.actors import services

    hidden = services.create_organisation(
        None, name="Groupe discret (fictif)", visibility=Visibility.OWNER
    )
    services.add_establishment(None, organisation=hidden, code_commune="26281")
    params = {"bbox": "4.9,44.9,5.2,45.1", "zoom": 14}
    assert client.get("/api/v1/map/establishments", params).json()["total"] == 0
    services.affiliate(None, user=user, organisation=hidden)
    mine = client.get("/api/v1/map/establishments", params, **bearer(user)).json()
    assert mine["total"] == 1


def test_empty_and_unknown_filters_are_ignored(client, directory_data):
    base = client.get("/api/v1/organisations").json()["count"]
    assert client.get("/api/v1/organisations", {"departement": ""}).json()["count"] == base
    assert client.get("/api/v1/organisations", {"section": "Z"}).json()["count"] == base
    assert client.get("/api/v1/organisations", {"active": "all"}).json()["count"] == base
    assert client.get("/api/v1/organisations", {"active": "false"}).json()["count"] == 0
    assert client.get("/api/v1/organisations", {"active": "maybe"}).status_code == 422
