"""Demo data of financing (fictitious investors, invented names).

* Éoliennes en Pays de Vilaine: the citizen wind farm's campaign of 2013, succeeded, with
  more than 700 investors who raised 1.8 M€ (DOMAIN.md), most of them living in the hub's
  perimeter; every payment received.
* Culture et Coopération: an open campaign (parts sociales of the cinema's SCIC) that
  visitors of the demo can subscribe to.

Built through the services (`import_subscriptions` applies the subscription rules in bulk,
`settle_campaign` the allotment). Idempotent; does nothing for a hub or a project that is
missing (the hubs come from `ptce.poles.demo`, the projects from `ptce.projects.demo`, which
`load-demo` runs before this).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction
from django.utils import timezone

from ptce.financing import services
from ptce.financing.models import Campaign
from ptce.poles.demo import DEMO_DOMAIN
from ptce.poles.models import Pole
from ptce.territories.models import Commune

PARIS = ZoneInfo("Europe/Paris")
SEED = 2013
WIND_HUB = "eoliennes-en-pays-de-vilaine"
WIND_PROJECT = "parc-eolien-citoyen"
WIND_TITLE = "Parc éolien citoyen : épargne des habitants (2013)"
WIND_INVESTORS = 742
WIND_TOTAL_UNITS = 18_000  # x 100 EUR = 1.8 M EUR
OPEN_HUB = "culture-et-cooperation"
OPEN_PROJECT = "renovation-cinema-le-france"
OPEN_TITLE = "Cinéma Le France : devenez sociétaire de la SCIC"

FIRST = [
    "Anne",
    "Annick",
    "Bernard",
    "Brigitte",
    "Catherine",
    "Christian",
    "Claude",
    "Corentin",
    "Denise",
    "Erwan",
    "Fanch",
    "Françoise",
    "Gaël",
    "Gwenaëlle",
    "Hervé",
    "Isabelle",
    "Jacques",
    "Jean",
    "Jeanne",
    "Joseph",
    "Katell",
    "Loïc",
    "Louis",
    "Maïwenn",
    "Marie",
    "Martine",
    "Michel",
    "Monique",
    "Nolwenn",
    "Patrick",
    "Paul",
    "Pierre",
    "Ronan",
    "Soizic",
    "Sylvie",
    "Thérèse",
    "Tifenn",
    "Yann",
    "Yvonne",
    "Youenn",
]
LAST = [
    "Le Goff",
    "Le Gall",
    "Guého",
    "Le Roux",
    "Le Bihan",
    "Tanguy",
    "Jégo",
    "Le Floch",
    "Morvan",
    "Le Corre",
    "Le Du",
    "Guillou",
    "Le Moal",
    "Riou",
    "Hamon",
    "Le Meur",
    "Quéré",
    "Prigent",
    "Cadoret",
    "Le Bris",
    "Madec",
    "Evano",
    "Le Pen",
    "Allain",
    "Rault",
    "Jaffré",
    "Bertho",
    "Le Texier",
    "Danet",
    "Picaud",
    "Josse",
    "Pédron",
    "Hervé",
    "Lorho",
    "Guillemot",
    "Le Cam",
    "Kerbrat",
    "Le Nours",
    "Réminiac",
    "Thétiot",
]
STREETS = (
    "rue de la Vilaine",
    "chemin des Éoliennes",
    "rue du Moulin",
    "place de l'Église",
    "route de Redon",
    "rue des Genêts",
    "allée des Chênes",
    "impasse du Lavoir",
    "rue de l'Oust",
    "rue du Calvaire",
)


def _at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _places(pole: Pole, departements: tuple[str, ...]) -> tuple[list[Any], list[Any]]:
    """(local, elsewhere) communes with a postal code, the largest first."""
    local_codes = services.perimeter_codes(pole)
    fields = ("code_insee", "codes_postaux", "population")
    local = list(
        Commune.objects.current()
        .filter(pk__in=local_codes)
        .exclude(codes_postaux="")
        .order_by("-population")
        .values_list(*fields)
    )
    elsewhere = list(
        Commune.objects.current()
        .filter(departement_id__in=departements)
        .exclude(pk__in=local_codes)
        .exclude(codes_postaux="")
        .order_by("-population")
        .values_list(*fields)[:80]
    )
    return local, elsewhere


def _units(rng: np.random.Generator, n: int, total: int, max_units: int) -> list[int]:
    """n tickets in whole units, each 1..max_units, summing exactly to `total`."""
    raw = rng.lognormal(mean=np.log(12), sigma=1.0, size=n)
    units = np.clip(np.round(raw * total / raw.sum()), 1, max_units).astype(np.int64)
    while (gap := int(total - units.sum())) != 0:
        step = 1 if gap > 0 else -1
        room = units < max_units if step > 0 else units > 1
        pick = rng.choice(np.flatnonzero(room), size=min(abs(gap), int(room.sum())), replace=False)
        units[pick] += step
    return [int(u) for u in units]


def _people(
    rng: np.random.Generator,
    n: int,
    local: list[Any],
    elsewhere: list[Any],
    local_share: float,
    tag: str,
) -> list[dict[str, Any]]:
    def draw(pool: list[Any]) -> Any:
        weights = np.array([max(p[2], 50) for p in pool], dtype=float) ** 0.7
        return pool[int(rng.choice(len(pool), p=weights / weights.sum()))]

    people = []
    for i in range(n):
        first = FIRST[int(rng.integers(len(FIRST)))]
        last = LAST[int(rng.integers(len(LAST)))]
        pool = local if (rng.random() < local_share or not elsewhere) else elsewhere
        code, postcodes, _population = draw(pool)
        people.append(
            {
                "investor_kind": "natural",
                "name": f"{first} {last}",
                "email": f"{_ascii(first)}.{_ascii(last)}.{tag}{i}@{DEMO_DOMAIN}",
                "address": f"{int(rng.integers(1, 80))} {STREETS[int(rng.integers(len(STREETS)))]}",
                "postcode": postcodes.split()[0],
                "commune": code,
                "consent": True,
            }
        )
    return people


def _project(pole: Pole, slug: str, title: str, **values: Any) -> Any:
    """The hub's project `slug` (made by `ptce.projects.demo`); created through the projects
    service when that demo did not make it. None when it exists but is not public: a
    campaign is a public appeal."""
    from ptce.projects import services as project_services
    from ptce.projects.models import Project

    project = Project.objects.filter(pole=pole, slug=slug).first()
    if project is None:
        project = project_services.create_project(
            None, pole=pole, title=title, slug=slug, visibility="public", **values
        )
    return project if project.visibility == "public" else None


def _wind(rng: np.random.Generator) -> int:
    pole = Pole.objects.select_related("perimeter").filter(slug=WIND_HUB).first()
    if pole is None or Campaign.objects.filter(pole=pole, title=WIND_TITLE).exists():
        return 0
    project = _project(
        pole,
        WIND_PROJECT,
        "Parc éolien citoyen de Béganne",
        summary="Quatre éoliennes financées par l'épargne des habitants.",
        status="completed",
    )
    if project is None:
        return 0
    local, elsewhere = _places(pole, ("56", "35", "44"))
    if not local:
        return 0
    campaign = services.create_campaign(
        None,
        project=project,
        title=WIND_TITLE,
        description=(
            "Les habitants du pays de Redon et de Vilaine ont financé ensemble les "
            "éoliennes de Béganne : chacun a pris des actions de la société du parc, à "
            "100 € l'action. Données de démonstration : investisseurs fictifs."
        ),
        instrument="shares",
        unit_price_cents=10_000,
        minimum_cents=100_000_000,
        target_cents=180_000_000,
        cap_cents=180_000_000,
        min_ticket_cents=10_000,
        max_ticket_cents=2_000_000,
        opens_at=_at(2013, 1, 15),
        closes_at=_at(2013, 6, 30, 18),
        residency="residents_first",
        oversubscription="first_come",
        is_demo=True,
    )
    services.open_campaign(None, campaign=campaign)
    rows = _people(rng, WIND_INVESTORS, local, elsewhere, 0.86, "eol")
    for row, units in zip(rows, _units(rng, WIND_INVESTORS, WIND_TOTAL_UNITS, 200), strict=True):
        row["units"] = units
    result = services.import_subscriptions(
        None,
        campaign=campaign,
        rows=rows,
        now=_at(2013, 3, 15),
        is_demo=True,
        paid_at=_at(2013, 4, 2),
    )
    services.settle_campaign(None, campaign=campaign, now=_at(2013, 7, 1))
    return result.created


def _open(rng: np.random.Generator) -> int:
    pole = Pole.objects.select_related("perimeter").filter(slug=OPEN_HUB).first()
    if pole is None or Campaign.objects.filter(pole=pole, title=OPEN_TITLE).exists():
        return 0
    project = _project(
        pole,
        OPEN_PROJECT,
        "Rénovation du cinéma Le France",
        summary="La grande salle du cinéma coopératif rénovée avec ses spectateurs.",
        status="in_progress",
    )
    if project is None:
        return 0
    local, elsewhere = _places(pole, ("42", "69", "43"))
    if not local:
        return 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    campaign = services.create_campaign(
        None,
        project=project,
        title=OPEN_TITLE,
        description=(
            "La SCIC du cinéma Le France ouvre son capital aux spectateurs : une part "
            "sociale vaut 50 €. Les fonds servent à la rénovation de la grande salle. "
            "Démonstration : souscrivez librement, rien n'est prélevé."
        ),
        instrument="coop_shares",
        unit_price_cents=5_000,
        minimum_cents=3_000_000,
        target_cents=8_000_000,
        cap_cents=12_000_000,
        min_ticket_cents=5_000,
        max_ticket_cents=500_000,
        opens_at=now - dt.timedelta(days=14),
        closes_at=now + dt.timedelta(days=75),
        residency="all",
        oversubscription="first_come",
        is_demo=True,
    )
    services.open_campaign(None, campaign=campaign)
    rows = _people(rng, 38, local, elsewhere, 0.8, "cine")
    for row, units in zip(rows, _units(rng, 38, 700, 100), strict=True):
        row["units"] = units
    paid = services.import_subscriptions(
        None, campaign=campaign, rows=rows[:20], is_demo=True, paid_at=now - dt.timedelta(days=3)
    )
    pledged = services.import_subscriptions(None, campaign=campaign, rows=rows[20:], is_demo=True)
    return paid.created + pledged.created


@transaction.atomic
def build() -> dict[str, int]:
    """Create the demo campaigns that are missing; returns what was created."""
    rng = np.random.default_rng(SEED)
    before = Campaign.objects.count()
    subscriptions = _wind(rng) + _open(rng)
    created = {
        "campagnes de financement": Campaign.objects.count() - before,
        "souscriptions": subscriptions,
    }
    return {label: n for label, n in created.items() if n}
