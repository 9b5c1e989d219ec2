"""Server-side map clustering: what to draw for a viewport, from millions of points.

Pure module (no Django import). A `PointSet` holds the positions of the map's points
(establishments) in memory; `query` answers a viewport (a lon/lat bbox and a Web Mercator
zoom) with either the points themselves or clusters, and `to_geojson_dict` turns the answer
into a compact GeoJSON FeatureCollection for Leaflet.

How a query runs, without any Python loop over points:

* `PointSet` quantises the Web Mercator position of each point to 2**24 units a side
  (about 2.4 m at the equator, 1.7 m in France), and sorts the points by the Morton
  (Z-order) code of that position. Every square cell of a quadtree level is then one
  contiguous run of the sorted arrays, found by binary search.
* A viewport is covered by at most 17 x 17 quadtree cells of a suitable level; their runs
  give the candidates, which are filtered exactly (`west <= lon <= east`,
  `south <= lat <= north`, then the caller's `mask`).
* At most `max_points` points in the viewport, or zoom 16 and more: the points are
  returned. When there are more than `max_points` (only possible from zoom 16), a stable
  spatially uniform subset is kept: the points whose hashed id ranks lowest, so panning
  keeps the same points on screen; `total` says how many there were.
* Otherwise the points are aggregated on a grid of `cell_pixels` screen pixels at that zoom
  (`cell_pixels / (256 * 2**zoom)` in Mercator units, aligned on the world origin, so that
  clusters do not jump when the map is panned). When `cell_pixels` is a power of two (64
  by default) these cells are quadtree cells: each is a run of the selected points, found
  by binary search, and counts, sums and extents are `np.add/minimum/maximum.reduceat`
  over the runs. Other sizes take a general path: `np.bincount` over compact cell keys,
  extents by `np.minimum.at` / `np.maximum.at`; both give the same clusters. A cluster
  sits at the mean position of its points (not the cell centre) and carries their bbox.
  A cell holding a single point is a cluster of count 1 (the map draws it as it likes).
  Only the points inside the viewport are counted, so a cell cut by the viewport edge
  counts its visible points only, and the counts always add up to `total`.

Latitudes are clamped to ±85.05112878° (the Web Mercator limit), both for the viewport and
for the points; no antimeridian handling (the viewport must have west <= east).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MAX_LATITUDE",
    "MAX_ZOOM",
    "POINTS_ZOOM",
    "Cluster",
    "MapAnswer",
    "PointSet",
    "query",
    "to_geojson_dict",
]

MAX_LATITUDE: Final = 85.05112878  # Web Mercator's limit, in degrees
POINTS_ZOOM: Final = 16  # from this zoom on, always answer points
MAX_ZOOM: Final = 24  # the deepest zoom `query` accepts
_BITS: Final = 24  # quantisation of the Mercator x and y: 2**24 units a side
_SCALE: Final = float(1 << _BITS)
_BELOW_ONE: Final = float(np.nextafter(1.0, 0.0))
_INVALID: Final = 1 << (2 * _BITS)  # sorts after every Morton code: no viewport reaches it
_COVER: Final = 16  # a viewport is covered by at most (_COVER + 1) ** 2 quadtree cells
_DECIMALS: Final = 5  # about 1 m: enough for a map, and short
ANSWER_MAX_POINTS: Final = 700  # points per map answer: about 95 KB of GeoJSON at most

Positions = NDArray[np.int64] | slice  # points of the sorted arrays: indices, or one run


def _mercator_x(lons: NDArray[np.float64]) -> NDArray[np.float64]:
    """Longitude -> Web Mercator x in [0, 1) (0 at 180° W)."""
    return np.clip((lons + 180.0) / 360.0, 0.0, _BELOW_ONE)


def _mercator_y(lats: NDArray[np.float64]) -> NDArray[np.float64]:
    """Latitude (already clamped) -> Web Mercator y in [0, 1) (0 at the north edge)."""
    y = 0.5 - np.arcsinh(np.tan(np.radians(lats))) / (2.0 * math.pi)
    return np.clip(y, 0.0, _BELOW_ONE)


def _quantise(v: NDArray[np.float64]) -> NDArray[np.int64]:
    """Mercator coordinate in [0, 1) -> integer in [0, 2**24); exact for any zoom level:
    (v * 2**level) // 1 == _quantise(v) >> (24 - level)."""
    return (v * _SCALE).astype(np.int64)


