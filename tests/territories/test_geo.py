"""geo: projections, areas, distances and the point-in-commune index, on small synthetic
geometries (no database, no real data)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ptce.territories import geo
from ptce.territories.geo import (
    EARTH_RADIUS_KM,
    CommuneIndex,
    distance_km,
    geodesic_area_km2,
    lambert93_to_wgs84,
    wgs84_to_lambert93,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------------------ builders


def rect_tiling(xs: list[float], ys: list[float]) -> list[shapely.Polygon]:
    """Rectangles tiling [xs[0], xs[-1]] x [ys[0], ys[-1]], row by row."""
    return [
        shapely.box(x0, y0, x1, y1)
        for y0, y1 in itertools.pairwise(ys)
        for x0, x1 in itertools.pairwise(xs)
    ]


def voronoi_tiling(
    seeds: list[tuple[float, float]], box: shapely.Polygon
) -> list[shapely.Geometry]:
    """Cells of a Voronoi diagram clipped to `box` (not axis-aligned, shared vertices)."""
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box))
    return [c for c in shapely.intersection(cells, box) if not c.is_empty]


def brute_locate(geometries: list[shapely.Geometry], lons, lats) -> np.ndarray:
    """Lowest index of a geometry intersecting each point, -1 if none."""
    points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    hits = shapely.intersects(
        np.array(geometries, dtype=object)[:, None], points[None, :]
    )  # geometries x points
    return np.where(hits.any(axis=0), hits.argmax(axis=0), -1)


def boundary_samples(geometries, fractions) -> np.ndarray:
    """Points on the geometries' borders: their vertices, and points along their rings."""
    rings = shapely.get_rings(shapely.get_parts(np.array(geometries, dtype=object)))
    on_rings = [shapely.line_interpolate_point(rings, f, normalized=True) for f in fractions]
    return np.vstack(
        [shapely.get_coordinates(rings)] + [shapely.get_coordinates(p) for p in on_rings]
    )


cuts = st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=7, unique=True).map(
    lambda v: sorted(x / 40 for x in v)
)

seed_points = st.lists(
    st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=2, max_size=40, unique=True
).map(lambda pts: [(2.0 + x / 100, 45.0 + y / 100) for x, y in pts])

VORONOI_BOX = shapely.box(1.9, 44.9, 7.1, 50.1)

# ------------------------------------------------------------------------- projections


def test_lambert93_origin_is_3e_46_5n():
    lon, lat = lambert93_to_wgs84(np.array([700_000.0]), np.array([6_600_000.0]))
    assert lon[0] == pytest.approx(3.0, abs=1e-9)
    assert lat[0] == pytest.approx(46.5, abs=1e-9)
    x, y = wgs84_to_lambert93(np.array([3.0]), np.array([46.5]))
    assert x[0] == pytest.approx(700_000.0, abs=1e-3)
    assert y[0] == pytest.approx(6_600_000.0, abs=1e-3)


def test_lambert93_axes_are_east_and_north():
    lon, lat = lambert93_to_wgs84(
        np.array([600_000.0, 800_000.0, 700_000.0]), np.array([6_600_000.0] * 2 + [6_700_000.0])
    )
    assert lon[0] < 3.0 < lon[1]  # x grows to the east (always_xy: lon first)
    assert lat[2] > 46.5


def test_projections_keep_array_shape():
    x = np.full((2, 3), 650_000.0)
    y = np.full((2, 3), 6_800_000.0)
    lon, lat = lambert93_to_wgs84(x, y)
    assert lon.shape == lat.shape == (2, 3)
    assert lon.dtype == np.float64


@SETTINGS
@given(
    lon=st.floats(min_value=-5.0, max_value=9.5),
    lat=st.floats(min_value=41.3, max_value=51.1),
)
def test_lambert93_round_trip(lon, lat):
    x, y = wgs84_to_lambert93(np.array([lon]), np.array([lat]))
    assert 0 < x[0] < 1_300_000 and 6_000_000 < y[0] < 7_200_000
    back_lon, back_lat = lambert93_to_wgs84(x, y)
    assert back_lon[0] == pytest.approx(lon, abs=1e-9)
    assert back_lat[0] == pytest.approx(lat, abs=1e-9)


