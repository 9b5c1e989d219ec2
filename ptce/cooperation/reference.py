"""Reference data and declarations of the synergy engine: kinds and categories, price
intents, confidentiality levels, the weights of the scores, and `Item` (a need or an offer,
checked on creation). Pure module (no Django import); see `ptce.cooperation.synergies`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, NamedTuple

from ptce.cooperation import units

Side = Literal["need", "offer"]
PriceIntent = Literal["free", "at_cost", "market"]
Confidentiality = Literal["public", "members", "coordinators"]
ProposalKind = Literal["exchange", "pooling", "prospect"]


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