def _spread(v: NDArray[np.int64]) -> NDArray[np.int64]:
    """The 24 low bits of v moved to the even bits 0, 2, ..., 46."""
    v = v & 0xFFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & 0x5555555555555555


def _morton(qx: NDArray[np.int64], qy: NDArray[np.int64]) -> NDArray[np.int64]:
    return _spread(qx) | (_spread(qy) << 1)


def _hash64(values: NDArray[np.int64]) -> NDArray[np.uint64]:
    """splitmix64's finaliser: a bijection of 64-bit integers that looks random."""
    z = values.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z += np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _cells(
    qx0: int, qy0: int, qx1: int, qy1: int, shift: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The Morton code ranges [start, end) of the quadtree cells of side 2**shift units
    that cover the quantised rectangle, in increasing order."""
    cx = np.arange(qx0 >> shift, (qx1 >> shift) + 1, dtype=np.int64)
    cy = np.arange(qy0 >> shift, (qy1 >> shift) + 1, dtype=np.int64)
    starts = np.sort(_morton(np.tile(cx, len(cy)), np.repeat(cy, len(cx)))) << (2 * shift)
    return starts, starts + (1 << (2 * shift))


def _quantised_bbox(
    west: float, south: float, east: float, north: float
) -> tuple[int, int, int, int]:
    """(qx0, qy0, qx1, qy1) of the bbox, one unit more north and south: the projection of
    the bbox and of the points may round differently (the exact filter decides)."""
    qx0, qx1 = _quantise(_mercator_x(np.array([west, east]))).tolist()
    qy0, qy1 = _quantise(_mercator_y(np.array([north, south]))).tolist()
    return qx0, max(qy0 - 1, 0), qx1, min(qy1 + 1, (1 << _BITS) - 1)


def _take(values: NDArray[Any], positions: Positions) -> NDArray[Any]:
    return values[positions]


class PointSet:
    """The points of a map, indexed for viewport queries.

    `ids`, `lons` and `lats` are aligned 1-D arrays; a `mask` given to `query` is aligned
    with them too. Points whose position is not finite are kept (so that masks stay
    aligned) but never fall in any viewport. The arrays are copied, sorted along the
    Z-order curve: 48 bytes a point (48 MB for a million).
    """

    def __init__(
        self,
        ids: NDArray[np.int64] | ArrayLike,
        lons: NDArray[np.float64] | ArrayLike,
        lats: NDArray[np.float64] | ArrayLike,
    ) -> None:
        ids_ = np.asarray(ids, dtype=np.int64).ravel()
        lons_ = np.asarray(lons, dtype=np.float64).ravel()
        lats_ = np.clip(np.asarray(lats, dtype=np.float64).ravel(), -MAX_LATITUDE, MAX_LATITUDE)
        if not len(ids_) == len(lons_) == len(lats_):
            raise ValueError(
                f"PointSet: ids, lons and lats differ in length "
                f"({len(ids_)}, {len(lons_)}, {len(lats_)})"
            )
        self._size = len(ids_)
        valid = np.isfinite(lons_) & np.isfinite(lats_)
        x = _mercator_x(np.where(valid, lons_, 0.0))
        y = _mercator_y(np.where(valid, lats_, 0.0))
        codes = np.where(valid, _morton(_quantise(x), _quantise(y)), _INVALID)
        order = np.argsort(codes, kind="stable")
        self._order = order
        self._codes = codes[order]
        self._ids = ids_[order]
        self._lons = lons_[order]
        self._lats = lats_[order]
        self._rank = _hash64(self._ids)

    def __len__(self) -> int:
        return self._size

    def _in_viewport(
        self,
        west: float,
        south: float,
        east: float,
        north: float,
        mask: NDArray[np.bool_] | None = None,
    ) -> NDArray[np.int64]:
        """Positions (in the sorted order) of the points inside the bbox, and allowed by the
        mask (in the caller's order) when there is one; ascending."""
        qx0, qy0, qx1, qy1 = _quantised_bbox(west, south, east, north)
        span = max(qx1 - qx0, qy1 - qy0) + 1
        shift = (-(-span // _COVER) - 1).bit_length()  # cells of 2**shift >= span / _COVER
        starts, ends = _cells(qx0, qy0, qx1, qy1, shift)
        begins = np.searchsorted(self._codes, starts)
        ends = np.searchsorted(self._codes, ends)
        used = ends > begins
        begins, ends = begins[used], ends[used]
        if len(begins) == 0:
            return np.empty(0, dtype=np.int64)
        # Runs that touch become one: a viewport over all the points is a single slice.
        breaks = np.flatnonzero(begins[1:] != ends[:-1])
        begins = begins[np.concatenate(([0], breaks + 1))]
        ends = ends[np.concatenate((breaks, [len(ends) - 1]))]
        lengths = ends - begins
        if len(begins) == 1 or 4 * int(lengths.sum()) >= int(ends[-1] - begins[0]):
            # One run, or runs filling much of their span: filtering the whole span costs
            # less than gathering the runs.
            run = slice(int(begins[0]), int(ends[-1]))
            lons, lats = self._lons[run], self._lats[run]
            inside = (lons >= west) & (lons <= east) & (lats >= south) & (lats <= north)
            if mask is not None:
                inside &= mask[self._order[run]]
            return np.flatnonzero(inside) + int(begins[0])
        offsets = np.cumsum(lengths) - lengths
        candidates: NDArray[np.int64] = np.arange(int(lengths.sum()), dtype=np.int64)
        candidates += np.repeat(begins - offsets, lengths)
        lons, lats = self._lons[candidates], self._lats[candidates]
        inside = (lons >= west) & (lons <= east) & (lats >= south) & (lats <= north)
        if mask is not None:
            inside &= mask[self._order[candidates]]
        return candidates[inside]


@dataclass(frozen=True)
class Cluster:
    lon: float  # mean position of its points
    lat: float
    count: int
    bbox: tuple[float, float, float, float]  # (west, south, east, north) of its points


@dataclass(frozen=True, eq=False)
class MapAnswer:
    """`mode` is "clusters" (then the point arrays are empty) or "points" (then `clusters`
    is empty). `total` is the number of points in the viewport after the mask: the sum of
    the cluster counts, or the number of points returned (more when `truncated`)."""

    mode: str
    clusters: list[Cluster]
    point_ids: NDArray[np.int64]
    point_lons: NDArray[np.float64]
    point_lats: NDArray[np.float64]
    total: int

    @property
    def truncated(self) -> bool:
        """Points mode showing fewer points than the viewport holds."""
        return self.mode == "points" and len(self.point_ids) < self.total


def _check_bbox(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    west, south, east, north = (float(v) for v in bbox)
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError(f"bbox must be finite numbers, got {bbox!r}")
    if west > east or south > north:
        raise ValueError(f"bbox must be (west, south, east, north) with west <= east, got {bbox!r}")
    south = min(max(south, -MAX_LATITUDE), MAX_LATITUDE)
    north = min(max(north, -MAX_LATITUDE), MAX_LATITUDE)
    return west, south, east, north


def query(
    points: PointSet,
    bbox: tuple[float, float, float, float],
    zoom: int,
    *,
    mask: NDArray[np.bool_] | None = None,
    max_points: int = 2000,
    cell_pixels: int = 64,
) -> MapAnswer:
    """Clusters or points for the viewport `bbox` = (west, south, east, north) in degrees at
    Web Mercator `zoom`; `mask` (aligned with the PointSet) keeps only the points the
    caller's filters allow. See the module docstring for the rules."""
    west, south, east, north = _check_bbox(bbox)
    if not 0 <= zoom <= MAX_ZOOM:
        raise ValueError(f"zoom must be between 0 and {MAX_ZOOM}, got {zoom}")
    if max_points < 0 or cell_pixels < 1:
        raise ValueError("max_points must be >= 0 and cell_pixels >= 1")
    if mask is not None:
        mask = np.asarray(mask, dtype=np.bool_)
        if mask.shape != (len(points),):
            raise ValueError(f"mask has shape {mask.shape}, expected ({len(points)},)")
    selected = points._in_viewport(west, south, east, north, mask)
    if len(selected) <= max_points or zoom >= POINTS_ZOOM:
        return _points(points, selected, max_points)
    positions: Positions = selected
    if selected[-1] - selected[0] + 1 == len(selected):  # one run: views, not copies
        positions = slice(int(selected[0]), int(selected[-1]) + 1)
    level = zoom + 8 - math.log2(cell_pixels)  # the cells' quadtree level
    if level.is_integer() and 0 <= level <= _BITS:
        return _quadtree_clusters(points, positions, int(level), (west, south, east, north))
    return _grid_clusters(points, positions, 256.0 * 2.0**zoom / cell_pixels)


def _points(points: PointSet, selected: NDArray[np.int64], max_points: int) -> MapAnswer:
    total = len(selected)
    if total > max_points:
        if max_points == 0:
            selected = selected[:0]
        else:
            lowest = np.argpartition(points._rank[selected], max_points - 1)[:max_points]
            selected = selected[lowest]
    ids = points._ids[selected]
    by_id = np.lexsort((selected, ids))
    selected = selected[by_id]
    return MapAnswer(
        mode="points",
        clusters=[],
        point_ids=ids[by_id],
        point_lons=points._lons[selected],
        point_lats=points._lats[selected],
        total=total,
    )


def _quadtree_clusters(
    points: PointSet,
    positions: Positions,
    level: int,
    bbox: tuple[float, float, float, float],
) -> MapAnswer:
    """Cells of the quadtree `level`: each is a run of the selected points (sorted by their
    Morton code), found by binary search for the cells the viewport covers."""
    codes = _take(points._codes, positions)
    shift = _BITS - level
    qx0, qy0, qx1, qy1 = _quantised_bbox(*bbox)
    cells = ((qx1 >> shift) - (qx0 >> shift) + 1) * ((qy1 >> shift) - (qy0 >> shift) + 1)
    if cells <= 2 * len(codes) + 1024:
        starts, ends = _cells(qx0, qy0, qx1, qy1, shift)
        begins = np.searchsorted(codes, starts)
        counts = np.searchsorted(codes, ends) - begins
        used = counts > 0
        begins, counts = begins[used], counts[used]
    else:  # a huge bbox at a high zoom: find the runs from the points instead
        keys = codes >> (2 * shift)
        begins = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        counts = np.diff(np.concatenate((begins, [len(keys)])))
    lons = _take(points._lons, positions)
    lats = _take(points._lats, positions)
    extents = (
        np.minimum.reduceat(lons, begins),
        np.minimum.reduceat(lats, begins),
        np.maximum.reduceat(lons, begins),
        np.maximum.reduceat(lats, begins),
    )
    sums = np.add.reduceat(lons, begins), np.add.reduceat(lats, begins)
    return _answer(counts, sums, extents)


def _grid_clusters(points: PointSet, positions: Positions, cells_per_unit: float) -> MapAnswer:
    """Cells of any size: compact cell keys, then bincount and ufunc.at."""
    lons = _take(points._lons, positions)
    lats = _take(points._lats, positions)
    # x, y are in [0, 1): truncation is floor.
    ix = (_mercator_x(lons) * cells_per_unit).astype(np.int64)
    iy = (_mercator_y(lats) * cells_per_unit).astype(np.int64)
    ix -= ix.min()
    iy -= iy.min()
    width = int(ix.max()) + 1
    key = iy * width + ix
    size = (int(iy.max()) + 1) * width
    if size > 4 * len(key) + 1024:  # a huge bbox at a high zoom: compact the keys
        cells, key = np.unique(key, return_inverse=True)
        size = len(cells)
    counts = np.bincount(key, minlength=size)
    sums = (  # bincount with weights sums in float64
        np.bincount(key, weights=lons, minlength=size).astype(np.float64, copy=False),
        np.bincount(key, weights=lats, minlength=size).astype(np.float64, copy=False),
    )
    extents = np.empty((4, size), dtype=np.float64)
    extents[:2] = np.inf
    extents[2:] = -np.inf
    np.minimum.at(extents[0], key, lons)
    np.minimum.at(extents[1], key, lats)
    np.maximum.at(extents[2], key, lons)
    np.maximum.at(extents[3], key, lats)
    used = np.flatnonzero(counts)
    return _answer(
        counts[used],
        (sums[0][used], sums[1][used]),
        (extents[0, used], extents[1, used], extents[2, used], extents[3, used]),
    )


def _answer(
    counts: NDArray[np.int64],
    sums: tuple[NDArray[np.float64], NDArray[np.float64]],
    extents: tuple[NDArray[np.float64], ...],
) -> MapAnswer:
    west, south, east, north = extents
    # The mean can leave [min, max] by a rounding error: keep it inside.
    mean_lon = np.clip(sums[0] / counts, west, east)
    mean_lat = np.clip(sums[1] / counts, south, north)
    clusters = [
        Cluster(lon=lon, lat=lat, count=count, bbox=(w, s, e, n))
        for lon, lat, count, w, s, e, n in zip(
            mean_lon.tolist(),
            mean_lat.tolist(),
            counts.tolist(),
            west.tolist(),
            south.tolist(),
            east.tolist(),
            north.tolist(),
            strict=True,
        )
    ]
    return MapAnswer(
        mode="clusters",
        clusters=clusters,
        point_ids=np.empty(0, dtype=np.int64),
        point_lons=np.empty(0, dtype=np.float64),
        point_lats=np.empty(0, dtype=np.float64),
        total=int(counts.sum()),
    )


def to_geojson_dict(
    answer: MapAnswer,
    point_properties: Callable[[NDArray[np.int64]], list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: a cluster is a Point feature with properties
    `{"cluster": true, "count": n}` and the `bbox` of its points; a point is a Point feature
    with properties `{"id": id, **point_properties(ids)[i]}` (one call for all the points).
    Coordinates are rounded to 5 decimals (about 1 m). The collection also carries `mode`,
    `total` and `truncated` (foreign members, allowed by RFC 7946)."""
    features: list[dict[str, Any]] = []
    if answer.clusters:
        table = np.round(
            np.array([(c.lon, c.lat, *c.bbox) for c in answer.clusters], dtype=np.float64),
            _DECIMALS,
        ).tolist()
        for cluster, (lon, lat, w, s, e, n) in zip(answer.clusters, table, strict=True):
            features.append(
                {
                    "type": "Feature",
                    "bbox": [w, s, e, n],
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"cluster": True, "count": cluster.count},
                }
            )
    if len(answer.point_ids):
        ids = answer.point_ids.tolist()
        lons = np.round(answer.point_lons, _DECIMALS).tolist()
        lats = np.round(answer.point_lats, _DECIMALS).tolist()
        extra: list[dict[str, Any]] = (
            point_properties(answer.point_ids) if point_properties else [{} for _ in ids]
        )
        if len(extra) != len(ids):
            raise ValueError(f"point_properties returned {len(extra)} items for {len(ids)} points")
        for id_, lon, lat, props in zip(ids, lons, lats, extra, strict=True):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"id": id_, **props},
                }
            )
    return {
        "type": "FeatureCollection",
        "mode": answer.mode,
        "total": answer.total,
        "truncated": answer.truncated,
        "features": features,
    }