# ------------------------------------------------------------------------------- areas


def test_lambert93_square_has_its_area_up_to_the_scale_factor():
    # A 10 km square in Lambert-93 near the origin: the projection is conformal with a scale
    # factor within 0.1 % of 1 around 46.5°N, so the ellipsoidal area is 100 km² to 0.3 %.
    square = shapely.segmentize(shapely.box(695_000, 6_595_000, 705_000, 6_605_000), 100)
    coords = shapely.get_coordinates(square)
    lon, lat = lambert93_to_wgs84(coords[:, 0], coords[:, 1])
    area = geodesic_area_km2(shapely.Polygon(np.column_stack((lon, lat))))
    assert area == pytest.approx(100.0, rel=3e-3)


def ellipsoid_quadrangle_km2(lon0, lat0, lon1, lat1):
    """Closed form: area between two parallels and two meridians on the WGS84 ellipsoid."""
    a, f = 6378.137, 1 / 298.257223563
    e = math.sqrt(f * (2 - f))

    def q(lat):
        s = math.sin(math.radians(lat))
        return (1 - e * e) * (s / (1 - e * e * s * s) + math.atanh(e * s) / e)

    return a * a * math.radians(lon1 - lon0) * (q(lat1) - q(lat0)) / 2


@pytest.mark.parametrize(
    "box",
    [(0, 0, 1, 1), (2.0, 45.0, 2.5, 45.3), (-5.0, 42.0, 8.0, 51.0), (55.2, -21.4, 55.8, -20.9)],
)
def test_lon_lat_boxes_match_the_closed_form(box):
    expected = ellipsoid_quadrangle_km2(*box)
    assert geodesic_area_km2(shapely.box(*box)) == pytest.approx(expected, rel=1e-5)


@SETTINGS
@given(xs=cuts, ys=cuts)
def test_area_is_additive_and_orientation_free(xs, ys):
    tiles = rect_tiling([2 + x for x in xs], [44 + y for y in ys])
    whole = shapely.box(2 + xs[0], 44 + ys[0], 2 + xs[-1], 44 + ys[-1])
    total = geodesic_area_km2(whole)
    assert total > 0
    assert sum(geodesic_area_km2(t) for t in tiles) == pytest.approx(total, rel=1e-9)
    assert geodesic_area_km2(whole.reverse()) == pytest.approx(total, rel=1e-12)
    assert geodesic_area_km2(shapely.MultiPolygon(tiles)) == pytest.approx(total, rel=1e-9)


def test_area_subtracts_holes_and_ignores_lines_and_points():
    outer = shapely.box(2, 45, 3, 46)
    hole = shapely.box(2.25, 45.25, 2.75, 45.75)
    with_hole = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords[::-1]])
    expected = geodesic_area_km2(outer) - geodesic_area_km2(hole)
    assert geodesic_area_km2(with_hole) == pytest.approx(expected, rel=1e-9)
    assert geodesic_area_km2(shapely.LineString([(2, 45), (3, 46)])) == 0.0
    assert geodesic_area_km2(shapely.Point(2, 45)) == 0.0
    assert geodesic_area_km2(shapely.Polygon()) == 0.0
    mixed = shapely.GeometryCollection([outer, shapely.Point(0, 0)])
    assert geodesic_area_km2(mixed) == pytest.approx(geodesic_area_km2(outer))


# --------------------------------------------------------------------------- distances


def test_distance_known_values():
    assert distance_km(0, 0, 1, 0) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)
    assert distance_km(0, -90, 0, 90) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert distance_km(179.5, 0, -179.5, 0) == pytest.approx(distance_km(0, 0, 1, 0))
    # Paris (Notre-Dame) to Lyon (Bellecour): 392 km as the crow flies
    assert distance_km(2.3499, 48.8530, 4.8320, 45.7578) == pytest.approx(392, abs=2)


coordinates = st.tuples(st.floats(-180, 180), st.floats(-90, 90))


