"""clustering: viewport queries against a naive oracle (a Python loop and a dict), on
synthetic points; properties with hypothesis (no database)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptce.actors.clustering import (
    MAX_LATITUDE,
    POINTS_ZOOM,
    MapAnswer,
    PointSet,
    query,
    to_geojson_dict,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FRANCE = (-5.0, 42.3, 8.2, 51.1)

# ------------------------------------------------------------------------------ the oracle


def mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = min(max(lat, -MAX_LATITUDE), MAX_LATITUDE)
    x = (lon + 180.0) / 360.0
    y = 0.5 - math.asinh(math.tan(math.radians(lat))) / (2 * math.pi)
    return min(max(x, 0.0), 1.0 - 2**-53), min(max(y, 0.0), 1.0 - 2**-53)


def in_viewport(lons, lats, bbox, mask=None) -> list[int]:
    """Indices of the points inside the bbox (edges included) and the mask."""
    west, south, east, north = bbox
    south, north = (min(max(v, -MAX_LATITUDE), MAX_LATITUDE) for v in (south, north))
    found = []
    for i, (lon, lat) in enumerate(zip(lons, lats, strict=True)):
        lat = min(max(lat, -MAX_LATITUDE), MAX_LATITUDE)
        if west <= lon <= east and south <= lat <= north and (mask is None or mask[i]):
            found.append(i)
    return found


def naive_cells(lons, lats, bbox, zoom, mask=None, cell_pixels=64) -> dict:
    """(ix, iy) -> [count, sum lon, sum lat, min lon, min lat, max lon, max lat]."""
    per_unit = 256 * 2**zoom / cell_pixels
    cells: dict[tuple[int, int], list[float]] = {}
    for i in in_viewport(lons, lats, bbox, mask):
        lon, lat = lons[i], min(max(lats[i], -MAX_LATITUDE), MAX_LATITUDE)
        x, y = mercator(lon, lat)
        key = (math.floor(x * per_unit), math.floor(y * per_unit))
        cell = cells.setdefault(key, [0, 0.0, 0.0, lon, lat, lon, lat])
        cell[0] += 1
        cell[1] += lon
        cell[2] += lat
        cell[3], cell[4] = min(cell[3], lon), min(cell[4], lat)
        cell[5], cell[6] = max(cell[5], lon), max(cell[6], lat)
    return cells


def assert_same_clusters(answer: MapAnswer, cells: dict) -> None:
    assert answer.mode == "clusters"
    ours = sorted((c.count, c.bbox, c.lon, c.lat) for c in answer.clusters)
    theirs = sorted((int(v[0]), tuple(v[3:]), v[1] / v[0], v[2] / v[0]) for v in cells.values())
    assert [o[:2] for o in ours] == [t[:2] for t in theirs]
    for (_, _, lon, lat), (_, _, lon2, lat2) in zip(ours, theirs, strict=True):
        assert lon == pytest.approx(lon2, abs=1e-9)
        assert lat == pytest.approx(lat2, abs=1e-9)


def blobs(seed: int, count: int, box=FRANCE, towns: int = 20, nan: int = 0):
    """Clumpy points: Gaussian blobs around towns plus a uniform fifth; `nan` of them
    without a position."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = box
    uniform = count // 5
    centres = np.column_stack((rng.uniform(x0, x1, towns), rng.uniform(y0, y1, towns)))
    around = centres[rng.integers(0, towns, count - uniform)]
    around = around + rng.normal(0, 0.05 * (x1 - x0), around.shape)
    lons = np.concatenate((rng.uniform(x0, x1, uniform), around[:, 0]))
    lats = np.concatenate((rng.uniform(y0, y1, uniform), around[:, 1]))
    lons[:nan] = np.nan
    ids = rng.permutation(count).astype(np.int64) * 7 - 1000  # any ids, negative ones too
    return ids, lons, lats


# ----------------------------------------------------------------------------- strategies

