"""The public observatory of the hubs: national map and directory, a hub's public page,
national statistics, and the open data's Table Schema.

The map is clustered on the server (`ptce.actors.clustering`, the directory's engine): the
page asks `carte.json` for the current viewport and zoom, with the directory's filters, and
gets clusters or hubs as GeoJSON. A national network has a few hundred hubs, so the point
set is built per request from one query (id, position, name); the answer stays small
whatever the number of hubs, and the same code serves a network of thousands.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import numpy as np
import shapely
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from ptce.actors import clustering, naf
from ptce.actors.models import ActorType, Establishment
from ptce.core import i18n
from ptce.core.i18n import translate
from ptce.poles import eligibility, permissions, queries
from ptce.poles.models import Dynamic, Maturity, Membership, Objective, Pole, Specificity
from ptce.poles.profile import jobs_message
from ptce.territories.models import Departement, Region
from ptce.web.forms_observatory import ObservatoryFilterForm, StatsForm

HUBS_PER_PAGE = 50
MAP_MAX_POINTS = 60  # fewer hubs than this in the viewport: each is drawn; else clusters
MAP_CELL_PIXELS = 64
MAP_CLUSTER_SPACING = 56  # pixels: the largest disc (50 px) and a margin
MEMBER_POINTS_LIMIT = 1000
DECIMALS = 5
SCHEMA_FILE = settings.BASE_DIR / "docs" / "opendata" / "poles.schema.json"
EXPORT_FORMATS = ("csv", "json", "geojson")

CONDITION_LABELS = {
    "decret_private_law_person": gettext_lazy("Le pôle est une personne morale de droit privé"),
    "decret_three_legal_persons": gettext_lazy("Au moins trois personnes morales membres"),
    "decret_ess_enterprise": gettext_lazy("Au moins une entreprise de l’ESS"),
    "decret_enterprise_outside_ess": gettext_lazy("Au moins une entreprise hors ESS"),
    "decret_article9_other": gettext_lazy(
        "Au moins une autre personne de l’article 9 (collectivité, recherche, formation…)"
    ),
    "decret_distinct_members": gettext_lazy("Ces trois rôles tenus par trois membres distincts"),
    "labo_five_organisations": gettext_lazy("Au moins cinq organisations"),
    "labo_diverse_types": gettext_lazy("Des organisations de types différents"),
    "labo_common_strategy": gettext_lazy("Une stratégie commune formalisée"),
    "labo_long_term": gettext_lazy("Un engagement dans la durée"),
    "labo_pooling": gettext_lazy("Des ressources mutualisées ou un investissement commun"),
}
STATUS_LABELS = {
    eligibility.MET: gettext_lazy("rempli"),
    eligibility.NOT_MET: gettext_lazy("non rempli"),
    eligibility.UNKNOWN: gettext_lazy("à compléter"),
}
DECRET_LABELS = {
    eligibility.MET: gettext_lazy("éligible"),
    eligibility.NOT_MET: gettext_lazy("non éligible"),
    eligibility.UNKNOWN: gettext_lazy("à compléter"),
}


# ---- shared helpers (the workspace uses them too) ------------------------------------------


@dataclass(frozen=True)
class ConditionRow:
    code: str
    checklist: str
    status: str
    status_label: str
    label: str
    message: str


def eligibility_context(conditions: list[eligibility.Condition]) -> dict[str, Any]:
    """The décret's verdict and both checklists, labelled for the templates."""
    rows = [
        ConditionRow(
            code=c.code,
            checklist=c.checklist,
            status=c.status,
            status_label=str(STATUS_LABELS[c.status]),
            label=str(CONDITION_LABELS.get(c.code, c.code)),
            message=translate(c.text),
        )
        for c in conditions
    ]
    verdict = eligibility.decret_eligible(conditions)
    return {
        "decret": verdict,
        "decret_label": str(DECRET_LABELS[verdict]),
        "decret_conditions": [r for r in rows if r.checklist == eligibility.DECRET],
        "labo_conditions": [r for r in rows if r.checklist == eligibility.LABO],
    }


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: str  # percent of the longest bar, as an SVG length ("37.5")
    share: str  # percent of the total, French ("37,5 %")
    key: str = ""


def bars(items: list[tuple[str, int, str]]) -> list[Bar]:
    """Rows of a bar chart from (label, value, key); widths relative to the largest value."""
    total = sum(value for _label, value, _key in items)
    largest = max((value for _label, value, _key in items), default=0)
    return [
        Bar(
            label=label,
            value=value,
            width=f"{(100 * value / largest) if largest else 0:.1f}",
            share=_percent(value / total if total else 0),
            key=key,
        )
        for label, value, key in items
    ]