@SETTINGS
@given(a=coordinates, b=coordinates, c=coordinates)
def test_distance_is_a_metric(a, b, c):
    ab = distance_km(*a, *b)
    assert distance_km(*a, *a) == 0.0
    assert ab == pytest.approx(distance_km(*b, *a), abs=1e-6)
    assert 0 <= ab <= math.pi * EARTH_RADIUS_KM + 1e-6
    assert distance_km(*a, *c) <= ab + distance_km(*b, *c) + 1e-6


# ------------------------------------------------------------------------- CommuneIndex


@SETTINGS
@given(
    seeds=seed_points,
    lons=st.lists(st.floats(1.5, 7.5), min_size=1, max_size=60),
    lats=st.lists(st.floats(44.5, 50.5), min_size=1, max_size=60),
    fractions=st.lists(st.floats(0, 1), max_size=3),
)
def test_locate_many_agrees_with_brute_force(seeds, lons, lats, fractions):
    geometries = voronoi_tiling(seeds, VORONOI_BOX)
    index = CommuneIndex(geometries)
    n = min(len(lons), len(lats))
    on_borders = boundary_samples(geometries, fractions)
    px = np.concatenate((lons[:n], on_borders[:, 0]))
    py = np.concatenate((lats[:n], on_borders[:, 1]))
    found = index.locate_many(px, py)
    assert found.dtype == np.int64
    assert found.tolist() == brute_locate(geometries, px, py).tolist()
    # every border point belongs to the tiling
    assert (found[n:] >= 0).all()


@SETTINGS
@given(xs=cuts, ys=cuts, u=st.lists(st.floats(0, 1), min_size=1, max_size=40), data=st.data())
def test_rectangle_tiling_every_inside_point_is_found(xs, ys, u, data):
    tiles = rect_tiling(xs, ys)
    index = CommuneIndex(tiles)
    # inside points, including points exactly on the cuts (shared borders and corners)
    px = [min(xs[-1], xs[0] + f * (xs[-1] - xs[0])) for f in u]  # (no rounding past the end)
    py = [
        data.draw(st.sampled_from(ys)) if i % 2 else data.draw(st.floats(ys[0], ys[-1]))
        for i in range(len(px))
    ]
    px += [data.draw(st.sampled_from(xs)) for _ in range(10)]
    py += [data.draw(st.floats(ys[0], ys[-1])) for _ in range(10)]
    found = index.locate_many(px, py)
    assert (found >= 0).all()
    assert shapely.covers(np.array(tiles, dtype=object)[found], shapely.points(px, py)).all()
    assert found.tolist() == brute_locate(tiles, px, py).tolist()
    # outside points
    width, height = xs[-1] - xs[0], ys[-1] - ys[0]
    ox = [xs[0] - 1e-9 - f * width for f in u] + [xs[-1] + 1e-6 + f for f in u]
    oy = [ys[0] + f * height for f in u] * 2
    assert (index.locate_many(ox, oy) == -1).all()
    assert index.locate_many(px[:5], [ys[-1] + 0.01] * len(px[:5])).tolist() == [-1] * len(px[:5])


@SETTINGS
@given(
    seeds=seed_points,
    lons=st.lists(st.floats(1.5, 7.5), min_size=1, max_size=30),
    lats=st.lists(st.floats(44.5, 50.5), min_size=1, max_size=30),
)
def test_locate_agrees_with_locate_many(seeds, lons, lats):
    geometries = voronoi_tiling(seeds, VORONOI_BOX)
    index = CommuneIndex(geometries)
    n = min(len(lons), len(lats))
    vertices = boundary_samples(geometries, [])[:30]
    px = np.concatenate((lons[:n], vertices[:, 0]))
    py = np.concatenate((lats[:n], vertices[:, 1]))
    many = index.locate_many(px, py)
    assert [index.locate(x, y) for x, y in zip(px, py, strict=True)] == many.tolist()


