"""The synergy engine: needs and offers of a hub's members turned into ranked proposals.

Pure module (no Django import). Members declare needs and offers (`Item`): a kind and a
category of `KINDS`, an optional quantity with its unit (`ptce.cooperation.units`) and
periodicity, an optional period, the place of the establishment, how far the member will
go, a price intent and, for needs, what the member pays today. Three detectors propose:

* `detect_exchanges`: an offer meets a need (`exchange`);
* `detect_pooling`: members with similar needs close together (`pooling`);
* `ptce.cooperation.prospects.detect_prospects`: directory organisations, not yet members,
  whose activity usually offers or needs what members need or offer (`prospect`).

`run_all` runs the three and ranks the proposals together. Each `Proposal` has a score in
[0, 1] (rounded to `SCORE_DIGITS` decimals), the reasons behind it (`Reason`: a code of
`REASON_MESSAGES` and the figures its French message needs, rounded half to even as
`numpy.round` does: km and percentages to 0.1, quantities to 0.001), and the ids of the
items it involves: confidentiality is not decided here, the app hides a proposal from a
viewer who may not see one of its items. Ranking (`rank`) is by score, highest first, then by item
ids, organisations and kind: the same data gives the same list in any input order.

Common rules
------------
* Distances are great-circle distances (`haversine_km`, the formula of
  `ptce.territories.geo.distance_km`). A pair is within reach when the distance is at most
  each side's `max_km` (None: no limit).
* Periods are inclusive dates, None meaning open-ended. An open bound takes the other
  side's bound ("available since whenever" meets "needed from 1 March" on 1 March); the
  periods must then share at least one day.
* Quantities are compared in the base unit per year (`units.per_year(units.to_base(...))`).
  Two items whose units do not convert are never matched nor pooled; an item without a
  unit matches any unit (its quantity is unknown).
* The same organisation is never matched with itself.

Exchange: an offer and a need of the same kind and category, within reach of both, with
units that convert, periods that overlap and, when both quantities are known, an offer of
at least `MIN_COVERAGE` of the need. Score (weights sum to 1)::

    W_DISTANCE × proximity + W_QUANTITY × fit + W_PERIOD × share + W_PRICE × price

* proximity: 1 − km / limit with limit the smaller `max_km` (1 when the limit is 0);
  without a limit on either side, `DISTANCE_REFERENCE_KM` / (`DISTANCE_REFERENCE_KM` + km);
* fit: smaller quantity / larger quantity; `QUANTITY_UNKNOWN_SCORE` when one is unknown;
* share: days in common / days of the need's period (open bounds clipped as above), 1
  when the common period has no start or no end;
* price: `PRICE_COMPATIBILITY[need's intent, offer's intent]`.

Pooling: needs of the same kind and category from distinct organisations. Two needs are
neighbours when they are within `radius_km` of each other and within both `max_km`, their
periods overlap and their units convert (or one has none). Pools are formed greedily,
deterministically: needs are taken as seeds by decreasing number of distinct neighbouring
organisations, then by item id; a seed not yet pooled gathers, for each other
organisation, its nearest neighbouring need not yet pooled (ties: lowest id) whose unit
converts with the pool's (the seed's, or for a seed without a unit, that of its nearest
gathered need with one); when that makes at least `min_members` organisations, the pool
is kept and its needs are used up. Every member is thus within `radius_km` of the seed,
the natural host of the shared resource, and all units in a pool convert. Score::

    W_POOL_PROXIMITY × (1 − mean km to the seed / radius_km)   (1 when radius_km is 0)
    + W_POOL_SIZE × min(1, (members − 1) / (POOL_FULL_SIZE − 1))
    + W_POOL_PERIOD × mean share of the shorter period shared with the seed (1 if open)
    + W_POOL_QUANTITY × smallest / largest quantity (QUANTITY_UNKNOWN_SCORE if one is unknown)

The estimated saving applies `POOLING_SAVING_RATES_BP` (economies of scale: 20 % of the
costs for 2 members, 25 % for 3, 30 % for 4, 35 % from 5 on) to the yearly costs declared
by the members (`cost_cents_per_year`); None when no member declared one.

Speed: items are grouped by kind and category; within a group, pairs within reach are
found from chunked matrix products of unit vectors (cosine of the angle against the
cosine of the reach, with a safety margin), so no Python loop runs over pairs that are
not within reach. The pairs found are then measured exactly with `haversine_km`, so that
the answer is exactly the one of a plain double loop over the items.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, Literal, NamedTuple, get_args

import numpy as np
from numpy.typing import NDArray

from ptce.cooperation import units
from ptce.territories.geo import EARTH_RADIUS_KM

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ptce.cooperation.prospects import Candidate, NafKinds

__all__ = [
    "CONFIDENTIALITIES",
    "DISTANCE_REFERENCE_KM",
    "KINDS",
    "MIN_COVERAGE",
    "POOLING_RADIUS_KM",
    "POOLING_SAVING_RATES_BP",
    "POOL_FULL_SIZE",
    "PRICE_COMPATIBILITY",
    "PRICE_INTENTS",
    "QUANTITY_UNKNOWN_SCORE",
    "REASON_MESSAGES",
    "SCORE_DIGITS",
    "DeclarationError",
    "Item",
    "Kind",
    "Proposal",
    "Reason",
    "category_label",
    "detect_exchanges",
    "detect_pooling",
    "gc_paused",
    "haversine_km",
    "pooling_saving_rate_bp",
    "rank",
    "rank_key",
    "run_all",
]

Side = Literal["need", "offer"]
PriceIntent = Literal["free", "at_cost", "market"]
Confidentiality = Literal["public", "members", "coordinators"]
ProposalKind = Literal["exchange", "pooling", "prospect"]
ParamValue = str | int | float


# ----------------------------------------------------------------------------- reference


class Kind(NamedTuple):
    label: str
    categories: dict[str, str]  # code -> French label


KINDS: Final[dict[str, Kind]] = {
    "premises": Kind(
        "Locaux et espaces",
        {
            "office": "Bureaux",
            "meeting_room": "Salle de réunion",
            "workshop": "Atelier",
            "storage": "Stockage et entrepôt",
            "cold_room": "Chambre froide",
            "kitchen": "Cuisine professionnelle",
            "shop": "Local commercial",
            "event_space": "Salle polyvalente",
        },
    ),
    "equipment": Kind(
        "Équipements et machines",
        {
            "machine_tools": "Machines-outils",
            "agricultural": "Matériel agricole",
            "construction": "Matériel de chantier",
            "handling": "Manutention",
            "kitchen": "Matériel de cuisine",
            "it": "Matériel informatique",
            "printing": "Impression et reprographie",
        },
    ),
    "vehicles": Kind(
        "Véhicules",
        {
            "van": "Véhicule utilitaire",
            "truck": "Poids lourd",
            "refrigerated": "Véhicule frigorifique",
            "minibus": "Minibus",
            "car": "Voiture",
            "cargo_bike": "Vélo cargo",
        },
    ),
    "skills": Kind(
        "Compétences et expertise",
        {
            "accounting": "Comptabilité et gestion",
            "legal": "Juridique",
            "hr": "Ressources humaines",
            "communication": "Communication et marketing",
            "digital": "Numérique",
            "engineering": "Ingénierie et études",
            "environment": "Énergie et environnement",
            "training": "Formation",
        },
    ),
    "staff_time": Kind(
        "Temps de travail",
        {
            "administrative": "Secrétariat et administration",
            "maintenance": "Maintenance et entretien",
            "logistics": "Logistique et manutention",
            "cleaning": "Nettoyage",
            "reception": "Accueil",
            "driving": "Conduite",
            "seasonal": "Renfort saisonnier",
        },
    ),
    "group_purchasing": Kind(
        "Achats groupés",
        {
            "food": "Denrées alimentaires",
            "office_supplies": "Fournitures de bureau",
            "packaging": "Emballages",
            "raw_materials": "Matières premières",
            "cleaning_products": "Produits d'entretien",
            "insurance": "Assurances",
            "telecom": "Télécommunications",
        },
    ),
    "services": Kind(
        "Services",
        {
            "transport": "Transport de marchandises",
            "cleaning": "Nettoyage",
            "catering": "Restauration",
            "maintenance": "Maintenance et réparation",
            "it_services": "Services informatiques",
            "security": "Gardiennage et sécurité",
            "printing": "Impression",
            "waste_collection": "Collecte des déchets",
        },
    ),
    "material_flows": Kind(
        "Flux de matières et déchets",
        {
            "biowaste": "Biodéchets",
            "green_waste": "Déchets verts",
            "rubble": "Gravats et inertes",
            "wood": "Bois",
            "cardboard_paper": "Papiers et cartons",
            "plastics": "Plastiques",
            "metals": "Métaux",
            "textiles": "Textiles",
            "glass": "Verre",
            "food_surplus": "Invendus alimentaires",
            "building_materials": "Matériaux de réemploi",
            "compost": "Compost et amendements",
            "pallets": "Palettes",
            "used_oils": "Huiles usagées",
        },
    ),
    "energy": Kind(
        "Énergie",
        {
            "electricity": "Électricité",
            "heat": "Chaleur (dont chaleur fatale)",
            "cold": "Froid",
            "biogas": "Biogaz",
            "wood_fuel": "Bois énergie",
        },
    ),
    "land": Kind(
        "Foncier",
        {
            "farmland": "Terres agricoles",
            "building_land": "Terrain à bâtir",
            "brownfield": "Friche",
            "storage_yard": "Aire de stockage extérieure",
        },
    ),
    "data_software": Kind(
        "Données et logiciels",
        {
            "software": "Logiciels",
            "data": "Données",
            "hosting": "Hébergement informatique",
        },
    ),
}

PRICE_INTENTS: Final[dict[PriceIntent, str]] = {
    "free": "gratuit",
    "at_cost": "à prix coûtant",
    "market": "au prix du marché",
}
CONFIDENTIALITIES: Final[dict[Confidentiality, str]] = {
    "public": "public",
    "members": "membres du pôle",
    "coordinators": "coordination seulement",
}

# (what the need is willing to pay, what the offer asks) -> compatibility in [0, 1]:
# a need that pays at least what the offer asks is fully compatible; one step short (free
# against at cost, at cost against market) leaves room to negotiate; free against market
# does not, though the pair is still proposed (price is a score, not a filter).
PRICE_COMPATIBILITY: Final[dict[tuple[PriceIntent, PriceIntent], float]] = {
    ("free", "free"): 1.0,
    ("free", "at_cost"): 0.4,
    ("free", "market"): 0.0,
    ("at_cost", "free"): 1.0,
    ("at_cost", "at_cost"): 1.0,
    ("at_cost", "market"): 0.5,
    ("market", "free"): 1.0,
    ("market", "at_cost"): 1.0,
    ("market", "market"): 1.0,
}

SCORE_DIGITS: Final = 6
MIN_COVERAGE: Final = 0.1  # an offer must bring at least 10 % of the need's quantity
QUANTITY_UNKNOWN_SCORE: Final = 0.5  # neutral fit when a quantity is not known
DISTANCE_REFERENCE_KM: Final = 25.0  # proximity 0.5 at 25 km when neither side has a limit
W_DISTANCE: Final = 0.35
W_QUANTITY: Final = 0.25
W_PERIOD: Final = 0.2
W_PRICE: Final = 0.2

POOLING_RADIUS_KM: Final = 10.0
POOL_FULL_SIZE: Final = 5  # a pool of 5 organisations or more scores 1 on size
# economies of scale: share of the members' yearly costs saved, in basis points, by
# number of organisations in the pool (the last figure holds for larger pools)
POOLING_SAVING_RATES_BP: Final[dict[int, int]] = {2: 2000, 3: 2500, 4: 3000, 5: 3500}
W_POOL_PROXIMITY: Final = 0.35
W_POOL_SIZE: Final = 0.25
W_POOL_PERIOD: Final = 0.2
W_POOL_QUANTITY: Final = 0.2


def pooling_saving_rate_bp(members: int) -> int:
    """Share of the yearly costs a pool of `members` organisations saves, in basis points."""
    if members < 2:
        return 0
    return POOLING_SAVING_RATES_BP[min(members, max(POOLING_SAVING_RATES_BP))]


def category_label(kind: str, category: str) -> str:
    """`Véhicules — Poids lourd`."""
    entry = KINDS[kind]
    return f"{entry.label} — {entry.categories[category]}"


# ------------------------------------------------------------------------- declarations


class DeclarationError(ValueError):
    """A need, an offer or a candidate that cannot be used, with a French message."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Item:
    """A need or an offer declared by a member organisation for one of its establishments."""

    id: int
    organisation: int
    side: Side
    kind: str
    category: str
    lat: float
    lon: float
    quantity: float | None = None
    unit: str | None = None
    periodicity: units.Periodicity = "once"
    start: date | None = None
    end: date | None = None
    max_km: float | None = None  # how far the member will go; None: no limit
    price_intent: PriceIntent = "market"
    cost_cents_per_year: int | None = None  # what the need costs the member today
    confidentiality: Confidentiality = "members"  # decided by the app, kept for it

    def __post_init__(self) -> None:
        def fail(field: str, rule: str) -> DeclarationError:
            return DeclarationError(f"Déclaration {self.id} : {rule} (champ « {field} »).")

        for field in ("id", "organisation"):
            if not isinstance(getattr(self, field), int):
                raise fail(field, "identifiant entier attendu")
        if self.side not in ("need", "offer"):
            raise fail("side", f"sens « {self.side} » inconnu, « need » ou « offer » attendu")
        kind = KINDS.get(self.kind)
        if kind is None:
            raise fail("kind", f"type « {self.kind} » inconnu")
        if self.category not in kind.categories:
            raise fail("category", f"catégorie « {self.category} » inconnue pour « {kind.label} »")
        if not (isinstance(self.lat, int | float) and -90.0 <= self.lat <= 90.0):
            raise fail("lat", "latitude entre -90 et 90 attendue")
        if not (isinstance(self.lon, int | float) and -180.0 <= self.lon <= 180.0):
            raise fail("lon", "longitude entre -180 et 180 attendue")
        if self.unit is not None:
            try:
                units.get_unit(self.unit)
            except units.UnitError as error:
                raise fail("unit", str(error).rstrip(".")) from None
        if self.quantity is not None:
            if not (isinstance(self.quantity, int | float) and 0 < self.quantity < float("inf")):
                raise fail("quantity", "quantité strictement positive attendue")
            if self.unit is None:
                raise fail("unit", "une quantité doit avoir une unité")
        if self.periodicity not in units.PERIODICITIES:
            raise fail("periodicity", f"périodicité « {self.periodicity} » inconnue")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise fail("end", "la fin de la période précède son début")
        if self.max_km is not None and not (
            isinstance(self.max_km, int | float) and 0 <= self.max_km < float("inf")
        ):
            raise fail("max_km", "distance maximale positive ou nulle attendue")
        if self.price_intent not in PRICE_INTENTS:
            raise fail("price_intent", f"intention de prix « {self.price_intent} » inconnue")
        if self.cost_cents_per_year is not None and not (
            isinstance(self.cost_cents_per_year, int) and self.cost_cents_per_year >= 0
        ):
            raise fail("cost_cents_per_year", "coût annuel en centimes, entier positif attendu")
        if self.confidentiality not in CONFIDENTIALITIES:
            raise fail("confidentiality", f"confidentialité « {self.confidentiality} » inconnue")


