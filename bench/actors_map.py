"""Actors: the clustered map (`clustering.query`) and bulk classification (`classify_many`).

Synthetic data, fixed seed:

* map: 1,000,000 establishments over metropolitan France, clumpy as the real ones are: 80 %
  in Gaussian blobs around 300 random "towns" (sizes Zipf-like, spreads from a village to a
  metropolis), 20 % uniform over the bounding box. 500 viewports of 1200 x 800 px centred on
  random points at zooms 5 to 16; every other query carries a filter mask (30 % of the
  points, like "ESS only"); `max_points` is the map API's. Figures: the p95 time of a
  query, and the largest GeoJSON payload (`json.dumps` of `to_geojson_dict` with the API's
  point properties, default separators) in each mode. Baseline: the naive approach,
  measured on 12 of the clustered viewports, from the lowest zoom to the highest: numpy
  bbox filter, then a Python loop over the viewport's points putting them in cells with a
  dict (count, sums, extent). It must give the same clusters as `query`, or the benchmark
  fails. The p95 row compares with the naive p95 over that sample; the mean row compares
  both on the same 12 viewports.
* classification: 1,000,000 SIRENE-like rows (legal category, ESS flag, NAF, headcount
  drawn from realistic frequencies) through `classify_many`; baseline: `classify` row by
  row, measured on a sample.
"""

from __future__ import annotations

import gzip
import json
import math
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from bench import Report
from ptce.actors.classification import classify, classify_many
from ptce.actors.clustering import (
    ANSWER_MAX_POINTS,
    MapAnswer,
    PointSet,
    query,
    to_geojson_dict,
)

SEED = 20261127
BBOX = (-5.0, 42.3, 8.2, 51.1)  # metropolitan France, lon/lat
POINTS = 1_000_000
TOWNS = 300
UNIFORM_SHARE = 0.2
QUERIES = 500
ZOOMS = (5, 16)
VIEWPORT_PX = (1200, 800)
NAIVE_QUERIES = 12
MAX_POINTS = ANSWER_MAX_POINTS  # as the map API (ptce/api/actors.py)
ROWS = 1_000_000
NAIVE_ROWS = 50_000


# ------------------------------------------------------------------------ synthetic data


def synthetic_points(seed: int = SEED, count: int = POINTS) -> tuple[NDArray[np.float64], ...]:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = BBOX
    uniform = int(count * UNIFORM_SHARE)
    towns = np.column_stack(
        (rng.uniform(x0 + 0.5, x1 - 0.5, TOWNS), rng.uniform(y0 + 0.5, y1 - 0.5, TOWNS))
    )
    weights = 1.0 / np.arange(1, TOWNS + 1) ** 0.9  # a few big cities, many small towns
    weights /= weights.sum()
    spreads = np.exp(rng.uniform(math.log(0.01), math.log(0.25), TOWNS))  # degrees
    town = rng.choice(TOWNS, count - uniform, p=weights)
    clumped = towns[town] + rng.normal(0.0, 1.0, (count - uniform, 2)) * spreads[town, None]
    lons = np.concatenate((rng.uniform(x0, x1, uniform), clumped[:, 0]))
    lats = np.concatenate((rng.uniform(y0, y1, uniform), clumped[:, 1]))
    shuffle = rng.permutation(count)
    return lons[shuffle], lats[shuffle]


def viewport(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    """The lon/lat bbox of a VIEWPORT_PX screen centred on (lon, lat) at `zoom`."""
    world = 256.0 * 2.0**zoom
    cx = (lon + 180.0) / 360.0 * world
    cy = (0.5 - math.asinh(math.tan(math.radians(lat))) / (2 * math.pi)) * world
    half_w, half_h = VIEWPORT_PX[0] / 2, VIEWPORT_PX[1] / 2

    def to_lat(y: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / world))))

    return (
        (cx - half_w) / world * 360.0 - 180.0,
        to_lat(cy + half_h),
        (cx + half_w) / world * 360.0 - 180.0,
        to_lat(cy - half_h),
    )


