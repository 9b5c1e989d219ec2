"""Pooling API: resources, bookings, costs, statements, with the hub's permissions."""

import datetime as dt

import pytest

from ptce.pooling import accounting, services
from ptce.pooling.models import Booking, Cost
from tests.api.auth import bearer
from tests.pooling.factories import at, hub, next_monday


@pytest.fixture
def h(db):
    return hub()


@pytest.fixture
def other(db):
    return hub("pole-autre", prefix="x")


def url(h, tail=""):
    return f"/api/v1/poles/{h.pole.slug}/{tail}"


def post(client, path, user, data):
    return client.post(path, data, content_type="application/json", **bearer(user))


def test_anonymous_and_strangers(client, h, other):
    assert client.get(url(h, "resources")).status_code == 401
    response = client.get(url(h, "resources"), **bearer(other.alice))
    assert response.status_code == 404  # a members-only hub is invisible to them
    response = post(
        client,
        url(h, "bookings"),
        other.coordinator,
        {
            "unit_id": h.unit.pk,
            "organisation_id": h.org_a.pk,
            "starts_at": at(next_monday(), 9).isoformat(),
            "ends_at": at(next_monday(), 10).isoformat(),
        },
    )
    assert response.status_code == 404
    # a unit of another hub is not found through this hub
    response = post(
        client,
        url(h, "bookings"),
        h.alice,
        {
            "unit_id": other.unit.pk,
            "organisation_id": h.org_a.pk,
            "starts_at": at(next_monday(), 9).isoformat(),
            "ends_at": at(next_monday(), 10).isoformat(),
        },
    )
    assert response.status_code == 404


def test_resources(client, h, django_assert_max_num_queries):
    headers = bearer(h.alice)
    for i in range(4):
        services.create_resource(None, pole=h.pole, name=f"Outil {i}", kind="equipment")
    with django_assert_max_num_queries(12):
        data = client.get(url(h, "resources"), **headers).json()
    assert {r["name"] for r in data} >= {"Salle commune", "Outil 3"}
    assert data[0]["units"]
    payload = {"name": "Van", "kind": "vehicle"}
    assert post(client, url(h, "resources"), h.alice, payload).status_code == 403
    response = post(client, url(h, "resources"), h.coordinator, payload)
    assert response.status_code == 201, response.content
    rid = response.json()["id"]
    response = post(client, url(h, "resources"), h.coordinator, {"name": "Van", "kind": "vehicle"})
    assert response.status_code == 422 and "déjà ce nom" in response.json()["detail"]
    response = client.patch(
        url(h, f"resources/{rid}"),
        {"max_booking_minutes": 90},
        content_type="application/json",
        **bearer(h.coordinator),
    )
    assert response.json()["max_booking_minutes"] == 90
    response = client.delete(url(h, f"resources/{rid}"), **bearer(h.coordinator))
    assert response.json()["status"] == "archived"
    oven = {
        "name": "Four",
        "kind": "equipment",
        "ownership": "members",
        "units": ["Four A", "Four B"],
        "organisation_ids": [h.org_a.pk, h.org_b.pk],
        "shares": {h.org_a.pk: 70, h.org_b.pk: 20},
    }
    response = post(client, url(h, "resources"), h.coordinator, oven)
    assert response.status_code == 422 and "100" in response.json()["detail"]
    oven["shares"] = {h.org_a.pk: 70, h.org_b.pk: 30}
    response = post(client, url(h, "resources"), h.coordinator, oven)
    assert response.status_code == 201 and [u["name"] for u in response.json()["units"]] == [
        "Four A",
        "Four B",
    ]


def test_bookings(client, h, django_assert_max_num_queries):
    monday = next_monday()
    body = {
        "unit_id": h.unit.pk,
        "organisation_id": h.org_a.pk,
        "starts_at": at(monday, 9).isoformat(),
        "ends_at": at(monday, 11).isoformat(),
    }
    response = post(client, url(h, "bookings"), h.alice, body)
    assert response.status_code == 201, response.content
    booking_id = response.json()[0]["id"]
    response = post(client, url(h, "bookings"), h.bruno, dict(body, organisation_id=h.org_b.pk))
    assert response.status_code == 422 and "Chevauchement" in response.json()["detail"]
    response = post(
        client,
        url(h, "bookings"),
        h.bruno,
        dict(
            body,
            organisation_id=h.org_a.pk,
            starts_at=at(monday, 14).isoformat(),
            ends_at=at(monday, 15).isoformat(),
        ),
    )
    assert response.status_code == 403
    response = post(
        client,
        url(h, "bookings"),
        h.bruno,
        dict(
            body,
            organisation_id=h.org_b.pk,
            starts_at=at(monday, 12).isoformat(),
            ends_at=at(monday, 13).isoformat(),
            weekly_count=3,
        ),
    )
    assert response.status_code == 201 and len(response.json()) == 3
    for i in range(5):
        Booking.objects.create(
            unit=h.unit,
            organisation=h.org_b,
            starts_at=at(monday, 15 + i % 3, 0) + dt.timedelta(days=i + 1),
            ends_at=at(monday, 15 + i % 3, 30) + dt.timedelta(days=i + 1),
        )
    with django_assert_max_num_queries(11):
        data = client.get(url(h, "bookings"), **bearer(h.observer)).json()
    assert len(data) == 9
    response = client.patch(
        url(h, f"bookings/{booking_id}"),
        {"starts_at": at(monday, 8).isoformat(), "ends_at": at(monday, 9).isoformat()},
        content_type="application/json",
        **bearer(h.bruno),
    )
    assert response.status_code == 403
    response = client.delete(url(h, f"bookings/{booking_id}"), **bearer(h.alice))
    assert response.json()["status"] == "cancelled"


