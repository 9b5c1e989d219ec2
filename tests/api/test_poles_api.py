"""Permission matrix of the hub API: anonymous, member of A, coordinator of A, coordinator
of B, observer of A, staff."""

import json

import pytest

from ptce.core.choices import Role, Visibility
from ptce.poles import services
from tests.actors import factories as actors
from tests.api.auth import bearer
from tests.poles import factories


@pytest.fixture
def world(territory, staff):
    a = factories.eligible_pole("Pôle A (fictif)")
    b = factories.pole("Pôle B (fictif)", commune="42218")
    hidden = factories.pole("Pôle privé (fictif)", visibility=Visibility.MEMBERS)
    private_member = services.add_member(
        None,
        pole=a,
        organisation=actors.association("Membre discret (fictif)"),
        visibility=Visibility.MEMBERS,
    )
    people = {
        "anonymous": None,
        "member_a": factories.person("member-a@example.org", a, Role.MEMBER),
        "observer_a": factories.person("observer-a@example.org", a, Role.OBSERVER),
        "coordinator_a": factories.person("coord-a@example.org", a, Role.COORDINATOR),
        "coordinator_b": factories.person("coord-b@example.org", b, Role.COORDINATOR),
        "staff": staff,
    }
    return {"a": a, "b": b, "hidden": hidden, "private_member": private_member, "people": people}


def test_list_and_detail(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        data = client.get("/api/v1/poles").json()
    assert {p["slug"] for p in data["results"]} == {world["a"].slug, world["b"].slug}
    a = next(p for p in data["results"] if p["slug"] == world["a"].slug)
    assert a["member_count"] == 4 and a["region"] == "84"
    assert client.get("/api/v1/poles", {"departement": "42"}).json()["count"] == 1
    detail = client.get(f"/api/v1/poles/{world['a'].slug}").json()
    assert detail["name"] == "Pôle A (fictif)"


def test_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    for n in range(15):
        factories.pole(f"Pôle généré {n} (fictif)")
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/poles").json()["count"] == 17


def test_eligibility_endpoint(client, world):
    conditions = client.get(f"/api/v1/poles/{world['a'].slug}/eligibility").json()
    decret = [c for c in conditions if c["checklist"] == "decret_2015_431"]
    assert len(decret) == 6
    assert all(c["status"] == "met" for c in decret)
    assert all(c["message"] for c in conditions)
    b = client.get(f"/api/v1/poles/{world['b'].slug}/eligibility").json()
    assert {c["code"]: c["status"] for c in b}["decret_ess_enterprise"] == "not_met"


@pytest.mark.parametrize(
    ("who", "sees_hidden_pole", "sees_private_member"),
    [
        ("anonymous", False, False),
        ("member_a", False, True),
        ("observer_a", False, True),
        ("coordinator_a", False, True),
        ("coordinator_b", False, False),
        ("staff", True, True),
    ],
)
def test_read_matrix(client, world, who, sees_hidden_pole, sees_private_member):
    headers = bearer(world["people"][who])
    hidden = client.get(f"/api/v1/poles/{world['hidden'].slug}", **headers)
    assert hidden.status_code == (200 if sees_hidden_pole else 404)
    members = client.get(f"/api/v1/poles/{world['a'].slug}/members", **headers).json()
    names = {m["name"] for m in members}
    assert ("Membre discret (fictif)" in names) == sees_private_member
    assert len(names) >= 3


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("member_a", 403),
        ("observer_a", 403),
        ("coordinator_a", 200),
        ("coordinator_b", 403),
        ("staff", 200),
    ],
)
def test_write_matrix(client, world, who, status):
    headers = bearer(world["people"][who])
    a = world["a"]
    patched = client.patch(
        f"/api/v1/poles/{a.slug}",
        json.dumps({"description": "Nouvelle présentation"}),
        content_type="application/json",
        **headers,
    )
    assert patched.status_code == status
    org = actors.sme("Nouvelle PME (fictive)")
    added = client.post(
        f"/api/v1/poles/{a.slug}/members",
        {"organisation_id": org.pk},
        content_type="application/json",
        **headers,
    )
    assert added.status_code == (201 if status == 200 else status)
    membership = world["private_member"]
    ended = client.delete(f"/api/v1/poles/{a.slug}/members/{membership.pk}", **headers)
    assert ended.status_code == status
    if status == 200:
        assert ended.json()["left_on"] is not None


def test_create_pole_and_bad_input(client, world):
    user = world["people"]["member_a"]
    created = client.post(
        "/api/v1/poles",
        {"name": "Mon nouveau pôle (fictif)", "commune": "26057"},
        content_type="application/json",
        **bearer(user),
    )
    assert created.status_code == 201
    assert created.json()["departement"] == "26"
    bad = client.post(
        "/api/v1/poles",
        {"name": "Pôle", "objectives": ["nope"]},
        content_type="application/json",
        **bearer(user),
    )
    assert bad.status_code == 422 and "objectives" in bad.json()["errors"][0]["field"]
    org = world["private_member"].organisation
    twice = client.post(
        f"/api/v1/poles/{world['a'].slug}/members",
        {"organisation_id": org.pk},
        content_type="application/json",
        **bearer(world["people"]["coordinator_a"]),
    )
    assert twice.status_code == 422 and "déjà membre" in twice.json()["detail"]


def test_open_data_exports_validate_against_the_table_schema(client, world, tmp_path):
    from django.conf import settings
    from frictionless import Resource, Schema

    response = client.get("/api/v1/poles/export", {"format": "csv"})
    assert response.status_code == 200
    path = tmp_path / "poles.csv"
    path.write_bytes(response.content)
    descriptor = json.loads((settings.BASE_DIR / "docs/opendata/poles.schema.json").read_text())
    schema = Schema.from_descriptor(descriptor)
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = report.tasks[0].stats["rows"]
    assert rows == 2  # the two public hubs; the private one is not open data
    geo = client.get("/api/v1/poles/export", {"format": "geojson"}).json()
    assert {f["properties"]["slug"] for f in geo["features"]} == {world["a"].slug, world["b"].slug}
    a = next(f for f in geo["features"] if f["properties"]["slug"] == world["a"].slug)
    assert a["properties"]["nombre_membres"] == 4 and a["properties"]["membres_ess"] == 2
    assert a["geometry"]["coordinates"] == [5.05, 45.05]
    records = client.get("/api/v1/poles/export", {"format": "json"}).json()
    assert len(records) == 2
