"""Demo cooperation (`ptce load-demo`): in the Romans hub (Pôle Sud / Groupe Archer) and in
Culture et Coopération, members' needs and offers that give exchange, pooling and prospect
proposals whose reasons can be checked by reading them; cooperation links over several
years; one synergy run. Two fictitious directory organisations are added inside the
perimeter when the directory has none whose activity fits (a collector of non-hazardous
waste, NAF 38.11Z; an accounting firm, NAF 69.20Z), so that prospects appear.

Idempotent: a hub that already has needs or offers is left as it is. Returns
{label: number created}.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from ptce.actors import services as actor_services
from ptce.actors.models import Organisation
from ptce.cooperation import services
from ptce.cooperation.models import Declaration
from ptce.poles.models import Pole

HUBS = ("pole-sud-groupe-archer", "culture-et-cooperation")
# by hub: each hub's directory gets its own candidates (a name is created once)
PROSPECTS = {
    "pole-sud-groupe-archer": (
        ("Collecte Drôme Tri (fictive)", "38.11Z", 0.012, -0.008),
        ("Cabinet Comptable du Vercors (fictif)", "69.20Z", -0.01, 0.011),
    ),
    "culture-et-cooperation": (
        ("Collecte Loire Tri (fictive)", "38.11Z", 0.012, -0.008),
        ("Cabinet Comptable du Pilat (fictif)", "69.20Z", -0.01, 0.011),
    ),
}


def _members(pole: Pole) -> list[Organisation]:
    members = list(
        Organisation.objects.filter(memberships__pole=pole, memberships__left_on__isnull=True)
        .distinct()
        .order_by("name", "pk")
    )
    # the organisation the demo member account speaks for comes first: its proposals show
    spoken = [
        m
        for m in members
        if m.affiliations.filter(user__email__startswith="membre.").exists()  # type: ignore[attr-defined]
    ]
    return spoken + [m for m in members if m not in spoken]


def _prospects(pole: Pole) -> int:
    """Directory organisations inside the perimeter whose activity fits (fictitious)."""
    if not pole.perimeter_id or pole.lat is None or pole.lon is None:
        return 0
    communes = pole.perimeter.communes.order_by("code_insee").values_list("code_insee", flat=True)
    code = pole.commune_id if communes.filter(code_insee=pole.commune_id).exists() else None
    code = code or communes.first()
    if code is None:
        return 0
    created = 0
    for name, naf, dlat, dlon in PROSPECTS.get(pole.slug, ()):
        if Organisation.objects.filter(name=name).exists():
            continue
        org = actor_services.create_organisation(
            None, name=name, siren=None, categorie_juridique="5710", naf=naf
        )
        actor_services.add_establishment(
            None,
            organisation=org,
            code_commune=code,
            lat=pole.lat + dlat,
            lon=pole.lon + dlon,
            siege=True,
            naf=naf,
        )
        created += 1
    return created


def _declare(pole: Pole, org: Organisation, **values: Any) -> Declaration:
    return services.declare(None, pole=pole, organisation=org, **values)


def _hub(pole: Pole) -> dict[str, int]:
    members = _members(pole)
    if len(members) < 4:
        return {}
    a, b, c, d = members[:4]
    e = members[4] if len(members) > 4 else b
    today = dt.date.today()
    year = today.year
    made: list[Declaration] = [
        # exchange: pallets offered by b meet a's need (quantities per month, units convert)
        _declare(
            pole,
            b,
            side="offer",
            kind="material_flows",
            category="pallets",
            title="Palettes bois réutilisables",
            quantity="200",
            unit="piece",
            periodicity="month",
            max_km=25,
            price_intent="free",
            description="Palettes Europe en bon état, à prendre sur place.",
        ),
        _declare(
            pole,
            a,
            side="need",
            kind="material_flows",
            category="pallets",
            title="Palettes pour nos expéditions",
            quantity="50",
            unit="piece",
            periodicity="month",
            max_km=20,
            price_intent="at_cost",
        ),
        # exchange: accounting skills
        _declare(
            pole,
            c,
            side="offer",
            kind="skills",
            category="accounting",
            title="Deux jours par mois d'aide à la comptabilité",
            quantity="2",
            unit="jour",
            periodicity="month",
            max_km=40,
            price_intent="at_cost",
        ),
        _declare(
            pole,
            d,
            side="need",
            kind="skills",
            category="accounting",
            title="Appui pour la clôture des comptes",
            quantity="3",
            unit="jour",
            periodicity="month",
            max_km=30,
            price_intent="at_cost",
            start_on=dt.date(year, 1, 1),
            end_on=dt.date(year + 1, 6, 30),
        ),
        # pooling: three members need a van, two of them say what it costs today
        _declare(
            pole,
            a,
            side="need",
            kind="vehicles",
            category="van",
            title="Utilitaire deux jours par semaine",
            quantity="2",
            unit="jour",
            periodicity="week",
            max_km=15,
            cost_cents_per_year=480_000,
        ),
        _declare(
            pole,
            c,
            side="need",
            kind="vehicles",
            category="van",
            title="Utilitaire pour les livraisons du vendredi",
            quantity="1",
            unit="jour",
            periodicity="week",
            max_km=15,
            cost_cents_per_year=360_000,
        ),
        _declare(
            pole,
            d,
            side="need",
            kind="vehicles",
            category="van",
            title="Utilitaire pour les chantiers",
            quantity="1",
            unit="jour",
            periodicity="week",
            max_km=15,
        ),
        # pooling: group purchase of office supplies
        _declare(
            pole,
            b,
            side="need",
            kind="group_purchasing",
            category="office_supplies",
            title="Fournitures de bureau",
            max_km=20,
            cost_cents_per_year=150_000,
        ),
        _declare(
            pole,
            e if e != b else d,
            side="need",
            kind="group_purchasing",
            category="office_supplies",
            title="Papier et consommables",
            max_km=20,
            cost_cents_per_year=90_000,
        ),
        # prospects: a waste collector would take the cardboard; an accountant fits d's need
        _declare(
            pole,
            a,
            side="need",
            kind="services",
            category="waste_collection",
            title="Collecte des cartons",
            quantity="2",
            unit="t",
            periodicity="year",
            max_km=30,
        ),
        # a need for the coordination only: never shown to other members
        _declare(
            pole,
            b,
            side="need",
            kind="premises",
            category="storage",
            title="Stockage temporaire (confidentiel)",
            max_km=10,
            confidentiality="coordinators",
        ),
        # units that do not convert: pallets counted as lots are not matched with pieces
        _declare(
            pole,
            d,
            side="offer",
            kind="material_flows",
            category="pallets",
            title="Lots de palettes usagées",
            quantity="3",
            unit="lot",
            periodicity="year",
            max_km=25,
        ),
    ]
    links = [
        (a, b, "purchase", dt.date(year - 4, 3, 1), None, 1_200_000, True),
        (b, c, "knowledge", dt.date(year - 3, 9, 1), dt.date(year - 2, 6, 30), None, False),
        (c, d, "subcontracting", dt.date(year - 2, 1, 15), None, 850_000, True),
        (a, d, "joint_project", dt.date(year - 1, 4, 1), None, None, False),
    ]
    for first, second, kind, start, end, cents, directed in links:
        services.declare_link(
            None,
            pole=pole,
            from_organisation=first,
            to_organisation=second,
            type=kind,
            start_on=start,
            end_on=end,
            volume_cents=cents,
            directed=directed,
        )
    pooled = services.import_pooling_links(None, pole=pole)
    prospects = _prospects(pole)
    run = services.run_synergies(None, pole=pole, notify=False)
    return {
        "besoins et offres": len(made),
        "liens de coopération": len(links) + pooled,
        "organisations candidates (annuaire)": prospects,
        "propositions de synergie": run.proposals,
    }


@transaction.atomic
def build() -> dict[str, int]:
    created: dict[str, int] = {}
    for slug in HUBS:
        pole = Pole.objects.select_related("perimeter").filter(slug=slug).first()
        if pole is None or Declaration.objects.filter(pole=pole).exists():
            continue
        for label, count in _hub(pole).items():
            created[label] = created.get(label, 0) + count
    return created
