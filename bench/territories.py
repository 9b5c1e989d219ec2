"""Territory lookups: point-in-commune (`geo.CommuneIndex`) and name search (`names.NameIndex`).

Synthetic data at the size of France, fixed seed: ~35,000 communes tiling metropolitan
France's bounding box (a jittered Voronoi diagram, denser around a few dozen "cities", with
wavy borders of tens of vertices each), and 35,000 French-like names with populations.
Baselines are the naive algorithms, measured in the same run on a sample:

* locate: for each point, every polygon's bounding box then `covers`, first hit wins;
* search: a linear scan over the normalized names applying the same ranking.

Both baselines must give the same answers as the indexes on their sample, or the benchmark
fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import shapely
from numpy.typing import NDArray

from bench import Report
from ptce.territories.geo import CommuneIndex
from ptce.territories.names import NameIndex, normalize

SEED = 20261126
COMMUNES = 35_000
BBOX = (-5.0, 42.3, 8.2, 51.1)  # metropolitan France, lon/lat
POINTS = 1_000_000
NAIVE_POINTS = 200
QUERIES = 1_000
NAIVE_QUERIES = 200


# ------------------------------------------------------------------------ synthetic data


def synthetic_communes(seed: int = SEED, count: int = COMMUNES) -> NDArray[np.object_]:
    """Polygons tiling BBOX exactly (shared borders have identical vertices)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = BBOX
    uniform = int(count * 0.7)
    xs = rng.uniform(x0, x1, uniform)
    ys = rng.uniform(y0, y1, uniform)
    cities = np.column_stack((rng.uniform(x0 + 1, x1 - 1, 40), rng.uniform(y0 + 1, y1 - 1, 40)))
    around = cities[rng.integers(0, len(cities), count - uniform)]
    near = around + rng.normal(0.0, 0.15, around.shape)
    near = near[(near[:, 0] > x0) & (near[:, 0] < x1) & (near[:, 1] > y0) & (near[:, 1] < y1)]
    seeds = np.vstack((np.column_stack((xs, ys)), near))
    box = shapely.box(*BBOX)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box))
    cells = shapely.intersection(cells, box)
    # Wavy borders: densify, then move every vertex by the same smooth field, so that the
    # vertices two neighbours share stay shared; round to 1e-7 degree (about 1 cm).
    cells = shapely.segmentize(cells, 0.006)

    def wave(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = coords[:, 0], coords[:, 1]
        inside = (x > x0) & (x < x1) & (y > y0) & (y < y1)  # keep the outer frame straight
        dx = 0.0015 * np.sin(210 * x + 3 * np.sin(37 * y)) + 0.0007 * np.sin(190 * y)
        dy = 0.0015 * np.sin(205 * y + 3 * np.sin(41 * x)) + 0.0007 * np.sin(170 * x)
        moved = np.column_stack((x + dx * inside, y + dy * inside))
        return np.round(moved, 7)

    cells = shapely.transform(cells, wave)
    return cells[shapely.is_valid(cells) & ~shapely.is_empty(cells)]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SYLLABLES = _words(
    "ba be bi bo bou bra ca ce cha che cho cour da de di do dou fa fe fon ga ge gi go gou "
    "gre la le li lo lou ma me mi mo mou na ne ni no pa pe pi po pré ra re ri ro rou sa se "
    "si so ta te ti to tou va ve vi vo vil é è ê ô â ï"
)
ENDINGS = _words("ac ans ay ville court y ières ieu ange et ot ac ois eux ol oux ert")
SAINTS = _words(
    "Martin Jean Pierre Étienne Germain Laurent Julien Georges Hilaire Denis Aubin Paul "
    "André Rémy Maurice Vincent Nicolas Léger Médard Sulpice Ouen Cyr Loup"
)
SAINTES = _words("Marie Foy Colombe Croix Anne Hélène Marguerite Geneviève Eulalie")


def synthetic_names(seed: int = SEED, count: int = COMMUNES) -> tuple[list[str], list[int]]:
    rng = np.random.default_rng(seed)

    def word() -> str:
        parts = [SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), rng.integers(1, 3))]
        return ("".join(parts) + ENDINGS[rng.integers(0, len(ENDINGS))]).capitalize()

    names = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.12:
            name = f"Saint-{SAINTS[rng.integers(0, len(SAINTS))]}"
            if rng.random() < 0.7:
                name += f"-{'de' if rng.random() < 0.5 else 'sur'}-{word()}"
        elif kind < 0.16:
            name = f"Sainte-{SAINTES[rng.integers(0, len(SAINTES))]}"
            if rng.random() < 0.7:
                name += f"-{word()}"
        elif kind < 0.26:
            name = f"{word()}-sur-{word()}"
        elif kind < 0.34:
            article = ("Le", "La", "Les", "L'")[rng.integers(0, 4)]
            name = f"{article}{word()}" if article.endswith("'") else f"{article} {word()}"
        elif kind < 0.40:
            name = f"{word()}-en-{word()}"
        else:
            name = word()
        names.append(name)
    populations = np.maximum(1, rng.lognormal(6.0, 1.4, count)).astype(np.int64).tolist()
    return names, populations


def synthetic_queries(names: Sequence[str], count: int, seed: int = SEED) -> list[str]:
    """What people type: prefixes of names (often lower case, sometimes "St-" for "Saint-"),
    and some prefixes of a later word."""
    rng = np.random.default_rng(seed + 1)
    queries = []
    for _ in range(count):
        name = names[rng.integers(0, len(names))]
        if rng.random() < 0.2 and " " in normalize(name):
            words = normalize(name).split()
            name = words[rng.integers(1, len(words))]
        elif name.startswith("Saint-") and rng.random() < 0.3:
            name = "St-" + name[len("Saint-") :]
        if rng.random() < 0.5:
            name = name.lower()
        queries.append(name[: rng.integers(1, len(name) + 1)])
    return queries