lon_values = st.one_of(
    st.floats(-5.0, 8.2, allow_nan=False),
    st.sampled_from([-180.0, 180.0, 0.0, 2.35, 2.3500001]),
)
lat_values = st.one_of(
    st.floats(42.3, 51.1, allow_nan=False),
    st.sampled_from([-90.0, 90.0, 0.0, 48.85, 86.0, -85.06]),
)
point_lists = st.lists(st.tuples(lon_values, lat_values), max_size=250)


@st.composite
def bboxes(draw):
    lons = sorted(draw(st.lists(lon_values, min_size=2, max_size=2)))
    lats = sorted(draw(st.lists(lat_values, min_size=2, max_size=2)))
    return (lons[0], lats[0], lons[1], lats[1])


@st.composite
def cases(draw):
    pts = draw(point_lists)
    # Duplicated positions: several establishments at one address.
    pts += pts[: draw(st.integers(0, 5))]
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    ids = draw(st.permutations(range(len(pts))))
    mask = draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=len(pts), max_size=len(pts))))
    return {
        "ids": np.array(ids, dtype=np.int64),
        "lons": lons,
        "lats": lats,
        "mask": None if mask is None else np.array(mask, dtype=np.bool_),
        "bbox": draw(st.one_of(bboxes(), st.just(FRANCE), st.just((-180.0, -90.0, 180.0, 90.0)))),
        "zoom": draw(st.integers(0, 18)),
        "max_points": draw(st.integers(0, 40)),
        "cell_pixels": draw(st.sampled_from([64, 32, 256, 1, 60, 100])),
    }


def run(case) -> MapAnswer:
    points = PointSet(case["ids"], np.array(case["lons"]), np.array(case["lats"]))
    return query(
        points,
        case["bbox"],
        case["zoom"],
        mask=case["mask"],
        max_points=case["max_points"],
        cell_pixels=case["cell_pixels"],
    )


# ---------------------------------------------------------------------------- properties


@SETTINGS
@given(cases())
def test_answers_match_the_naive_oracle(case):
    answer = run(case)
    inside = in_viewport(case["lons"], case["lats"], case["bbox"], case["mask"])
    assert answer.total == len(inside)
    if len(inside) <= case["max_points"] or case["zoom"] >= POINTS_ZOOM:
        assert answer.mode == "points"
        assert answer.clusters == []
        assert len(answer.point_ids) == min(len(inside), case["max_points"])
        assert answer.truncated == (len(inside) > case["max_points"])
        assert set(answer.point_ids.tolist()) <= {int(case["ids"][i]) for i in inside}
        if not answer.truncated:
            assert sorted(answer.point_ids.tolist()) == sorted(int(case["ids"][i]) for i in inside)
    else:
        cells = naive_cells(
            case["lons"],
            case["lats"],
            case["bbox"],
            case["zoom"],
            case["mask"],
            case["cell_pixels"],
        )
        assert_same_clusters(answer, cells)
        assert len(answer.point_ids) == len(answer.point_lons) == len(answer.point_lats) == 0


@SETTINGS
@given(cases())
def test_cluster_counts_add_up_and_positions_lie_in_their_bbox(case):
    case["max_points"] = 0
    case["zoom"] = min(case["zoom"], POINTS_ZOOM - 1)
    answer = run(case)
    if answer.total == 0:
        assert answer.mode == "points" and len(answer.point_ids) == 0
        return
    assert answer.mode == "clusters"
    assert sum(c.count for c in answer.clusters) == answer.total
    for cluster in answer.clusters:
        west, south, east, north = cluster.bbox
        assert cluster.count >= 1
        assert west <= cluster.lon <= east
        assert south <= cluster.lat <= north
        assert case["bbox"][0] <= west and east <= case["bbox"][2]