def _percent(ratio: float) -> str:
    """0.5 -> "50 %" (narrow no-break space in French; "50%" in English)."""
    figure = round(100 * ratio)
    return i18n.percent(Decimal(figure) / 100, 0, space=i18n.NNBSP)


def choice_labels(values: list[str], choices: type[Any]) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(v, v)) for v in values]


def sector_labels(letters: list[str]) -> list[str]:
    return [
        f"{letter} — {_(naf.SECTIONS[letter][2])}" for letter in letters if letter in naf.SECTIONS
    ]


# ---- the directory and its filters ------------------------------------------------------------


def _filter_form(request: HttpRequest) -> ObservatoryFilterForm:
    return ObservatoryFilterForm(
        request.GET or None,
        regions=Region.objects.order_by("nom").values_list("code", "nom"),
        departements=Departement.objects.order_by("code").values_list("code", "nom"),
        maturities=[(m.code, m.display_label) for m in Maturity.objects.all()],
    )


def _apply(qs: QuerySet[Pole], filters: dict[str, str]) -> QuerySet[Pole]:
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"])
    for key, lookup in (
        ("region", "region_id"),
        ("departement", "departement_id"),
        ("dynamic", "dynamic"),
        ("impulse", "impulse"),
        ("maturity", "maturity_id"),
    ):
        if filters.get(key):
            qs = qs.filter(**{lookup: filters[key]})
    # JSON lists: a portable text match on the quoted value (as the API does).
    if filters.get("objective"):
        qs = qs.filter(objectives__icontains=f'"{filters["objective"]}"')
    if filters.get("sector"):
        qs = qs.filter(naf_sections__icontains=f'"{filters["sector"]}"')
    return qs


def _listed(request: HttpRequest, filters: dict[str, str]) -> QuerySet[Pole]:
    return (
        _apply(Pole.objects.visible_to(request.user), filters)
        .select_related("commune", "region", "maturity")
        .with_member_count()
        .order_by("name", "pk")
    )


