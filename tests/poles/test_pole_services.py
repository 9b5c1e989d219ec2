import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from ptce.core.choices import Role, Visibility
from ptce.core.models import AuditEntry
from ptce.poles import permissions, queries, services
from ptce.poles.models import Membership
from tests.actors import factories as actors
from tests.poles import factories


def test_create_places_the_hub_and_makes_its_creator_coordinator(territory, user):
    pole = services.create_pole(
        user,
        name="Pôle Sud / Groupe Archer (fictif)",
        commune="26281",
        impulse="entrepreneurial",
        dynamic="sector",
        objectives=["takeover", "sector"],
        naf_sections=["c"],
        maturity="mature",
    )
    assert pole.slug == "pole-sud-groupe-archer-fictif"
    assert (pole.region_id, pole.departement_id) == ("84", "26")
    assert (pole.lat, pole.lon) == pytest.approx((45.05, 5.05))
    assert pole.naf_sections == ["C"]
    assert permissions.roles_of(user, pole) == {Role.COORDINATOR}
    assert AuditEntry.objects.filter(verb="create_pole", actor=user).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "X"}, "name"),
        ({"objectives": ["world_peace"]}, "objectives"),
        ({"impulse": "royal"}, "impulse"),
        ({"maturity": "ancient"}, "maturity"),
        ({"commune": "99999"}, "commune"),
        ({"naf_sections": ["Z"]}, "naf_sections"),
    ],
)
def test_bad_identity_is_refused_naming_the_field(territory, values, field):
    values = {"name": "Pôle valide", **values}
    with pytest.raises(ValidationError) as exc:
        services.create_pole(None, **values)
    assert field in exc.value.message_dict


def test_a_member_cannot_be_added_twice_but_can_come_back(territory):
    pole = factories.pole()
    scop = actors.scop()
    first = services.add_member(None, pole=pole, organisation=scop, joined_on="2020-01-01")
    with pytest.raises(ValidationError) as exc:
        services.add_member(None, pole=pole, organisation=scop)
    assert "déjà membre" in exc.value.message_dict["organisation"][0]
    services.end_membership(None, membership=first, left_on="2022-06-30")
    services.add_member(None, pole=pole, organisation=scop, joined_on="2024-01-01")
    assert Membership.objects.filter(pole=pole, organisation=scop).count() == 2


def test_members_at_a_past_date(territory):
    pole = factories.pole()
    a, b = actors.scop(), actors.sme()
    services.add_member(None, pole=pole, organisation=a, joined_on="2019-03-01")
    m = services.add_member(None, pole=pole, organisation=b, joined_on="2020-01-01")
    services.end_membership(None, membership=m, left_on="2023-01-01")

    def names(day):
        return {x.organisation.name for x in queries.members(pole, day=day)}

    assert names(dt.date(2019, 6, 1)) == {a.name}
    assert names(dt.date(2021, 6, 1)) == {a.name, b.name}
    assert names(dt.date(2023, 1, 1)) == {a.name}  # left that day
    assert names(None) == {a.name}


def test_leaving_before_joining_is_refused(territory):
    pole = factories.pole()
    m = services.add_member(None, pole=pole, organisation=actors.scop(), joined_on="2020-01-01")
    with pytest.raises(ValidationError) as exc:
        services.end_membership(None, membership=m, left_on="2019-01-01")
    assert "précéder" in exc.value.message_dict["left_on"][0]


def test_declared_actor_type_needs_a_reason_and_wins(territory):
    pole = factories.pole()
    org = actors.sme()
    with pytest.raises(ValidationError) as exc:
        services.add_member(None, pole=pole, organisation=org, actor_type_override="research")
    assert "actor_type_reason" in exc.value.message_dict
    services.add_member(
        None,
        pole=pole,
        organisation=org,
        actor_type_override="research",
        actor_type_reason="Laboratoire privé de recherche",
    )
    assert queries.members(pole).get().effective_actor_type == "research"


def test_colleges_every_broken_rule_is_named(territory):
    pole = factories.pole()
    with pytest.raises(ValidationError) as exc:
        services.set_colleges(None, pole=pole, colleges=[("Salariés", 60), ("Usagers", 35)])
    messages = " ".join(m for ms in exc.value.message_dict.values() for m in ms)
    assert "3" in messages and "50" in messages and "100" in messages
    with pytest.raises(ValidationError) as exc:
        services.set_colleges(None, pole=pole, colleges=[("A", 45), ("B", 50), ("C", 5)])
    assert "10" in " ".join(m for ms in exc.value.message_dict.values() for m in ms)
    kept = services.set_colleges(
        None, pole=pole, colleges=[("Salariés", 40), ("Usagers", 30), ("Collectivités", "30,0")]
    )
    assert [c.name for c in kept] == ["Salariés", "Usagers", "Collectivités"]
    assert AuditEntry.objects.filter(verb="set_colleges").count() == 1