def grid_cells(index):
    """White-box view of the grid: the cells not left to the STRtree, their squares and
    their stored values."""
    cell = np.flatnonzero(index._grid != index._mixed)
    size = 1.0 / index._inv
    col, row = cell % index._nx, cell // index._nx
    boxes = shapely.box(
        index._x0 + col * size,
        index._y0 + row * size,
        index._x0 + (col + 1) * size,
        index._y0 + (row + 1) * size,
    )
    return boxes, index._grid[cell].astype(np.int64)


def check_grid(geometries):
    """Every cell the grid answers is answered as the STRtree would for any point of the
    cell, and resolved cells cover most of the geometries' area (the fast path is used)."""
    geometries = np.array(geometries, dtype=object)
    index = CommuneIndex(geometries)
    boxes, values = grid_cells(index)
    inputs, hits = shapely.STRtree(geometries).query(boxes, predicate="intersects")
    expected = np.full(len(boxes), np.iinfo(np.int64).max)
    np.minimum.at(expected, inputs, hits)
    expected[expected == np.iinfo(np.int64).max] = index._empty
    assert values.tolist() == expected.tolist()
    resolved = values < index._empty
    # no edge passes through a resolved cell: its geometry covers it
    assert shapely.covers(geometries[values[resolved]], boxes[resolved]).all()
    size = 1 / index._inv
    grid = shapely.box(
        index._x0, index._y0, index._x0 + index._nx * size, index._y0 + index._ny * size
    )
    covered = shapely.union_all(geometries).intersection(grid).area
    assert shapely.area(boxes[resolved]).sum() > 0.5 * covered


@SETTINGS
@given(seeds=seed_points)
def test_grid_cells_hold_the_right_answers(seeds):
    check_grid(voronoi_tiling(seeds, VORONOI_BOX))


def test_overlapping_geometries_and_a_huge_one_centred_elsewhere():
    # A diagonal band of small squares, and a huge polygon centred far east (so outside the
    # main area) that overlaps the band's right half: cells are inside it, in a square of
    # the band (the lowest index wins), or empty, row after row.
    band = [
        shapely.box(i, j, i + 1, j + 1) for i in range(10) for j in range(10) if abs(i - j) <= 1
    ]
    huge = shapely.box(5, -50, 100, 50)
    check_grid([*band, huge])
    check_grid([huge, *band])
    geometries = [*band, huge]
    index = CommuneIndex(geometries)
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(-1, 11, 3000), rng.uniform(-1, 11, 3000)
    assert index.locate_many(lons, lats).tolist() == brute_locate(geometries, lons, lats).tolist()


def test_grid_resolution_follows_the_geometries_not_their_extent():
    # ten squares along a diagonal fill a tenth of their bounding box
    check_grid([shapely.box(i, i, i + 1, i + 1) for i in range(10)])
    check_grid([*rect_tiling([0, 1, 2, 3], [0, 1, 2]), shapely.box(8, 8, 9, 9)])


class CountingTree:
    """Wraps an STRtree and records how many geometries each query asked about."""

    def __init__(self, tree):
        self.tree = tree
        self.asked = 0

    def query(self, geometry, *args, **kwargs):
        self.asked += len(geometry) if isinstance(geometry, np.ndarray) else 1
        return self.tree.query(geometry, *args, **kwargs)


def test_resolved_cells_are_answered_without_the_strtree():
    geometries = voronoi_tiling([(2.1, 45.1), (2.6, 45.3), (2.4, 45.9), (3.0, 45.5)], VORONOI_BOX)
    index = CommuneIndex(geometries)
    boxes, values = grid_cells(index)
    centres = shapely.get_coordinates(shapely.centroid(boxes))
    index._tree = counting = CountingTree(index._tree)
    found = index.locate_many(centres[:, 0], centres[:, 1])
    assert counting.asked == 0
    assert found.tolist() == np.where(values < index._empty, values, -1).tolist()
    assert [index.locate(x, y) for x, y in centres[:200]] == found[:200].tolist()
    assert counting.asked == 0
    # points outside the grid and in mixed cells do reach the STRtree
    assert index.locate_many([2.1, 40.0], [45.1, 40.0]).tolist() == [0, -1]
    assert counting.asked >= 1


