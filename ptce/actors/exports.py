"""Exports of a directory search: CSV, XLSX and data·inclusion structures (schema v1).

Rows stream from the database in chunks; each organisation is described with its head
office (or first active establishment).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from data_inclusion.schema import v1 as data_inclusion
from django.db.models import OuterRef, QuerySet, Subquery
from openpyxl import Workbook

from ptce.actors import naf
from ptce.actors.models import Establishment, Organisation

XLSX_MAX_ROWS = 200_000
DATA_INCLUSION_SOURCE = "ptce"

COLUMNS: list[tuple[str, str]] = [
    ("siren", "SIREN"),
    ("siret", "SIRET du siège"),
    ("name", "Nom"),
    ("acronym", "Sigle"),
    ("actor_type", "Type d'acteur"),
    ("ess_family", "Famille de l'ESS"),
    ("categorie_juridique", "Catégorie juridique"),
    ("naf", "Activité (NAF)"),
    ("naf_section", "Section NAF"),
    ("tranche_effectifs", "Tranche d'effectifs"),
    ("address", "Adresse"),
    ("code_postal", "Code postal"),
    ("code_commune", "Code commune"),
    ("commune", "Commune"),
    ("lat", "Latitude"),
    ("lon", "Longitude"),
    ("website", "Site web"),
    ("active", "Active"),
]

_SIEGE_FIELDS = {
    "siret": "siret",
    "address": "address",
    "code_postal": "code_postal",
    "code_commune": "code_commune",
    "commune": "commune__nom",
    "lat": "lat",
    "lon": "lon",
}


def with_siege(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Annotate each organisation with its head office (or first active establishment)."""
    siege = Establishment.objects.filter(organisation=OuterRef("pk")).order_by(
        "-siege", "-active", "siret"
    )
    return queryset.annotate(
        **{f"siege_{k}": Subquery(siege.values(path)[:1]) for k, path in _SIEGE_FIELDS.items()}
    )


def rows(queryset: QuerySet[Organisation]) -> Iterator[dict[str, Any]]:
    for org in with_siege(queryset).order_by("name", "id").iterator(chunk_size=2000):
        yield {
            "siren": org.siren or "",
            "name": org.name,
            "acronym": org.acronym,
            "actor_type": org.get_actor_type_display(),
            "ess_family": org.get_ess_family_display() if org.ess_family else "",
            "categorie_juridique": org.categorie_juridique,
            "naf": org.naf,
            "naf_section": naf.section_of(org.naf) or "",
            "tranche_effectifs": org.tranche_effectifs,
            "website": org.website,
            "active": "oui" if org.active else "non",
            **{k: getattr(org, f"siege_{k}") for k in _SIEGE_FIELDS},
            "_id": org.pk,
            "_updated": org.updated_at.date(),
        }


def csv_lines(queryset: QuerySet[Organisation]) -> Iterator[str]:
    """The CSV (UTF-8, comma, header of French labels), line by line, for streaming."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    writer.writerow([label for _key, label in COLUMNS])
    yield "\ufeff" + flush()
    for row in rows(queryset):
        writer.writerow(["" if row[k] is None else row[k] for k, _label in COLUMNS])
        yield flush()


def xlsx_bytes(queryset: QuerySet[Organisation]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Annuaire")
    sheet.append([label for _key, label in COLUMNS])
    for n, row in enumerate(rows(queryset)):
        if n >= XLSX_MAX_ROWS:
            break
        sheet.append([row[k] for k, _label in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def data_inclusion_structures(
    queryset: QuerySet[Organisation], *, base_url: str = ""
) -> Iterable[dict[str, Any]]:
    """Structures in the data·inclusion schema v1, validated by the package's own model."""
    today = date.today()
    for row in rows(queryset):
        name = row["name"][:150]
        if len(name) < 3:
            name = f"{name} ({row['siren'] or row['_id']})"[:150]
        structure = data_inclusion.Structure(
            source=DATA_INCLUSION_SOURCE,
            id=f"{DATA_INCLUSION_SOURCE}--{row['_id']}",
            nom=name.rstrip("."),
            date_maj=min(row["_updated"], today),
            siret=row["siret"] or None,
            commune=row["commune"] or None,
            code_postal=row["code_postal"] or None,
            code_insee=row["code_commune"] or None,
            adresse=row["address"] or None,
            longitude=row["lon"],
            latitude=row["lat"],
            site_web=row["website"] or None,
            lien_source=f"{base_url}/annuaire/organisations/{row['_id']}/" if base_url else None,
        )
        yield structure.model_dump(mode="json", exclude_none=True)
