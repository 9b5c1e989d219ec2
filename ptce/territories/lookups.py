"""Reads on the territory reference: search, point lookup, radius, neighbours.

Thin wrappers that run the pure algorithms of `geo` and `names` on the cached indexes and
fetch the matching rows in one query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import shapely

from ptce.territories import indexes
from ptce.territories.models import Commune, CommuneQuerySet

CODE_INSEE_RE = re.compile(r"^(?:\d{5}|2[AaBb]\d{3})$")
CODE_POSTAL_RE = re.compile(r"^\d{5}$")
NEIGHBOUR_TOLERANCE_DEG = 0.001  # simplified outlines may leave gaps of a few tens of metres


def _in_order(queryset: CommuneQuerySet, codes: list[str]) -> list[Commune]:
    by_code = {c.code_insee: c for c in queryset.filter(code_insee__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def search_communes(query: str, *, limit: int = 20) -> list[Commune]:
    """Communes by name (accents, case, hyphens, St/Saint ignored), postal code or INSEE code.

    Postal code matches come first, then the INSEE code, then exact names, names starting with the query, names
    with a word starting with the query; ties by population.
    """
    query = query.strip()
    if not query:
        return []
    base = Commune.objects.light().with_relations()
    codes: list[str] = []
    if CODE_POSTAL_RE.match(query):
        codes.extend(
            base.filter(postal_code_rows__code_postal=query)
            .order_by("-population")
            .values_list("code_insee", flat=True)
        )
    if CODE_INSEE_RE.match(query):
        codes.append(query.upper())
    idx = indexes.get()
    codes.extend(idx.codes[i] for i in idx.names.search(query, limit=limit))
    unique = list(dict.fromkeys(codes))[:limit]
    return _in_order(base, unique)


@dataclass(frozen=True)
class Location:
    commune: Commune
    arrondissement: Commune | None


def locate(lat: float, lon: float) -> Location | None:
    """The commune containing the point (and the arrondissement municipal, in Paris, Lyon
    and Marseille), or None when the point is in no commune."""
    idx = indexes.get()
    i = idx.geo.locate(lon, lat)
    if i < 0:
        return None
    commune = Commune.objects.light().with_relations().get(code_insee=idx.codes[i])
    arrondissement = None
    if idx.arrondissements is not None:
        j = idx.arrondissements.locate(lon, lat)
        if j >= 0:
            arrondissement = Commune.objects.light().get(code_insee=idx.arrondissement_codes[j])
    return Location(commune=commune, arrondissement=arrondissement)


def locate_codes(lats: np.ndarray, lons: np.ndarray) -> list[str | None]:
    """Vectorised: the commune code of each point (None where none)."""
    idx = indexes.get()
    found = idx.geo.locate_many(lons, lats)
    return [idx.codes[i] if i >= 0 else None for i in found.tolist()]


def communes_within_radius(lat: float, lon: float, km: float) -> list[Commune]:
    """Communes that come within `km` of the point, nearest first."""
    idx = indexes.get()
    codes = [idx.codes[i] for i in idx.geo.within_radius(lon, lat, km).tolist()]
    return _in_order(Commune.objects.light().with_relations(), codes)


def neighbours(commune: Commune) -> list[Commune]:
    """Communes sharing a border with `commune` (within a small tolerance), by name; for an
    arrondissement municipal, the neighbouring arrondissements."""
    shape = shapely.from_wkb(bytes(commune.geometry))
    t = NEIGHBOUR_TOLERANCE_DEG
    candidates = list(
        Commune.objects.filter(type=commune.type)
        .exclude(code_insee=commune.code_insee)
        .filter(
            min_lon__lte=commune.max_lon + t,
            max_lon__gte=commune.min_lon - t,
            min_lat__lte=commune.max_lat + t,
            max_lat__gte=commune.min_lat - t,
        )
        .only("code_insee", "nom", "population", "geometry", "lat", "lon")
    )
    if not candidates:
        return []
    shapes = shapely.from_wkb([bytes(c.geometry) for c in candidates])
    near = shapely.dwithin(shapes, shape, t)
    return sorted((c for c, ok in zip(candidates, near, strict=True) if ok), key=lambda c: c.nom)
