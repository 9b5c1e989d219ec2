"""Small territory datasets written in the shipped format, for tests (no real data needed)."""

from __future__ import annotations

import base64
import csv
import io
import json
import lzma
from dataclasses import dataclass
from pathlib import Path

import shapely

from ptce.territories.importers.reference import COMMUNE_COLUMNS, COMMUNES_FILE, REFERENCE_FILE


@dataclass
class FakeCommune:
    code_insee: str
    nom: str
    departement: str
    region: str
    epci: str
    population: int
    codes_postaux: str
    box: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
    type: str = "COM"
    commune_parent: str = ""

    def row(self) -> dict[str, str]:
        shape = shapely.MultiPolygon([shapely.box(*self.box)])
        centre = shape.centroid
        return {
            "code_insee": self.code_insee,
            "nom": self.nom,
            "type": self.type,
            "departement": self.departement,
            "region": self.region,
            "epci": self.epci,
            "population": str(self.population),
            "codes_postaux": self.codes_postaux,
            "commune_parent": self.commune_parent,
            "lat": f"{centre.y:.5f}",
            "lon": f"{centre.x:.5f}",
            "min_lon": str(self.box[0]),
            "min_lat": str(self.box[1]),
            "max_lon": str(self.box[2]),
            "max_lat": str(self.box[3]),
            "geometry": base64.b64encode(shapely.to_wkb(shape)).decode(),
        }


VRA = "200068781"  # Valence Romans Agglo
SEM = "244200770"  # Saint-Étienne Métropole
MGP = "200054781"  # Métropole du Grand Paris

COMMUNES = [
    FakeCommune(
        "26281", "Romans-sur-Isère", "26", "84", VRA, 33500, "26100", (5.0, 45.0, 5.1, 45.1)
    ),
    FakeCommune("26057", "Bourg-de-Péage", "26", "84", VRA, 10600, "26300", (5.0, 44.9, 5.1, 45.0)),
    FakeCommune("26362", "Valence", "26", "84", VRA, 64700, "26000", (4.85, 44.9, 5.0, 45.0)),
    FakeCommune(
        "26313", "Saint-Paul-lès-Romans", "26", "84", VRA, 4900, "26750", (5.1, 45.0, 5.2, 45.1)
    ),
    FakeCommune(
        "42218", "Saint-Étienne", "42", "84", SEM, 173000, "42000 42100", (4.3, 45.4, 4.45, 45.5)
    ),
    FakeCommune(
        "75056", "Paris", "75", "11", MGP, 2100000, "75001 75002", (2.30, 48.84, 2.36, 48.88)
    ),
    FakeCommune(
        "75101",
        "Paris 1er Arrondissement",
        "75",
        "11",
        "",
        16000,
        "75001",
        (2.32, 48.85, 2.35, 48.87),
        type="ARM",
        commune_parent="75056",
    ),
]

REFERENCE = {
    "source": {"tests": "synthetic"},
    "regions": [
        {"code": "84", "nom": "Auvergne-Rhône-Alpes", "chef_lieu": "69123"},
        {"code": "11", "nom": "Île-de-France", "chef_lieu": "75056"},
    ],
    "departements": [
        {"code": "26", "nom": "Drôme", "region": "84", "chef_lieu": "26362"},
        {"code": "42", "nom": "Loire", "region": "84", "chef_lieu": "42218"},
        {"code": "75", "nom": "Paris", "region": "11", "chef_lieu": "75056"},
    ],
    "epci": [
        {
            "code": VRA,
            "nom": "CA Valence Romans Agglo",
            "type": "CA",
            "population": 113700,
            "membres": ["26281", "26057", "26362", "26313"],
        },
        {
            "code": SEM,
            "nom": "Saint-Étienne Métropole",
            "type": "METRO",
            "population": 173000,
            "membres": ["42218"],
        },
        {
            "code": MGP,
            "nom": "Métropole du Grand Paris",
            "type": "METRO",
            "population": 2100000,
            "membres": ["75056"],
        },
    ],
}


def write_dataset(
    directory: Path,
    communes: list[FakeCommune] | None = None,
    reference: dict[str, object] | None = None,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with lzma.open(directory / REFERENCE_FILE, "wt", encoding="utf-8") as f:
        json.dump(reference or REFERENCE, f)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COMMUNE_COLUMNS)
    writer.writeheader()
    for commune in communes if communes is not None else COMMUNES:
        writer.writerow(commune.row())
    with lzma.open(directory / COMMUNES_FILE, "wt", encoding="utf-8") as f:
        f.write(buffer.getvalue())
    return directory
