"""Load the territory reference shipped in `ptce/territories/data/` into the database.

Idempotent: a second load of the same files writes nothing. Rows are compared with what is
stored and only new or changed ones are written, in bulk, in one transaction.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import lzma
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction

from ptce.territories import geo
from ptce.territories.models import (
    Commune,
    CommunePostalCode,
    Departement,
    Epci,
    ReferenceVersion,
    Region,
)

REFERENCE_FILE = "reference.json.xz"
COMMUNES_FILE = "communes.csv.xz"
COMMUNE_COLUMNS = [
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
]
BATCH = 2000


class ReferenceFileError(Exception):
    """The dataset files are missing or malformed."""


@dataclass
class TableReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} créé(s), {self.updated} modifié(s), "
            f"{self.unchanged} inchangé(s), {self.deleted} supprimé(s)"
        )


@dataclass
class LoadReport:
    version: str = ""
    tables: dict[str, TableReport] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(t.created or t.updated or t.deleted for t in self.tables.values())


def _read_reference(path: Path) -> dict[str, Any]:
    try:
        with lzma.open(path, "rt", encoding="utf-8") as f:
            data: dict[str, Any] = json.load(f)
    except FileNotFoundError as exc:
        raise ReferenceFileError(f"Fichier introuvable : {path}") from exc
    except (lzma.LZMAError, json.JSONDecodeError, EOFError) as exc:
        raise ReferenceFileError(f"Fichier illisible : {path} ({exc})") from exc
    for key in ("regions", "departements", "epci"):
        if key not in data:
            raise ReferenceFileError(f"Clé « {key} » absente de {path}")
    return data


def _read_communes(path: Path) -> Iterator[dict[str, str]]:
    try:
        with lzma.open(path, "rt", encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COMMUNE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ReferenceFileError(f"Colonnes absentes de {path} : {', '.join(missing)}")
            yield from reader
    except FileNotFoundError as exc:
        raise ReferenceFileError(f"Fichier introuvable : {path}") from exc
    except (lzma.LZMAError, EOFError) as exc:
        raise ReferenceFileError(f"Fichier illisible : {path} ({exc})") from exc


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        with p.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


def _sync(
    model: Any,
    rows: dict[str, dict[str, Any]],
    fields: list[str],
    *,
    delete_missing: bool = True,
) -> TableReport:
    """Make `model`'s table hold exactly `rows` (keyed by primary key), writing only changes."""
    report = TableReport()
    pk = model._meta.pk.attname
    existing = {
        str(values[pk]): values for values in model.objects.values(pk, *fields).iterator(2000)
    }

    def normal(value: Any) -> Any:
        return bytes(value) if isinstance(value, memoryview) else value

    to_create, to_update = [], []
    for key, row in rows.items():
        current = existing.get(key)
        if current is None:
            to_create.append(model(**{pk: key}, **row))
        elif any(normal(current[f]) != row[f] for f in fields):
            to_update.append(model(**{pk: key}, **row))
        else:
            report.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=500)
    report.created, report.updated = len(to_create), len(to_update)
    if delete_missing:
        stale = [key for key in existing if key not in rows]
        for start in range(0, len(stale), BATCH):
            model.objects.filter(pk__in=stale[start : start + BATCH]).delete()
        report.deleted = len(stale)
    return report


def _commune_rows(path: Path) -> tuple[dict[str, dict[str, Any]], set[tuple[str, str]]]:
    rows: dict[str, dict[str, Any]] = {}
    postal: set[tuple[str, str]] = set()
    wkbs: list[bytes] = []
    for line, raw in enumerate(_read_communes(path), start=2):
        try:
            code = raw["code_insee"]
            wkb = base64.b64decode(raw["geometry"], validate=True)
            rows[code] = {
                "nom": raw["nom"],
                "type": raw["type"],
                "departement_id": raw["departement"],
                "region_id": raw["region"],
                "epci_id": raw["epci"] or None,
                "commune_parent_id": raw["commune_parent"] or None,
                "population": int(raw["population"] or 0),
                "codes_postaux": raw["codes_postaux"],
                "lat": float(raw["lat"]),
                "lon": float(raw["lon"]),
                "min_lon": float(raw["min_lon"]),
                "min_lat": float(raw["min_lat"]),
                "max_lon": float(raw["max_lon"]),
                "max_lat": float(raw["max_lat"]),
                "geometry": wkb,
            }
        except (KeyError, ValueError) as exc:
            raise ReferenceFileError(
                f"{path.name}, ligne {line} : valeur invalide ({exc})"
            ) from exc
        wkbs.append(wkb)
        postal.update((cp, code) for cp in raw["codes_postaux"].split())
    geometries = shapely.from_wkb(wkbs)
    for row, geometry in zip(rows.values(), geometries, strict=True):
        row["area_km2"] = round(geo.geodesic_area_km2(geometry), 3)
    return rows, postal


@transaction.atomic
def load_reference(data_dir: Path, *, progress: Callable[[str], None] | None = None) -> LoadReport:
    """Load régions, départements, EPCI and communes from `data_dir`; return what changed."""
    say = progress or (lambda message: None)
    reference_path, communes_path = data_dir / REFERENCE_FILE, data_dir / COMMUNES_FILE
    data = _read_reference(reference_path)
    say("Lecture des communes…")
    communes, postal = _commune_rows(communes_path)
    report = LoadReport(version=_digest([reference_path, communes_path]))

    regions = {
        r["code"]: {"nom": r["nom"], "chef_lieu": r.get("chef_lieu") or ""} for r in data["regions"]
    }
    departements = {
        d["code"]: {
            "nom": d["nom"],
            "region_id": d["region"],
            "chef_lieu": d.get("chef_lieu") or "",
        }
        for d in data["departements"]
    }
    epcis = {
        e["code"]: {"nom": e["nom"], "type": e["type"], "population": int(e.get("population") or 0)}
        for e in data["epci"]
    }
    say("Régions, départements, EPCI…")
    report.tables["régions"] = _sync(Region, regions, ["nom", "chef_lieu"], delete_missing=False)
    report.tables["départements"] = _sync(
        Departement, departements, ["nom", "region_id", "chef_lieu"], delete_missing=False
    )
    report.tables["EPCI"] = _sync(Epci, epcis, ["nom", "type", "population"])
    say("Communes…")
    ordered = dict(sorted(communes.items(), key=lambda kv: kv[1]["type"] != Commune.Type.COMMUNE))
    fields = list(next(iter(communes.values())).keys())
    report.tables["communes"] = _sync(Commune, ordered, fields)

    existing = set(CommunePostalCode.objects.values_list("code_postal", "commune_id"))
    added = postal - existing
    CommunePostalCode.objects.bulk_create(
        [CommunePostalCode(code_postal=cp, commune_id=c) for cp, c in sorted(added)],
        batch_size=BATCH,
    )
    removed = existing - postal
    for cp, code in removed:
        CommunePostalCode.objects.filter(code_postal=cp, commune_id=code).delete()
    report.tables["codes postaux"] = TableReport(
        created=len(added), deleted=len(removed), unchanged=len(existing & postal)
    )
    current = ReferenceVersion.objects.first()
    if current is None or current.version != report.version or report.changed:
        ReferenceVersion.objects.all().delete()
        ReferenceVersion.objects.create(
            version=report.version, commune_count=len(communes), sources=data.get("source", {})
        )
    return report