def test_empty_cells_are_answered_without_the_strtree():
    ring = shapely.Polygon([(0, 0), (9, 0), (9, 9), (0, 9)], [[(3, 3), (3, 6), (6, 6), (6, 3)]])
    index = CommuneIndex([ring])
    index._tree = counting = CountingTree(index._tree)
    assert index.locate(4.5, 4.5) == -1
    assert index.locate_many([4.5, 4.0], [4.5, 5.0]).tolist() == [-1, -1]
    assert index.locate(1.5, 1.5) == 0
    assert counting.asked == 0


def test_point_on_a_shared_border_goes_to_the_lowest_index():
    left, right = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    for geometries, expected in (([left, right], 0), ([right, left], 0)):
        index = CommuneIndex(geometries)
        assert index.locate(1.0, 0.5) == expected
        assert index.locate_many([1.0, 1.0, 1.0], [0.0, 0.5, 1.0]).tolist() == [expected] * 3
    index = CommuneIndex([left, right])
    assert index.locate(0.5, 0.5) == 0
    assert index.locate(1.5, 0.5) == 1
    assert index.locate(2.0, 1.0) == 1  # outer corner: covered
    assert index.locate(2.0 + 1e-12, 1.0) == -1


def test_borders_on_grid_lines():
    # Two geometries over 8 x 32 degrees: 256 cells of exactly 1 x 1, so the shared border
    # y = 16 and the outer borders fall on grid lines.
    geometries = [shapely.box(0, 0, 8, 16), shapely.box(0, 16, 8, 32)]
    index = CommuneIndex(geometries)
    assert index._inv == 1.0  # the case this test is about
    xs = np.linspace(0, 8, 33)
    for y in (0.0, 15.999999, 16.0, 16.000001, 32.0):
        found = index.locate_many(xs, np.full_like(xs, y))
        assert found.tolist() == brute_locate(geometries, xs, np.full_like(xs, y)).tolist()
        assert (found >= 0).all()
    assert index.locate(4.0, 16.0) == 0
    assert index.locate(8.0, 20.0) == 1
    assert index.locate(8.0000001, 20.0) == -1


def test_holes_islands_and_multipolygons():
    ring = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (1, 3), (3, 3), (3, 1)]])
    island = shapely.box(1.5, 1.5, 2.5, 2.5)  # inside the hole, leaving a moat
    pair = shapely.MultiPolygon([shapely.box(5, 0, 6, 1), shapely.box(7, 0, 8, 1)])
    index = CommuneIndex([ring, island, pair])
    points = {
        (0.5, 0.5): 0,
        (2.0, 2.0): 1,
        (1.2, 2.0): -1,  # in the moat
        (1.0, 2.0): 0,  # on the hole's edge
        (1.5, 2.0): 1,
        (5.5, 0.5): 2,
        (7.5, 0.5): 2,
        (6.5, 0.5): -1,  # between the parts
    }
    lons, lats = zip(*points, strict=True)
    assert index.locate_many(lons, lats).tolist() == list(points.values())
    assert [index.locate(x, y) for x, y in points] == list(points.values())


def test_geometries_smaller_than_a_grid_cell():
    # Specks far smaller than a cell, in holes of a large geometry and lying on it: no grid
    # line crosses them, the cells holding them must still be asked to the STRtree.
    specks = [shapely.box(x, y, x + 0.001, y + 0.001) for x, y in ((2.3, 3.7), (7.1, 1.2))]
    big = shapely.Polygon(
        [(0, 0), (10, 0), (10, 10), (0, 10)], [s.exterior.coords[::-1] for s in specks]
    )
    on_top = shapely.box(5.5, 5.5, 5.5005, 5.5005)
    geometries = [big, *specks, on_top]
    index = CommuneIndex(geometries)
    assert 1 / index._inv > 0.1  # cells are a hundred times larger than the specks
    lons = [2.3005, 7.1005, 5.50025, 2.2995, 5.4999, 5.0]
    lats = [3.7005, 1.2005, 5.50025, 3.7005, 5.5, 5.0]
    assert index.locate_many(lons, lats).tolist() == [1, 2, 0, 0, 0, 0]
    assert [index.locate(x, y) for x, y in zip(lons, lats, strict=True)] == [1, 2, 0, 0, 0, 0]
    assert CommuneIndex([on_top, big]).locate(5.50025, 5.50025) == 0


