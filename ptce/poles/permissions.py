"""Who may read and change what on a hub. Views, API routers and services ask here."""

from __future__ import annotations

from typing import Any

from ptce.core.choices import Role, Visibility
from ptce.poles.models import Pole, PoleRole


def roles_of(user: Any, pole: Pole) -> frozenset[str]:
    """The roles `user` holds on `pole` (cached on the user object for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_ptce_pole_roles", {})
    if pole.pk not in cache:
        cache[pole.pk] = frozenset(
            PoleRole.objects.filter(user=user, pole=pole).values_list("role", flat=True)
        )
    return cache[pole.pk]


def is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff)


def can_view_pole(user: Any, pole: Pole) -> bool:
    return pole.visibility == Visibility.PUBLIC or is_staff(user) or bool(roles_of(user, pole))


def can_manage_pole(user: Any, pole: Pole) -> bool:
    """Change the hub, its members and its people's roles."""
    return is_staff(user) or Role.COORDINATOR in roles_of(user, pole)


def can_read(
    user: Any,
    pole: Pole,
    visibility: str,
    *,
    owner_organisation_id: int | None = None,
) -> bool:
    """May `user` read a record of `pole` with this visibility?"""
    if visibility == Visibility.PUBLIC or is_staff(user):
        return True
    roles = roles_of(user, pole)
    if Role.COORDINATOR in roles:
        return True
    if visibility == Visibility.MEMBERS:
        return bool(roles & {Role.MEMBER, Role.OBSERVER, Role.REVIEWER})
    if visibility == Visibility.OWNER and owner_organisation_id is not None:
        return bool(
            user.is_authenticated
            and user.affiliations.filter(organisation_id=owner_organisation_id).exists()
        )
    return False


def member_organisation_ids(user: Any, pole: Pole) -> frozenset[int]:
    """The organisations `user` speaks for (affiliations) that are members of `pole` today.

    A member's records on a hub (needs, offers, bookings, statements, subscriptions...) belong
    to an organisation; a person acts for the member organisations they are affiliated with.
    Cached on the user object for the request.
    """
    if not user.is_authenticated:
        return frozenset()
    cache: dict[int, frozenset[int]] = user.__dict__.setdefault("_ptce_pole_orgs", {})
    if pole.pk not in cache:
        cache[pole.pk] = frozenset(
            pole.memberships.current()
            .filter(organisation__affiliations__user=user)
            .values_list("organisation_id", flat=True)
        )
    return cache[pole.pk]


def is_member(user: Any, pole: Pole) -> bool:
    """Holds a member role on the hub (coordination and staff count as members too)."""
    return is_staff(user) or bool(roles_of(user, pole) & {Role.MEMBER, Role.COORDINATOR})


def can_observe(user: Any, pole: Pole) -> bool:
    """Any role on the hub (observers and reviewers read the totals), or staff."""
    return is_staff(user) or bool(roles_of(user, pole))