def synthetic_rows(
    seed: int = SEED, count: int = ROWS
) -> tuple[list[str | None], list[bool | None], list[str | None], list[str | None]]:
    """Legal units as SIRENE lists them: mostly sole traders, SAS, SARL, SCI, associations."""
    rng = np.random.default_rng(seed + 2)
    categories = {
        "1000": 40, "5710": 14, "5499": 12, "6540": 8, "9220": 8, "5720": 4, "5485": 1,
        "5458": 0.1, "5460": 0.1, "6317": 0.2, "9300": 0.05, "8210": 0.05, "7210": 0.4,
        "7346": 0.01, "7383": 0.01, "7389": 0.05, "4140": 0.05, "6220": 0.1, "8410": 0.2,
        "9900": 0.3, "2110": 0.5, "": 0.2,
    }  # fmt: skip
    nafs = [
        "62.01Z", "47.11F", "56.10A", "68.20A", "86.21Z", "43.21A", "94.99Z", "72.19Z", "85.59A",
        "85.42Z", "84.11Z", "01.11Z", "70.22Z", "41.20A", "88.99B", "90.01Z", "93.12Z", "96.02A",
        "49.41A", "10.71C",
    ]  # fmt: skip
    tranches = [
        "NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52",
        "53",
    ]  # fmt: skip
    codes = list(categories)
    p = np.array(list(categories.values()), dtype=np.float64)
    cat = [codes[i] or None for i in rng.choice(len(codes), count, p=p / p.sum())]
    flag = rng.choice(3, count, p=[0.85, 0.12, 0.03])
    ess = [(False, True, None)[i] for i in flag]
    naf = [nafs[i] for i in rng.integers(0, len(nafs), count)]
    weights = np.array([40, 25, 12, 6, 5, 4, 3, 1.5, 1, 0.5, 0.5, 0.3, 0.1, 0.05, 0.03, 0.02])
    tranche = [tranches[i] for i in rng.choice(len(tranches), count, p=weights / weights.sum())]
    return cat, ess, naf, tranche


# ------------------------------------------------------------------------------ baseline


def naive_query(
    lons: NDArray[np.float64],
    lats: NDArray[np.float64],
    bbox: tuple[float, float, float, float],
    zoom: int,
    mask: NDArray[np.bool_] | None,
    cell_pixels: int = 64,
) -> dict[tuple[int, int], list[float]]:
    """Cells of the viewport's points, by a Python loop and a dict: (ix, iy) -> [count,
    sum lon, sum lat, min lon, min lat, max lon, max lat]."""
    west, south, east, north = bbox
    inside = (lons >= west) & (lons <= east) & (lats >= south) & (lats <= north)
    if mask is not None:
        inside &= mask
    per_unit = 256.0 * 2.0**zoom / cell_pixels
    cells: dict[tuple[int, int], list[float]] = {}
    for lon, lat in zip(lons[inside].tolist(), lats[inside].tolist(), strict=True):
        x = (lon + 180.0) / 360.0
        y = 0.5 - math.asinh(math.tan(math.radians(lat))) / (2 * math.pi)
        key = (int(x * per_unit), int(y * per_unit))
        cell = cells.get(key)
        if cell is None:
            cells[key] = [1, lon, lat, lon, lat, lon, lat]
        else:
            cell[0] += 1
            cell[1] += lon
            cell[2] += lat
            cell[3] = min(cell[3], lon)
            cell[4] = min(cell[4], lat)
            cell[5] = max(cell[5], lon)
            cell[6] = max(cell[6], lat)
    return cells


def _same_clusters(answer: MapAnswer, cells: dict[tuple[int, int], list[float]]) -> bool:
    """The same multiset of (count, extent) — positions rounded to 1e-9 degree."""

    def summary(count: float, *extent: float) -> tuple[int, ...]:
        return (int(count), *(round(v * 1e9) for v in extent))

    ours = sorted(summary(c.count, *c.bbox) for c in answer.clusters)
    theirs = sorted(summary(v[0], *v[3:]) for v in cells.values())
    return ours == theirs


# --------------------------------------------------------------------------------- runner