def test_far_away_geometries_are_found_outside_the_grid():
    # A dense "metropolitan" tiling and two far "overseas" geometries.
    mainland = rect_tiling([-4 + i * 0.5 for i in range(25)], [43 + i * 0.5 for i in range(17)])
    guadeloupe = shapely.box(-61.8, 15.9, -61.0, 16.5)
    reunion = shapely.box(55.2, -21.4, 55.8, -20.9)
    geometries = [guadeloupe, *mainland, reunion]
    index = CommuneIndex(geometries)
    # the grid covers the mainland only...
    x1 = index._x0 + index._nx / index._inv
    assert index._x0 >= -4 - 1e-9 and x1 <= 8 + 1 / index._inv
    # ...and the overseas geometries are still found
    assert index.locate(-61.5, 16.2) == 0
    assert index.locate(55.5, -21.1) == len(geometries) - 1
    lons = [-61.5, 55.5, -3.9, 7.9, 0.0, -30.0]
    lats = [16.2, -21.1, 43.1, 50.9, 0.0, 30.0]
    assert index.locate_many(lons, lats).tolist() == brute_locate(geometries, lons, lats).tolist()


def test_more_geometries_than_uint16_cells_can_name():
    # 65,536 unit squares: the grid switches from uint16 to int32 cells.
    side = 256
    col, row = np.meshgrid(np.arange(side), np.arange(side))
    col, row = col.ravel(), row.ravel()
    index = CommuneIndex(shapely.box(col, row, col + 1, row + 1))
    assert index._grid.dtype == np.int32
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(-1, side + 1, 20_000), rng.uniform(-1, side + 1, 20_000)
    expected = np.floor(lats) * side + np.floor(lons)
    outside = (lons < 0) | (lons >= side) | (lats < 0) | (lats >= side)
    expected[outside] = -1
    on_edge = (lons == side) | (lats == side)  # (covered by the last row or column)
    found = index.locate_many(lons, lats)
    assert found[~on_edge].tolist() == expected[~on_edge].astype(np.int64).tolist()
    assert index.locate(255.5, 255.5) == side * side - 1
    assert CommuneIndex([shapely.box(0, 0, 1, 1)])._grid.dtype == np.uint16


def test_edges_far_from_the_grid_cost_nothing(monkeypatch):
    # A geometry with edges 340° long (around Antarctica) next to a small dense tiling: its
    # edges are clipped to the grid before grid-line crossings are enumerated.
    seen = []
    original = geo._grid_line_crossings

    def recording(a, b, c, d):
        k, other = original(a, b, c, d)
        seen.append(k)
        return k, other

    monkeypatch.setattr(geo, "_grid_line_crossings", recording)
    tiling = rect_tiling([2 + i * 0.1 for i in range(11)], [45 + i * 0.1 for i in range(11)])
    antarctica = shapely.box(-170, -80, 170, -70)
    index = CommuneIndex([*tiling, antarctica])
    assert index.locate(0.0, -75.0) == len(tiling)
    assert index.locate(2.05, 45.05) == 0
    crossings = np.concatenate(seen)
    assert crossings.min() >= -1
    assert crossings.max() <= max(index._nx, index._ny) + 1


def test_locate_many_shapes_and_non_finite_input():
    index = CommuneIndex(rect_tiling([0, 1, 2], [0, 1]))
    grid = index.locate_many([[0.5, 1.5], [0.5, np.nan]], [[0.5, 0.5], [np.inf, 0.5]])
    assert grid.shape == (2, 2)
    assert grid.tolist() == [[0, 1], [-1, -1]]
    assert index.locate_many([0.5, 1.5, 3.0], 0.5).tolist() == [0, 1, -1]  # broadcast
    assert index.locate_many([], []).shape == (0,)
    assert index.locate(math.nan, 0.5) == -1
    assert index.locate(0.5, math.inf) == -1
    assert index.locate(1e308, -1e308) == -1
    assert index.locate_many([1e308, -1e308, 0.5], [0.5, 0.5, 1e308]).tolist() == [-1] * 3
    with pytest.raises(ValueError):
        index.locate_many([0.5, 1.5], [0.5, 0.5, 0.5])


