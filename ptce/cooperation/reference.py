"""Reference data and declarations of the synergy engine: kinds and categories, price
intents, confidentiality levels, the weights of the scores, and `Item` (a need or an offer,
checked on creation). Pure module (no Django import); see `ptce.cooperation.synergies`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, NamedTuple

from ptce.cooperation import units
from ptce.core.text import gettext_noop

Side = Literal["need", "offer"]
PriceIntent = Literal["free", "at_cost", "market"]
Confidentiality = Literal["public", "members", "coordinators"]
ProposalKind = Literal["exchange", "pooling", "prospect"]


# ----------------------------------------------------------------------------- reference


class Kind(NamedTuple):
    label: str
    categories: dict[str, str]  # code -> French label (marked; translated at display)


KINDS: Final[dict[str, Kind]] = {
    "premises": Kind(
        gettext_noop("Locaux et espaces"),
        {
            "office": gettext_noop("Bureaux"),
            "meeting_room": gettext_noop("Salle de réunion"),
            "workshop": gettext_noop("Atelier"),
            "storage": gettext_noop("Stockage et entrepôt"),
            "cold_room": gettext_noop("Chambre froide"),
            "kitchen": gettext_noop("Cuisine professionnelle"),
            "shop": gettext_noop("Local commercial"),
            "event_space": gettext_noop("Salle polyvalente"),
        },
    ),
    "equipment": Kind(
        gettext_noop("Équipements et machines"),
        {
            "machine_tools": gettext_noop("Machines-outils"),
            "agricultural": gettext_noop("Matériel agricole"),
            "construction": gettext_noop("Matériel de chantier"),
            "handling": gettext_noop("Manutention"),
            "kitchen": gettext_noop("Matériel de cuisine"),
            "it": gettext_noop("Matériel informatique"),
            "printing": gettext_noop("Impression et reprographie"),
        },
    ),
    "vehicles": Kind(
        gettext_noop("Véhicules"),
        {
            "van": gettext_noop("Véhicule utilitaire"),
            "truck": gettext_noop("Poids lourd"),
            "refrigerated": gettext_noop("Véhicule frigorifique"),
            "minibus": gettext_noop("Minibus"),
            "car": gettext_noop("Voiture"),
            "cargo_bike": gettext_noop("Vélo cargo"),
        },
    ),
    "skills": Kind(
        gettext_noop("Compétences et expertise"),
        {
            "accounting": gettext_noop("Comptabilité et gestion"),
            "legal": gettext_noop("Juridique"),
            "hr": gettext_noop("Ressources humaines"),
            "communication": gettext_noop("Communication et marketing"),
            "digital": gettext_noop("Numérique"),
            "engineering": gettext_noop("Ingénierie et études"),
            "environment": gettext_noop("Énergie et environnement"),
            "training": gettext_noop("Formation"),
        },
    ),
    "staff_time": Kind(
        gettext_noop("Temps de travail"),
        {
            "administrative": gettext_noop("Secrétariat et administration"),
            "maintenance": gettext_noop("Maintenance et entretien"),
            "logistics": gettext_noop("Logistique et manutention"),
            "cleaning": gettext_noop("Nettoyage"),
            "reception": gettext_noop("Accueil et standard"),
            "driving": gettext_noop("Conduite"),
            "seasonal": gettext_noop("Renfort saisonnier"),
        },
    ),
    "group_purchasing": Kind(
        gettext_noop("Achats groupés"),
        {
            "food": gettext_noop("Denrées alimentaires"),
            "office_supplies": gettext_noop("Fournitures de bureau"),
            "packaging": gettext_noop("Emballages"),
            "raw_materials": gettext_noop("Matières premières"),
            "cleaning_products": gettext_noop("Produits d'entretien"),
            "insurance": gettext_noop("Assurances"),
            "telecom": gettext_noop("Télécommunications"),
        },
    ),
    "services": Kind(
        gettext_noop("Services"),
        {
            "transport": gettext_noop("Transport de marchandises"),
            "cleaning": gettext_noop("Nettoyage"),
            "catering": gettext_noop("Restauration"),
            "maintenance": gettext_noop("Maintenance et réparation"),
            "it_services": gettext_noop("Services informatiques"),
            "security": gettext_noop("Gardiennage et sécurité"),
            "printing": gettext_noop("Impression"),
            "waste_collection": gettext_noop("Collecte des déchets"),
        },
    ),
    "material_flows": Kind(
        gettext_noop("Flux de matières et déchets"),
        {
            "biowaste": gettext_noop("Biodéchets"),
            "green_waste": gettext_noop("Déchets verts"),
            "rubble": gettext_noop("Gravats et inertes"),
            "wood": gettext_noop("Bois"),
            "cardboard_paper": gettext_noop("Papiers et cartons"),
            "plastics": gettext_noop("Plastiques"),
            "metals": gettext_noop("Métaux"),
            "textiles": gettext_noop("Textiles"),
            "glass": gettext_noop("Verre"),
            "food_surplus": gettext_noop("Invendus alimentaires"),
            "building_materials": gettext_noop("Matériaux de réemploi"),
            "compost": gettext_noop("Compost et amendements"),
            "pallets": gettext_noop("Palettes"),
            "used_oils": gettext_noop("Huiles usagées"),
        },
    ),
    "energy": Kind(
        gettext_noop("Énergie"),
        {
            "electricity": gettext_noop("Électricité"),
            "heat": gettext_noop("Chaleur (dont chaleur fatale)"),
            "cold": gettext_noop("Froid"),
            "biogas": gettext_noop("Biogaz"),
            "wood_fuel": gettext_noop("Bois énergie"),
        },
    ),
    "land": Kind(
        gettext_noop("Foncier"),
        {
            "farmland": gettext_noop("Terres agricoles"),
            "building_land": gettext_noop("Terrain à bâtir"),
            "brownfield": gettext_noop("Friche"),
            "storage_yard": gettext_noop("Aire de stockage extérieure"),
        },
    ),
    "data_software": Kind(
        gettext_noop("Données et logiciels"),
        {
            "software": gettext_noop("Logiciels"),
            "data": gettext_noop("Données"),
            "hosting": gettext_noop("Hébergement informatique"),
        },
    ),
}

PRICE_INTENTS: Final[dict[PriceIntent, str]] = {
    "free": gettext_noop("gratuit"),
    "at_cost": gettext_noop("à prix coûtant"),
    "market": gettext_noop("au prix du marché"),
}
CONFIDENTIALITIES: Final[dict[Confidentiality, str]] = {
    "public": gettext_noop("public"),
    "members": gettext_noop("membres du pôle"),
    "coordinators": gettext_noop("coordination seulement"),
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
    """`Véhicules — Poids lourd` (French; pages rebuild it in the reader's language from the
    codes, `ptce.cooperation.reasons.category_label`)."""
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
