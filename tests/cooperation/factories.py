"""A hub with cooperation: coordinator, three member organisations in Valence with one
person each, an observer, and an outsider of another hub."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ptce.actors import services as actor_services
from ptce.actors.models import Organisation
from ptce.cooperation import services
from ptce.cooperation.models import Declaration
from ptce.core.choices import Role, Visibility
from ptce.core.services import create_user
from ptce.poles import services as pole_services
from ptce.poles.models import Pole

VALENCE = (44.9334, 4.8924)


@dataclass
class Hub:
    pole: Pole
    coordinator: Any
    alice: Any  # speaks for org_a
    bruno: Any  # speaks for org_b
    carla: Any  # speaks for org_c
    observer: Any
    org_a: Organisation
    org_b: Organisation
    org_c: Organisation


def organisation(name: str, lat: float, lon: float, *, actor_type: str = "") -> Organisation:
    org = actor_services.create_organisation(None, name=name, categorie_juridique="9220")
    actor_services.add_establishment(None, organisation=org, lat=lat, lon=lon, siege=True)
    if actor_type:
        Organisation.objects.filter(pk=org.pk).update(actor_type=actor_type)
        org.refresh_from_db()
    return org


def hub(slug: str = "pole-coop", *, prefix: str = "") -> Hub:
    pole = pole_services.create_pole(
        None, name=f"Pôle {slug}", slug=slug, visibility=Visibility.MEMBERS
    )
    people = {
        name: create_user(None, email=f"{prefix}{name}@example.org")
        for name in ("coord", "alice", "bruno", "carla", "obs")
    }
    pole_services.grant_role(None, pole=pole, user=people["coord"], role=Role.COORDINATOR)
    for name in ("alice", "bruno", "carla"):
        pole_services.grant_role(None, pole=pole, user=people[name], role=Role.MEMBER)
    pole_services.grant_role(None, pole=pole, user=people["obs"], role=Role.OBSERVER)
    lat, lon = VALENCE
    org_a = organisation(f"{prefix}Atelier Alpha (fictif)", lat, lon, actor_type="ess")
    org_b = organisation(f"{prefix}Bureau Bêta (fictif)", lat + 0.02, lon, actor_type="enterprise")
    org_c = organisation(f"{prefix}Coop Gamma (fictive)", lat, lon + 0.03, actor_type="ess")
    for org, name in ((org_a, "alice"), (org_b, "bruno"), (org_c, "carla")):
        pole_services.add_member(None, pole=pole, organisation=org, joined_on="2020-01-01")
        actor_services.affiliate(None, user=people[name], organisation=org)
    return Hub(
        pole,
        people["coord"],
        people["alice"],
        people["bruno"],
        people["carla"],
        people["obs"],
        org_a,
        org_b,
        org_c,
    )


def need(h: Hub, org: Organisation, **values: Any) -> Declaration:
    values = {
        "side": "need",
        "kind": "vehicles",
        "category": "van",
        "title": "Un utilitaire deux jours par semaine",
        "max_km": 30,
        **values,
    }
    return services.declare(None, pole=h.pole, organisation=org, **values)


def offer(h: Hub, org: Organisation, **values: Any) -> Declaration:
    return need(h, org, **{"side": "offer", "title": "Notre utilitaire, libre le jeudi", **values})
