"""Who may read and change organisations, establishments and contacts."""

from __future__ import annotations

from typing import Any

from ptce.core.choices import Role, Visibility
from ptce.poles.models import PoleRole


def is_coordinator_somewhere(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    cached = user.__dict__.get("_ptce_is_coordinator")
    if cached is None:
        cached = PoleRole.objects.filter(user=user, role=Role.COORDINATOR).exists()
        user.__dict__["_ptce_is_coordinator"] = cached
    return bool(cached)


def speaks_for(user: Any, organisation_id: int) -> bool:
    return bool(
        user.is_authenticated and user.affiliations.filter(organisation_id=organisation_id).exists()
    )


def can_create_organisation(user: Any) -> bool:
    """Staff and hub coordinators add organisations to the directory."""
    return bool(user.is_authenticated and (user.is_staff or is_coordinator_somewhere(user)))


def can_change_organisation(user: Any, organisation: Any) -> bool:
    """Staff, hub coordinators, and the people who speak for the organisation."""
    if not user.is_authenticated:
        return False
    return bool(
        user.is_staff or is_coordinator_somewhere(user) or speaks_for(user, organisation.pk)
    )


def can_view_organisation(user: Any, organisation: Any) -> bool:
    if organisation.visibility == Visibility.PUBLIC:
        return True
    return can_change_organisation(user, organisation)


def can_view_contact(user: Any, contact: Any) -> bool:
    if contact.visibility == Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or speaks_for(user, contact.organisation_id))
