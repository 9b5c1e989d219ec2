"""Small SIRENE files for tests, in INSEE's formats: the current establishments stock (with
the NAF 2025 column of December 2025 and columns we do not know), an older one with fewer
columns, legal units and the geolocation file; as CSV, zip or Parquet.

All identifiers are fictitious; check digits are computed (`luhn_complete`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ptce.territories import geo
from tests.actors.factories import luhn_complete
from tests.actors.sirene_format import STOCK_ETABLISSEMENT_HEADER

# The establishments stock as INSEE publishes it, plus a column INSEE might add one day.
ESTABLISHMENT_HEADER = [*STOCK_ETABLISSEMENT_HEADER, "colonneAjouteeParInsee"]

# The format before the Lambert coordinates (no statutDiffusion either, no NAF 2025).
OLD_ESTABLISHMENT_HEADER = [
    "siren",
    "nic",
    "siret",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "codeCommuneEtablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
]

LEGAL_UNIT_HEADER = [
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
]

GEOLOCATION_HEADER = [
    "siret",
    "x",
    "y",
    "qualite_xy",
    "epsg",
    "plg_qp",
    "plg_iris",
    "plg_zus",
    "plg_qva",
    "plg_code_commune",
    "distance_precision",
    "qualite_qp",
    "qualite_iris",
    "qualite_zus",
    "qualite_qva",
    "y_latitude",
    "x_longitude",
]

ROMANS_POINT = (5.05, 45.05)  # lon, lat: inside the Romans-sur-Isère of the test reference


def siren(number: int) -> str:
    """A valid SIREN: 8 digits from `number`, then the Luhn digit."""
    return luhn_complete(f"{number:08d}")


def siret(siren_: str, nic: int = 1) -> str:
    """A valid SIRET of `siren_` (NIC of 4 digits, then the Luhn digit)."""
    return luhn_complete(f"{siren_}{nic:04d}")


def la_poste_siret() -> str:
    """A SIRET of La Poste (SIREN 356000000) valid by its own rule (digit sum multiple of
    5) and not by Luhn."""
    for nic in range(100, 100_000):
        candidate = f"356000000{nic:05d}"
        total = sum(int(c) for c in candidate)
        if total % 5 == 0 and luhn_complete(candidate[:-1]) != candidate:
            return candidate
    raise AssertionError("no La Poste SIRET found")


def lambert_of(lon: float, lat: float) -> tuple[str, str]:
    x, y = geo.wgs84_to_lambert93([lon], [lat])
    return f"{x[0]:.1f}", f"{y[0]:.1f}"


def establishment(
    siret_: str,
    *,
    etat: str = "A",
    commune: str = "26281",
    name: str = "",
    enseigne: str = "",
    naf: str = "88.99B",
    nomenclature: str = "NAFRev2",
    siege: bool = True,
    tranche: str = "01",
    diffusion: str = "O",
    lambert: tuple[str, str] | None = None,
    **extra: str,
) -> dict[str, str]:
    """One row of the establishments file (columns by INSEE name)."""
    x, y = lambert or ("", "")
    row = {
        "siren": siret_[:9],
        "nic": siret_[9:],
        "siret": siret_,
        "statutDiffusionEtablissement": diffusion,
        "dateCreationEtablissement": "2015-03-02",
        "trancheEffectifsEtablissement": tranche,
        "anneeEffectifsEtablissement": "2023",
        "dateDernierTraitementEtablissement": "2025-11-30T10:00:00",
        "etablissementSiege": "true" if siege else "false",
        "nombrePeriodesEtablissement": "1",
        "numeroVoieEtablissement": "12",
        "typeVoieEtablissement": "RUE",
        "libelleVoieEtablissement": "DES TANNEURS",
        "codePostalEtablissement": "26100",
        "libelleCommuneEtablissement": "ROMANS-SUR-ISERE",
        "codeCommuneEtablissement": commune,
        "coordonneeLambertAbscisseEtablissement": x,
        "coordonneeLambertOrdonneeEtablissement": y,
        "dateDebut": "2015-03-02",
        "etatAdministratifEtablissement": etat,
        "enseigne1Etablissement": enseigne,
        "denominationUsuelleEtablissement": name,
        "activitePrincipaleEtablissement": naf,
        "nomenclatureActivitePrincipaleEtablissement": nomenclature,
        "caractereEmployeurEtablissement": "O",
        "activitePrincipaleNAF25Etablissement": "88.99Y",
        "colonneAjouteeParInsee": "inconnu",
    }
    row.update(extra)
    return row


def legal_unit(
    siren_: str,
    *,
    name: str = "",
    categorie: str = "9220",
    ess: str = "O",
    etat: str = "A",
    diffusion: str = "O",
    sigle: str = "",
    nom: str = "",
    prenom: str = "",
    naf: str = "88.99B",
    tranche: str = "01",
    rna: str = "",
    **extra: str,
) -> dict[str, str]:
    row = {
        "siren": siren_,
        "statutDiffusionUniteLegale": diffusion,
        "dateCreationUniteLegale": "2015-03-02",
        "sigleUniteLegale": sigle,
        "prenom1UniteLegale": prenom,
        "identifiantAssociationUniteLegale": rna,
        "trancheEffectifsUniteLegale": tranche,
        "etatAdministratifUniteLegale": etat,
        "nomUniteLegale": nom,
        "denominationUniteLegale": name,
        "categorieJuridiqueUniteLegale": categorie,
        "activitePrincipaleUniteLegale": naf,
        "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
        "nicSiegeUniteLegale": "00010",
        "economieSocialeSolidaireUniteLegale": ess,
        "societeMissionUniteLegale": "N",
        "activitePrincipaleNAF25UniteLegale": "88.99Y",
    }
    row.update(extra)
    return row


def geolocation(siret_: str, lon: float, lat: float, quality: str = "11") -> dict[str, str]:
    x, y = lambert_of(lon, lat)
    return {
        "siret": siret_,
        "x": x,
        "y": y,
        "qualite_xy": quality,
        "epsg": "2154",
        "plg_code_commune": "26281",
        "y_latitude": f"{lat}",
        "x_longitude": f"{lon}",
    }


# --------------------------------------------------------------------------- writers


def csv_text(header: Sequence[str], rows: Sequence[dict[str, str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(header), delimiter=delimiter, extrasaction="ignore"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in header})
    return buffer.getvalue()


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[dict[str, str]], delimiter: str = ","
) -> Path:
    path.write_text(csv_text(header, rows, delimiter), encoding="utf-8")
    return path


def write_zip(path: Path, header: Sequence[str], rows: Sequence[dict[str, str]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("StockEtablissement_utf8.csv", csv_text(header, rows))
    return path


def write_parquet(path: Path, header: Sequence[str], rows: Sequence[dict[str, str]]) -> Path:
    """Parquet as INSEE publishes it: strings, except the head-office flag (a boolean)
    and the creation date (a date)."""
    columns: dict[str, pa.Array] = {}
    for name in header:
        values = [row.get(name, "") or None for row in rows]
        if name == "etablissementSiege":
            columns[name] = pa.array([None if v is None else v == "true" for v in values])
        elif name == "dateCreationEtablissement":
            columns[name] = pc.cast(pa.array(values, pa.string()), pa.date32())
        else:
            columns[name] = pa.array(values, pa.string())
    pq.write_table(pa.table(columns), path)
    return path