def _timed(action: Callable[[], MapAnswer]) -> tuple[MapAnswer, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def bench_map(report: Report) -> None:
    lons, lats = synthetic_points()
    ids = np.arange(1, POINTS + 1, dtype=np.int64)
    started = time.perf_counter()
    points = PointSet(ids, lons, lats)
    report(
        name=f"PointSet build ({POINTS:,} points)",
        value=time.perf_counter() - started,
        unit="s",
        higher_is_better=False,
        target=2.0,
    )
    rng = np.random.default_rng(SEED + 1)
    ess_only = rng.random(POINTS) < 0.3
    centres = rng.integers(0, POINTS, QUERIES)
    zooms = rng.integers(ZOOMS[0], ZOOMS[1] + 1, QUERIES)
    cases = [
        (viewport(float(lons[c]), float(lats[c]), int(z)), int(z), ess_only if i % 2 else None)
        for i, (c, z) in enumerate(zip(centres, zooms, strict=True))
    ]
    organisations = rng.integers(1, POINTS // 2, POINTS)

    def ask(
        bbox: tuple[float, float, float, float], zoom: int, mask: NDArray[np.bool_] | None
    ) -> MapAnswer:
        return query(points, bbox, zoom, mask=mask, max_points=MAX_POINTS)

    def properties(ids: NDArray[np.int64]) -> list[dict[str, object]]:
        return [{"org": org} for org in organisations[ids - 1].tolist()]

    ask(*cases[0])  # warm up

    latencies: list[float] = []
    payloads: dict[str, int] = {"clusters": 0, "points": 0}
    gzipped: dict[str, int] = {"clusters": 0, "points": 0}
    answers: list[MapAnswer] = []
    for bbox, zoom, mask in cases:
        answer, seconds = _timed(lambda b=bbox, z=zoom, m=mask: ask(b, z, m))
        latencies.append(seconds)
        answers.append(answer)
        body = json.dumps(to_geojson_dict(answer, properties)).encode()
        if len(body) > payloads[answer.mode]:
            payloads[answer.mode] = len(body)
            gzipped[answer.mode] = len(gzip.compress(body, 6))
    modes = [a.mode for a in answers]

    # The baseline on a sample of the viewports that are clustered (the points mode has
    # nothing to aggregate): from the lowest zooms to the highest.
    clustered = [i for i, a in enumerate(answers) if a.mode == "clusters"]
    clustered.sort(key=lambda i: (cases[i][1], i))
    sample = [clustered[int(k)] for k in np.linspace(0, len(clustered) - 1, NAIVE_QUERIES)]
    naive_latencies, our_latencies = [], []
    for i in sample:
        bbox, zoom, mask = cases[i]
        started = time.perf_counter()
        cells = naive_query(lons, lats, bbox, zoom, mask)
        naive_latencies.append(time.perf_counter() - started)
        answer, seconds = _timed(lambda b=bbox, z=zoom, m=mask: ask(b, z, m))
        our_latencies.append(seconds)
        if not _same_clusters(answer, cells):
            raise AssertionError(f"query disagrees with the naive loop on viewport {i}")

    report(
        name=f"map query p95, {QUERIES} viewports z{ZOOMS[0]}-{ZOOMS[1]}",
        value=float(np.percentile(latencies, 95)) * 1e3,
        unit="ms",
        baseline=float(np.percentile(naive_latencies, 95)) * 1e3,
        higher_is_better=False,
        target=50,
    )
    report(
        name=f"map query mean, {NAIVE_QUERIES} clustered viewports (naive sample)",
        value=float(np.mean(our_latencies)) * 1e3,
        unit="ms",
        baseline=float(np.mean(naive_latencies)) * 1e3,
        higher_is_better=False,
        target_ratio=10,
    )
    print(
        f"  ({modes.count('clusters')} viewports clustered, {modes.count('points')} as points; "
        f"largest gzip payloads: clusters {gzipped['clusters'] / 1e3:.0f} kB, "
        f"points {gzipped['points'] / 1e3:.0f} kB)",
        flush=True,
    )
    for mode in ("clusters", "points"):
        report(
            name=f"largest GeoJSON payload, {mode} mode",
            value=payloads[mode] / 1e3,
            unit="kB",
            higher_is_better=False,
            target=100,
        )


def bench_classification(report: Report) -> None:
    categories, ess, nafs, tranches = synthetic_rows()
    started = time.perf_counter()
    results = classify_many(categories, ess, nafs, tranches)
    seconds = time.perf_counter() - started
    sample = range(NAIVE_ROWS)
    started = time.perf_counter()
    expected = [classify(categories[i], ess[i], nafs[i], tranches[i]) for i in sample]
    naive_rate = NAIVE_ROWS / (time.perf_counter() - started)
    if expected != results[:NAIVE_ROWS]:
        raise AssertionError("classify_many disagrees with classify")
    report(
        name=f"classify_many, {ROWS:,} rows",
        value=ROWS / seconds,
        unit="rows/s",
        baseline=naive_rate,
        target=300_000,
    )


def run(report: Report) -> None:
    bench_map(report)
    bench_classification(report)
