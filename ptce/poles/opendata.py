"""Open data of the observatory: the public hubs as CSV, JSON and GeoJSON, described by the
Table Schema `docs/opendata/poles.schema.json`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from ptce.poles.models import Pole

FIELDS = [
    "slug",
    "nom",
    "region",
    "region_nom",
    "departement",
    "commune",
    "commune_nom",
    "latitude",
    "longitude",
    "impulsion",
    "dynamique",
    "maturite",
    "objectifs",
    "secteurs_naf",
    "forme_juridique",
    "date_creation",
    "nombre_membres",
    "membres_ess",
    "site_web",
    "demo",
    "url",
]


def queryset() -> QuerySet[Pole]:
    return (
        Pole.objects.public()
        .select_related("region", "commune")
        .with_member_count()
        .order_by("slug")
    )


def records(qs: QuerySet[Pole], *, base_url: str = "") -> Iterator[dict[str, Any]]:
    for pole in qs:
        yield {
            "slug": pole.slug,
            "nom": pole.name,
            "region": pole.region_id or "",
            "region_nom": pole.region.nom if pole.region else "",
            "departement": pole.departement_id or "",
            "commune": pole.commune_id or "",
            "commune_nom": pole.commune.nom if pole.commune else "",
            "latitude": round(pole.lat, 5) if pole.lat is not None else None,
            "longitude": round(pole.lon, 5) if pole.lon is not None else None,
            "impulsion": pole.impulse,
            "dynamique": pole.dynamic,
            "maturite": pole.maturity_id or "",
            "objectifs": ",".join(pole.objectives),
            "secteurs_naf": ",".join(pole.naf_sections),
            "forme_juridique": pole.legal_form,
            "date_creation": pole.created_on.isoformat() if pole.created_on else "",
            "nombre_membres": pole.member_count,
            "membres_ess": pole.ess_member_count,
            "site_web": pole.website,
            "demo": pole.is_demo,
            "url": f"{base_url}/observatoire/poles/{pole.slug}/",
        }


def to_csv(qs: QuerySet[Pole], *, base_url: str = "") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in records(qs, base_url=base_url):
        writer.writerow(
            {
                k: ("true" if v is True else "false" if v is False else "" if v is None else v)
                for k, v in record.items()
            }
        )
    return out.getvalue()


def to_geojson(qs: QuerySet[Pole], *, base_url: str = "") -> dict[str, Any]:
    features = []
    for record in records(qs, base_url=base_url):
        lon, lat = record["longitude"], record["latitude"]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]}
                if lon is not None
                else None,
                "properties": record,
            }
        )
    return {"type": "FeatureCollection", "features": features}
