"""Geometry of the territory reference: projections, areas, distances, point-in-commune lookups.

Pure module (no Django import). Geometries are shapely 2 objects in WGS84 longitude/latitude
degrees; Lambert-93 (EPSG:2154) is only an input or output format.

`CommuneIndex` answers "which commune is this point in?" for millions of points per second.
At construction it rasterises the geometries on a regular lon/lat grid covering the dense
main area (metropolitan France when the communes of France are given):

* a cell whose closed square meets no geometry edge lies entirely inside the same
  geometries everywhere, so it stores the answer for any point in it: the index of the
  geometry (the lowest one if several overlap), or "empty" when it is outside them all;
* a cell some edge passes through is "mixed"; points falling there, and points outside
  the grid (overseas communes, points far away), are answered exactly by a bulk
  `shapely.STRtree.query(..., predicate="intersects")`.

Cells are sized for about 128 per geometry over the geometries' own area (sea and foreign
land cost memory, not resolution), and stored as uint16 while there are fewer than 65,534
geometries: about 20 MB for the communes of France.

The grid is built without any Python loop over cells: the cells crossed by each edge are
enumerated with numpy (every crossing of a grid line), then each horizontal run of
edge-free cells, merged with the runs above and below it that it touches, is located by
one point query.

Boundary semantics: a geometry contains the points of its interior *and* of its boundary
(shapely `intersects` / `covers`). A point exactly on a border shared by two communes is
therefore given to one of them, never to none: the one with the lowest index.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod, Transformer

__all__ = [
    "EARTH_RADIUS_KM",
    "CommuneIndex",
    "distance_km",
    "geodesic_area_km2",
    "lambert93_to_wgs84",
    "wgs84_to_lambert93",
]

EARTH_RADIUS_KM: Final = 6371.0088  # IUGG mean radius, used by the haversine distance

_NONE: Final = -1  # "no geometry" in results
_CELLS_PER_GEOMETRY: Final = 128  # grid resolution: about 11 x 11 cells per geometry
_MAX_CELLS: Final = 1 << 24  # 32 MiB of uint16 at most
_MAX_SIDE: Final = 8192  # cells along each axis, at most
_EDGE_CHUNK: Final = 1 << 18  # edges rasterised at a time
_EPS: Final = 1e-7  # in cell units: a cell this close to an edge counts as crossed
_DENSIFY_DEG: Final = 0.01  # longer edges are densified before geodesic measures
_POLYGONAL: Final = frozenset({3, 6})  # shapely type ids of Polygon and MultiPolygon


# --------------------------------------------------------------------------- projections


@cache
def _transformer(source: str, target: str) -> Transformer:
    # pyproj >= 3.1 transformers are thread-safe (one PROJ context per thread).
    return Transformer.from_crs(source, target, always_xy=True)


def lambert93_to_wgs84(
    x: ArrayLike, y: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lambert-93 (EPSG:2154) metres to WGS84 (EPSG:4326) degrees, returned as (lon, lat)."""
    lon, lat = _transformer("EPSG:2154", "EPSG:4326").transform(
        np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    )
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def wgs84_to_lambert93(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS84 (EPSG:4326) degrees to Lambert-93 (EPSG:2154) metres, returned as (x, y)."""
    x, y = _transformer("EPSG:4326", "EPSG:2154").transform(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


# ------------------------------------------------------------------- areas and distances

_GEOD: Final = Geod(ellps="WGS84")


def geodesic_area_km2(geometry: shapely.Geometry) -> float:
    """Area on the WGS84 ellipsoid, in km², of a lon/lat geometry.

    The polygon is the one shapely sees, with straight edges in lon/lat: edges are densified
    to 0.01° before being measured as geodesics (the difference is then below 1e-6 of the
    area; it is negligible for communes' short edges anyway). Rings are measured whatever
    their orientation: each polygon counts as its exterior minus its holes. Points and lines
    have no area (0.0); collections sum their members.
    """
    type_id = shapely.get_type_id(geometry)
    if type_id in (6, 7):  # MultiPolygon, GeometryCollection
        return sum(geodesic_area_km2(part) for part in shapely.get_parts(geometry))
    if type_id != 3 or shapely.is_empty(geometry):
        return 0.0
    total = 0.0
    rings = shapely.get_rings(shapely.segmentize(geometry, _DENSIFY_DEG))
    for position, ring in enumerate(rings):
        coords = shapely.get_coordinates(ring)
        area, _ = _GEOD.polygon_area_perimeter(coords[:, 0], coords[:, 1])
        total += abs(area) if position == 0 else -abs(area)
    return total / 1e6


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in km between two lon/lat points, on a sphere of
    radius `EARTH_RADIUS_KM` (within 0.5 % of the ellipsoidal distance)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def _project_aeqd(coords: NDArray[np.float64], lon0: float, lat0: float) -> NDArray[np.float64]:
    """Spherical azimuthal equidistant projection (km) centred on (lon0, lat0): the distance
    from the origin to a projected vertex is exactly its haversine distance to the centre."""
    phi0 = math.radians(lat0)
    sin0, cos0 = math.sin(phi0), math.cos(phi0)
    lam = np.radians(coords[:, 0] - lon0)
    phi = np.radians(coords[:, 1])
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    h = np.sin((phi - phi0) / 2) ** 2 + cos0 * cos_phi * np.sin(lam / 2) ** 2
    c = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    bearing = np.arctan2(np.sin(lam) * cos_phi, cos0 * sin_phi - sin0 * cos_phi * np.cos(lam))
    return np.column_stack((c * np.sin(bearing), c * np.cos(bearing)))


# ------------------------------------------------------------------------------- the index


def _as_geometry_array(
    geometries: Sequence[shapely.Geometry | None] | NDArray[np.object_],
) -> NDArray[np.object_]:
    array = np.empty(len(geometries), dtype=object)
    array[:] = list(geometries)
    missing = np.array([g is None for g in array], dtype=bool)
    if missing.any():
        array[missing] = shapely.Polygon()
    if not all(isinstance(g, shapely.Geometry) for g in array):
        raise TypeError("CommuneIndex expects shapely geometries")
    types = shapely.get_type_id(array)
    bad = ~np.isin(types, list(_POLYGONAL)) & ~shapely.is_empty(array)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            "CommuneIndex expects Polygon or MultiPolygon geometries; "
            f"item {first} is a {array[first].geom_type}"
        )
    return array


def _lowest_hit(n: int, inputs: NDArray[np.intp], hits: NDArray[np.intp]) -> NDArray[np.int64]:
    """For each of `n` queries, the lowest geometry index among its (input, hit) pairs, or -1."""
    sentinel = np.iinfo(np.int64).max
    lowest = np.full(n, sentinel, dtype=np.int64)
    np.minimum.at(lowest, inputs, hits)
    lowest[lowest == sentinel] = _NONE
    return lowest


OUTLINE_CLOSING_DEG: Final = 0.0005  # about 50 m


class CommuneIndex:
    """Point-in-commune and radius lookups over N commune (multi)polygons in WGS84 lon/lat.

    Indices returned are positions in the sequence given at construction. A point covered by
    several geometries (a shared border, or overlapping inputs) is given to the lowest index.
    `None` or empty geometries are accepted and never contain anything, so a commune without
    a geometry keeps its position. The index is read-only and safe to share between threads.
    """

    def __init__(self, geometries: Sequence[shapely.Geometry | None] | NDArray[np.object_]) -> None:
        self._geoms = _as_geometry_array(geometries)
        self._tree = shapely.STRtree(self._geoms)
        # Grid: cell (row, col) covers [x0 + col*size, x0 + (col+1)*size) x [y0 + row*size, ...)
        # and holds a geometry index, or one of the two largest values of its dtype:
        dtype: type[np.integer[Any]] = np.uint16 if len(self._geoms) < 65534 else np.int32
        self._mixed = int(np.iinfo(dtype).max)  # an edge passes through: ask the STRtree
        self._empty = self._mixed - 1  # inside no geometry
        self._x0 = 0.0
        self._y0 = 0.0
        self._inv = 1.0  # 1 / cell size
        self._nx = 0
        self._ny = 0
        self._grid: NDArray[np.integer[Any]] = np.empty(0, dtype=dtype)
        self._build_grid()

    @classmethod
    def from_wkb(cls, wkbs: Sequence[bytes | bytearray | memoryview | None]) -> CommuneIndex:
        """Build the index from WKB (or hex WKB) blobs, as stored in the database."""
        blobs = np.empty(len(wkbs), dtype=object)
        blobs[:] = [bytes(w) if isinstance(w, bytearray | memoryview) else w for w in wkbs]
        return cls(shapely.from_wkb(blobs))

    def __len__(self) -> int:
        return len(self._geoms)

    @property
    def geometries(self) -> NDArray[np.object_]:
        """The geometries, in index order (a copy of the array; the geometries are immutable)."""
        return self._geoms.copy()

    # ------------------------------------------------------------------ grid construction

    def _main_extent(self) -> tuple[float, float, float, float, int, float] | None:
        """Bounds of the dense main area, the number of geometries inside it and their area.

        Geometries whose centre lies far from the bulk (overseas departments next to
        metropolitan France) are left out: they are answered by the STRtree.
        """
        bounds = shapely.bounds(self._geoms)
        present = ~np.isnan(bounds).any(axis=1)
        bounds = bounds[present]
        if len(bounds) == 0:
            return None
        cx = (bounds[:, 0] + bounds[:, 2]) / 2
        cy = (bounds[:, 1] + bounds[:, 3]) / 2
        lo_x, hi_x = np.quantile(cx, [0.01, 0.99])
        lo_y, hi_y = np.quantile(cy, [0.01, 0.99])
        span_x = hi_x - lo_x
        span_y = hi_y - lo_y
        margin = 0.25 * max(span_x, span_y)
        near = (
            (cx >= lo_x - margin)
            & (cx <= hi_x + margin)
            & (cy >= lo_y - margin)
            & (cy <= hi_y + margin)
        )
        main = bounds[near]
        x0, y0 = float(main[:, 0].min()), float(main[:, 1].min())
        x1, y1 = float(main[:, 2].max()), float(main[:, 3].max())
        if not (x1 > x0 and y1 > y0):
            return None
        area = float(shapely.area(self._geoms[present][near]).sum())
        return x0, y0, x1, y1, len(main), area

    def _build_grid(self) -> None:
        extent = self._main_extent()
        if extent is None:
            return
        x0, y0, x1, y1, count, area = extent
        extent_area = (x1 - x0) * (y1 - y0)
        area = min(extent_area, max(area, 0.05 * extent_area))
        size = math.sqrt(area / max(64, count * _CELLS_PER_GEOMETRY))
        size = max(
            size,
            math.sqrt(extent_area / _MAX_CELLS),
            (x1 - x0) / _MAX_SIDE,
            (y1 - y0) / _MAX_SIDE,
        )
        inv = 1.0 / size
        nx = max(1, math.ceil((x1 - x0) * inv))
        ny = max(1, math.ceil((y1 - y0) * inv))
        self._x0, self._y0, self._inv, self._nx, self._ny = x0, y0, inv, nx, ny

        free = ~self._crossed_cells()
        # Horizontal runs of edge-free cells (a run never spans two rows).
        starts = free & ~np.concatenate(([False], free[:-1]))
        starts[::nx] = free[::nx]
        run_of_cell = np.cumsum(starts, dtype=np.int32) - 1
        run_start = np.flatnonzero(starts)
        label = self._merge_runs(free, starts, run_of_cell, len(run_start))
        # One point query per merged region, at the centre of its first run's first cell.
        roots = np.unique(label)  # each root is a run of its region
        cell = run_start[roots]
        px = x0 + ((cell % nx) + 0.5) * size
        py = y0 + ((cell // nx) + 0.5) * size
        inputs, hits = self._tree.query(shapely.points(px, py), predicate="intersects")
        answer = _lowest_hit(len(roots), inputs, hits)
        answer[answer == _NONE] = self._empty
        region_answer = answer.astype(self._grid.dtype)[np.searchsorted(roots, label)]
        grid = np.full(nx * ny, self._mixed, dtype=self._grid.dtype)
        grid[free] = region_answer[run_of_cell[free]]
        self._grid = grid

    def _crossed_cells(self) -> NDArray[np.bool_]:
        """Flat mask of the cells whose closed square some edge of some geometry meets (or
        comes within `_EPS` cell of), found by enumerating every grid-line crossing."""
        nx, ny = self._nx, self._ny
        crossed = np.zeros(nx * ny, dtype=bool)
        rings = shapely.get_rings(shapely.get_parts(self._geoms))
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        if len(coords) == 0:
            return crossed
        with np.errstate(over="ignore"):
            gx = (coords[:, 0] - self._x0) * self._inv
            gy = (coords[:, 1] - self._y0) * self._inv
        edge = ring[1:] == ring[:-1]
        ax, ay, bx, by = gx[:-1][edge], gy[:-1][edge], gx[1:][edge], gy[1:][edge]
        ax, ay, bx, by = _clip_segments(ax, ay, bx, by, -1.0, -1.0, nx + 1.0, ny + 1.0)

        def mark(col: NDArray[np.int64], row: NDArray[np.int64]) -> None:
            ok = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
            crossed[row[ok] * nx + col[ok]] = True

        # Vertices (clamped so that far-away ones cannot overflow the integer cast).
        vx = np.clip(gx, -2.0, nx + 2.0)
        vy = np.clip(gy, -2.0, ny + 2.0)
        for dx in (-_EPS, _EPS):
            for dy in (-_EPS, _EPS):
                mark(np.floor(vx + dx).astype(np.int64), np.floor(vy + dy).astype(np.int64))
        # Crossings of vertical grid lines (x = k) mark the cells on both sides, and the
        # same for horizontal lines with the roles of x and y swapped; by chunks of edges
        # to bound the memory used.
        for start in range(0, len(ax), _EDGE_CHUNK):
            part = slice(start, start + _EDGE_CHUNK)
            for a, b, c, d, vertical in (
                (ax[part], bx[part], ay[part], by[part], True),
                (ay[part], by[part], ax[part], bx[part], False),
            ):
                k, other = _grid_line_crossings(a, b, c, d)
                for delta in (-_EPS, _EPS):
                    o = np.floor(other + delta).astype(np.int64)
                    if vertical:
                        mark(k - 1, o)
                        mark(k, o)
                    else:
                        mark(o, k - 1)
                        mark(o, k)
        return crossed

    def _merge_runs(
        self,
        free: NDArray[np.bool_],
        starts: NDArray[np.bool_],
        run_of_cell: NDArray[np.int32],
        runs: int,
    ) -> NDArray[np.int64]:
        """Label runs so that vertically touching runs share a label (connected components,
        by min-label propagation with pointer jumping). Runs sharing a label form one
        edge-free region, hence lie inside the same geometries."""
        nx = self._nx
        label = np.arange(runs, dtype=np.int64)
        if runs == 0:
            return label
        # Free cells above free cells; two touching runs give the same pair over many
        # columns: take it where a run starts in either row or where the contact begins.
        both = free[nx:] & free[:-nx]
        contact = both & (starts[nx:] | starts[:-nx] | ~np.concatenate(([False], both[:-1])))
        lower = run_of_cell[:-nx][contact].astype(np.int64)
        upper = run_of_cell[nx:][contact].astype(np.int64)
        for _ in range(200):  # converges in a few rounds; stopping early is still correct
            low = np.minimum(label[lower], label[upper])
            new = label.copy()
            np.minimum.at(new, lower, low)
            np.minimum.at(new, upper, low)
            new = new[new]  # pointer jumping
            if np.array_equal(new, label):
                break
            label = new
        return label

    # ------------------------------------------------------------------------- lookups

    def locate(self, lon: float, lat: float) -> int:
        """Index of the geometry covering the point (lowest index on a shared border), or -1."""
        lon, lat = float(lon), float(lat)
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return _NONE
        gx = (lon - self._x0) * self._inv
        gy = (lat - self._y0) * self._inv
        if 0.0 <= gx < self._nx and 0.0 <= gy < self._ny:  # same cells as `locate_many`
            value = int(self._grid[int(gy) * self._nx + int(gx)])
            if value < self._empty:
                return value
            if value == self._empty:
                return _NONE
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        return int(hits.min()) if len(hits) else _NONE

    def locate_many(self, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.int64]:
        """`locate` for arrays of points (broadcast together); -1 where no geometry covers
        the point, or where a coordinate is not finite. The result has the points' shape."""
        x, y = np.broadcast_arrays(
            np.asarray(lons, dtype=np.float64), np.asarray(lats, dtype=np.float64)
        )
        shape = x.shape
        x = x.ravel()
        y = y.ravel()
        result = np.full(x.shape, _NONE, dtype=np.int64)
        ask = np.isfinite(x) & np.isfinite(y)  # the points the STRtree must answer
        with np.errstate(invalid="ignore", over="ignore"):
            col = np.floor((x - self._x0) * self._inv)
            row = np.floor((y - self._y0) * self._inv)
            inside = (col >= 0) & (col < self._nx) & (row >= 0) & (row < self._ny)
        flat = row[inside].astype(np.int64) * self._nx + col[inside].astype(np.int64)
        cells = self._grid[flat].astype(np.int64)
        result[inside] = np.where(cells < self._empty, cells, _NONE)
        ask[inside] = cells == self._mixed
        todo = np.flatnonzero(ask)
        if len(todo):
            inputs, hits = self._tree.query(
                shapely.points(x[todo], y[todo]), predicate="intersects"
            )
            result[todo] = _lowest_hit(len(todo), inputs, hits)
        return result.reshape(shape)

    def within_radius(self, lon: float, lat: float, km: float) -> NDArray[np.int64]:
        """Indices of the geometries that come within `km` of the point (those covering it
        included), nearest first; equal distances by index.

        Distances are measured in a spherical azimuthal equidistant projection centred on
        the point, after densifying edges to 0.01°: exact (haversine, as `distance_km`) to
        every vertex, within metres along edges, for radii up to thousands of km.
        """
        lon, lat, km = float(lon), float(lat), float(km)
        if not (math.isfinite(lon) and math.isfinite(lat) and math.isfinite(km)):
            raise ValueError("within_radius expects finite coordinates and radius")
        if km < 0:
            raise ValueError("within_radius expects a radius >= 0 km")
        candidates = self._radius_candidates(lon, lat, km)
        if len(candidates) == 0:
            return np.empty(0, dtype=np.int64)
        # Densify first so that long edges keep their lon/lat course once projected.
        projected = shapely.transform(
            shapely.segmentize(self._geoms[candidates], _DENSIFY_DEG),
            lambda coords: _project_aeqd(coords, lon, lat),
        )
        distance = shapely.distance(shapely.Point(0.0, 0.0), projected)
        # The point itself is covered exactly as `locate` sees it (no projection rounding).
        covering = shapely.intersects(self._geoms[candidates], shapely.Point(lon, lat))
        distance = np.where(covering, 0.0, distance)
        keep = distance <= km
        candidates, distance = candidates[keep], distance[keep]
        return candidates[np.lexsort((candidates, distance))]

    def _radius_candidates(self, lon: float, lat: float, km: float) -> NDArray[np.int64]:
        """Geometries whose bounding box meets the lon/lat box enclosing the spherical disc."""
        delta = km / EARTH_RADIUS_KM  # angular radius
        dlat = math.degrees(delta) * (1 + 1e-9) + 1e-12
        lat_lo, lat_hi = lat - dlat, lat + dlat
        cos_lat = math.cos(math.radians(lat))
        if lat_hi >= 90 or lat_lo <= -90 or math.sin(delta) >= cos_lat:
            boxes = [shapely.box(-540.0, lat_lo, 540.0, lat_hi)]
        else:
            dlon = math.degrees(math.asin(math.sin(delta) / cos_lat)) * (1 + 1e-9) + 1e-12
            boxes = [
                shapely.box(lon - dlon + shift, lat_lo, lon + dlon + shift, lat_hi)
                for shift in (-360.0, 0.0, 360.0)
            ]
        _, hits = self._tree.query(np.array(boxes, dtype=object))
        return np.unique(hits).astype(np.int64)

    def outline(self, indices: ArrayLike, tolerance: float = 0.001) -> shapely.Geometry:
        """Union of the given geometries, simplified with `tolerance` degrees (topology
        preserved; 0 keeps every vertex); with a tolerance, cracks narrower than a quarter of
        it between neighbours are closed first. For drawing a perimeter. Duplicates are ignored;
        an empty selection gives an empty geometry. Raises IndexError on an index outside
        [0, len) — including -1, the "no commune" answer of `locate`."""
        selected = np.unique(np.asarray(indices, dtype=np.int64).ravel())
        if len(selected) and (selected[0] < 0 or selected[-1] >= len(self._geoms)):
            raise IndexError(f"outline: indices must lie in [0, {len(self._geoms)})")
        if not (tolerance >= 0):
            raise ValueError("outline expects a tolerance >= 0")
        union = shapely.union_all(self._geoms[selected])
        if tolerance > 0 and not union.is_empty:
            # Close the slivers that simplified neighbours leave between them (a morphological
            # closing by at most a quarter of the tolerance, mitred so corners stay sharp).
            eps = min(OUTLINE_CLOSING_DEG, tolerance / 4)
            grown = shapely.buffer(union, eps, join_style="mitre")
            union = shapely.buffer(grown, -eps, join_style="mitre")
            union = shapely.simplify(union, tolerance, preserve_topology=True)
        return union


def _clip_segments(
    ax: NDArray[np.float64],
    ay: NDArray[np.float64],
    bx: NDArray[np.float64],
    by: NDArray[np.float64],
    xmin: float,
    ymin: float,
    xmax: float,
    ymax: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Clip segments a-b to a box (Liang-Barsky); segments outside it are dropped, segments
    inside it are returned bit for bit."""
    inside = (
        (np.minimum(ax, bx) >= xmin)
        & (np.maximum(ax, bx) <= xmax)
        & (np.minimum(ay, by) >= ymin)
        & (np.maximum(ay, by) <= ymax)
    )
    if inside.all():
        return ax, ay, bx, by
    out = ~inside
    cx, cy, ex, ey = ax[out], ay[out], bx[out], by[out]
    dx, dy = ex - cx, ey - cy
    t0 = np.zeros_like(cx)
    t1 = np.ones_like(cx)
    keep = np.ones(cx.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, cx - xmin), (dx, xmax - cx), (-dy, cy - ymin), (dy, ymax - cy)):
            keep &= ~((p == 0) & (q < 0))
            r = q / p
            t0 = np.where(p < 0, np.maximum(t0, r), t0)
            t1 = np.where(p > 0, np.minimum(t1, r), t1)
    keep &= t0 <= t1
    t0, t1, cx, cy, dx, dy = t0[keep], t1[keep], cx[keep], cy[keep], dx[keep], dy[keep]
    return (
        np.concatenate((ax[inside], cx + t0 * dx)),
        np.concatenate((ay[inside], cy + t0 * dy)),
        np.concatenate((bx[inside], cx + t1 * dx)),
        np.concatenate((by[inside], cy + t1 * dy)),
    )


def _grid_line_crossings(
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    c: NDArray[np.float64],
    d: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Every integer k between a and b (inclusive) for segments (a, c)-(b, d), with the
    other coordinate of the segment where its first coordinate equals k."""
    k0 = np.ceil(np.minimum(a, b)).astype(np.int64)
    k1 = np.floor(np.maximum(a, b)).astype(np.int64)
    count = np.where(a == b, 0, np.maximum(k1 - k0 + 1, 0))
    segment = np.repeat(np.arange(len(a)), count)
    offset = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(count) - count, count
    )
    k = k0[segment] + offset
    t = (k - a[segment]) / (b[segment] - a[segment])
    other = c[segment] + t * (d[segment] - c[segment])
    return k, other
