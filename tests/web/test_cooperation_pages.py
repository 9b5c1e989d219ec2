"""Cooperation pages: needs and offers, proposals, the graph, with the hub's permissions."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ptce.cooperation import services
from ptce.cooperation.models import CooperationLink, Declaration, NotificationPreference, Proposal
from tests.cooperation import factories as f


@pytest.fixture
def h(db):
    return f.hub()


def page(name, h, *args):
    return reverse(f"cooperation:{name}", args=[h.pole.slug, *args])


DECLARE = {
    "category": "vehicles:van",
    "title": "Un utilitaire le jeudi",
    "quantity": "1",
    "unit": "jour",
    "periodicity": "week",
    "max_km": "30",
    "price_intent": "at_cost",
    "confidentiality": "members",
}


def test_anonymous_is_sent_to_login_and_strangers_are_refused(client, h):
    response = client.get(page("index", h))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    other = f.hub("autre", prefix="x")
    client.force_login(other.alice)
    assert client.get(page("declarations", h, "besoins")).status_code == 404
    assert client.get(page("graph", h)).status_code == 404


def test_a_member_declares_a_need_for_their_organisation(client, h, parse):
    client.force_login(h.alice)
    response = client.get(page("declarations", h, "besoins"))
    form = parse(response)
    options = " ".join(o.text for o in form.find_all("option"))
    assert h.org_a.name in options and h.org_b.name not in options  # only their organisation
    response = client.post(
        page("declarations", h, "besoins"), {**DECLARE, "organisation": h.org_a.pk}
    )
    assert response.status_code == 302
    d = Declaration.objects.get()
    assert (d.side, d.kind, d.category, d.organisation) == ("need", "vehicles", "van", h.org_a)
    # another member's organisation is not a choice
    response = client.post(
        page("declarations", h, "besoins"), {**DECLARE, "organisation": h.org_b.pk}
    )
    assert response.status_code == 400 and Declaration.objects.count() == 1
    assert (
        "Un utilitaire le jeudi" in client.get(page("declarations", h, "besoins")).content.decode()
    )


def test_bad_input_keeps_what_was_typed_and_names_the_field(client, h, parse):
    client.force_login(h.alice)
    response = client.post(
        page("declarations", h, "offres"),
        {**DECLARE, "organisation": h.org_a.pk, "quantity": "12", "unit": "", "title": "Mon offre"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Une quantité doit avoir une unité" in html and 'value="Mon offre"' in html
    response = client.post(
        page("declarations", h, "offres"),
        {**DECLARE, "organisation": h.org_a.pk, "start_on": "2026-05-01", "end_on": "2026-04-01"},
    )
    assert response.status_code == 400 and "précède son début" in response.content.decode()
    foreign = h.org_b.establishments.get()
    response = client.post(
        page("declarations", h, "offres"),
        {**DECLARE, "organisation": h.org_a.pk, "establishment": foreign.pk},
    )
    assert response.status_code == 400
    own = h.org_a.establishments.get()
    response = client.post(
        page("declarations", h, "offres"),
        {**DECLARE, "organisation": h.org_a.pk, "establishment": own.pk},
    )
    assert response.status_code == 302
    assert Declaration.objects.get().establishment == own
    Declaration.objects.all().delete()
    assert not Declaration.objects.exists()


def test_the_observer_reads_but_does_not_declare(client, h):
    client.force_login(h.observer)
    response = client.get(page("declarations", h, "besoins"))
    assert response.status_code == 200 and 'id="declare-form"' not in response.content.decode()
    assert client.post(page("declarations", h, "besoins"), DECLARE).status_code == 403


def test_coordinators_only_items_are_hidden_from_other_members(client, h):
    f.need(h, h.org_a, title="Besoin très discret", confidentiality="coordinators")
    f.offer(h, h.org_b)
    services.run_synergies(h.coordinator, pole=h.pole)
    client.force_login(h.bruno)
    assert (
        "Besoin très discret" not in client.get(page("declarations", h, "besoins")).content.decode()
    )
    assert 'id="proposal-' not in client.get(page("proposals", h)).content.decode()
    exported = client.get(page("export", h)).content.decode()
    assert "Notre utilitaire" in exported and "Besoin très discret" not in exported
    client.force_login(h.coordinator)
    assert "Besoin très discret" in client.get(page("declarations", h, "besoins")).content.decode()
    assert "Besoin très discret" in client.get(page("export", h)).content.decode()
    assert 'id="proposal-' in client.get(page("proposals", h)).content.decode()


def test_run_accept_decline_and_the_graph(client, h, parse, django_assert_max_num_queries):
    f.need(h, h.org_a)
    f.offer(h, h.org_b)
    for org in (h.org_a, h.org_c):
        f.need(h, org, kind="premises", category="office", title="Bureau")
    client.force_login(h.alice)
    assert client.post(page("run", h)).status_code == 403
    client.force_login(h.coordinator)
    assert client.post(page("run", h)).status_code == 302
    exchange = Proposal.objects.get(kind="exchange")
    pool = Proposal.objects.get(kind="pooling")
    client.force_login(h.alice)
    with django_assert_max_num_queries(14):
        response = client.get(page("proposals", h))
    html = response.content.decode()
    assert f'id="proposal-{exchange.pk}"' in html and "km" in html
    response = client.post(page("answer", h, pool.pk, "decliner"), {"reason": ""})
    assert response.status_code == 400 and "Raison du refus" in response.content.decode()
    client.post(page("answer", h, pool.pk, "decliner"), {"reason": "Pas maintenant"})
    client.post(page("answer", h, exchange.pk, "accepter"))
    assert CooperationLink.objects.filter(proposal=exchange).exists()
    response = client.get(page("graph", h))
    doc = parse(response)
    data = json.loads(doc.by_id("coop-graph-data").text)
    assert data["metrics"]["links"] == 1
    assert doc.by_id("metric-links").text.strip() == "1"
    assert len(doc.by_id("graph-links").text) > 0 and h.org_b.name in doc.by_id("graph-links").text
    index = parse(client.get(page("index", h)))
    assert index.by_id("count-made").text.strip() == "2"
    assert index.by_id("count-accepted").text.strip() == "1"
    assert index.by_id("count-declined").text.strip() == "1"
    # the coordination dashboard card
    client.force_login(h.coordinator)
    workspace = parse(client.get(reverse("workspace:pole", args=[h.pole.slug])))
    assert workspace.by_id("count-made").text.strip() == "2"


def test_declaring_a_link_and_filters(client, h, parse):
    client.force_login(h.alice)
    response = client.post(
        page("graph", h),
        {
            "from_organisation": h.org_a.pk,
            "to_organisation": h.org_a.pk,
            "type": "purchase",
            "start_on": "2024-01-01",
            "visibility": "members",
        },
    )
    assert (
        response.status_code == 400 and "deux organisations distinctes" in response.content.decode()
    )
    response = client.post(
        page("graph", h),
        {
            "from_organisation": h.org_a.pk,
            "to_organisation": h.org_c.pk,
            "type": "purchase",
            "directed": "on",
            "start_on": "2022-01-01",
            "end_on": "2023-12-31",
            "volume_euros": "1500",
            "visibility": "members",
        },
    )
    assert response.status_code == 302
    assert CooperationLink.objects.get().volume_cents == 150000
    doc = parse(client.get(page("graph", h) + "?year=2025"))
    assert json.loads(doc.by_id("coop-graph-data").text)["metrics"]["links"] == 0
    doc = parse(client.get(page("graph", h) + "?type=purchase&year=2022"))
    assert json.loads(doc.by_id("coop-graph-data").text)["metrics"]["links"] == 1
    assert h.org_c.name in doc.by_id("graph-links").text


def test_notification_preference(client, h):
    client.force_login(h.alice)
    assert client.post(page("index", h), {"frequency": "weekly"}).status_code == 302
    assert NotificationPreference.objects.get(user=h.alice).frequency == "weekly"
    assert client.post(page("index", h), {"frequency": "hourly"}).status_code == 400


def test_the_hub_nav_has_the_cooperation_entry(client, h, parse):
    client.force_login(h.alice)
    doc = parse(client.get(page("index", h)))
    links = [a.attrs.get("href") for a in doc.find_all("a", **{"aria-current": "page"})]
    assert page("index", h) in links


def test_the_coordination_adds_the_links_of_shared_resources(client, h):
    from ptce.pooling import services as pooling

    pooling.create_resource(
        None, pole=h.pole, name="Fourgon", kind="vehicle", organisations=[h.org_a, h.org_b]
    )
    client.force_login(h.alice)
    assert client.post(page("import_links", h)).status_code == 403
    client.force_login(h.coordinator)
    assert client.post(page("import_links", h)).status_code == 302
    assert CooperationLink.objects.get().source == "pooling"