# --------------------------------------------------------------------------- proposals


class Reason(NamedTuple):
    """Why a proposal is made: a code of `REASON_MESSAGES` and the figures its message
    needs (as `ptce.actors.classification` does). Treat `params` as read-only."""

    code: str
    params: dict[str, ParamValue]

    @classmethod
    def of(cls, code: str, **params: ParamValue) -> Reason:
        return cls(code, params)

    @property
    def message(self) -> str:
        """The French sentence (the app wraps the template with gettext)."""
        return REASON_MESSAGES[self.code] % self.params


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed exchange, pool or prospect.

    `item_ids` are sorted, except for an exchange: (need, offer). For exchanges and pools,
    `organisations` are those of `item_ids`, position by position; for a prospect, the
    candidate organisation comes first, then the organisations of `item_ids`.
    """

    kind: ProposalKind
    item_ids: tuple[int, ...]
    organisations: tuple[int, ...]
    score: float
    reasons: tuple[Reason, ...]
    saving_cents: int | None = None


REASON_MESSAGES: Final[dict[str, str]] = {
    "distance": (
        "À %(km)s km, dans la limite de %(limit_km)s km que s'est fixée chaque partie "
        "(proximité %(score_pct)s %%)."
    ),
    "distance_unlimited": (
        "À %(km)s km ; aucune distance maximale n'est déclarée (proximité %(score_pct)s %%)."
    ),
    "quantity_fit": (
        "Quantités comparables : %(need)s %(unit)s%(per)s demandés, %(offer)s %(unit)s%(per)s "
        "proposés (rapport %(ratio_pct)s %%)."
    ),
    "quantity_unknown": (
        "Quantité non précisée d'un côté au moins (score neutre de %(score_pct)s %%)."
    ),
    "period_overlap": (
        "%(overlap_days)s jours en commun, soit %(share_pct)s %% de la période du besoin."
    ),
    "period_open": (
        "Périodes compatibles, sans date de début ou de fin commune "
        "(%(share_pct)s %% de la période du besoin)."
    ),
    "price": (
        "Prix : le besoin est prêt à payer %(need_label)s, l'offre est proposée "
        "%(offer_label)s (compatibilité %(score_pct)s %%)."
    ),
    "pool_members": (
        "%(count)s organisations distinctes ont ce besoin (taille du groupe %(score_pct)s %%)."
    ),
    "pool_distance": (
        "Toutes à moins de %(radius_km)s km du besoin central : au plus %(max_km)s km, "
        "%(mean_km)s km en moyenne (proximité %(score_pct)s %%)."
    ),
    "pool_period": (
        "Périodes partagées avec le besoin central : en moyenne %(share_pct)s %% de la plus "
        "courte des deux."
    ),
    "pool_quantity": (
        "Besoins de %(min)s à %(max)s %(unit)s%(per)s, %(total)s %(unit)s%(per)s au total "
        "(rapport %(ratio_pct)s %%)."
    ),
    "saving": (
        "Économie estimée : %(euros)s € par an, %(rate_pct)s %% des coûts annuels déclarés "
        "par %(known)s des %(count)s organisations."
    ),
    "saving_unknown": (
        "Économie non estimée : aucune des %(count)s organisations n'a déclaré son coût annuel."
    ),
    "prospect_activity": (
        "Activité principale %(naf)s, rattachée à l'entrée « %(entry)s » (%(level)s) de la "
        "table des activités (précision %(score_pct)s %%)."
    ),
    "prospect_offers": (
        "Son activité offre habituellement « %(label)s », que demandent %(count)s besoin(s) "
        "de membres à sa portée."
    ),
    "prospect_needs": (
        "Son activité a habituellement besoin de « %(label)s », que proposent %(count)s "
        "offre(s) de membres à sa portée."
    ),
    "prospect_reach": (
        "%(count)s déclaration(s) de membres la concernent à leur distance maximale "
        "(étendue %(score_pct)s %%)."
    ),
}


def rank_key(proposal: Proposal) -> tuple[float, tuple[int, ...], tuple[int, ...], str]:
    return (-proposal.score, proposal.item_ids, proposal.organisations, proposal.kind)


def rank(proposals: Sequence[Proposal]) -> list[Proposal]:
    """Highest score first; then by item ids, organisations and kind (a total order)."""
    return sorted(proposals, key=rank_key)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while proposals are built: they are hundreds of
    thousands of small tuples, none in a cycle, and each collection would walk them all
    again (it made the build four times slower). Restored on exit, even on error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_all(
    items: Sequence[Item],
    candidates: Sequence[Candidate] = (),
    naf_kinds: Mapping[str, NafKinds] | None = None,
    *,
    radius_km: float = POOLING_RADIUS_KM,
    min_members: int = 2,
) -> list[Proposal]:
    """Exchanges, pools and prospects, ranked together. `candidates` and `naf_kinds` are
    those of `prospects.detect_prospects` (`naf_kinds` None: the table shipped with ptce)."""
    # prospects builds on this module: imported here to keep the dependency one-way
    from ptce.cooperation import prospects

    mapping = prospects.load_naf_kinds() if naf_kinds is None else naf_kinds
    with gc_paused():
        table = item_table(items)
        found = _exchanges(table)
        found += _pools(table, radius_km, min_members)
        found += prospects.prospects_of(table, candidates, mapping)
        return rank(found)


def detect_exchanges(items: Sequence[Item]) -> list[Proposal]:
    """Offers meeting needs (see the module docstring), ranked."""
    with gc_paused():
        return rank(_exchanges(item_table(items)))


def detect_pooling(
    items: Sequence[Item], *, radius_km: float = POOLING_RADIUS_KM, min_members: int = 2
) -> list[Proposal]:
    """Pools of similar needs of distinct organisations close together, ranked."""
    with gc_paused():
        return rank(_pools(item_table(items), radius_km, min_members))


# ------------------------------------------------------------------------ the item table

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]

OPEN_START: Final = 0  # day ordinal standing for "no start" (date.min is 1)
OPEN_END: Final = date.max.toordinal() + 1  # "no end"
_INF: Final = float("inf")
_SLACK: Final = 1e-12  # margin on cosines: the matrix filter keeps a superset of the pairs
_CHUNK_ELEMENTS: Final = 1 << 21  # pairs tested at a time (16 MiB of float64)
_GROUPS: Final[dict[tuple[str, str], int]] = {
    (kind, category): index
    for index, (kind, category) in enumerate(
        (k, c) for k, entry in KINDS.items() for c in entry.categories
    )
}
GROUP_KEYS: Final[tuple[tuple[str, str], ...]] = tuple(_GROUPS)
_FAMILY_CODES: Final = tuple(dict.fromkeys(units.comparable_key(u.code) for u in units.UNITS))
_UNIT_FAMILY: Final[dict[str | None, int]] = {
    None: -1,
    **{u.code: _FAMILY_CODES.index(units.comparable_key(u.code)) for u in units.UNITS},
}
_PRICE_CODES: Final[dict[str, int]] = {code: i for i, code in enumerate(get_args(PriceIntent))}
_PRICE_TABLE: Final = np.array(
    [[PRICE_COMPATIBILITY[(n, o)] for o in get_args(PriceIntent)] for n in get_args(PriceIntent)]
)


@dataclass(frozen=True)
class ItemTable:
    """Columns of the items, index by index (internal to the engine and `prospects`)."""

    items: Sequence[Item]
    ids: I64
    organisation: I64
    need: NDArray[np.bool_]
    group: I64  # index of (kind, category) in GROUP_KEYS
    family: I64  # unit family, -1 without a unit
    quantity: F64  # base unit per year, NaN when unknown
    recurring: NDArray[np.bool_]
    start: I64  # day ordinals, OPEN_START / OPEN_END when open
    end: I64
    limit: F64  # max_km, inf without a limit
    lon: F64
    lat: F64
    xyz: F64  # unit vectors, n x 3
    price: I64


def item_table(items: Sequence[Item]) -> ItemTable:
    ids = np.fromiter((i.id for i in items), dtype=np.int64, count=len(items))
    if len(np.unique(ids)) != len(ids):
        values, counts = np.unique(ids, return_counts=True)
        duplicated = ", ".join(str(v) for v in values[counts > 1][:5].tolist())
        raise DeclarationError(f"Identifiants de déclaration en double : {duplicated}.")
    lon = np.array([i.lon for i in items], dtype=np.float64)
    lat = np.array([i.lat for i in items], dtype=np.float64)
    return ItemTable(
        items=items,
        ids=ids,
        organisation=np.array([i.organisation for i in items], dtype=np.int64),
        need=np.array([i.side == "need" for i in items], dtype=np.bool_),
        group=np.array([_GROUPS[(i.kind, i.category)] for i in items], dtype=np.int64),
        family=np.array([_UNIT_FAMILY[i.unit] for i in items], dtype=np.int64),
        quantity=np.array(
            [
                np.nan
                if i.quantity is None or i.unit is None
                else units.per_year(units.to_base(i.quantity, i.unit), i.periodicity)
                for i in items
            ],
            dtype=np.float64,
        ),
        recurring=np.array([i.periodicity != "once" for i in items], dtype=np.bool_),
        start=np.array(
            [OPEN_START if i.start is None else i.start.toordinal() for i in items], dtype=np.int64
        ),
        end=np.array(
            [OPEN_END if i.end is None else i.end.toordinal() for i in items], dtype=np.int64
        ),
        limit=np.array(
            [np.inf if i.max_km is None else float(i.max_km) for i in items], dtype=np.float64
        ),
        lon=lon,
        lat=lat,
        xyz=unit_vectors(lon, lat),
        price=np.array([_PRICE_CODES[i.price_intent] for i in items], dtype=np.int64),
    )


def unit_vectors(lon: F64, lat: F64) -> F64:
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def cos_reach(km: F64) -> F64:
    """Lowest cosine of the angle between two points within `km` (inf: -2, anything goes),
    lowered by a margin far above rounding errors."""
    angle = np.minimum(km / EARTH_RADIUS_KM, np.pi)
    return np.where(np.isinf(km), -2.0, np.cos(angle) - _SLACK)


def close_pairs(
    xyz_a: F64, cos_a: F64, xyz_b: F64, cos_b: F64, *, upper: bool = False
) -> tuple[I64, I64]:
    """Positions (i, j) of the pairs whose cosine is at least both cos_a[i] and cos_b[j]:
    a superset of the pairs within both reaches. `upper`: a and b are the same points and
    only pairs i < j are returned."""
    found_a: list[I64] = []
    found_b: list[I64] = []
    rows = max(1, _CHUNK_ELEMENTS // max(1, len(xyz_b)))
    for first in range(0, len(xyz_a), rows):
        last = min(first + rows, len(xyz_a))
        offset = first if upper else 0
        cosine = xyz_a[first:last] @ xyz_b[offset:].T
        near = (cosine >= cos_a[first:last, None]) & (cosine >= cos_b[None, offset:])
        i, j = np.nonzero(near)
        i, j = i + first, j + offset
        if upper:
            keep = i < j
            i, j = i[keep], j[keep]
        found_a.append(i.astype(np.int64))
        found_b.append(j.astype(np.int64))
    if not found_a:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(found_a), np.concatenate(found_b)


def haversine_km(lon_a: F64, lat_a: F64, lon_b: F64, lat_b: F64) -> F64:
    """`ptce.territories.geo.distance_km`, element by element: the same haversine formula
    and radius, with numpy's trigonometry (within 1e-12 km of the math module's). Each
    result depends only on its own inputs, not on the length of the arrays, so a loop
    calling it on single values gets the very same figures."""
    phi_a, phi_b = np.radians(lat_a), np.radians(lat_b)
    h = (
        np.sin((phi_b - phi_a) / 2) ** 2
        + np.cos(phi_a) * np.cos(phi_b) * np.sin(np.radians(lon_b - lon_a) / 2) ** 2
    )
    km: F64 = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
    return km


def clipped_periods(start_a: I64, end_a: I64, start_b: I64, end_b: I64) -> tuple[I64, ...]:
    """(days in common, days of a, days of b, common period open: 1 or 0) once each open
    bound has taken the other side's bound; days in common < 1 when the periods do not
    meet. When the common period is open, the day counts are meaningless."""
    sa = np.where(start_a == OPEN_START, start_b, start_a)
    sb = np.where(start_b == OPEN_START, start_a, start_b)
    ea = np.where(end_a == OPEN_END, end_b, end_a)
    eb = np.where(end_b == OPEN_END, end_a, end_b)
    low, high = np.maximum(sa, sb), np.minimum(ea, eb)
    open_ = ((low == OPEN_START) | (high == OPEN_END)).astype(np.int64)
    return high - low + 1, ea - sa + 1, eb - sb + 1, open_


def proximity(km: F64, limit: F64) -> F64:
    """1 − km / limit (1 when the limit is 0); reference decay without a limit."""
    with np.errstate(divide="ignore", invalid="ignore"):
        bounded = np.where(limit > 0, 1.0 - km / limit, 1.0)
    return np.where(np.isinf(limit), DISTANCE_REFERENCE_KM / (DISTANCE_REFERENCE_KM + km), bounded)


def scores(raw: F64) -> F64:
    """Scores clipped to [0, 1] and rounded to SCORE_DIGITS (numpy.round: half to even)."""
    clipped: F64 = np.minimum(np.maximum(raw, 0.0), 1.0)
    return np.round(clipped, SCORE_DIGITS)


def pcts(share: F64) -> F64:
    """Shares as percentages to 0.1 (numpy.round)."""
    return np.round(100.0 * share, 1)


def rnd(value: float, digits: int) -> float:
    """A figure of a reason, rounded as numpy.round does (the arrays are rounded alike)."""
    return float(np.round(value, digits))


def final_score(raw: float) -> float:
    return rnd(min(1.0, max(0.0, raw)), SCORE_DIGITS)


def pct(share: float) -> float:
    return rnd(100.0 * share, 1)


def group_indices(group: I64) -> list[NDArray[np.intp]]:
    """Indices of each distinct value of `group`, by value."""
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    return [part for part in np.split(order, bounds) if len(part)]


# ----------------------------------------------------------------------------- exchanges


def _exchanges(t: ItemTable) -> list[Proposal]:
    reach = cos_reach(t.limit)
    needs_found: list[I64] = []
    offers_found: list[I64] = []
    for members in group_indices(t.group):
        needs, offers = members[t.need[members]], members[~t.need[members]]
        if len(needs) and len(offers):
            i, j = close_pairs(t.xyz[needs], reach[needs], t.xyz[offers], reach[offers])
            needs_found.append(needs[i])
            offers_found.append(offers[j])
    if not needs_found:
        return []
    n, o = np.concatenate(needs_found), np.concatenate(offers_found)
    overlap, need_days, _, open_ = clipped_periods(t.start[n], t.end[n], t.start[o], t.end[o])
    qn, qo = t.quantity[n], t.quantity[o]
    keep = (
        (t.organisation[n] != t.organisation[o])
        & ((t.family[n] == t.family[o]) | (t.family[n] < 0) | (t.family[o] < 0))
        & (overlap >= 1)
        & ~(qo < MIN_COVERAGE * qn)  # NaN (unknown) compares false: kept
    )
    n, o, overlap, need_days, open_ = n[keep], o[keep], overlap[keep], need_days[keep], open_[keep]
    km = haversine_km(t.lon[n], t.lat[n], t.lon[o], t.lat[o])
    limit = np.minimum(t.limit[n], t.limit[o])
    keep = km <= limit
    n, o, overlap, need_days, open_ = n[keep], o[keep], overlap[keep], need_days[keep], open_[keep]
    km, limit = km[keep], limit[keep]

    s_distance = proximity(km, limit)
    qn, qo = t.quantity[n], t.quantity[o]
    known = ~np.isnan(qn) & ~np.isnan(qo)
    with np.errstate(invalid="ignore"):
        ratio = np.minimum(qn, qo) / np.maximum(qn, qo)
    s_quantity = np.where(known, ratio, QUANTITY_UNKNOWN_SCORE)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_period = np.where(open_ == 1, 1.0, overlap / need_days)
    price = t.price[n] * len(PRICE_INTENTS) + t.price[o]
    s_price = _PRICE_TABLE.ravel()[price]
    score = W_DISTANCE * s_distance + W_QUANTITY * s_quantity + W_PERIOD * s_period
    score = score + W_PRICE * s_price

    # the reasons that do not depend on the pair are built once
    ids, organisation = t.ids.tolist(), t.organisation.tolist()
    base = [units.base_unit(i.unit) if i.unit is not None else "" for i in t.items]
    per = np.where(t.recurring[n] | t.recurring[o], " par an", "").tolist()
    unknown = Reason.of("quantity_unknown", score_pct=pct(QUANTITY_UNKNOWN_SCORE))
    open_period = Reason.of("period_open", share_pct=pct(1.0))
    price_reasons = [
        Reason.of(
            "price",
            need=need,
            offer=offer,
            need_label=PRICE_INTENTS[need],
            offer_label=PRICE_INTENTS[offer],
            score_pct=pct(PRICE_COMPATIBILITY[(need, offer)]),
        )
        for need in PRICE_INTENTS
        for offer in PRICE_INTENTS
    ]
    proposals: list[Proposal] = []
    append = proposals.append
    for ni, oi, d, lim, sd, k, q1, q2, pr, rq, ov, op, sp, ps, sc in zip(
        n.tolist(),
        o.tolist(),
        np.round(km, 1).tolist(),
        limit.tolist(),
        pcts(s_distance).tolist(),
        known.tolist(),
        np.round(qn, 3).tolist(),
        np.round(qo, 3).tolist(),
        per,
        pcts(s_quantity).tolist(),
        overlap.tolist(),
        open_.tolist(),
        pcts(s_period).tolist(),
        price.tolist(),
        scores(score).tolist(),
        strict=True,
    ):
        distance = (
            Reason("distance_unlimited", {"km": d, "score_pct": sd})
            if lim == _INF
            else Reason("distance", {"km": d, "limit_km": lim, "score_pct": sd})
        )
        quantity = (
            Reason(
                "quantity_fit",
                {"need": q1, "offer": q2, "unit": base[ni], "per": pr, "ratio_pct": rq},
            )
            if k
            else unknown
        )
        period = (
            open_period if op else Reason("period_overlap", {"overlap_days": ov, "share_pct": sp})
        )
        append(
            Proposal(
                "exchange",
                (ids[ni], ids[oi]),
                (organisation[ni], organisation[oi]),
                sc,
                (distance, quantity, period, price_reasons[ps]),
            )
        )
    return proposals


# ------------------------------------------------------------------------------- pooling


def _euros(cents: int) -> str:
    """`123456` -> `1 234,56` (narrow no-break space between thousands)."""
    return f"{cents // 100:,}".replace(",", "\u202f") + f",{cents % 100:02d}"


def _pools(t: ItemTable, radius_km: float, min_members: int) -> list[Proposal]:
    if not (isinstance(radius_km, int | float) and 0 <= radius_km < float("inf")):
        raise DeclarationError("Le rayon de mutualisation doit être un nombre de km positif.")
    if not (isinstance(min_members, int) and min_members >= 2):
        raise DeclarationError("Une mutualisation réunit au moins 2 organisations.")
    reach_km = np.minimum(t.limit, float(radius_km))
    reach = cos_reach(reach_km)
    needs = np.flatnonzero(t.need)
    found_a: list[I64] = []
    found_b: list[I64] = []
    for part in group_indices(t.group[needs]):
        members = needs[part]
        if len(members) > 1:
            i, j = close_pairs(
                t.xyz[members], reach[members], t.xyz[members], reach[members], upper=True
            )
            found_a.append(members[i])
            found_b.append(members[j])
    if not found_a:
        return []
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    overlap, days_a, days_b, open_ = clipped_periods(t.start[a], t.end[a], t.start[b], t.end[b])
    keep = (
        (t.organisation[a] != t.organisation[b])
        & ((t.family[a] == t.family[b]) | (t.family[a] < 0) | (t.family[b] < 0))
        & (overlap >= 1)
    )
    a, b = a[keep], b[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(open_ == 1, 1.0, overlap / np.minimum(days_a, days_b))[keep]
    km = haversine_km(t.lon[a], t.lat[a], t.lon[b], t.lat[b])
    keep = km <= np.minimum(reach_km[a], reach_km[b])
    a, b, km, share = a[keep], b[keep], km[keep], share[keep]

    # both directions, each seed's neighbours by distance then item id
    src, dst = np.concatenate((a, b)), np.concatenate((b, a))
    km, share = np.concatenate((km, km)), np.concatenate((share, share))
    order = np.lexsort((t.ids[dst], km, src))
    src, dst, km, share = src[order], dst[order], km[order], share[order]
    first = np.searchsorted(src, np.arange(len(t.ids) + 1))
    # seeds by decreasing number of distinct neighbouring organisations, then by id
    pairs = np.unique(np.column_stack((src, t.organisation[dst])), axis=0)
    degree = np.bincount(pairs[:, 0], minlength=len(t.ids))
    seeds = np.flatnonzero(degree >= min_members - 1)
    seeds = seeds[np.lexsort((t.ids[seeds], -degree[seeds]))]

    used = np.zeros(len(t.ids), dtype=np.bool_)
    organisation, family = t.organisation.tolist(), t.family.tolist()
    proposals: list[Proposal] = []
    for seed in seeds.tolist():
        if used[seed]:
            continue
        lo, hi = first[seed], first[seed + 1]
        free = ~used[dst[lo:hi]]
        chosen: dict[int, tuple[int, float, float]] = {}
        pool_family = family[seed]
        for member, d, s in zip(
            dst[lo:hi][free].tolist(),
            km[lo:hi][free].tolist(),
            share[lo:hi][free].tolist(),
            strict=True,
        ):
            if family[member] >= 0:
                if pool_family < 0:
                    pool_family = family[member]  # a seed without a unit takes its nearest's
                elif family[member] != pool_family:
                    continue
            chosen.setdefault(organisation[member], (member, d, s))
        if len(chosen) + 1 < min_members:
            continue
        pool = sorted(chosen.values(), key=lambda m: t.items[m[0]].id)
        used[seed] = True
        used[[m[0] for m in pool]] = True
        proposals.append(_pool_proposal(t, seed, pool, float(radius_km)))
    return proposals


def _pool_proposal(
    t: ItemTable, seed: int, pool: list[tuple[int, float, float]], radius_km: float
) -> Proposal:
    """The proposal of a seed and its members (index, km to the seed, period share), the
    members sorted by item id: sums run in that order."""
    everyone = sorted([seed, *(m[0] for m in pool)], key=lambda i: t.items[i].id)
    count = len(everyone)
    distances = [m[1] for m in pool]
    mean_km = sum(distances) / len(distances)
    s_proximity = 1.0 - mean_km / radius_km if radius_km > 0 else 1.0
    s_size = min(1.0, (count - 1) / (POOL_FULL_SIZE - 1))
    s_period = sum(m[2] for m in pool) / len(pool)
    quantities = [float(t.quantity[i]) for i in everyone]
    if any(q != q for q in quantities):  # NaN: unknown
        s_quantity = QUANTITY_UNKNOWN_SCORE
        quantity = Reason.of("quantity_unknown", score_pct=pct(s_quantity))
    else:
        s_quantity = min(quantities) / max(quantities)
        unit = t.items[seed].unit
        assert unit is not None
        quantity = Reason.of(
            "pool_quantity",
            min=rnd(min(quantities), 3),
            max=rnd(max(quantities), 3),
            total=rnd(sum(quantities), 3),
            unit=units.base_unit(unit),
            per=" par an" if bool(t.recurring[everyone].any()) else "",
            ratio_pct=pct(s_quantity),
        )
    costs = [c for i in everyone if (c := t.items[i].cost_cents_per_year) is not None]
    rate = pooling_saving_rate_bp(count)
    saving = sum(costs) * rate // 10_000 if costs else None
    raw = W_POOL_PROXIMITY * s_proximity + W_POOL_SIZE * s_size + W_POOL_PERIOD * s_period
    raw = raw + W_POOL_QUANTITY * s_quantity
    reasons = (
        Reason.of("pool_members", count=count, score_pct=pct(s_size)),
        Reason.of(
            "pool_distance",
            radius_km=radius_km,
            max_km=rnd(max(distances), 1),
            mean_km=rnd(mean_km, 1),
            score_pct=pct(s_proximity),
        ),
        Reason.of("pool_period", share_pct=pct(s_period)),
        quantity,
        Reason.of("saving_unknown", count=count)
        if saving is None
        else Reason.of(
            "saving",
            cents=saving,
            euros=_euros(saving),
            rate_pct=rate // 100,
            known=len(costs),
            count=count,
        ),
    )
    return Proposal(
        "pooling",
        tuple(t.items[i].id for i in everyone),
        tuple(t.items[i].organisation for i in everyone),
        final_score(raw),
        reasons,
        saving,
    )