def _query_string(filters: dict[str, str]) -> str:
    return urlencode(filters)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The national map and the directory of hubs; an htmx request gets the results only."""
    form = _filter_form(request)
    filters = form.filters()
    hubs = _listed(request, filters)
    page = Paginator(hubs, HUBS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "query": _query_string(filters),
        "map_url": reverse("observatory:map_data"),
        "schema_url": reverse("observatory:schema"),
        "exports": [(fmt, f"{reverse('api:export_poles')}?format={fmt}") for fmt in EXPORT_FORMATS],
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "poles/observatory/_results.html", context)
    else:
        response = render(request, "poles/observatory/index.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _bbox(text: str) -> tuple[float, float, float, float]:
    parts = [float(v) for v in text.split(",")]
    if len(parts) != 4 or not all(math.isfinite(v) for v in parts):
        raise ValueError(text)
    west, south, east, north = parts
    # Leaflet may report longitudes beyond ±180 when the world repeats.
    west, east = max(west, -180.0), min(east, 180.0)
    south, north = max(south, -90.0), min(north, 90.0)
    if west > east or south > north:
        raise ValueError(text)
    return west, south, east, north


@require_safe
def map_data(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the hubs in a viewport: clusters, or the hubs themselves when few."""
    try:
        bbox = _bbox(request.GET.get("bbox", "-180,-85,180,85"))
        zoom = int(request.GET.get("zoom", "5"))
        if not 0 <= zoom <= 20:
            raise ValueError(zoom)
    except ValueError:
        return JsonResponse(
            {"detail": _("Paramètres attendus : bbox=ouest,sud,est,nord et zoom entre 0 et 20.")},
            status=400,
        )
    filters = _filter_form(request).filters()
    rows = list(
        _apply(Pole.objects.visible_to(request.user), filters)
        .filter(lat__isnull=False, lon__isnull=False)
        .values_list("pk", "lon", "lat", "name", "slug", "commune__nom")
    )
    by_id = {row[0]: row for row in rows}
    points = clustering.PointSet(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.float64),
        np.array([r[2] for r in rows], dtype=np.float64),
    )
    answer = clustering.query(
        points, bbox, zoom, max_points=MAP_MAX_POINTS, cell_pixels=MAP_CELL_PIXELS
    )

    def properties(ids: np.ndarray) -> list[dict[str, Any]]:
        return [
            {
                "name": by_id[i][3],
                "commune": by_id[i][5] or "",
                "url": reverse("observatory:pole", args=[by_id[i][4]]),
            }
            for i in ids.tolist()
        ]

    data = clustering.to_geojson_dict(answer, properties)
    if answer.mode == "clusters":
        data["features"] = merge_close_clusters(data["features"], zoom)
    data["all"] = len(rows)
    data["extent"] = (
        [
            round(min(r[1] for r in rows), DECIMALS),
            round(min(r[2] for r in rows), DECIMALS),
            round(max(r[1] for r in rows), DECIMALS),
            round(max(r[2] for r in rows), DECIMALS),
        ]
        if rows
        else None
    )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _pixels(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Web Mercator position in screen pixels at `zoom`."""
    scale = 256.0 * 2.0**zoom
    lat = max(min(lat, clustering.MAX_LATITUDE), -clustering.MAX_LATITUDE)
    sin = math.sin(math.radians(lat))
    y = 0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)
    return (lon + 180.0) / 360.0 * scale, y * scale


def merge_close_clusters(
    features: list[dict[str, Any]], zoom: int, min_pixels: float = MAP_CLUSTER_SPACING
) -> list[dict[str, Any]]:
    """Grid clusters of neighbouring cells may sit a few pixels apart and hide each other:
    merge those closer than `min_pixels` on screen (the largest first; weighted mean
    position, summed counts, union of the extents). A few hundred clusters at most."""
    kept: list[dict[str, Any]] = []
    spots: list[tuple[float, float]] = []
    for feature in sorted(features, key=lambda f: -f["properties"]["count"]):
        lon, lat = feature["geometry"]["coordinates"]
        x, y = _pixels(lon, lat, zoom)
        for i, (kx, ky) in enumerate(spots):
            if math.hypot(kx - x, ky - y) < min_pixels:
                target = kept[i]
                n, m = target["properties"]["count"], feature["properties"]["count"]
                tlon, tlat = target["geometry"]["coordinates"]
                new = [
                    round((tlon * n + lon * m) / (n + m), DECIMALS),
                    round((tlat * n + lat * m) / (n + m), DECIMALS),
                ]
                target["geometry"]["coordinates"] = new
                target["properties"]["count"] = n + m
                a, b = target["bbox"], feature["bbox"]
                target["bbox"] = [
                    min(a[0], b[0]),
                    min(a[1], b[1]),
                    max(a[2], b[2]),
                    max(a[3], b[3]),
                ]
                spots[i] = _pixels(new[0], new[1], zoom)
                break
        else:
            kept.append(feature)
            spots.append((x, y))
    return kept


@require_safe
def schema(request: HttpRequest) -> FileResponse:
    """The Table Schema that describes the open data exports."""
    if not SCHEMA_FILE.exists():
        raise Http404(_("Le schéma des données ouvertes n’est pas installé sur ce serveur."))
    return FileResponse(
        SCHEMA_FILE.open("rb"), content_type="application/json", filename="poles.schema.json"
    )


# ---- a hub's public page -----------------------------------------------------------------------


def _round(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, DECIMALS)


def hub_map_data(pole: Pole, organisation_ids: list[int]) -> dict[str, Any]:
    """The hub's perimeter outline, its own place and its members' active establishments."""
    features: list[dict[str, Any]] = []
    perimeter = pole.perimeter
    if perimeter is not None and perimeter.outline:
        shape = shapely.transform(shapely.from_wkb(bytes(perimeter.outline)), _round)
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(shape)),
                "properties": {"role": "perimeter", "name": perimeter.name},
            }
        )
    if pole.lat is not None and pole.lon is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(pole.lon, DECIMALS), round(pole.lat, DECIMALS)],
                },
                "properties": {"role": "hub", "name": pole.name},
            }
        )
    establishments = (
        Establishment.objects.filter(
            organisation_id__in=organisation_ids,
            active=True,
            lat__isnull=False,
            lon__isnull=False,
        )
        .order_by("organisation__name", "pk")
        .values_list("organisation__name", "name", "lon", "lat")[:MEMBER_POINTS_LIMIT]
    )
    for organisation, name, lon, lat in establishments:
        label = f"{organisation} — {name}" if name and name != organisation else organisation
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(lon, DECIMALS), round(lat, DECIMALS)],
                },
                "properties": {"role": "member", "name": label},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def label_members(members: list[Membership]) -> list[Membership]:
    """Give each membership (annotated by `queries.members`) its actor type's label."""
    labels = dict(ActorType.choices)
    for membership in members:
        kind = getattr(membership, "effective_actor_type", "")
        membership.type_label = str(labels.get(kind, kind))  # type: ignore[attr-defined]
    return members


def profile_context(pole: Pole, profile: Any) -> dict[str, Any]:
    type_labels = dict(ActorType.choices)
    return {
        "profile": profile,
        "type_chart": {
            "id": "types",
            "title": _("Membres par type d’acteur"),
            "label_header": _("Type d’acteur"),
            "empty": _("Pas encore de membre."),
            "bars": bars([(str(type_labels[t]), n, t) for t, n in profile.counts_by_type.items()]),
        },
        "ess_share": _percent(profile.ess_share),
        "diversity": i18n.number(profile.diversity, 2),
        "anchoring": None if profile.anchoring is None else _percent(profile.anchoring),
        "jobs": translate(jobs_message(profile)),
    }


def _get_viewable(request: HttpRequest, slug: str) -> Pole:
    pole = (
        Pole.objects.select_related(
            "commune", "region", "departement", "maturity", "carrier", "perimeter"
        )
        .filter(slug=slug)
        .first()
    )
    if pole is None or not permissions.can_view_pole(request.user, pole):
        raise Http404(_("Aucun pôle n’a l’identifiant « %(slug)s ».") % {"slug": slug})
    return pole


@require_safe
def pole(request: HttpRequest, slug: str) -> HttpResponse:
    hub = _get_viewable(request, slug)
    may_manage = permissions.can_manage_pole(request.user, hub)
    summary = queries.summary(hub)
    members = label_members(list(queries.members(hub).visible_to(request.user, hub)))
    profile = summary["profile"]
    context = {
        "pole": hub,
        "may_manage": may_manage,
        "members": members,
        "hidden_members": max(0, profile.member_count - len(members)),
        "objectives": choice_labels(hub.objectives, Objective),
        "specificities": choice_labels(hub.specificities, Specificity),
        "sectors": sector_labels(hub.naf_sections),
        "map_data": hub_map_data(hub, [m.organisation_id for m in members]),
        "show_condition_detail": may_manage,
        **eligibility_context(summary["conditions"]),
        **profile_context(hub, profile),
    }
    return render(request, "poles/observatory/pole.html", context)


# ---- national statistics ------------------------------------------------------------------------


@require_safe
def stats(request: HttpRequest) -> HttpResponse:
    form = StatsForm(request.GET or None)
    include_demo = form.include_demo()
    if not form.is_bound:
        form = StatsForm(initial={"demo": True, "shown": "1"})
    public = Pole.objects.public()
    hubs = public if include_demo else public.filter(is_demo=False)
    demo_count = public.filter(is_demo=True).count()
    total = hubs.count()

    by_region = (
        hubs.order_by()
        .values("region_id", "region__nom")
        .annotate(n=Count("id"))
        .order_by("-n", "region__nom")
    )
    dynamic_labels = dict(Dynamic.choices)
    by_dynamic = {
        row["dynamic"]: row["n"]
        for row in hubs.order_by().values("dynamic").annotate(n=Count("id"))
    }
    by_maturity = list(
        hubs.order_by()
        .values("maturity_id", "maturity__label", "maturity__order")
        .annotate(n=Count("id"))
        .order_by("maturity__order", "maturity_id")
    )
    members = (
        Membership.objects.current()
        .filter(pole__in=hubs)
        .with_actor_type()
        .order_by()
        .values("effective_actor_type")
        .annotate(n=Count("id"))
    )
    by_type = {row["effective_actor_type"]: row["n"] for row in members}
    type_labels = dict(ActorType.choices)
    not_given = _("Non renseignée")
    context = {
        "form": form,
        "include_demo": include_demo,
        "total": total,
        "demo_count": demo_count,
        "member_total": sum(by_type.values()),
        "charts": [
            {
                "id": "regions",
                "label_header": _("Région"),
                "title": _("Pôles par région"),
                "unit": _("pôles"),
                "bars": bars(
                    [
                        (r["region__nom"] or not_given, r["n"], r["region_id"] or "")
                        for r in by_region
                    ]
                ),
            },
            {
                "id": "dynamics",
                "label_header": _("Dynamique"),
                "title": _("Pôles par dynamique économique"),
                "unit": _("pôles"),
                "bars": bars(
                    [
                        (str(label), by_dynamic.get(value, 0), value)
                        for value, label in dynamic_labels.items()
                    ]
                    + ([(not_given, by_dynamic[""], "")] if by_dynamic.get("") else [])
                ),
            },
            {
                "id": "maturities",
                "label_header": _("Maturité"),
                "title": _("Pôles par maturité"),
                "unit": _("pôles"),
                "bars": bars(
                    [
                        (
                            _(r["maturity__label"]) if r["maturity__label"] else not_given,
                            r["n"],
                            r["maturity_id"] or "",
                        )
                        for r in by_maturity
                    ]
                ),
            },
            {
                "id": "actor-types",
                "label_header": _("Type d’acteur"),
                "title": _("Membres par type d’acteur"),
                "unit": _("membres"),
                "bars": bars(
                    [
                        (str(type_labels[t]), by_type[t], t)
                        for t in ActorType.values
                        if by_type.get(t)
                    ]
                ),
            },
        ],
    }
    return render(request, "poles/observatory/stats.html", context)


__all__ = [
    "Bar",
    "ConditionRow",
    "bars",
    "eligibility_context",
    "hub_map_data",
    "index",
    "label_members",
    "map_data",
    "merge_close_clusters",
    "pole",
    "profile_context",
    "schema",
    "stats",
]
