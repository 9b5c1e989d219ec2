"""The item table of the synergy engine and its array helpers: columns of the items,
unit vectors, pairs within reach from chunked matrix products, exact haversine distances,
period overlaps, scores and rounding. Pure module (no Django import).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Final, get_args

import numpy as np
from numpy.typing import NDArray

from ptce.cooperation import units
from ptce.cooperation.reference import (
    DISTANCE_REFERENCE_KM,
    KINDS,
    PRICE_COMPATIBILITY,
    SCORE_DIGITS,
    DeclarationError,
    Item,
    PriceIntent,
)
from ptce.territories.geo import EARTH_RADIUS_KM

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]

OPEN_START: Final = 0  # day ordinal standing for "no start" (date.min is 1)
OPEN_END: Final = date.max.toordinal() + 1  # "no end"
INF: Final = float("inf")
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
PRICE_TABLE: Final = np.array(
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


_COLUMNS: Final = attrgetter(
    "id",
    "organisation",
    "side",
    "kind",
    "category",
    "lon",
    "lat",
    "quantity",
    "unit",
    "periodicity",
    "start",
    "end",
    "max_km",
    "price_intent",
)
_UNIT_FACTOR: Final[dict[str | None, float]] = {
    None: float("nan"),
    **{u.code: 1.0 if u.factor is None else u.factor for u in units.UNITS},
}
_OCCURRENCES: Final[dict[str, int]] = {code: n for code, (_, n) in units.PERIODICITIES.items()}


def _ordinal(day: date | None, open_value: int) -> int:
    return open_value if day is None else day.toordinal()


def item_table(items: Sequence[Item]) -> ItemTable:
    """The columns of `items`, read in one pass (attributes transposed by `zip`).

    Quantities are `units.per_year(units.to_base(quantity, unit), periodicity)` computed
    column-wise with the same two multiplications in the same order, so the figures are
    the very same floats; NaN when the quantity or the unit is unknown."""
    count = len(items)
    if count:
        (ids_, orgs, sides, kinds, cats, lons, lats, qty, unit, per, start, end, km, price) = zip(
            *map(_COLUMNS, items), strict=True
        )
    else:
        ids_ = orgs = sides = kinds = cats = lons = lats = qty = unit = per = ()
        start = end = km = price = ()
    ids = np.array(ids_, dtype=np.int64).reshape(count)
    if len(np.unique(ids)) != len(ids):
        values, counts = np.unique(ids, return_counts=True)
        duplicated = ", ".join(str(v) for v in values[counts > 1][:5].tolist())
        raise DeclarationError(f"Identifiants de déclaration en double : {duplicated}.")
    lon = np.array(lons, dtype=np.float64).reshape(count)
    lat = np.array(lats, dtype=np.float64).reshape(count)
    # None -> NaN in a float64 array: an unknown quantity, no distance limit
    quantity = np.array(qty, dtype=np.float64).reshape(count)
    factor = np.fromiter(map(_UNIT_FACTOR.__getitem__, unit), dtype=np.float64, count=count)
    occurrences = np.fromiter(map(_OCCURRENCES.__getitem__, per), dtype=np.float64, count=count)
    limit = np.array(km, dtype=np.float64).reshape(count)
    return ItemTable(
        items=items,
        ids=ids,
        organisation=np.array(orgs, dtype=np.int64).reshape(count),
        need=np.fromiter((side == "need" for side in sides), dtype=np.bool_, count=count),
        group=np.fromiter(
            map(_GROUPS.__getitem__, zip(kinds, cats, strict=True)), dtype=np.int64, count=count
        ),
        family=np.fromiter(map(_UNIT_FAMILY.__getitem__, unit), dtype=np.int64, count=count),
        quantity=(quantity * factor) * occurrences,
        recurring=np.fromiter((p != "once" for p in per), dtype=np.bool_, count=count),
        start=np.fromiter((_ordinal(d, OPEN_START) for d in start), dtype=np.int64, count=count),
        end=np.fromiter((_ordinal(d, OPEN_END) for d in end), dtype=np.int64, count=count),
        limit=np.where(np.isnan(limit), np.inf, limit),
        lon=lon,
        lat=lat,
        xyz=unit_vectors(lon, lat),
        price=np.fromiter(map(_PRICE_CODES.__getitem__, price), dtype=np.int64, count=count),
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
    """A figure of a reason, rounded as numpy.round does (the arrays are rounded alike):
    numpy scales by 10**digits, rounds half to even (`rint`) and scales back; Python's
    `round` of a float to an integer is that same `rint`, without numpy's per-call cost
    on scalars (it made the pooling reasons 10 times slower). `digits` >= 0."""
    scale = 10.0**digits
    return round(value * scale) / scale


def final_score(raw: float) -> float:
    return rnd(min(1.0, max(0.0, raw)), SCORE_DIGITS)


def pct(share: float) -> float:
    return rnd(100.0 * share, 1)


def group_indices(group: I64) -> list[NDArray[np.intp]]:
    """Indices of each distinct value of `group`, by value."""
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    return [part for part in np.split(order, bounds) if len(part)]
