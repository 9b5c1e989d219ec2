"""Cooperation across hubs and under bad input: the people of hub A neither read nor change
hub B's cooperation data (pages, htmx fragments, API); bad input never gives a 500 and is
answered in French naming the field; answers are given once; a prospect's acceptance makes
the links it foresees; reasons write numbers the French way; lists keep bounded queries."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from ptce.actors.models import Organisation
from ptce.cooperation import queries, reasons, services
from ptce.cooperation.models import (
    CooperationLink,
    Declaration,
    Proposal,
    ProposalOrganisation,
    ProposalStatus,
)
from ptce.core.choices import Visibility
from ptce.poles import services as pole_services
from tests.api.auth import bearer
from tests.cooperation import factories as f
from tests.web.html import PageParser


@pytest.fixture
def b(db):
    """Hub B, public (its pages are still its people's), with a need and an offer of each
    confidentiality and proposals made."""
    b = f.hub("pole-b", prefix="b-")
    pole_services.update_pole(None, pole=b.pole, visibility=Visibility.PUBLIC)
    f.need(b, b.org_a, title="Besoin public", confidentiality="public")
    f.offer(b, b.org_b, title="Offre secrète", confidentiality="coordinators")
    f.need(b, b.org_c, title="Besoin des membres", confidentiality="members")
    for org in (b.org_a, b.org_c):
        f.need(b, org, kind="premises", category="office", title="Bureau partagé")
    services.run_synergies(b.coordinator, pole=b.pole, notify=False)
    services.declare_link(
        None,
        pole=b.pole,
        from_organisation=b.org_a,
        to_organisation=b.org_b,
        type="purchase",
        start_on="2024-01-01",
        visibility="members",
    )
    return b


@pytest.fixture
def a(db):
    return f.hub("pole-a", prefix="a-")


def pages(b):
    proposal = Proposal.objects.filter(pole=b.pole).first()
    declaration = Declaration.objects.filter(pole=b.pole).first()
    slug = b.pole.slug
    return {
        "index": reverse("cooperation:index", args=[slug]),
        "needs": reverse("cooperation:declarations", args=[slug, "besoins"]),
        "offers": reverse("cooperation:declarations", args=[slug, "offres"]),
        "export": reverse("cooperation:export", args=[slug]),
        "proposals": reverse("cooperation:proposals", args=[slug]),
        "graph": reverse("cooperation:graph", args=[slug]),
        "accept": reverse("cooperation:answer", args=[slug, proposal.pk, "accepter"]),
        "decline": reverse("cooperation:answer", args=[slug, proposal.pk, "decliner"]),
        "withdraw": reverse("cooperation:withdraw", args=[slug, declaration.pk]),
        "run": reverse("cooperation:run", args=[slug]),
        "network": reverse("cooperation:network") + f"?hubs={slug}",
    }


@pytest.mark.parametrize("who", ["coordinator", "alice", "observer"])
def test_people_of_hub_a_see_and_change_nothing_of_hub_b(client, a, b, who):
    person = getattr(a, who)
    client.force_login(person)
    urls = pages(b)
    secrets = (b"secr", b"Besoin des membres", b"Bureau partag")
    for name in ("index", "needs", "offers", "export", "proposals", "graph", "network"):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(urls[name], **headers)
            assert response.status_code in (403, 404), (name, response.status_code)
            assert not any(s in response.content for s in secrets), name
    statuses = list(Proposal.objects.values_list("pk", "status"))
    for name in ("accept", "decline", "withdraw", "run"):
        response = client.post(urls[name], {"reason": "Pirate"})
        assert response.status_code in (403, 404), name
    assert list(Proposal.objects.values_list("pk", "status")) == statuses
    assert Declaration.objects.filter(status="withdrawn").count() == 0
    post = client.post(
        urls["needs"], {"organisation": b.org_a.pk, "category": "vehicles:van", "title": "X"}
    )
    assert post.status_code in (403, 404)
    # API: only B's public need; no proposal, no answer, no graph, no network
    api = bearer(person)
    base = f"/api/v1/poles/{b.pole.slug}"
    needs = client.get(f"{base}/needs", **api).json()
    assert [n["title"] for n in needs] == ["Besoin public"]
    assert client.get(f"{base}/offers", **api).json() == []
    assert client.get(f"{base}/synergies", **api).json() == []
    proposal = Proposal.objects.filter(pole=b.pole).first()
    for verb, body in (("accept", {}), ("decline", {"reason": "Pirate"})):
        response = client.post(
            f"{base}/synergies/{proposal.pk}/{verb}", body, content_type="application/json", **api
        )
        assert response.status_code == 404
    assert client.post(f"{base}/synergies/run", **api).status_code == 403
    assert client.get(f"{base}/graph", **api).status_code == 404
    hubs = f"hubs={a.pole.slug}&hubs={b.pole.slug}"
    assert client.get(f"/api/v1/networks/graph?{hubs}", **api).status_code == 404
    response = client.post(
        f"{base}/needs",
        {"organisation_id": b.org_a.pk, "kind": "vehicles", "category": "van", "title": "X"},
        content_type="application/json",
        **api,
    )
    assert response.status_code == 403
    assert statuses == list(Proposal.objects.values_list("pk", "status"))


def test_a_member_of_b_never_sees_another_members_confidential_offer(client, b):
    client.force_login(b.alice)
    urls = pages(b)
    for name in ("offers", "export", "proposals", "graph"):
        assert b"secr" not in client.get(urls[name]).content, name
    api = bearer(b.alice)
    base = f"/api/v1/poles/{b.pole.slug}"
    assert client.get(f"{base}/offers", **api).json() == []
    listed = client.get(f"{base}/synergies", **api).json()
    secret = Declaration.objects.get(title="Offre secrète").pk
    assert all(secret not in p["declarations"] for p in listed)


# ----------------------------------------------------------------------------- bad input


@pytest.fixture
def h(db):
    h = f.hub()
    f.need(h, h.org_a)
    f.offer(h, h.org_b)
    services.run_synergies(h.coordinator, pole=h.pole, notify=False)
    return h


def test_declaring_without_a_reason_and_answering_twice(client, h):
    exchange = Proposal.objects.get(kind="exchange")
    slug = h.pole.slug
    client.force_login(h.alice)
    decline = reverse("cooperation:answer", args=[slug, exchange.pk, "decliner"])
    response = client.post(decline, {"reason": "   "})
    assert response.status_code == 400 and "Raison du refus" in response.content.decode()
    accept = reverse("cooperation:answer", args=[slug, exchange.pk, "accepter"])
    assert client.post(accept).status_code == 302
    response = client.post(accept, follow=True)  # a page left open: told, no second link
    assert "déjà reçu une réponse" in response.content.decode()
    assert CooperationLink.objects.filter(proposal=exchange).count() == 1
    response = client.post(decline, {"reason": "Trop tard"}, follow=True)
    assert "déjà reçu une réponse" in response.content.decode()
    assert Proposal.objects.get(pk=exchange.pk).status == ProposalStatus.ACCEPTED
    assert client.post(reverse("cooperation:answer", args=[slug, exchange.pk, "x"])).status_code
    # API: twice, empty reason, missing body
    api = bearer(h.alice)
    base = f"/api/v1/poles/{slug}/synergies/{exchange.pk}"
    response = client.post(f"{base}/accept", content_type="application/json", **api)
    assert response.status_code == 422 and "déjà" in response.json()["detail"]
    response = client.post(
        f"{base}/decline", {"reason": ""}, content_type="application/json", **api
    )
    assert response.status_code == 422
    response = client.post(f"{base}/decline", content_type="application/json", **api)
    assert response.status_code == 422
    assert CooperationLink.objects.filter(proposal=exchange).count() == 1


def test_a_stale_proposal_is_not_answered(client, h):
    exchange = Proposal.objects.get(kind="exchange")
    services.withdraw_declaration(None, declaration=Declaration.objects.get(side="offer"))
    services.run_synergies(h.coordinator, pole=h.pole, notify=False)
    response = client.post(
        f"/api/v1/poles/{h.pole.slug}/synergies/{exchange.pk}/accept",
        content_type="application/json",
        **bearer(h.alice),
    )
    assert response.status_code == 422 and "dernière recherche" in response.json()["detail"]
    assert not CooperationLink.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_at_once_make_one_link():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    h = f.hub("pole-course", prefix="r-")
    f.need(h, h.org_a)
    f.offer(h, h.org_b)
    services.run_synergies(h.coordinator, pole=h.pole, notify=False)
    pk = Proposal.objects.get(kind="exchange").pk
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def accept(user):
        from django.db import connection as conn

        try:
            barrier.wait()
            services.accept_proposal(user, proposal=Proposal.objects.get(pk=pk))
            outcomes.append("ok")
        except Exception as error:  # the refusal is the point
            outcomes.append(type(error).__name__)
        finally:
            conn.close()

    people = [h.alice, h.bruno, h.coordinator, h.alice]
    threads = [threading.Thread(target=accept, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1 and outcomes.count("ValidationError") == 3
    assert CooperationLink.objects.filter(proposal_id=pk).count() == 1


@pytest.mark.parametrize(
    ("values", "field_words"),
    [
        ({"quantity": "-3", "unit": "jour"}, "Quantité"),
        ({"quantity": "1e400", "unit": "jour"}, "Quantité"),
        ({"quantity": "abc", "unit": "jour"}, "Quantité"),
        ({"start_on": "2026-02-31"}, "date"),
        ({"start_on": "2026-05-01", "end_on": "2026-01-01"}, "précède"),
        ({"max_km": "-5"}, "Distance"),
        ({"max_km": "99999999999999999999999"}, "Distance"),
        ({"cost_euros": "99999999999999999999999"}, "Coût"),
        ({"cost_euros": "-4"}, "Coût"),
        ({"category": "nope:nope"}, "atégorie"),
    ],
)
def test_bad_declarations_on_the_page_keep_the_input(client, h, values, field_words):
    client.force_login(h.alice)
    data = {
        "organisation": h.org_a.pk,
        "category": "vehicles:van",
        "title": "Un utilitaire le jeudi",
        "periodicity": "once",
        "price_intent": "market",
        "confidentiality": "members",
        **values,
    }
    before = Declaration.objects.count()
    response = client.post(reverse("cooperation:declarations", args=[h.pole.slug, "besoins"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert field_words.lower() in html.lower()
    assert "Un utilitaire le jeudi" in html
    assert Declaration.objects.count() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"quantity": -3, "unit": "jour"}, "quantity"),
        ({"quantity": "1e400", "unit": "jour"}, "quantity"),
        ({"cost_cents_per_year": 10**30}, "cost_cents_per_year"),
        ({"max_km": 10**30}, "max_km"),
        ({"start_on": "2026-13-01"}, "start_on"),
        ({"organisation_id": 2**70}, "organisation_id"),
        ({"establishment_id": 2**70}, "establishment_id"),
        ({"kind": "vehicles", "category": "office"}, "category"),
        ({"unit": "parsec", "quantity": 1}, "unit"),
    ],
)
def test_bad_declarations_on_the_api_are_a_french_4xx(client, h, values, field):
    payload = {
        "organisation_id": h.org_a.pk,
        "kind": "vehicles",
        "category": "van",
        "title": "Un utilitaire",
        **values,
    }
    response = client.post(
        f"/api/v1/poles/{h.pole.slug}/needs",
        json.dumps(payload),
        content_type="application/json",
        **bearer(h.alice),
    )
    assert response.status_code in (404, 422), (values, response.status_code)
    assert field in json.dumps(response.json()) or response.status_code == 404


@pytest.mark.parametrize(
    ("values", "field_words"),
    [
        ({"volume_euros": "99999999999999999999999"}, "volume"),
        ({"volume_euros": "1e400"}, "volume"),
        ({"volume_hours": "-2"}, "volume"),
        ({"start_on": "hier"}, "date"),
        ({"to_organisation": "abc"}, "organisation"),
    ],
)
def test_bad_links_keep_the_input(client, h, values, field_words):
    client.force_login(h.alice)
    data = {
        "from_organisation": h.org_a.pk,
        "to_organisation": h.org_b.pk,
        "type": "purchase",
        "start_on": "2024-01-01",
        "visibility": "members",
        "note": "Livraisons mensuelles",
        **values,
    }
    response = client.post(reverse("cooperation:graph", args=[h.pole.slug]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert field_words.lower() in html.lower() and "Livraisons mensuelles" in html
    assert not CooperationLink.objects.exists()


def test_graph_filters_and_ids_that_are_not_numbers(client, h):
    client.force_login(h.coordinator)
    graph = reverse("cooperation:graph", args=[h.pole.slug])
    for query in ("?year=abc", "?year=99999", "?type=nope", "?year=-1&type="):
        assert client.get(graph + query).status_code == 200
    base = f"/espace/poles/{h.pole.slug}/cooperation"
    assert client.post(f"{base}/propositions/abc/accepter/").status_code == 404
    assert client.post(f"{base}/propositions/{2**70}/accepter/").status_code == 404
    assert client.post(f"{base}/declarations/{2**70}/retirer/").status_code == 404
    api = bearer(h.coordinator)
    api_base = f"/api/v1/poles/{h.pole.slug}"
    assert client.get(f"{api_base}/graph?year=abc", **api).status_code == 422
    assert client.get(f"{api_base}/synergies?kind=nope", **api).status_code == 422
    response = client.post(
        f"{api_base}/synergies/{2**70}/accept", content_type="application/json", **api
    )
    assert response.status_code in (404, 422)
    assert client.get("/api/v1/networks/graph?hubs=inconnu", **api).status_code == 404
    assert client.get("/api/v1/networks/graph", **api).status_code == 422


# ----------------------------------------------------------------------------- prospects


def prospect(h) -> tuple[Proposal, Organisation]:
    """A prospect proposal as the engine stores it: a candidate of the directory meeting
    alice's need (van) and bruno's offer (van). Built on the model: the detector itself is
    tested in test_synergies, and needs a perimeter with the directory around it."""
    candidate = f.organisation("Transports Delta (fictif)", *f.VALENCE)
    proposal = Proposal.objects.create(
        pole=h.pole,
        key=f"prospect:x:{candidate.pk}",
        kind="prospect",
        score="0.800000",
        reasons=[{"code": "prospect_reach", "params": {"count": 2, "score_pct": 80.5}}],
        candidate=candidate,
    )
    declarations = list(Declaration.objects.filter(pole=h.pole).order_by("id"))
    proposal.declarations.set(declarations)
    for position, d in enumerate(declarations):
        ProposalOrganisation.objects.create(
            proposal=proposal, organisation=d.organisation, position=position
        )
    return proposal, candidate


def test_accepting_a_prospect_makes_the_links_it_foresees(client, h):
    proposal, candidate = prospect(h)
    client.force_login(h.alice)  # a member does not answer prospects
    url = reverse("cooperation:answer", args=[h.pole.slug, proposal.pk, "accepter"])
    assert client.post(url).status_code == 404
    client.force_login(h.coordinator)
    response = client.post(url, follow=True)
    assert "quand elle adhérera au pôle" in response.content.decode()
    links = CooperationLink.objects.filter(proposal=proposal).order_by("id")
    ends = {(lk.from_organisation_id, lk.to_organisation_id, lk.type) for lk in links}
    assert ends == {
        (candidate.pk, h.org_a.pk, "shared_resource"),  # it offers the van alice needs
        (h.org_b.pk, candidate.pk, "shared_resource"),  # it needs the van bruno offers
    }
    assert {lk.visibility for lk in links} == {"coordinators"}
    assert {lk.source for lk in links} == {"synergy"}
    # not a member yet: the graph and its figures do not count it...
    data = queries.graph_payload(h.pole, h.coordinator)
    assert data["metrics"]["links"] == 0
    dashboard = reverse("cooperation:index", args=[h.pole.slug])
    assert client.get(dashboard).context["links"] == 0
    # ...until it joins: the links are there at once
    pole_services.add_member(None, pole=h.pole, organisation=candidate, joined_on="2026-01-01")
    data = queries.graph_payload(h.pole, h.coordinator)
    assert data["metrics"]["links"] == 2
    assert client.get(dashboard).context["links"] == 2
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.ACCEPTED


# ----------------------------------------------------------------------------- French figures


def test_reasons_write_numbers_the_french_way(client, h):
    prospect(h)
    client.force_login(h.coordinator)
    html = client.get(reverse("cooperation:proposals", args=[h.pole.slug])).content.decode()
    assert "80,5" in html and "80.5" not in html
    body = client.get(
        f"/api/v1/poles/{h.pole.slug}/synergies?kind=prospect", **bearer(h.coordinator)
    ).json()
    assert "80,5" in body[0]["reasons"][0]["message"]
    exchange = Proposal.objects.get(kind="exchange")
    rows = reasons.rows(exchange.reasons)
    messages = " ".join(r["message"] for r in rows)
    assert re.search(r"\d,\d", messages) and not re.search(r"\d\.\d", messages), messages


def test_notification_figures_are_french(h):
    f.need(h, h.org_c)
    mail.outbox.clear()
    services.run_synergies(h.coordinator, pole=h.pole)
    bodies = "\n".join(m.body for m in mail.outbox)
    assert bodies and "score" in bodies
    for line in bodies.splitlines():
        if "http" not in line:
            assert not re.search(r"\d\.\d", line), line


# ----------------------------------------------------------------------------- query counts


def test_lists_keep_a_bounded_number_of_queries(client, h, django_assert_max_num_queries):
    for i in range(20):
        f.need(h, h.org_a, title=f"Besoin {i}", kind="premises", category="office")
        f.need(h, h.org_c, title=f"Besoin C {i}", kind="premises", category="office")
        services.declare_link(
            None,
            pole=h.pole,
            from_organisation=h.org_a,
            to_organisation=h.org_c if i % 2 else h.org_b,
            type="purchase",
            start_on=dt.date(2020 + i % 5, 1, 1),
        )
    services.run_synergies(h.coordinator, pole=h.pole, notify=False)
    assert Proposal.objects.count() > 5
    client.force_login(h.alice)
    slug = h.pole.slug
    for name, args, limit in (
        ("index", [], 12),
        ("declarations", ["besoins"], 12),
        ("proposals", [], 14),
        ("graph", [], 16),
        ("export", [], 10),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(reverse(f"cooperation:{name}", args=[slug, *args])).status_code == 200
    client.force_login(h.coordinator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("cooperation:network") + f"?hubs={slug}").status_code == 200
    api = bearer(h.alice)
    for tail, limit in (("needs", 8), ("offers", 8), ("synergies", 10), ("graph", 10)):
        with django_assert_max_num_queries(limit):
            assert client.get(f"/api/v1/poles/{slug}/{tail}", **api).status_code == 200


# ----------------------------------------------------------------------------- network page


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def test_the_network_page_joins_the_hubs_one_observes(client, h, a):
    pole_services.grant_role(None, pole=a.pole, user=h.coordinator, role="observer")
    for hub_, first, second in ((h, h.org_a, h.org_b), (a, a.org_a, a.org_c)):
        services.declare_link(
            None,
            pole=hub_.pole,
            from_organisation=first,
            to_organisation=second,
            type="purchase",
            start_on="2024-01-01",
        )
    client.force_login(h.coordinator)
    url = reverse("cooperation:network")
    doc = parse(client.get(url))
    data = json.loads(doc.by_id("coop-graph-data").text)
    assert data["metrics"]["links"] == 2 and data["hubs"] == sorted([h.pole.slug, a.pole.slug])
    assert h.pole.name in doc.by_id("network-hubs").text
    assert a.org_c.name in doc.by_id("graph-links").text
    # one hub chosen; a type filter; a hub the visitor has no role on is a 404
    data = json.loads(
        parse(client.get(url + f"?hubs={a.pole.slug}&type=knowledge")).by_id("coop-graph-data").text
    )
    assert data["hubs"] == [a.pole.slug] and data["metrics"]["links"] == 0
    other = f.hub("pole-c", prefix="c-")
    assert client.get(url + f"?hubs={other.pole.slug}").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_reason_figures_in_each_language():
    from django.utils import translation

    params = {"km": 1250.0, "limit_km": 30.0, "score_pct": 95.1}
    with translation.override("fr"):
        assert reasons.number(1234.5) == "1\xa0234,5" and reasons.number(10.0) == "10"
        text = reasons.message("distance", params)
        assert "1\xa0250 km" in text and "30 km" in text and "95,1 %" in text
        assert reasons.message("inconnu", {}, "tel quel") == "tel quel"
        assert reasons.message("distance", {"km": 1}, "incomplet") == "incomplet"
        row = reasons.rows(
            [
                {
                    "code": "quantity_fit",
                    "params": {
                        "need": 50.0,
                        "offer": 200.0,
                        "unit": "piece",
                        "per": "",
                        "ratio_pct": 25.0,
                    },
                }
            ]
        )
        assert "50 pièce(s)" in row[0]["message"]
    with translation.override("en"):
        assert reasons.number(1234.5) == "1,234.5"
