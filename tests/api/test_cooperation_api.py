"""Cooperation API: needs, offers, synergies and the graph, with the hub's permissions."""

from __future__ import annotations

import pytest

from ptce.cooperation.models import CooperationLink, Proposal
from tests.api.auth import bearer
from tests.cooperation import factories as f


@pytest.fixture
def h(db):
    return f.hub()


@pytest.fixture
def other(db):
    return f.hub("pole-autre", prefix="x")


def url(h, tail=""):
    return f"/api/v1/poles/{h.pole.slug}/{tail}"


def post(client, path, user, data=None):
    return client.post(path, data or {}, content_type="application/json", **bearer(user))


def need_payload(h, **values):
    return {
        "organisation_id": h.org_a.pk,
        "kind": "vehicles",
        "category": "van",
        "title": "Un utilitaire",
        "max_km": 30,
        **values,
    }


def test_anonymous_and_strangers(client, h, other):
    assert client.get(url(h, "needs")).status_code == 401
    assert client.get(url(h, "needs"), **bearer(other.alice)).status_code == 404
    assert client.get(url(h, "graph"), **bearer(other.coordinator)).status_code == 404
    response = post(client, url(h, "needs"), other.alice, need_payload(h))
    assert response.status_code == 404
    assert post(client, url(h, "synergies/run"), other.coordinator).status_code == 404


def test_declare_and_list_with_confidentiality(client, h, django_assert_max_num_queries):
    response = post(client, url(h, "needs"), h.alice, need_payload(h))
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"] == h.org_a.name
    secret = post(
        client,
        url(h, "needs"),
        h.alice,
        need_payload(h, confidentiality="coordinators", title="Discret"),
    )
    assert secret.status_code == 201
    response = post(client, url(h, "offers"), h.bruno, need_payload(h, organisation_id=h.org_b.pk))
    assert response.status_code == 201
    headers = bearer(h.bruno)
    with django_assert_max_num_queries(8):
        titles = [d["title"] for d in client.get(url(h, "needs"), **headers).json()]
    assert titles == ["Un utilitaire"]  # not the coordinators-only one
    assert len(client.get(url(h, "needs"), **bearer(h.alice)).json()) == 2
    assert len(client.get(url(h, "needs"), **bearer(h.coordinator)).json()) == 2
    assert len(client.get(url(h, "offers"), **bearer(h.observer)).json()) == 1


def test_bad_input_is_a_french_422_naming_the_field(client, h):
    response = post(client, url(h, "needs"), h.alice, need_payload(h, category="office"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "category"
    assert "Catégorie" in response.json()["detail"]
    response = post(client, url(h, "needs"), h.alice, need_payload(h, quantity="12", unit=""))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "unit"
    response = post(client, url(h, "needs"), h.alice, need_payload(h, organisation_id=h.org_b.pk))
    assert response.status_code == 403
    response = post(client, url(h, "needs"), h.alice, need_payload(h, start_on="demain"))
    assert response.status_code == 422
    foreign = h.org_b.establishments.get()
    response = post(client, url(h, "needs"), h.alice, need_payload(h, establishment_id=foreign.pk))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "establishment"


def test_run_list_accept_decline_and_graph(client, h, django_assert_max_num_queries):
    post(client, url(h, "needs"), h.alice, need_payload(h))
    post(client, url(h, "offers"), h.bruno, need_payload(h, organisation_id=h.org_b.pk))
    post(
        client,
        url(h, "needs"),
        h.carla,
        need_payload(h, organisation_id=h.org_c.pk, kind="premises", category="office"),
    )
    post(client, url(h, "needs"), h.alice, need_payload(h, kind="premises", category="office"))
    assert post(client, url(h, "synergies/run"), h.alice).status_code == 403
    response = post(client, url(h, "synergies/run"), h.coordinator)
    assert response.status_code == 200 and response.json()["created"] == 2
    headers = bearer(h.coordinator)
    with django_assert_max_num_queries(10):
        rows = client.get(url(h, "synergies"), **headers).json()
    assert sorted(r["kind"] for r in rows) == ["exchange", "pooling"]
    assert all(r["reasons"] and 0 <= r["score"] <= 1 for r in rows)
    exchange = next(r for r in rows if r["kind"] == "exchange")
    assert [o["id"] for o in exchange["organisations"]] == [h.org_a.pk, h.org_b.pk]
    assert [r["kind"] for r in client.get(url(h, "synergies?kind=pooling"), **headers).json()] == [
        "pooling"
    ]
    # carla sees only the pool she is in
    assert [r["kind"] for r in client.get(url(h, "synergies"), **bearer(h.carla)).json()] == [
        "pooling"
    ]
    assert post(client, url(h, f"synergies/{exchange['id']}/accept"), h.carla).status_code == 404
    response = post(client, url(h, f"synergies/{exchange['id']}/accept"), h.bruno)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert CooperationLink.objects.count() == 1
    pool = next(r for r in rows if r["kind"] == "pooling")
    response = post(client, url(h, f"synergies/{pool['id']}/decline"), h.carla, {"reason": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    response = post(
        client,
        url(h, f"synergies/{pool['id']}/decline"),
        h.carla,
        {"reason": "Nous avons déjà un bureau"},
    )
    assert response.json()["status"] == "declined"
    with django_assert_max_num_queries(14):
        graph = client.get(url(h, "graph"), **bearer(h.alice)).json()
    assert graph["metrics"]["links"] == 1 and len(graph["nodes"]) == 3
    assert graph["links"][0]["type"] == "shared_resource"
    assert client.get(url(h, "graph?type=financing"), **bearer(h.alice)).json()["links"] == []


def test_a_proposal_on_a_coordinators_only_item_is_not_listed_to_the_other_side(client, h):
    post(client, url(h, "needs"), h.alice, need_payload(h, confidentiality="coordinators"))
    post(client, url(h, "offers"), h.bruno, need_payload(h, organisation_id=h.org_b.pk))
    post(client, url(h, "synergies/run"), h.coordinator)
    proposal = Proposal.objects.get()
    assert client.get(url(h, "synergies"), **bearer(h.bruno)).json() == []
    assert len(client.get(url(h, "synergies"), **bearer(h.alice)).json()) == 1
    assert post(client, url(h, f"synergies/{proposal.pk}/accept"), h.bruno).status_code == 404


def test_the_network_of_several_hubs(client, h, other):
    from ptce.cooperation import services
    from ptce.poles import services as pole_services

    services.declare_link(
        None,
        pole=h.pole,
        from_organisation=h.org_a,
        to_organisation=h.org_b,
        type="purchase",
        start_on="2024-01-01",
    )
    services.declare_link(
        None,
        pole=other.pole,
        from_organisation=other.org_a,
        to_organisation=other.org_b,
        type="knowledge",
        start_on="2024-01-01",
    )
    path = f"/api/v1/networks/graph?hubs={h.pole.slug}&hubs={other.pole.slug}"
    assert client.get(path, **bearer(h.coordinator)).status_code == 404  # not in the other hub
    pole_services.grant_role(None, pole=other.pole, user=h.coordinator, role="observer")
    response = client.get(path, **bearer(h.coordinator))
    assert response.status_code == 200
    metrics = response.json()["metrics"]
    assert (metrics["nodes"], metrics["links"]) == (6, 2)
    assert len(metrics["components"]) == 4  # two pairs and two isolated members