# ------------------------------------------------------------------------------ baselines


def naive_locate(
    geometries: NDArray[np.object_], bounds: list[tuple[float, float, float, float]]
) -> Callable[[float, float], int]:
    def locate(lon: float, lat: float) -> int:
        point = shapely.Point(lon, lat)
        for i, (x0, y0, x1, y1) in enumerate(bounds):
            if x0 <= lon <= x1 and y0 <= lat <= y1 and geometries[i].covers(point):
                return i
        return -1

    return locate


def naive_search(
    names: Sequence[str], populations: Sequence[int], keys: Sequence[str]
) -> Callable[[str, int], list[int]]:
    def search(query: str, limit: int) -> list[int]:
        q = normalize(query)
        if not q:
            return []
        groups: tuple[list[int], list[int], list[int]] = ([], [], [])
        needle = " " + q
        for i, key in enumerate(keys):
            if key == q:
                groups[0].append(i)
            elif key.startswith(q):
                groups[1].append(i)
            elif needle in key:
                groups[2].append(i)
        found: list[int] = []
        for group in groups:
            found += sorted(group, key=lambda i: (-populations[i], keys[i], names[i], i))
        return found[:limit]

    return search


# --------------------------------------------------------------------------------- runner


def _seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bench_locate(report: Report) -> None:
    geometries = synthetic_communes()
    started = time.perf_counter()
    index = CommuneIndex(geometries)
    build = time.perf_counter() - started
    report(
        name=f"CommuneIndex build ({len(geometries):,} polygons)",
        value=build,
        unit="s",
        higher_is_better=False,
        target=5.0,
    )

    rng = np.random.default_rng(SEED)
    x0, y0, x1, y1 = BBOX
    lons = rng.uniform(x0, x1, POINTS)
    lats = rng.uniform(y0, y1, POINTS)
    # Points where establishments are: each around a random commune, so dense where the
    # communes are small, as in cities (more points near borders than uniform points).
    centres = shapely.get_coordinates(shapely.point_on_surface(geometries))
    sizes = np.sqrt(shapely.area(geometries))
    pick = rng.integers(0, len(geometries), POINTS)
    around = centres[pick] + rng.normal(0.0, 0.5, (POINTS, 2)) * sizes[pick, None]

    bounds = [tuple(b) for b in shapely.bounds(geometries).tolist()]
    naive = naive_locate(geometries, bounds)  # type: ignore[arg-type]
    sample = rng.integers(0, POINTS, NAIVE_POINTS)
    started = time.perf_counter()
    expected = [naive(float(lons[i]), float(lats[i])) for i in sample]
    naive_rate = NAIVE_POINTS / (time.perf_counter() - started)

    found = index.locate_many(lons, lats)
    if found[sample].tolist() != expected:
        raise AssertionError("locate_many disagrees with the naive loop")
    if (found < 0).mean() > 0.001:
        raise AssertionError("points inside the tiling were not located")
    seconds = min(_seconds(lambda: index.locate_many(lons, lats)) for _ in range(3))
    report(
        name=f"locate_many, {POINTS:,} uniform points",
        value=POINTS / seconds,
        unit="points/s",
        baseline=naive_rate,
        target=500_000,
        target_ratio=100,
    )
    seconds = min(_seconds(lambda: index.locate_many(around[:, 0], around[:, 1])) for _ in range(3))
    report(
        name=f"locate_many, {POINTS:,} points per commune",
        value=POINTS / seconds,
        unit="points/s",
        baseline=naive_rate,
        target=500_000,
        target_ratio=100,
    )
    single = [(float(lons[i]), float(lats[i])) for i in range(10_000)]
    seconds = _seconds(lambda: [index.locate(lon, lat) for lon, lat in single])
    report(
        name="locate, one point per call",
        value=seconds / len(single) * 1e6,
        unit="µs",
        baseline=1e6 / naive_rate,
        higher_is_better=False,
    )


def bench_search(report: Report) -> None:
    names, populations = synthetic_names()
    started = time.perf_counter()
    index = NameIndex(names, populations)
    build = time.perf_counter() - started
    report(
        name=f"NameIndex build ({len(names):,} names)",
        value=build,
        unit="s",
        higher_is_better=False,
        target=5.0,
    )
    queries = synthetic_queries(names, QUERIES)
    latencies = []
    results = []
    for query in queries:
        started = time.perf_counter()
        results.append(index.search(query, limit=20))
        latencies.append(time.perf_counter() - started)
    keys = [normalize(name) for name in names]
    naive = naive_search(names, populations, keys)
    naive_latencies = []
    for query, result in zip(queries[:NAIVE_QUERIES], results, strict=False):
        started = time.perf_counter()
        expected = naive(query, 20)
        naive_latencies.append(time.perf_counter() - started)
        if expected != result:
            raise AssertionError(f"NameIndex.search({query!r}) disagrees with the naive scan")
    report(
        name=f"NameIndex.search p95, {QUERIES:,} prefix queries",
        value=float(np.percentile(latencies, 95)) * 1e6,
        unit="µs",
        baseline=float(np.percentile(naive_latencies, 95)) * 1e6,
        higher_is_better=False,
        target=1000,
    )


def run(report: Report) -> None:
    bench_locate(report)
    bench_search(report)