@SETTINGS
@given(cases())
def test_points_carry_their_own_positions(case):
    case["max_points"] = 10_000
    answer = run(case)
    assert answer.mode == "points"
    position = {
        int(i): (lon, lat)
        for i, lon, lat in zip(case["ids"], case["lons"], case["lats"], strict=True)
    }
    assert answer.point_ids.tolist() == sorted(answer.point_ids.tolist())
    for i, lon, lat in zip(answer.point_ids, answer.point_lons, answer.point_lats, strict=True):
        expected_lon, expected_lat = position[int(i)]
        assert lon == expected_lon
        assert lat == min(max(expected_lat, -MAX_LATITUDE), MAX_LATITUDE)


@SETTINGS
@given(cases())
def test_the_mask_removes_exactly_its_points(case):
    n = len(case["lons"])
    mask = np.zeros(n, dtype=np.bool_)
    mask[::2] = True
    unmasked = run({**case, "mask": None, "max_points": 10_000, "zoom": 10})
    masked = run({**case, "mask": mask, "max_points": 10_000, "zoom": 10})
    kept = {int(i) for i in case["ids"][mask]}
    assert set(masked.point_ids.tolist()) == set(unmasked.point_ids.tolist()) & kept
    nothing = run({**case, "mask": np.zeros(n, dtype=np.bool_), "max_points": 0, "zoom": 3})
    assert nothing.total == 0 and nothing.clusters == [] and len(nothing.point_ids) == 0


@SETTINGS
@given(cases())
def test_answers_are_deterministic_and_do_not_depend_on_the_input_order(case):
    first, again = run(case), run(case)
    assert first.mode == again.mode and first.total == again.total
    assert first.clusters == again.clusters
    assert np.array_equal(first.point_ids, again.point_ids)
    assert np.array_equal(first.point_lons, again.point_lons)
    reverse = slice(None, None, -1)
    shuffled = {
        **case,
        "ids": case["ids"][reverse],
        "lons": case["lons"][reverse],
        "lats": case["lats"][reverse],
        "mask": None if case["mask"] is None else case["mask"][reverse],
    }
    other = run(shuffled)
    assert other.mode == first.mode and other.total == first.total
    assert np.array_equal(other.point_ids, first.point_ids)  # also the subset kept at zoom 16+
    assert [(c.count, c.bbox) for c in other.clusters] == [
        (c.count, c.bbox) for c in first.clusters
    ]


@SETTINGS
@given(st.integers(0, 2**32), st.integers(1, 60))
def test_the_points_kept_at_high_zoom_stay_when_the_map_pans(seed, max_points):
    ids, lons, lats = blobs(seed, 3000, box=(2.30, 48.84, 2.36, 48.88), towns=3)
    points = PointSet(ids, lons, lats)
    big = (2.30, 48.84, 2.36, 48.88)
    small = (2.31, 48.85, 2.34, 48.87)
    kept_big = set(query(points, big, 17, max_points=max_points).point_ids.tolist())
    answer = query(points, small, 17, max_points=max_points)
    in_small = {int(ids[i]) for i in in_viewport(lons, lats, small)}
    assert answer.total == len(in_small) and answer.truncated
    # The points shown over the big viewport that are in the small one are shown there too.
    assert kept_big & in_small <= set(answer.point_ids.tolist())


# ------------------------------------------------------------------------ targeted cases


def test_clusters_at_scale_match_the_oracle_for_both_cell_paths():
    ids, lons, lats = blobs(1, 20_000, nan=50)
    points = PointSet(ids, lons, lats)
    mask = np.random.default_rng(2).random(len(ids)) < 0.4
    for zoom, bbox in [
        (3, (-180.0, -85.0, 180.0, 85.0)),
        (5, FRANCE),
        (7, (-1.0, 44.0, 4.0, 47.0)),
        (9, (1.0, 45.0, 2.5, 46.0)),
    ]:
        for cell_pixels in (64, 80, 128):
            for m in (None, mask):
                answer = query(points, bbox, zoom, mask=m, max_points=10, cell_pixels=cell_pixels)
                assert_same_clusters(
                    answer, naive_cells(lons.tolist(), lats.tolist(), bbox, zoom, m, cell_pixels)
                )