def test_empty_and_missing_geometries():
    empty = CommuneIndex([])
    assert len(empty) == 0
    assert empty.locate(1.0, 1.0) == -1
    assert empty.locate_many([1.0, 2.0], [1.0, 2.0]).tolist() == [-1, -1]
    assert empty.within_radius(1.0, 1.0, 100).tolist() == []
    assert empty.outline([]).is_empty
    # a commune without a geometry keeps its position and is never found
    index = CommuneIndex([None, shapely.box(0, 0, 1, 1), shapely.Polygon()])
    assert len(index) == 3
    assert index.locate(0.5, 0.5) == 1
    assert index.within_radius(0.5, 0.5, 1000).tolist() == [1]


def test_rejects_non_polygonal_geometries():
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        CommuneIndex([shapely.box(0, 0, 1, 1), shapely.Point(0, 0)])
    with pytest.raises(TypeError):
        CommuneIndex(["POLYGON ((0 0, 1 0, 1 1, 0 0))"])


def test_from_wkb_matches_the_geometries():
    geometries = voronoi_tiling([(2.1, 45.1), (2.6, 45.3), (2.4, 45.9), (3.0, 45.5)], VORONOI_BOX)
    wkbs = [shapely.to_wkb(g) for g in geometries]
    blobs = [wkbs[0], bytearray(wkbs[1]), memoryview(wkbs[2]), *wkbs[3:]]
    from_wkb = CommuneIndex.from_wkb(blobs)
    direct = CommuneIndex(geometries)
    assert len(from_wkb) == len(geometries)
    rng = np.random.default_rng(1)
    lons, lats = rng.uniform(1.8, 7.2, 500), rng.uniform(44.8, 50.2, 500)
    assert from_wkb.locate_many(lons, lats).tolist() == direct.locate_many(lons, lats).tolist()
    assert all(shapely.equals(a, b) for a, b in zip(from_wkb.geometries, geometries, strict=True))


# ------------------------------------------------------------------------ within_radius


def brute_distances_km(geometries, lon, lat, step_deg):
    """Upper bounds of each geometry's distance to the point: 0 if it covers the point, else
    the haversine distance to the nearest vertex of its densified boundary."""
    point = shapely.Point(lon, lat)
    result = []
    for g in geometries:
        if g.intersects(point):
            result.append(0.0)
            continue
        coords = shapely.get_coordinates(shapely.segmentize(g.boundary, step_deg))
        result.append(min(distance_km(lon, lat, x, y) for x, y in coords))
    return np.array(result)


@SETTINGS
@given(
    xs=cuts,
    ys=cuts,
    lon=st.floats(1.5, 13.0),
    lat=st.floats(43.5, 55.0),
    km=st.floats(0.0, 400.0),
)
def test_within_radius_agrees_with_densified_brute_force(xs, ys, lon, lat, km):
    geometries = rect_tiling([2 + x for x in xs], [44 + y for y in ys])
    index = CommuneIndex(geometries)
    step = 0.02  # degrees: the densified vertices are within ~1.2 km of any border point
    step_km = 1.2
    brute = brute_distances_km(geometries, lon, lat, step)
    found = index.within_radius(lon, lat, km)
    assert found.dtype == np.int64
    assert len(set(found.tolist())) == len(found)
    tolerance = 0.01 + 2e-3 * km  # projection of edges; the edges here are up to 10° long
    chosen = set(found.tolist())
    for i, upper in enumerate(brute):
        if upper <= km - tolerance:
            assert i in chosen, (i, upper, km)
        if upper - step_km > km + tolerance:
            assert i not in chosen, (i, upper, km)
    # nearest first
    ordered = brute[found]
    assert all(b >= a - step_km - tolerance for a, b in itertools.pairwise(ordered))
    containing = index.locate(lon, lat)
    if containing >= 0:
        assert found[0] == containing