def test_costs_and_statements(client, h, django_assert_max_num_queries):
    period = accounting.open_period(None, pole=h.pole, kind="month", starts_on=dt.date(2026, 3, 1))
    body = {
        "resource_id": h.room.pk,
        "period_id": period.pk,
        "category": "rent",
        "amount_cents": 10_001,
    }
    assert post(client, url(h, "costs"), h.alice, body).status_code == 403
    assert client.get(url(h, "costs"), **bearer(h.alice)).status_code == 403
    response = post(client, url(h, "costs"), h.coordinator, dict(body, amount_cents=-4))
    assert response.status_code == 422 and "positif" in response.json()["detail"]
    response = post(client, url(h, "costs"), h.coordinator, body)
    assert response.status_code == 201
    cost_id = response.json()["id"]
    assert client.get(url(h, "costs"), **bearer(h.coordinator)).json()[0]["amount_cents"] == 10_001
    assert post(client, url(h, "statements"), h.alice, {"period_id": period.pk}).status_code == 403
    response = post(
        client, url(h, "statements"), h.coordinator, {"period_id": period.pk, "close": True}
    )
    assert response.status_code == 200
    data = response.json()
    assert (
        data["status"] == "closed" and sum(s["total_cents"] for s in data["statements"]) == 10_001
    )
    response = client.delete(url(h, f"costs/{cost_id}"), **bearer(h.coordinator))
    assert response.status_code == 422 and "clôturée" in response.json()["detail"]
    assert Cost.objects.count() == 1
    # a member reads its own statement, the observer the totals only
    for month in (4, 5, 6):  # more periods, same number of queries
        accounting.open_period(None, pole=h.pole, kind="month", starts_on=dt.date(2026, month, 1))
    with django_assert_max_num_queries(16):
        mine = client.get(url(h, "statements"), **bearer(h.alice)).json()
    assert len(mine) == 4 and mine[-1]["id"] == period.pk
    assert [s["organisation"] for s in mine[-1]["statements"]] == [h.org_a.name]
    observed = client.get(url(h, "statements"), **bearer(h.observer)).json()
    assert observed[-1]["statements"] == [] and observed[-1]["total_cents"] == 10_001
    everything = client.get(url(h, "statements"), **bearer(h.coordinator)).json()
    assert len(everything[-1]["statements"]) == 2


def test_periods_and_rule(client, h):
    response = post(
        client, url(h, "periods"), h.coordinator, {"kind": "quarter", "starts_on": "2026-02-01"}
    )
    assert response.status_code == 422 and "premier jour" in response.json()["detail"]
    response = post(
        client, url(h, "periods"), h.coordinator, {"kind": "quarter", "starts_on": "2026-04-01"}
    )
    assert response.status_code == 201 and response.json()["ends_on"] == "2026-06-30"
    response = client.put(
        url(h, f"resources/{h.room.pk}/rule"),
        {"method": "by_keys", "key": "headcount", "key_values": {str(h.org_a.pk): 0}},
        content_type="application/json",
        **bearer(h.coordinator),
    )
    assert response.status_code == 422 and "toutes nulles" in response.json()["detail"]


def test_move_a_booking_and_the_schema(client, h):
    monday = next_monday()
    booking = services.book(
        h.alice, unit=h.unit, organisation=h.org_a, starts_at=at(monday, 9), ends_at=at(monday, 10)
    )
    response = client.patch(
        url(h, f"bookings/{booking.pk}"),
        {"starts_at": at(monday, 13).isoformat(), "ends_at": at(monday, 14).isoformat()},
        content_type="application/json",
        **bearer(h.alice),
    )
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.starts_at == at(monday, 13)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for tail in ("resources", "bookings", "costs", "statements"):
        assert f"/api/v1/poles/{{slug}}/{tail}" in paths
