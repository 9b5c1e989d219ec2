"""Needs and offers, links, synergy runs and answers (services, querysets, e-mails)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from ptce.cooperation import notifications, queries, services
from ptce.cooperation.models import (
    CooperationLink,
    Declaration,
    LinkSource,
    NotificationPreference,
    Proposal,
    ProposalStatus,
)
from ptce.core.models import AuditEntry
from ptce.pooling.models import Resource, ResourceStatus
from tests.cooperation import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def h():
    return f.hub()


def test_a_member_declares_for_their_organisation_only(h):
    d = services.declare(
        h.alice,
        pole=h.pole,
        organisation=h.org_a,
        side="need",
        kind="vehicles",
        category="van",
        title="Un utilitaire",
        quantity="2,5",
        unit="jour",
        periodicity="week",
    )
    assert d.quantity == pytest.approx(2.5) and d.lat == pytest.approx(f.VALENCE[0])
    assert AuditEntry.objects.filter(verb="cooperation.declare", object_id=str(d.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.declare(
            h.alice,
            pole=h.pole,
            organisation=h.org_b,
            side="need",
            kind="vehicles",
            category="van",
            title="x",
        )
    with pytest.raises(PermissionDenied):
        services.declare(
            h.observer,
            pole=h.pole,
            organisation=h.org_a,
            side="need",
            kind="vehicles",
            category="van",
            title="x",
        )
    # the coordination declares for any member
    services.declare(
        h.coordinator,
        pole=h.pole,
        organisation=h.org_b,
        side="offer",
        kind="vehicles",
        category="van",
        title="x",
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "spaceships"}, "kind"),
        ({"category": "office"}, "category"),
        ({"quantity": "12", "unit": ""}, "unit"),
        ({"quantity": "-3", "unit": "kg"}, "quantity"),
        ({"quantity": "beaucoup", "unit": "kg"}, "quantity"),
        ({"unit": "furlong"}, "unit"),
        ({"start_on": "2026-05-01", "end_on": "2026-04-01"}, "end_on"),
        ({"start_on": "1er mai"}, "start_on"),
        ({"max_km": "-1"}, "max_km"),
        ({"price_intent": "cheap"}, "price_intent"),
        ({"confidentiality": "secret"}, "confidentiality"),
        ({"title": "  "}, "title"),
        ({"side": "both"}, "side"),
    ],
)
def test_bad_input_is_refused_with_a_french_message_naming_the_field(h, values, field):
    with pytest.raises(ValidationError) as caught:
        f.need(h, h.org_a, **values)
    assert field in caught.value.message_dict
    assert not Declaration.objects.exists()


def test_a_non_member_organisation_cannot_declare(h):
    outsider = f.organisation("Hors pôle (fictif)", 45.0, 4.9)
    with pytest.raises(ValidationError) as caught:
        services.declare(
            None,
            pole=h.pole,
            organisation=outsider,
            side="need",
            kind="vehicles",
            category="van",
            title="x",
        )
    assert "organisation" in caught.value.message_dict


def test_update_and_withdraw(h):
    d = f.need(h, h.org_a)
    services.update_declaration(h.alice, declaration=d, title="Un fourgon", max_km=50)
    d.refresh_from_db()
    assert d.title == "Un fourgon" and d.max_km == 50
    with pytest.raises(PermissionDenied):
        services.withdraw_declaration(h.bruno, declaration=d)
    services.withdraw_declaration(h.alice, declaration=d)
    assert Declaration.objects.get().status == "withdrawn"


def run(h):
    return services.run_synergies(h.coordinator, pole=h.pole)


def test_an_offer_meets_a_need_and_the_run_is_idempotent(h):
    need = f.need(h, h.org_a)
    offer = f.offer(h, h.org_b)
    first = run(h)
    assert first.created == 1
    proposal = Proposal.objects.get()
    assert proposal.kind == "exchange"
    assert list(proposal.declarations.order_by("id")) == [need, offer]
    assert {r["code"] for r in proposal.reasons} >= {"distance", "period_open", "price"}
    assert all(r["message"] for r in proposal.reasons)
    before = (proposal.key, proposal.score, proposal.reasons, proposal.rank)
    services.decline_proposal(h.alice, proposal=proposal, reason="Déjà équipés")
    second = run(h)
    assert second.created == 0 and Proposal.objects.count() == 1
    proposal.refresh_from_db()
    assert (proposal.key, proposal.score, proposal.reasons, proposal.rank) == before
    assert proposal.status == ProposalStatus.DECLINED  # the answer is kept


def test_only_the_coordination_runs_synergies(h):
    with pytest.raises(PermissionDenied):
        services.run_synergies(h.alice, pole=h.pole)


def test_incompatible_units_are_never_matched(h):
    f.need(h, h.org_a, kind="material_flows", category="wood", quantity=500, unit="kg")
    f.offer(h, h.org_b, kind="material_flows", category="wood", quantity=10, unit="h")
    run(h)
    assert not Proposal.objects.filter(kind="exchange").exists()
    f.offer(h, h.org_c, kind="material_flows", category="wood", quantity=1, unit="t")
    run(h)
    assert Proposal.objects.filter(kind="exchange").count() == 1


def test_accepting_an_exchange_makes_a_link_the_graph_shows(h):
    f.need(h, h.org_a)
    f.offer(h, h.org_b)
    run(h)
    proposal = Proposal.objects.get()
    assert queries.graph_payload(h.pole, h.coordinator)["metrics"]["links"] == 0
    services.accept_proposal(h.bruno, proposal=proposal, start_on=dt.date(2026, 3, 1))
    link = CooperationLink.objects.get()
    assert (link.from_organisation, link.to_organisation) == (h.org_b, h.org_a)
    assert link.source == LinkSource.SYNERGY and link.type == "shared_resource"
    payload = queries.graph_payload(h.pole, h.alice)
    assert payload["metrics"]["links"] == 1 and payload["links"][0]["source"] == h.org_b.pk
    assert payload["metrics"]["isolated"] == [h.org_c.pk]
    assert queries.proposal_counts(h.pole) == {
        "made": 1,
        "accepted": 1,
        "declined": 0,
        "realised": 0,
        "open": 0,
    }
    with pytest.raises(ValidationError):
        services.accept_proposal(h.coordinator, proposal=proposal)
    services.mark_realised(h.coordinator, proposal=proposal)
    assert queries.proposal_counts(h.pole)["realised"] == 1


def test_accepting_a_pool_makes_links_and_a_draft_shared_resource(h):
    for org in (h.org_a, h.org_b, h.org_c):
        f.need(h, org, kind="premises", category="meeting_room", title="Salle")
    run(h)
    pool = Proposal.objects.get(kind="pooling")
    assert pool.organisations.count() == 3
    services.accept_proposal(h.carla, proposal=pool)
    assert CooperationLink.objects.filter(proposal=pool, directed=False).count() == 3
    resource = Resource.objects.get(pole=h.pole)
    assert resource.status == ResourceStatus.DRAFT and resource.kind == "premises"


def test_declining_asks_for_a_reason(h):
    f.need(h, h.org_a)
    f.offer(h, h.org_b)
    run(h)
    proposal = Proposal.objects.get()
    with pytest.raises(ValidationError) as caught:
        services.decline_proposal(h.alice, proposal=proposal, reason=" ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.decline_proposal(h.carla, proposal=proposal, reason="pas nous")
    services.decline_proposal(h.alice, proposal=proposal, reason="Trop loin en pratique")
    assert queries.proposal_counts(h.pole)["declined"] == 1


def test_members_see_the_proposals_concerning_them_coordinators_all(h):
    f.need(h, h.org_a)
    f.offer(h, h.org_b)
    run(h)
    assert Proposal.objects.visible_to(h.alice, h.pole).count() == 1
    assert Proposal.objects.visible_to(h.bruno, h.pole).count() == 1
    assert Proposal.objects.visible_to(h.carla, h.pole).count() == 0
    assert Proposal.objects.visible_to(h.observer, h.pole).count() == 0
    assert Proposal.objects.visible_to(h.coordinator, h.pole).count() == 1


def test_a_coordinators_only_need_is_never_shown_to_other_members(h):
    secret = f.need(h, h.org_a, confidentiality="coordinators", title="Besoin discret")
    f.offer(h, h.org_b)
    mail.outbox.clear()
    run(h)
    visible = Declaration.objects.visible_to
    assert secret not in visible(h.bruno, h.pole)
    assert secret not in visible(h.observer, h.pole)
    assert secret in visible(h.alice, h.pole)  # their own
    assert secret in visible(h.coordinator, h.pole)
    # the proposal built on it: the coordination and the owner, not the other side
    assert Proposal.objects.visible_to(h.bruno, h.pole).count() == 0
    assert Proposal.objects.visible_to(h.alice, h.pole).count() == 1
    assert Proposal.objects.visible_to(h.coordinator, h.pole).count() == 1
    # nor in e-mails
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "Besoin discret" not in mail.outbox[0].body
    # the other side cannot answer it
    with pytest.raises(PermissionDenied):
        services.accept_proposal(h.bruno, proposal=Proposal.objects.get())


def test_members_of_another_hub_see_nothing(h):
    other = f.hub("autre-pole", prefix="o-")
    d = f.need(h, h.org_a, confidentiality="members")
    public = f.need(h, h.org_a, confidentiality="public")
    assert list(Declaration.objects.visible_to(other.alice, h.pole)) == [public]
    assert d not in Declaration.objects.visible_to(other.coordinator, h.pole)
    assert list(Declaration.objects.visible_to(AnonymousUser(), h.pole)) == [public]


def test_new_proposals_are_mailed_to_the_people_concerned(h):
    f.need(h, h.org_a)
    f.offer(h, h.org_b)
    mail.outbox.clear()
    run(h)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bruno@example.org"]
    assert "Échange" in mail.outbox[0].body and "/cooperation/propositions/" in mail.outbox[0].body
    mail.outbox.clear()
    run(h)  # nothing new, nothing sent
    assert mail.outbox == []


def test_the_weekly_digest(h):
    services.set_notification_frequency(h.alice, frequency="weekly")
    services.set_notification_frequency(h.bruno, frequency="never")
    f.need(h, h.org_a)
    f.offer(h, h.org_b)
    mail.outbox.clear()
    run(h)
    assert mail.outbox == []  # alice waits for her digest, bruno wants nothing
    out = io.StringIO()
    call_command("send-cooperation-digest", stdout=out)
    assert "1 résumé" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "Résumé de la semaine" in mail.outbox[0].subject
    assert NotificationPreference.objects.get(user=h.alice).last_digest_at is not None
    mail.outbox.clear()
    assert notifications.send_digests() == 0  # already sent
    with pytest.raises(ValidationError):
        services.set_notification_frequency(h.alice, frequency="hourly")


def test_links_declared_and_ended(h):
    link = services.declare_link(
        h.alice,
        pole=h.pole,
        from_organisation=h.org_a,
        to_organisation=h.org_b,
        type="purchase",
        start_on="2023-01-01",
        volume_cents="120000",
    )
    with pytest.raises(PermissionDenied):
        services.declare_link(
            h.alice,
            pole=h.pole,
            from_organisation=h.org_b,
            to_organisation=h.org_c,
            type="purchase",
            start_on="2023-01-01",
        )
    with pytest.raises(ValidationError) as caught:
        services.declare_link(
            h.alice,
            pole=h.pole,
            from_organisation=h.org_a,
            to_organisation=h.org_a,
            type="teleport",
            start_on="",
            volume_cents="-5",
        )
    assert set(caught.value.message_dict) == {"to_organisation", "type", "start_on", "volume_cents"}
    with pytest.raises(ValidationError):
        services.end_link(h.alice, link=link, end_on="2022-01-01")
    services.end_link(h.alice, link=link, end_on="2024-06-30")
    payload = queries.graph_payload(h.pole, h.alice, today=dt.date(2026, 1, 1))
    assert [y["year"] for y in payload["years"]] == [2023, 2024]
    assert payload["metrics"]["crossing_share"] == 1.0  # ESS -> other enterprise
    assert queries.graph_payload(h.pole, h.alice, year=2025)["metrics"]["links"] == 0


def test_a_proposal_no_longer_made_cannot_be_answered(h):
    f.need(h, h.org_a)
    offer = f.offer(h, h.org_b)
    run(h)
    services.withdraw_declaration(h.bruno, declaration=offer)
    run(h)
    proposal = Proposal.objects.get()
    assert not proposal.current and proposal.status == ProposalStatus.PROPOSED
    with pytest.raises(ValidationError) as caught:
        services.accept_proposal(h.alice, proposal=proposal)
    assert "status" in caught.value.message_dict


def test_links_from_the_pooling_records(h):
    from ptce.pooling import services as pooling

    pooling.create_resource(
        None,
        pole=h.pole,
        name="Salle commune",
        kind="premises",
        organisations=[h.org_a, h.org_b, h.org_c],
    )
    with pytest.raises(PermissionDenied):
        services.import_pooling_links(h.alice, pole=h.pole)
    assert services.import_pooling_links(h.coordinator, pole=h.pole) == 3
    assert services.import_pooling_links(h.coordinator, pole=h.pole) == 0  # idempotent
    links = CooperationLink.objects.filter(source=LinkSource.POOLING)
    assert {(lk.directed, lk.type) for lk in links} == {(False, "shared_resource")}
    assert queries.graph_payload(h.pole, h.alice)["metrics"]["density"] == 1.0
