import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ptce.actors.models import Affiliation, Organisation
from ptce.core.choices import Role, Visibility
from ptce.core.models import AuditEntry
from ptce.core.services import create_user
from ptce.poles import permissions, services
from ptce.poles.models import Pole


@pytest.fixture
def hubs(db):
    a = services.create_pole(None, name="Pôle A", slug="pole-a", visibility=Visibility.MEMBERS)
    b = services.create_pole(None, name="Pôle B", slug="pole-b", visibility=Visibility.MEMBERS)
    p = services.create_pole(None, name="Pôle public", slug="pole-public")
    return a, b, p


@pytest.fixture
def people(hubs, staff):
    a, b, _ = hubs
    coord_a = create_user(None, email="coord-a@example.org")
    member_a = create_user(None, email="member-a@example.org")
    coord_b = create_user(None, email="coord-b@example.org")
    services.grant_role(staff, pole=a, user=coord_a, role=Role.COORDINATOR)
    services.grant_role(coord_a, pole=a, user=member_a, role=Role.MEMBER)
    services.grant_role(staff, pole=b, user=coord_b, role=Role.COORDINATOR)
    return coord_a, member_a, coord_b


def test_roles_are_per_hub_and_audited(hubs, people):
    a, b, _ = hubs
    coord_a, member_a, _coord_b = people
    assert permissions.roles_of(coord_a, a) == {Role.COORDINATOR}
    assert permissions.roles_of(coord_a, b) == frozenset()
    assert permissions.can_manage_pole(coord_a, a)
    assert not permissions.can_manage_pole(coord_a, b)
    assert not permissions.can_manage_pole(member_a, a)
    assert AuditEntry.objects.filter(verb="grant_role").count() == 3


def test_a_coordinator_cannot_grant_roles_on_another_hub(hubs, people):
    a, b, _ = hubs
    coord_a, member_a, _ = people
    with pytest.raises(PermissionDenied):
        services.grant_role(coord_a, pole=b, user=member_a, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.grant_role(member_a, pole=a, user=member_a, role=Role.COORDINATOR)
    assert permissions.roles_of(member_a, a) == {Role.MEMBER}


def test_unknown_role_is_refused(hubs, staff, user):
    with pytest.raises(ValidationError) as exc:
        services.grant_role(staff, pole=hubs[0], user=user, role="king")
    assert "role" in exc.value.message_dict


def test_visibility_matrix(hubs, people, staff, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    a, b, public = hubs
    coord_a, member_a, coord_b = people
    anonymous = AnonymousUser()
    assert permissions.can_read(anonymous, a, Visibility.PUBLIC)
    assert not permissions.can_read(anonymous, a, Visibility.MEMBERS)
    assert permissions.can_read(member_a, a, Visibility.MEMBERS)
    assert not permissions.can_read(member_a, a, Visibility.COORDINATORS)
    assert permissions.can_read(coord_a, a, Visibility.COORDINATORS)
    # a member or coordinator of hub A reads nothing non-public of hub B
    for person in (coord_a, member_a):
        for visibility in (Visibility.MEMBERS, Visibility.COORDINATORS, Visibility.OWNER):
            assert not permissions.can_read(person, b, visibility)
    assert permissions.can_read(staff, b, Visibility.COORDINATORS)
    assert list(Pole.objects.visible_to(anonymous)) == [public]
    assert set(Pole.objects.visible_to(member_a)) == {a, public}
    assert set(Pole.objects.visible_to(coord_b)) == {b, public}
    assert set(Pole.objects.visible_to(staff)) == {a, b, public}


def test_owner_visibility_follows_the_organisation(hubs, people):
    a, _, _ = hubs
    _, member_a, _ = people
    org = Organisation.objects.create(name="Ateliers du Vercors (fictif)")
    other = Organisation.objects.create(name="Scop Les Tisserands (fictif)")
    Affiliation.objects.create(user=member_a, organisation=org)
    assert permissions.can_read(member_a, a, Visibility.OWNER, owner_organisation_id=org.pk)
    assert not permissions.can_read(member_a, a, Visibility.OWNER, owner_organisation_id=other.pk)


def test_revoke_role(hubs, people, staff):
    a, _, _ = hubs
    _, member_a, _ = people
    services.revoke_role(staff, pole=a, user=member_a, role=Role.MEMBER)
    assert permissions.roles_of(member_a, a) == frozenset()
    assert AuditEntry.objects.filter(verb="revoke_role").count() == 1