def test_colleges_min_share_is_a_setting(territory, settings):
    settings.PTCE_COLLEGE_MIN_SHARE_RULE = False
    pole = factories.pole()
    kept = services.set_colleges(None, pole=pole, colleges=[("A", 45), ("B", 50), ("C", 5)])
    assert len(kept) == 3


def test_eligibility_turns_met_as_members_arrive(territory):
    pole = factories.pole(legal_form="association")
    status = {c.code: c.status for c in queries.eligibility_conditions(pole)}
    assert status["decret_private_law_person"] == "met"
    assert status["decret_ess_enterprise"] == "not_met"
    for org in (actors.scop(), actors.sme(), actors.commune_body()):
        services.add_member(None, pole=pole, organisation=org)
    conditions = queries.eligibility_conditions(pole)
    decret = [c for c in conditions if c.checklist == "decret_2015_431"]
    assert all(c.status == "met" for c in decret), [(c.code, c.status, c.message) for c in decret]


def test_profile_counts_and_anchoring(territory):
    pole = factories.eligible_pole()
    services.set_perimeter(None, pole=pole, definition={"epci": ["200068781"]})
    services.add_member(None, pole=pole, organisation=actors.association(commune="42218"))
    profile = queries.hub_profile(pole)
    assert profile.member_count == 4
    assert profile.counts_by_type == {"ess": 2, "enterprise": 1, "local_authority": 1}
    assert profile.anchoring == pytest.approx(0.75)
    assert profile.jobs_low == 10 and profile.jobs_high == 19  # only the SME has a band (11)


def test_permissions_between_hubs(territory):
    a = factories.pole("Pôle A (fictif)")
    b = factories.pole("Pôle B (fictif)", visibility=Visibility.MEMBERS)
    coord_a = factories.person("coord-a@example.org", a, Role.COORDINATOR)
    member_a = factories.person("member-a@example.org", a, Role.MEMBER)
    org = actors.scop()
    with pytest.raises(PermissionDenied):
        services.add_member(coord_a, pole=b, organisation=org)
    with pytest.raises(PermissionDenied):
        services.update_pole(member_a, pole=a, name="Renommé")
    with pytest.raises(PermissionDenied):
        services.invite(member_a, pole=a, email="x@example.org")
    assert not permissions.can_view_pole(coord_a, b)


def test_invitation_flow(territory):
    pole = factories.pole()
    coordinator = factories.person("coord@example.org", pole, Role.COORDINATOR)
    org = actors.scop()
    invitation, raw = services.invite(
        coordinator, pole=pole, email="Lea@Example.org", organisation=org
    )
    assert len(mail.outbox) == 1
    assert raw in mail.outbox[0].body and pole.name in mail.outbox[0].subject
    assert invitation.token_hash != raw
    with pytest.raises(ValidationError) as exc:
        services.accept_invitation(raw, password="123")
    assert "password" in exc.value.message_dict
    user = services.accept_invitation(raw, password="un-mot-de-passe-solide-42", first_name="Léa")
    assert user.email == "lea@example.org"
    assert permissions.roles_of(user, pole) == {Role.MEMBER}
    assert user.affiliations.get().organisation == org
    with pytest.raises(ValidationError, match="invalide, déjà utilisé ou expiré"):
        services.accept_invitation(raw, password="un-mot-de-passe-solide-42")


def test_expired_invitation_is_refused(territory):
    from django.utils import timezone

    pole = factories.pole()
    invitation, raw = services.invite(None, pole=pole, email="late@example.org")
    invitation.expires_at = timezone.now() - dt.timedelta(seconds=1)
    invitation.save()
    assert services.find_invitation(raw) is None


def test_last_coordinator_cannot_be_removed(territory, user):
    pole = services.create_pole(user, name="Pôle seul (fictif)", commune="26281")
    with pytest.raises(ValidationError):
        services.revoke_role(user, pole=pole, user=user, role=Role.COORDINATOR)


def test_a_sole_trader_is_not_a_legal_person(territory):
    pole = factories.pole(legal_form="association")
    for org in (actors.scop(), actors.commune_body()):
        services.add_member(None, pole=pole, organisation=org)
    sole = actors.organisation(
        "Cordonnerie Martin (fictive)", categorie_juridique="1000", naf="95.23Z"
    )
    services.add_member(None, pole=pole, organisation=sole)
    status = {c.code: c.status for c in queries.eligibility_conditions(pole)}
    assert status["decret_three_legal_persons"] == "not_met"
    assert status["decret_enterprise_outside_ess"] == "not_met"
