"""API of shared employees: permissions (coordination, member organisation, observer, other
hub, anonymous), writes, French errors and bounded queries."""

from __future__ import annotations

import json

import pytest

from ptce.core.choices import Role, Visibility
from tests.api.auth import bearer
from tests.poles import factories as poles
from tests.pooling.employees import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(territory):
    ge = factories.build("A")
    other = factories.build("B")
    factories.invoice_hours(ge, {"scop": "40.5", "sme": "20", "commune": "30"})
    people = {
        "coordinator": ge.coordinator,
        "scop": factories.member_of(ge, "scop", "scop@example.org"),
        "observer": poles.person("observer@example.org", ge.pole, Role.OBSERVER),
        "other_hub": other.coordinator,
        "no_role": poles.person("nobody@example.org"),
    }
    return ge, other, people


def url(ge, tail=""):
    return f"/api/v1/poles/{ge.pole.slug}/employees{tail}"


def test_anonymous_gets_401(client, world):
    ge, _, _ = world
    for tail in ("", "/timesheets", "/invoices", "/register", f"/{ge.employee.pk}"):
        assert client.get(url(ge, tail)).status_code == 401


@pytest.mark.parametrize("who", ["other_hub", "no_role"])
def test_other_hubs_see_nothing(client, world, who):
    ge, _, people = world
    headers = bearer(people[who])
    for tail in ("", "/timesheets", "/invoices", "/register", f"/{ge.employee.pk}"):
        response = client.get(url(ge, tail), **headers)
        assert response.status_code == 403, tail
        assert "Réservé" in response.json()["detail"]
    response = client.post(
        url(ge, "/timesheets"),
        data=json.dumps(
            {
                "employee_id": ge.employee.pk,
                "organisation_id": ge.orgs["scop"].pk,
                "month": "2026-03",
                "hours": "1",
            }
        ),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403


def test_private_hub_is_404_for_strangers(client, world):
    ge, _other, people = world
    from ptce.poles import services as pole_services

    pole_services.update_pole(None, pole=ge.pole, visibility=Visibility.MEMBERS)
    assert client.get(url(ge), **bearer(people["other_hub"])).status_code == 404


def test_coordinator_reads_everything(client, world, django_assert_max_num_queries):
    ge, _, people = world
    headers = bearer(people["coordinator"])
    with django_assert_max_num_queries(10):
        employees = client.get(url(ge), **headers).json()
    assert [e["person_name"] for e in employees] == ["Camille Martin"]
    assert employees[0]["hourly_cost_cents"] == 2500
    with django_assert_max_num_queries(10):
        sheets = client.get(url(ge, "/timesheets?month=2026-03"), **headers).json()
    assert len(sheets) == 3
    with django_assert_max_num_queries(12):
        data = client.get(url(ge, "/invoices"), **headers).json()
    assert len(data["invoices"]) == 3
    # 90.5 h x 25 EUR = 2 262.50 EUR, overhead 8 % = 181 EUR
    assert data["month_totals"][0]["total_cents"] == 226_250 + 18_100
    assert sum(i["total_cents"] for i in data["invoices"]) == 244_350
    assert {i["overhead_rate"] for i in data["invoices"]} == {"0.0800"}
    register = client.get(url(ge, "/register"), **headers).json()
    assert len(register) == 4
    assert [r["local_authority"] for r in register if r["organisation"].startswith("Commune")] == [
        True
    ]


def test_member_sees_only_its_own_timesheets_and_invoices(client, world):
    ge, _, people = world
    headers = bearer(people["scop"])
    sheets = client.get(url(ge, "/timesheets"), **headers).json()
    assert [s["organisation_id"] for s in sheets] == [ge.orgs["scop"].pk]
    data = client.get(url(ge, "/invoices"), **headers).json()
    assert [i["organisation_id"] for i in data["invoices"]] == [ge.orgs["scop"].pk]
    assert data["invoices"][0]["total_cents"] == 101_250 + 8_100
    assert client.get(url(ge, f"/{ge.employee.pk}"), **headers).status_code == 200


def test_observer_reads_totals_only(client, world):
    ge, _, people = world
    headers = bearer(people["observer"])
    data = client.get(url(ge, "/invoices"), **headers).json()
    assert data["invoices"] == []
    assert data["month_totals"][0]["total_cents"] == 244_350
    assert client.get(url(ge, "/register"), **headers).status_code == 200
    assert client.get(url(ge, "/timesheets"), **headers).status_code == 403
    assert client.get(url(ge), **headers).status_code == 403


def test_member_records_its_own_hours_and_gets_french_errors(client, world):
    ge, _, people = world
    headers = bearer(people["scop"])
    body = {
        "employee_id": ge.employee.pk,
        "organisation_id": ge.orgs["scop"].pk,
        "month": "2026-04",
        "hours": "12.25",
    }
    response = client.post(
        url(ge, "/timesheets"), data=json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    assert response.json()["hours"] == "12.25"
    body["organisation_id"] = ge.orgs["sme"].pk
    response = client.post(
        url(ge, "/timesheets"), data=json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 403
    body.update(organisation_id=ge.orgs["scop"].pk, hours="500")
    response = client.post(
        url(ge, "/timesheets"), data=json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "hours"
    assert "plausible" in response.json()["detail"]


def test_only_coordination_hires(client, world):
    ge, _, people = world
    body = {
        "person_name": "Léa Petit",
        "job_title": "Animatrice",
        "contractual_hours_per_year": "800",
        "hourly_cost_cents": 2200,
        "start_on": "2026-01-05",
    }
    response = client.post(
        url(ge), data=json.dumps(body), content_type="application/json", **bearer(people["scop"])
    )
    assert response.status_code == 403
    response = client.post(
        url(ge),
        data=json.dumps(body),
        content_type="application/json",
        **bearer(people["coordinator"]),
    )
    assert response.status_code == 201
    assert response.json()["person_name"] == "Léa Petit"
    body["hourly_cost_cents"] = 0
    response = client.post(
        url(ge),
        data=json.dumps(body),
        content_type="application/json",
        **bearer(people["coordinator"]),
    )
    assert response.status_code == 422
    assert "Coût horaire" in response.json()["detail"]


def test_unknown_employee_and_no_group(client, world, territory):
    ge, _, people = world
    assert client.get(url(ge, "/999999"), **bearer(people["coordinator"])).status_code == 404
    coordinator = poles.person("lonely@example.org")
    pole = poles.pole("Pôle sans GE (fictif)", coordinator=coordinator)
    response = client.get(f"/api/v1/poles/{pole.slug}/employees", **bearer(coordinator))
    assert response.status_code == 404
    assert "groupement" in response.json()["detail"]
