"""Public read of the territory reference."""

from __future__ import annotations

import json

import shapely
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from ptce.territories import lookups
from ptce.territories.models import Commune, Departement, Epci, Region

router = Router()

CODE_INSEE = r"^(\d{5}|2[ABab]\d{3})$"
CODE_EPCI = r"^\d{9}$"


class RegionOut(Schema):
    code: str
    nom: str


class DepartementOut(Schema):
    code: str
    nom: str
    region: str = Field(..., alias="region_id")


class CommuneOut(Schema):
    code_insee: str
    nom: str
    type: str
    departement: str = Field(..., alias="departement_id")
    region: str = Field(..., alias="region_id")
    epci: str | None = Field(None, alias="epci_id")
    population: int
    codes_postaux: list[str] = Field(..., alias="postal_codes")
    lat: float
    lon: float


class EpciRef(Schema):
    code: str
    nom: str
    type: str


class CommuneDetail(CommuneOut):
    departement_nom: str = Field(..., alias="departement.nom")
    region_nom: str = Field(..., alias="region.nom")
    epci_detail: EpciRef | None = Field(None, alias="epci")
    commune_parent: str | None = Field(None, alias="commune_parent_id")
    area_km2: float
    bbox: tuple[float, float, float, float]
    geometry: dict[str, object] | None = None


class EpciMember(Schema):
    code_insee: str
    nom: str
    population: int


class EpciOut(Schema):
    code: str
    nom: str
    type: str
    type_label: str = Field(..., alias="get_type_display")
    population: int
    membres: list[EpciMember]


class LocateOut(Schema):
    code_insee: str
    nom: str
    departement: str
    region: str
    epci: str | None
    arrondissement: str | None = None


class Message(Schema):
    detail: str


class SearchQuery(Schema):
    q: str = Field(..., min_length=1, max_length=100, description="nom, code postal ou code INSEE")
    limit: int = Field(20, ge=1, le=50)


@router.get("/regions", response=list[RegionOut], summary="Les régions")
def regions(request: HttpRequest) -> list[Region]:
    return list(Region.objects.all())


@router.get("/departements", response=list[DepartementOut], summary="Les départements")
def departements(request: HttpRequest) -> list[Departement]:
    return list(Departement.objects.all())


@router.get("/communes", response=list[CommuneOut], summary="Rechercher une commune")
def search_communes(request: HttpRequest, query: Query[SearchQuery]) -> list[Commune]:
    """Recherche par nom (accents, casse, tirets et « St » indifférents), code postal ou
    code INSEE ; les noms qui commencent par la recherche d'abord, puis par population."""
    return lookups.search_communes(query.q, limit=query.limit)


@router.get(
    "/communes/{code}",
    response={200: CommuneDetail, 404: Message},
    summary="Une commune",
)
def commune(
    request: HttpRequest,
    code: str = Path(..., pattern=CODE_INSEE, description="code INSEE, 5 caractères"),
    geometry: bool = False,
) -> Commune:
    found = Commune.objects.with_relations().filter(code_insee=code.upper()).first()
    if found is None:
        raise Http404(_("Aucune commune n'a le code INSEE %(code)s.") % {"code": code})
    if geometry:
        shape = shapely.from_wkb(bytes(found.geometry))
        found.geometry = json.loads(shapely.to_geojson(shape))
    else:
        found.geometry = None
    return found


@router.get(
    "/epci/{code}", response={200: EpciOut, 404: Message}, summary="Un EPCI et ses communes"
)
def epci(
    request: HttpRequest,
    code: str = Path(..., pattern=CODE_EPCI, description="SIREN de l'EPCI, 9 chiffres"),
) -> Epci:
    found = Epci.objects.filter(code=code).first()
    if found is None:
        raise Http404(_("Aucun EPCI n'a le SIREN %(code)s.") % {"code": code})
    found.membres = list(found.communes.order_by("nom").only("code_insee", "nom", "population"))
    return found


@router.get(
    "/locate",
    response={200: LocateOut, 404: Message},
    summary="La commune qui contient un point",
)
def locate(
    request: HttpRequest,
    lat: float = Query(..., ge=-90, le=90, description="latitude WGS84"),
    lon: float = Query(..., ge=-180, le=180, description="longitude WGS84"),
) -> dict[str, object]:
    found = lookups.locate(lat, lon)
    if found is None:
        raise Http404(
            _("Aucune commune ne contient le point (lat %(lat)s, lon %(lon)s).")
            % {"lat": lat, "lon": lon}
        )
    c = found.commune
    return {
        "code_insee": c.code_insee,
        "nom": c.nom,
        "departement": c.departement_id,
        "region": c.region_id,
        "epci": c.epci_id,
        "arrondissement": found.arrondissement.code_insee if found.arrondissement else None,
    }
