"""GeoJSON for the maps of the pages, built from the communes' WKB outlines.

Coordinates are rounded to 5 decimals (about a metre) and, when a map would carry many
points, outlines are simplified: the payload stays small enough for a page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from django.urls import reverse

from ptce.territories.models import Commune

DECIMALS = 5
SIMPLIFY_ABOVE_POINTS = 20_000
SIMPLIFY_TOLERANCE_DEG = 0.001


def _round(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, DECIMALS)


def feature_collection(communes: Sequence[Commune], *, role: str = "") -> dict[str, Any]:
    """One feature per commune, with its name, code and page address as properties."""
    return {"type": "FeatureCollection", "features": features(communes, role=role)}


def features(communes: Sequence[Commune], *, role: str = "") -> list[dict[str, Any]]:
    if not communes:
        return []
    shapes = shapely.from_wkb([bytes(c.geometry) for c in communes])
    if int(shapely.get_num_coordinates(shapes).sum()) > SIMPLIFY_ABOVE_POINTS:
        shapes = shapely.simplify(shapes, SIMPLIFY_TOLERANCE_DEG, preserve_topology=True)
    shapes = shapely.transform(shapes, _round)
    geometries = shapely.to_geojson(shapes)
    return [
        {
            "type": "Feature",
            "geometry": json.loads(geometry),
            "properties": {
                "code": c.code_insee,
                "name": c.nom,
                "url": reverse("territories:commune", args=[c.code_insee]),
                "role": role,
            },
        }
        for c, geometry in zip(communes, geometries, strict=True)
    ]
