"""Units of the quantities members declare, and their periodicity. Pure module.

Every unit belongs to a dimension and, when it converts, carries its factor to the
dimension's base unit (kg, m³, m, m², kWh, kW, hour, piece). Two units convert into one
another when they share a dimension and both have a factor. A few counting units have no
factor (`palette`, `lot`: how many pieces they hold varies): each converts only into itself.

Time units measure *working time* (staff time, machine or room hours), not calendar time:
a `jour` is a working day of 7 h and a `semaine` a working week of 35 h (the legal working
week, Code du travail L3121-27, over five days), a `mois` the legal monthly 151.67 h
(35 h × 52 / 12) and an `etp` a full-time equivalent year of 1,607 h.

A quantity comes with a periodicity (`once`, or per day, week, month or year);
`per_year` turns it into a yearly figure so that a need of 50 kg a week and an offer of
2 t a year can be compared. A quantity declared `once` counts once: it is compared as is
with yearly figures. Periods are calendar periods: a quantity per day counts 365 times a
year, per week 52 times, per month 12 times (declare working-day flows per week).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

from ptce.core.text import gettext_noop

__all__ = [
    "BASE_UNITS",
    "DIMENSIONS",
    "PERIODICITIES",
    "UNITS",
    "Dimension",
    "Periodicity",
    "Unit",
    "UnitError",
    "base_unit",
    "comparable_key",
    "convert",
    "convertible",
    "get_unit",
    "per_year",
    "to_base",
]

Dimension = Literal["mass", "volume", "length", "area", "energy", "power", "time", "count"]
Periodicity = Literal["once", "day", "week", "month", "year"]

DIMENSIONS: Final[dict[Dimension, str]] = {
    "mass": gettext_noop("masse"),
    "volume": gettext_noop("volume"),
    "length": gettext_noop("longueur"),
    "area": gettext_noop("surface"),
    "energy": gettext_noop("énergie"),
    "power": gettext_noop("puissance"),
    "time": gettext_noop("temps de travail"),
    "count": gettext_noop("nombre"),
}

BASE_UNITS: Final[dict[Dimension, str]] = {
    "mass": "kg",
    "volume": "m3",
    "length": "m",
    "area": "m2",
    "energy": "kWh",
    "power": "kW",
    "time": "h",
    "count": "piece",
}


class UnitError(ValueError):
    """A unit that does not exist, or a conversion between units that do not convert."""


@dataclass(frozen=True)
class Unit:
    code: str
    label: str  # French, marked for extraction; translated at display
    dimension: Dimension
    factor: float | None  # value of one unit in the base unit; None: converts only to itself


UNITS: Final[tuple[Unit, ...]] = (
    Unit("t", gettext_noop("tonne"), "mass", 1000.0),
    Unit("kg", gettext_noop("kilogramme"), "mass", 1.0),
    Unit("g", gettext_noop("gramme"), "mass", 0.001),
    Unit("m3", gettext_noop("mètre cube (m³)"), "volume", 1.0),
    Unit("L", gettext_noop("litre"), "volume", 0.001),
    Unit("m", gettext_noop("mètre"), "length", 1.0),
    Unit("km", gettext_noop("kilomètre"), "length", 1000.0),
    Unit("m2", gettext_noop("mètre carré (m²)"), "area", 1.0),
    Unit("ha", gettext_noop("hectare"), "area", 10_000.0),
    Unit("kWh", gettext_noop("kilowattheure"), "energy", 1.0),
    Unit("MWh", gettext_noop("mégawattheure"), "energy", 1000.0),
    Unit("kW", gettext_noop("kilowatt"), "power", 1.0),
    Unit("MW", gettext_noop("mégawatt"), "power", 1000.0),
    Unit("h", gettext_noop("heure"), "time", 1.0),
    Unit("demi_journee", gettext_noop("demi-journée de travail (3,5 h)"), "time", 3.5),
    Unit("jour", gettext_noop("journée de travail (7 h)"), "time", 7.0),
    Unit("semaine", gettext_noop("semaine de travail (35 h)"), "time", 35.0),
    Unit("mois", gettext_noop("mois de travail (151,67 h)"), "time", 151.67),
    Unit("etp", gettext_noop("équivalent temps plein annuel (1 607 h)"), "time", 1607.0),
    Unit("piece", gettext_noop("pièce"), "count", 1.0),
    Unit("palette", gettext_noop("palette"), "count", None),
    Unit("lot", gettext_noop("lot"), "count", None),
)

_BY_CODE: Final[dict[str, Unit]] = {unit.code: unit for unit in UNITS}

# periodicity -> (French label marked for extraction, occurrences a year)
PERIODICITIES: Final[dict[Periodicity, tuple[str, int]]] = {
    "once": (gettext_noop("une fois"), 1),
    "day": (gettext_noop("par jour"), 365),
    "week": (gettext_noop("par semaine"), 52),
    "month": (gettext_noop("par mois"), 12),
    "year": (gettext_noop("par an"), 1),
}
assert set(PERIODICITIES) == set(get_args(Periodicity))
assert set(BASE_UNITS) == set(DIMENSIONS) == set(get_args(Dimension))


def get_unit(code: str) -> Unit:
    """The unit of that code; `UnitError` when there is none."""
    try:
        return _BY_CODE[code]
    except (KeyError, TypeError):
        known = ", ".join(_BY_CODE)
        raise UnitError(f"Unité inconnue : « {code} » (unités connues : {known}).") from None


def convertible(a: str, b: str) -> bool:
    """Whether a quantity in unit `a` can be expressed in unit `b` (and back)."""
    ua, ub = get_unit(a), get_unit(b)
    if ua.code == ub.code:
        return True
    return ua.dimension == ub.dimension and ua.factor is not None and ub.factor is not None


def convert(value: float, a: str, b: str) -> float:
    """`value` in unit `a` expressed in unit `b`; `UnitError` when they do not convert."""
    ua, ub = get_unit(a), get_unit(b)
    if ua.code == ub.code:
        return float(value)
    if not convertible(a, b):
        raise UnitError(
            f"Impossible de convertir des « {ua.label} » ({DIMENSIONS[ua.dimension]}) "
            f"en « {ub.label} » ({DIMENSIONS[ub.dimension]})."
        )
    assert ua.factor is not None and ub.factor is not None
    return float(value) * ua.factor / ub.factor


def comparable_key(code: str) -> str:
    """Two units convert into one another exactly when their keys are equal: the dimension
    for units with a factor, the unit's own code for the others."""
    unit = get_unit(code)
    return unit.dimension if unit.factor is not None else unit.code


def base_unit(code: str) -> str:
    """The unit `to_base` expresses quantities in: the dimension's base unit, or the unit
    itself when it has no factor."""
    unit = get_unit(code)
    return BASE_UNITS[unit.dimension] if unit.factor is not None else unit.code


def to_base(value: float, code: str) -> float:
    """`value` in unit `code` expressed in `base_unit(code)`."""
    factor = get_unit(code).factor
    return float(value) * (1.0 if factor is None else factor)


def per_year(value: float, periodicity: Periodicity) -> float:
    """A quantity per period as a yearly figure (`once`: the quantity itself)."""
    try:
        occurrences = PERIODICITIES[periodicity][1]
    except KeyError:
        known = ", ".join(PERIODICITIES)
        raise UnitError(
            f"Périodicité inconnue : « {periodicity} » (périodicités connues : {known})."
        ) from None
    return float(value) * occurrences