def test_within_radius_orders_by_distance_then_index():
    # a row of 1 km-ish squares east of the point: distances 0, 0 (shared border), ...
    geometries = rect_tiling([2 + 0.01 * i for i in range(6)], [45.0, 45.01])
    index = CommuneIndex(geometries)
    assert index.within_radius(2.01, 45.005, 0).tolist() == [0, 1]
    found = index.within_radius(2.005, 45.005, 2.5)
    assert found.tolist() == [0, 1, 2, 3]  # 0 km, 0.39 km, 1.18 km, 1.97 km
    assert index.within_radius(2.005, 45.005, 0.3).tolist() == [0]
    assert index.within_radius(1.9, 45.005, 1.0).tolist() == []
    with pytest.raises(ValueError):
        index.within_radius(2.0, 45.0, -1)
    with pytest.raises(ValueError):
        index.within_radius(2.0, math.nan, 1)


def test_within_radius_follows_long_edges_along_their_parallel():
    # The top edge of a 10° wide box runs along the 45.5°N parallel; its great circle chord
    # would pass ~12 km further north. A point 0.18° (20 km) north of the middle of the edge:
    # (a tower at the east end lifts the bounding box above the point's latitude)
    band = shapely.Polygon(
        [(2.0, 45.0), (12.0, 45.0), (12.0, 46.0), (11.9, 46.0), (11.9, 45.5), (2.0, 45.5)]
    )
    index = CommuneIndex([band])
    assert index.within_radius(7.0, 45.68, 19.5).tolist() == []
    assert index.within_radius(7.0, 45.68, 20.5).tolist() == [0]


def test_within_radius_across_the_antimeridian():
    east = shapely.box(179.9, -0.1, 180.0, 0.1)
    west = shapely.box(-180.0, -0.1, -179.9, 0.1)
    index = CommuneIndex([east, west])
    assert index.within_radius(179.95, 0.0, 1).tolist() == [0]
    assert index.within_radius(179.95, 0.0, 10).tolist() == [0, 1]
    assert index.within_radius(-179.99, 0.0, 5).tolist() == [1, 0]


# ------------------------------------------------------------------------------ outline


@SETTINGS
@given(xs=cuts, ys=cuts, data=st.data())
def test_outline_is_the_union(xs, ys, data):
    tiles = rect_tiling(xs, ys)
    index = CommuneIndex(tiles)
    chosen = data.draw(st.lists(st.integers(0, len(tiles) - 1), min_size=1))
    outline = index.outline(chosen, tolerance=0)
    expected = shapely.union_all([tiles[i] for i in chosen])
    assert outline.symmetric_difference(expected).area == pytest.approx(0, abs=1e-9)
    assume(len(set(chosen)) < len(tiles))
    assert not outline.covers(shapely.union_all(tiles))


def test_outline_simplifies_within_tolerance():
    wavy = shapely.Polygon(
        [(2 + i / 100, 45 + 0.0004 * (i % 2)) for i in range(101)] + [(3, 46), (2, 46)]
    )
    index = CommuneIndex([wavy])
    simplified = index.outline([0], tolerance=0.001)
    assert shapely.get_num_coordinates(simplified) < shapely.get_num_coordinates(wavy) / 10
    assert shapely.hausdorff_distance(simplified, wavy) <= 0.001
    exact = index.outline([0, 0], tolerance=0)
    assert shapely.equals(exact, wavy)


def test_outline_rejects_bad_indices():
    index = CommuneIndex(rect_tiling([0, 1, 2], [0, 1]))
    assert index.outline([]).is_empty
    with pytest.raises(IndexError):
        index.outline([-1])  # the "not found" answer of locate
    with pytest.raises(IndexError):
        index.outline([2])
    with pytest.raises(ValueError):
        index.outline([0], tolerance=-0.1)
