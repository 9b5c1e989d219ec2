"""Writes on the territory reference: perimeters (named sets of communes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.territories import indexes
from ptce.territories.models import Commune, Departement, Epci, Perimeter, Region

MAX_RADIUS_KM = 200.0
OUTLINE_TOLERANCE_DEG = 0.002


def _clean_codes(values: Iterable[str]) -> list[str]:
    return sorted({str(v).strip().upper() for v in values if str(v).strip()})


def _unknown(field: str, codes: Sequence[str], known: set[str]) -> dict[str, str]:
    missing = [c for c in codes if c not in known]
    if not missing:
        return {}
    return {field: _("Code(s) inconnu(s) : %(codes)s.") % {"codes": ", ".join(missing)}}


def _clean_radii(radii: Iterable[dict[str, Any]]) -> tuple[list[dict[str, float]], dict[str, str]]:
    cleaned: list[dict[str, float]] = []
    for n, radius in enumerate(radii, start=1):
        try:
            lat, lon, km = float(radius["lat"]), float(radius["lon"]), float(radius["km"])
        except (KeyError, TypeError, ValueError):
            return [], {
                "radii": _("Rayon n° %(n)s : latitude, longitude et distance (km) attendues.")
                % {"n": n}
            }
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return [], {"radii": _("Rayon n° %(n)s : coordonnées hors limites.") % {"n": n}}
        if not 0 < km <= MAX_RADIUS_KM:
            return [], {
                "radii": _("Rayon n° %(n)s : la distance doit être comprise entre 0 et %(max)s km.")
                % {"n": n, "max": int(MAX_RADIUS_KM)}
            }
        cleaned.append({"lat": lat, "lon": lon, "km": km})
    return cleaned, {}


def resolve_communes(definition: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The sorted commune codes a definition covers, and the cleaned definition.

    Raises ValidationError naming each field whose codes are unknown, or when nothing is left.
    """
    communes = _clean_codes(definition.get("communes", []))
    epci = _clean_codes(definition.get("epci", []))
    departements = _clean_codes(definition.get("departements", []))
    regions = _clean_codes(definition.get("regions", []))
    radii, errors = _clean_radii(definition.get("radii", []))

    current = Commune.objects.current()
    errors |= _unknown(
        "communes",
        communes,
        set(current.filter(code_insee__in=communes).values_list("pk", flat=True)),
    )
    errors |= _unknown(
        "epci", epci, set(Epci.objects.filter(pk__in=epci).values_list("pk", flat=True))
    )
    errors |= _unknown(
        "departements",
        departements,
        set(Departement.objects.filter(pk__in=departements).values_list("pk", flat=True)),
    )
    errors |= _unknown(
        "regions", regions, set(Region.objects.filter(pk__in=regions).values_list("pk", flat=True))
    )
    if errors:
        raise ValidationError(errors)

    codes = set(communes)
    codes |= set(current.filter(epci_id__in=epci).values_list("pk", flat=True)) if epci else set()
    if departements:
        codes |= set(current.filter(departement_id__in=departements).values_list("pk", flat=True))
    if regions:
        codes |= set(current.filter(region_id__in=regions).values_list("pk", flat=True))
    if radii:
        idx = indexes.get()
        for r in radii:
            codes |= {idx.codes[i] for i in idx.geo.within_radius(r["lon"], r["lat"], r["km"])}
    if not codes:
        raise ValidationError(
            {"communes": _("Le périmètre ne contient aucune commune : ajoutez-en au moins une.")}
        )
    cleaned = {
        "communes": communes,
        "epci": epci,
        "departements": departements,
        "regions": regions,
        "radii": radii,
    }
    return sorted(codes), cleaned


def _unique_slug(name: str, exclude_pk: int | None) -> str:
    base = slugify(name)[:70] or "perimetre"
    slug, n = base, 1
    taken = Perimeter.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def save_perimeter(
    acting_user: User | None,
    *,
    name: str,
    definition: dict[str, Any],
    perimeter: Perimeter | None = None,
) -> Perimeter:
    """Create or rebuild a perimeter from its definition; population, area, outline computed."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Le nom du périmètre est obligatoire.")})
    codes, cleaned = resolve_communes(definition)
    before = audit.snapshot(perimeter, ["name", "definition", "commune_count"]) if perimeter else {}
    creating = perimeter is None
    if perimeter is None:
        perimeter = Perimeter(created_by=acting_user if acting_user and acting_user.pk else None)
    if creating or perimeter.name != name:
        perimeter.slug = _unique_slug(name, perimeter.pk)
    perimeter.name = name
    perimeter.definition = cleaned

    idx = indexes.get()
    position = {code: i for i, code in enumerate(idx.codes)}
    outline = idx.geo.outline(
        np.array([position[c] for c in codes if c in position], dtype=np.int64),
        tolerance=OUTLINE_TOLERANCE_DEG,
    )
    totals = Commune.objects.filter(code_insee__in=codes).aggregate(
        population=Sum("population"), area=Sum("area_km2")
    )
    perimeter.commune_count = len(codes)
    perimeter.population = totals["population"] or 0
    perimeter.area_km2 = round(totals["area"] or 0.0, 2)
    perimeter.min_lon, perimeter.min_lat, perimeter.max_lon, perimeter.max_lat = (
        float(v) for v in shapely.bounds(outline)
    )
    perimeter.outline = shapely.to_wkb(outline)
    perimeter.save()
    perimeter.communes.set(codes)
    audit.record(
        acting_user,
        verb="save_perimeter",
        obj=perimeter,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        before=before,
        after=audit.snapshot(perimeter, ["name", "definition", "commune_count"]),
    )
    return perimeter


@transaction.atomic
def delete_perimeter(acting_user: User | None, *, perimeter: Perimeter) -> None:
    audit.record(
        acting_user,
        verb="delete_perimeter",
        obj=perimeter,
        action=AuditEntry.Action.DELETE,
        before=audit.snapshot(perimeter, ["name", "definition", "commune_count"]),
        after={},
    )
    perimeter.delete()