def test_a_huge_viewport_at_a_high_zoom_still_clusters_exactly():
    # France at zoom 15: millions of cells in the viewport, a few thousand occupied.
    ids, lons, lats = blobs(3, 5000)
    points = PointSet(ids, lons, lats)
    for cell_pixels in (64, 60):
        answer = query(points, FRANCE, 15, max_points=10, cell_pixels=cell_pixels)
        assert_same_clusters(
            answer, naive_cells(lons.tolist(), lats.tolist(), FRANCE, 15, None, cell_pixels)
        )


def test_viewport_edges_are_inside_and_points_without_position_never_are():
    lons = np.array([1.0, 2.0, 1.5, 1.5, 0.999999, np.nan, 1.5, np.inf])
    lats = np.array([45.0, 45.0, 44.0, 46.0, 45.0, 45.0, np.nan, 45.0])
    points = PointSet(np.arange(8), lons, lats)
    answer = query(points, (1.0, 44.0, 2.0, 46.0), 10)
    assert answer.point_ids.tolist() == [0, 1, 2, 3]
    everything = query(points, (-180.0, -90.0, 180.0, 90.0), 2)
    assert everything.point_ids.tolist() == [0, 1, 2, 3, 4]
    clustered = query(points, (-180.0, -90.0, 180.0, 90.0), 12, max_points=0)
    assert clustered.total == 5 and sum(c.count for c in clustered.clusters) == 5


def test_latitudes_are_clamped_to_web_mercator():
    points = PointSet([1, 2, 3], [10.0, 10.0, 10.0], [89.0, -89.0, 80.0])
    answer = query(points, (0.0, -90.0, 20.0, 90.0), 4)
    assert answer.point_ids.tolist() == [1, 2, 3]
    assert answer.point_lats.tolist() == [MAX_LATITUDE, -MAX_LATITUDE, 80.0]
    assert query(points, (0.0, 85.06, 20.0, 90.0), 4).point_ids.tolist() == [1]


def test_points_mode_at_high_zoom_is_capped_and_says_so():
    ids, lons, lats = blobs(4, 2000, box=(2.34, 48.85, 2.35, 48.86), towns=1)
    points = PointSet(ids, lons, lats)
    answer = query(points, (2.3, 48.8, 2.4, 48.9), 16, max_points=500)
    assert answer.mode == "points" and answer.total == 2000 and answer.truncated
    assert len(answer.point_ids) == 500 == len(set(answer.point_ids.tolist()))
    none = query(points, (2.3, 48.8, 2.4, 48.9), 18, max_points=0)
    assert none.mode == "points" and none.total == 2000 and len(none.point_ids) == 0
    lower = query(points, (2.3, 48.8, 2.4, 48.9), 15, max_points=500)
    assert lower.mode == "clusters" and lower.total == 2000


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_points_kept_at_high_zoom_spread_over_the_viewport(seed):
    rng = np.random.default_rng(seed)
    west, south, east, north = 2.30, 48.84, 2.32, 48.853
    lons = rng.uniform(west, east, 4000)
    lats = rng.uniform(south, north, 4000)
    answer = query(
        PointSet(np.arange(4000), lons, lats), (west, south, east, north), 17, max_points=200
    )
    assert answer.truncated and len(answer.point_ids) == 200
    middle_lon, middle_lat = (west + east) / 2, (south + north) / 2
    east_side = answer.point_lons > middle_lon
    north_side = answer.point_lats > middle_lat
    for quadrant in (east_side & north_side, east_side & ~north_side, ~east_side & north_side):
        assert 25 <= quadrant.sum() <= 75  # 50 expected: not one corner of the map


def test_an_empty_point_set_and_an_empty_viewport():
    empty = PointSet(np.array([], dtype=np.int64), np.array([]), np.array([]))
    assert len(empty) == 0
    answer = query(empty, FRANCE, 5)
    assert answer.mode == "points" and answer.total == 0
    points = PointSet([1], [2.0], [48.0])
    assert query(points, (100.0, 10.0, 110.0, 20.0), 5, max_points=0).total == 0


