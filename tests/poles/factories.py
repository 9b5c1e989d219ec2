"""Hubs built through the services."""

from __future__ import annotations

from ptce.core.choices import Role, Visibility
from ptce.core.services import create_user
from ptce.poles import services
from ptce.poles.models import Pole
from tests.actors import factories as actors


def pole(name: str = "Pôle Sud (fictif)", *, coordinator=None, **values) -> Pole:
    values.setdefault("commune", "26281")
    return services.create_pole(coordinator, name=name, **values)


def eligible_pole(name: str = "Pôle Sud (fictif)", *, coordinator=None, **values) -> Pole:
    """A hub carried by an association with an ESS enterprise, an SME and a local authority."""
    hub = pole(name, coordinator=coordinator, legal_form="association", **values)
    for org in (actors.scop(), actors.sme(), actors.commune_body()):
        services.add_member(None, pole=hub, organisation=org)
    return hub


def person(email: str, pole: Pole | None = None, role: str = Role.MEMBER):
    user = create_user(None, email=email)
    if pole is not None:
        services.grant_role(None, pole=pole, user=user, role=role)
    return user


__all__ = ["Visibility", "eligible_pole", "person", "pole"]
