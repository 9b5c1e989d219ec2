"""Demo pooling (`ptce load-demo`): in the Romans hub (Pôle Sud / Groupe Archer), a shared
meeting room and a van, last month's bookings and usage, costs, allocation rules, and the
closed month's statements, whose totals match the costs to the cent; next week's bookings
for the calendar; this month open.

Idempotent: nothing is done when the room exists. Returns {label: number created}.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ptce.actors.models import Organisation
from ptce.poles.models import Pole
from ptce.pooling import accounting, services
from ptce.pooling.models import Resource, Statement

HUB = "pole-sud-groupe-archer"
ROOM = "Salle de réunion de la Manufacture"
VAN = "Fourgon utilitaire partagé"
SEED = 6


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@transaction.atomic
def build() -> dict[str, int]:
    pole = Pole.objects.filter(slug=HUB).first()
    if pole is None or Resource.objects.filter(pole=pole, name=ROOM).exists():
        return {}
    members = list(
        Organisation.objects.filter(memberships__pole=pole, memberships__left_on__isnull=True)
        .distinct()
        .order_by("name")
    )
    if len(members) < 3:
        return {}
    # the organisation the demo member account speaks for shares both
    spoken = list(
        Organisation.objects.filter(
            pk__in=[m.pk for m in members], affiliations__user__email__startswith="membre."
        ).distinct()
    )
    sharing = (spoken + [m for m in members if m not in spoken])[:5]
    room = services.create_resource(
        None,
        pole=pole,
        name=ROOM,
        kind="premises",
        description="Salle de 20 places au rez-de-chaussée de la Manufacture, avec écran.",
        organisations=sharing,
        max_booking_minutes=4 * 60,
        min_notice_minutes=60,
    )
    services.set_availability(
        None, resource=room, opening={d: [(dt.time(8), dt.time(20))] for d in range(5)}
    )
    van = services.create_resource(
        None,
        pole=pole,
        name=VAN,
        kind="vehicle",
        description="Fourgon 12 m³ pour les livraisons de cuir et les salons.",
        ownership="members",
        organisations=sharing[:3],
        shares={sharing[0].pk: Decimal(50), sharing[1].pk: Decimal(30), sharing[2].pk: Decimal(20)},
        max_booking_minutes=12 * 60,
    )
    services.set_availability(
        None, resource=van, opening={d: [(dt.time(7), dt.time(21))] for d in range(6)}
    )
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    last = today.replace(day=1) - dt.timedelta(days=1)
    before = _at(first, 0) - dt.timedelta(days=2)  # "now" when last month was booked
    rng = random.Random(SEED)
    room_unit, van_unit = room.units.get(), van.units.get()
    bookings = 0
    day = first
    while day <= last:
        if day.weekday() < 5:
            for hour in (9, 14):
                if rng.random() < 0.55:
                    org = rng.choice(sharing)
                    length = rng.choice((1, 2, 2, 3))
                    booking = services.book(
                        None,
                        unit=room_unit,
                        organisation=org,
                        starts_at=_at(day, hour),
                        ends_at=_at(day, hour + length),
                        note="Réunion",
                        now=before,
                    )
                    used = Decimal(length) - (Decimal("0.5") if rng.random() < 0.2 else 0)
                    services.record_usage(
                        None,
                        resource=room,
                        organisation=org,
                        day=day,
                        used_hours=used,
                        booking=booking,
                    )
                    bookings += 1
            if rng.random() < 0.4:
                org = rng.choice(sharing[:3])
                booking = services.book(
                    None,
                    unit=van_unit,
                    organisation=org,
                    starts_at=_at(day, 8),
                    ends_at=_at(day, 8 + rng.choice((3, 5, 9))),
                    note="Livraison",
                    now=before,
                )
                services.record_usage(
                    None,
                    resource=van,
                    organisation=org,
                    day=day,
                    used_hours=booking.hours,
                    km=Decimal(rng.randrange(20, 260)),
                    booking=booking,
                )
                bookings += 1
        day += dt.timedelta(days=1)
    monday = today + dt.timedelta(days=7 - today.weekday())
    for offset, hour, org in ((0, 10, sharing[0]), (2, 14, sharing[1]), (3, 9, sharing[0])):
        services.book(
            None,
            unit=room_unit,
            organisation=org,
            starts_at=_at(monday + dt.timedelta(days=offset), hour),
            ends_at=_at(monday + dt.timedelta(days=offset), hour + 2),
            note="Comité de pilotage",
        )
        bookings += 1
    period = accounting.open_period(None, pole=pole, kind="month", starts_on=first)
    accounting.open_period(None, pole=pole, kind="month", starts_on=today.replace(day=1))
    for resource, category, cents, label in (
        (room, "rent", 85_000, "Loyer de la salle"),
        (room, "insurance", 4_537, "Assurance multirisque"),
        (room, "maintenance", 12_999, "Ménage"),
        (van, "loan", 41_219, "Échéance du prêt"),
        (van, "insurance", 6_111, "Assurance flotte"),
        (van, "maintenance", 12_345, "Vidange et pneus"),
    ):
        accounting.record_cost(
            None,
            resource=resource,
            period=period,
            category=category,
            amount_cents=cents,
            label=label,
        )
    accounting.set_allocation_rule(
        None, resource=room, method="fixed_plus_usage", fixed_share=Decimal("0.4"), measure="hours"
    )
    accounting.set_allocation_rule(None, resource=van, method="by_usage", measure="km")
    accounting.close_period(None, period=period)
    return {
        "ressources partagées": 2,
        "réservations": bookings,
        "relevés": Statement.objects.filter(period=period).count(),
    }
