"""A hub that shares things: coordinator, two member organisations with one person each,
an observer, and a room open on weekdays 8h-19h."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ptce.actors import services as actor_services
from ptce.actors.models import Organisation
from ptce.core.choices import Role, Visibility
from ptce.core.services import create_user
from ptce.poles import services as pole_services
from ptce.poles.models import Pole
from ptce.pooling import services
from ptce.pooling.models import Resource, ResourceKind, Unit


@dataclass
class Hub:
    pole: Pole
    coordinator: Any
    alice: Any  # speaks for org_a
    bruno: Any  # speaks for org_b
    observer: Any
    org_a: Organisation
    org_b: Organisation
    room: Resource
    unit: Unit


def organisation(name: str) -> Organisation:
    return actor_services.create_organisation(None, name=name, categorie_juridique="9220")


def hub(slug: str = "pole-mut", *, prefix: str = "") -> Hub:
    pole = pole_services.create_pole(
        None, name=f"Pôle {slug}", slug=slug, visibility=Visibility.MEMBERS
    )
    coordinator = create_user(None, email=f"{prefix}coord@example.org")
    alice = create_user(None, email=f"{prefix}alice@example.org")
    bruno = create_user(None, email=f"{prefix}bruno@example.org")
    observer = create_user(None, email=f"{prefix}obs@example.org")
    pole_services.grant_role(None, pole=pole, user=coordinator, role=Role.COORDINATOR)
    pole_services.grant_role(None, pole=pole, user=alice, role=Role.MEMBER)
    pole_services.grant_role(None, pole=pole, user=bruno, role=Role.MEMBER)
    pole_services.grant_role(None, pole=pole, user=observer, role=Role.OBSERVER)
    org_a = organisation(f"{prefix}Atelier Alpha (fictif)")
    org_b = organisation(f"{prefix}Bureau Bêta (fictif)")
    for org, person in ((org_a, alice), (org_b, bruno)):
        pole_services.add_member(None, pole=pole, organisation=org, joined_on="2020-01-01")
        actor_services.affiliate(None, user=person, organisation=org)
    room = services.create_resource(
        None, pole=pole, name="Salle commune", kind=ResourceKind.PREMISES, max_booking_minutes=240
    )
    services.set_availability(
        None,
        resource=room,
        opening={d: [(dt.time(8), dt.time(19))] for d in range(5)},
    )
    return Hub(pole, coordinator, alice, bruno, observer, org_a, org_b, room, room.units.get())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware local datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def next_monday(weeks: int = 1) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 * weeks - today.weekday())