def test_bad_arguments_are_refused():
    points = PointSet([1, 2], [2.0, 3.0], [48.0, 47.0])
    with pytest.raises(ValueError, match="west <= east"):
        query(points, (3.0, 47.0, 2.0, 48.0), 5)
    with pytest.raises(ValueError, match="finite"):
        query(points, (2.0, float("nan"), 3.0, 48.0), 5)
    with pytest.raises(ValueError, match="zoom"):
        query(points, FRANCE, 25)
    with pytest.raises(ValueError, match="mask"):
        query(points, FRANCE, 5, mask=np.ones(3, dtype=np.bool_))
    with pytest.raises(ValueError, match="max_points"):
        query(points, FRANCE, 5, max_points=-1)
    with pytest.raises(ValueError, match="cell_pixels"):
        query(points, FRANCE, 5, cell_pixels=0)
    with pytest.raises(ValueError, match="length"):
        PointSet([1, 2], [2.0], [48.0, 47.0])


# ------------------------------------------------------------------------------- GeoJSON


def test_geojson_of_clusters():
    ids, lons, lats = blobs(5, 5000)
    answer = query(PointSet(ids, lons, lats), FRANCE, 6, max_points=100)
    data = json.loads(json.dumps(to_geojson_dict(answer)))
    assert data["type"] == "FeatureCollection" and data["mode"] == "clusters"
    assert data["total"] == len(in_viewport(lons, lats, FRANCE)) > 4000
    assert data["truncated"] is False
    assert len(data["features"]) == len(answer.clusters)
    for feature, cluster in zip(data["features"], answer.clusters, strict=True):
        assert feature["type"] == "Feature"
        assert feature["properties"] == {"cluster": True, "count": cluster.count}
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point"
        assert (lon, lat) == (round(cluster.lon, 5), round(cluster.lat, 5))
        west, south, east, north = feature["bbox"]
        assert west <= lon <= east and south <= lat <= north


def test_geojson_of_points_with_their_properties():
    points = PointSet([30, 10, 20], [2.123456789, 3.0, 4.0], [48.987654321, 47.0, 46.0])
    answer = query(points, FRANCE, 12)
    calls = []

    def properties(ids):
        calls.append(ids.tolist())
        return [{"org": int(i) * 100} for i in ids]

    data = to_geojson_dict(answer, properties)
    json.dumps(data)  # plain Python values only
    assert calls == [[10, 20, 30]]
    assert [f["properties"] for f in data["features"]] == [
        {"id": 10, "org": 1000},
        {"id": 20, "org": 2000},
        {"id": 30, "org": 3000},
    ]
    assert data["features"][2]["geometry"]["coordinates"] == [2.12346, 48.98765]
    assert to_geojson_dict(answer)["features"][0]["properties"] == {"id": 10}
    with pytest.raises(ValueError, match="point_properties"):
        to_geojson_dict(answer, lambda ids: [{}])


def test_payload_stays_small_on_a_dense_viewport():
    # 200,000 points inside one 1200 x 800 px viewport at zoom 10 around Paris.
    ids, lons, lats = blobs(6, 200_000, box=(1.6, 48.5, 3.2, 49.2), towns=8)
    points = PointSet(ids, lons, lats)
    bbox = (1.6, 48.55, 3.25, 49.1)  # about 1200 x 800 px at zoom 10
    answer = query(points, bbox, 10)
    assert answer.mode == "clusters" and answer.total > 100_000
    assert len(answer.clusters) <= (1200 // 64 + 2) * (800 // 64 + 2)
    assert len(json.dumps(to_geojson_dict(answer)).encode()) <= 100_000
    capped = query(points, bbox, 16, max_points=800)
    assert capped.truncated and len(capped.point_ids) == 800
    # However many points the viewport holds: about 135 bytes a point (a 7-digit id, an org).
    body = json.dumps(to_geojson_dict(capped, lambda ids: [{"org": 123456}] * len(ids)))
    assert len(body.encode()) <= 800 * 140
