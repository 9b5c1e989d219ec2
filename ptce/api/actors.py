"""The actor directory: organisations, establishments, SIRET checks."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from numpy.typing import NDArray

from ptce.actors import clustering, directory, exports, map_index, naf, permissions, services
from ptce.actors.explain import classification_message
from ptce.actors.models import Establishment, Organisation
from ptce.api.api import authenticated
from ptce.core.choices import Visibility

router = Router()

SIREN = r"^\d{9}$"
SIRET = r"^\d{14}$"
MAP_MAX_POINTS = clustering.ANSWER_MAX_POINTS  # the payload bound (bench: actors_map)


class EstablishmentOut(Schema):
    siret: str | None
    name: str
    address: str
    code_postal: str
    code_commune: str
    commune: str | None = Field(None, alias="commune.nom")
    departement: str
    lat: float | None
    lon: float | None
    precision: str
    naf: str
    tranche_effectifs: str
    siege: bool
    active: bool


class OrganisationOut(Schema):
    id: int
    siren: str | None
    name: str
    acronym: str
    categorie_juridique: str
    ess: bool | None
    societe_mission: bool | None
    actor_type: str
    actor_type_label: str = Field(..., alias="get_actor_type_display")
    ess_family: str
    size_class: str
    naf: str
    naf_section: str | None = None
    tranche_effectifs: str
    active: bool
    commune: str | None = None

    @staticmethod
    def resolve_naf_section(obj: Organisation) -> str | None:
        return naf.section_of(obj.naf)

    @staticmethod
    def resolve_commune(obj: Organisation) -> str | None:
        return getattr(obj, "siege_commune", None)


class OrganisationDetail(OrganisationOut):
    date_creation: date | None
    rna: str
    website: str
    source: str
    partially_diffusible: bool
    classification: str
    actor_type_declared: bool = Field(..., alias="actor_type_override")
    establishments: list[EstablishmentOut]

    @staticmethod
    def resolve_classification(obj: Organisation) -> str:
        return classification_message(obj)

    @staticmethod
    def resolve_establishments(obj: Organisation) -> list[Establishment]:
        return list(obj.establishments.all())


class FacetValue(Schema):
    value: str
    label: str
    count: int


class OrganisationPage(Schema):
    count: int
    page: int
    pages: int
    results: list[OrganisationOut]
    facets: dict[str, list[FacetValue]]


class DirectoryQuery(Schema):
    q: str = Field("", max_length=200, description="nom ou sigle (accents indifférents)")
    type: list[str] = Field([], description="type d'acteur : ess, enterprise, local_authority…")
    family: list[str] = Field([], description="famille de l'ESS : association, cooperative…")
    ess: bool | None = None
    departement: list[str] = Field([])
    epci: list[str] = Field([])
    perimeter: str = Field("", max_length=80)
    naf: str = Field("", max_length=6, pattern=r"^[0-9.A-Z]*$")
    section: list[str] = Field([], description="section NAF, A à U")
    tranche: list[str] = Field([])
    active: Literal["true", "false", "all"] = Field(
        "true", description="true : en activité (par défaut) ; false : cessées ; all : toutes"
    )
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(50, ge=1, le=200)

    def filters(self) -> directory.DirectoryFilters:
        def given(values: list[str]) -> list[str]:
            return [v.strip() for v in values if v and v.strip()]

        return directory.DirectoryFilters(
            q=self.q,
            actor_types=given(self.type),
            ess_families=given(self.family),
            ess=self.ess,
            departements=given(self.departement),
            epci=given(self.epci),
            perimeter=self.perimeter,
            naf=self.naf,
            naf_sections=[s.upper() for s in given(self.section) if s.upper() in naf.SECTIONS],
            tranches=given(self.tranche),
            active={"true": True, "false": False}.get(self.active),
        )


class OrganisationIn(Schema):
    name: str = Field(..., min_length=1, max_length=255)
    siren: str | None = Field(None, max_length=11)
    acronym: str = Field("", max_length=100)
    categorie_juridique: str = Field("", max_length=4)
    ess: bool | None = None
    societe_mission: bool | None = None
    date_creation: date | None = None
    tranche_effectifs: str = Field("", max_length=2)
    naf: str = Field("", max_length=6)
    rna: str = Field("", max_length=10)
    website: str = Field("", max_length=200)
    visibility: Visibility = Visibility.PUBLIC


class OrganisationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=255)
    acronym: str | None = Field(None, max_length=100)
    categorie_juridique: str | None = Field(None, max_length=4)
    ess: bool | None = None
    societe_mission: bool | None = None
    tranche_effectifs: str | None = Field(None, max_length=2)
    naf: str | None = Field(None, max_length=6)
    rna: str | None = Field(None, max_length=10)
    website: str | None = Field(None, max_length=200)
    visibility: Visibility | None = None


class SiretCheck(Schema):
    siret: str
    valid: bool
    message: str
    siren: str | None
    known: bool
    establishment: EstablishmentOut | None = None
    organisation: OrganisationOut | None = None


class Message(Schema):
    detail: str


def _with_siege_commune(qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
    siege = Establishment.objects.filter(organisation=OuterRef("pk"), siege=True)
    return qs.annotate(siege_commune=Subquery(siege.values("commune__nom")[:1]))


def _detail_queryset(request: HttpRequest) -> QuerySet[Organisation]:
    establishments = Establishment.objects.select_related("commune").order_by("-siege", "siret")
    return _with_siege_commune(
        Organisation.objects.visible_to(request.user).prefetch_related(
            Prefetch("establishments", queryset=establishments)
        )
    )


@router.get("/organisations", response=OrganisationPage, summary="Rechercher dans l'annuaire")
def list_organisations(request: HttpRequest, query: Query[DirectoryQuery]) -> dict[str, object]:
    """Recherche plein texte sur le nom et filtres (type d'acteur, famille de l'ESS, section
    NAF, tranche d'effectifs, département, EPCI, périmètre), avec le décompte par facette."""
    filters = query.filters()
    found = directory.Results(filters, request.user, _with_siege_commune)
    start = (query.page - 1) * query.page_size
    page = found[start : start + query.page_size]
    count = found.count()
    return {
        "count": count,
        "page": query.page,
        "pages": max(1, math.ceil(count / query.page_size)),
        "results": page,
        "facets": directory.facets(filters, request.user),
    }


class ExportQuery(DirectoryQuery):
    format: Literal["csv", "xlsx", "data-inclusion"] = "csv"


@router.get("/organisations/export", summary="Exporter une recherche (CSV, XLSX, data·inclusion)")
def export_organisations(request: HttpRequest, query: Query[ExportQuery]) -> HttpResponse:
    """Les organisations d'une recherche de l'annuaire, avec leur siège : CSV (UTF-8),
    XLSX, ou structures au schéma data·inclusion v1 (JSON)."""
    qs = directory.search(query.filters(), Organisation.objects.visible_to(request.user))
    stamp = timezone.localdate().isoformat()
    if query.format == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(qs),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="annuaire-{stamp}.xlsx"'
        return response
    if query.format == "data-inclusion":
        base_url = request.build_absolute_uri("/").rstrip("/")
        structures = list(exports.data_inclusion_structures(qs, base_url=base_url))
        response = JsonResponse(structures, safe=False, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="structures-{stamp}.json"'
        return response
    streaming = StreamingHttpResponse(exports.csv_lines(qs), content_type="text/csv; charset=utf-8")
    streaming["Content-Disposition"] = f'attachment; filename="annuaire-{stamp}.csv"'
    return streaming  # type: ignore[return-value]


@router.get(
    "/organisations/{siren}",
    response={200: OrganisationDetail, 404: Message},
    summary="Une organisation par son SIREN",
)
def get_organisation(request: HttpRequest, siren: str = Path(..., pattern=SIREN)) -> Organisation:
    found = _detail_queryset(request).filter(siren=siren).first()
    if found is None:
        raise Http404(_("Aucune organisation de l'annuaire n'a le SIREN %(s)s.") % {"s": siren})
    return found


@router.get(
    "/organisations/id/{organisation_id}",
    response={200: OrganisationDetail, 404: Message},
    summary="Une organisation par son identifiant (celles qui n'ont pas de SIREN)",
)
def get_organisation_by_id(request: HttpRequest, organisation_id: int) -> Organisation:
    found = _detail_queryset(request).filter(pk=organisation_id).first()
    if found is None:
        raise Http404(_("Aucune organisation n'a l'identifiant %(i)s.") % {"i": organisation_id})
    return found


@router.post(
    "/organisations",
    response={201: OrganisationDetail, 403: Message, 422: Message},
    auth=authenticated,
    summary="Ajouter une organisation (coordination, équipe)",
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    organisation = services.create_organisation(request.user, **payload.dict())
    return Status(201, _detail_queryset(request).get(pk=organisation.pk))


def _patch(
    request: HttpRequest, organisation: Organisation, payload: OrganisationPatch
) -> Organisation:
    values = payload.dict(exclude_unset=True)
    services.update_organisation(request.user, organisation=organisation, **values)
    return _detail_queryset(request).get(pk=organisation.pk)


@router.patch(
    "/organisations/{siren}",
    response={200: OrganisationDetail, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Modifier une organisation",
)
def patch_organisation(
    request: HttpRequest, payload: OrganisationPatch, siren: str = Path(..., pattern=SIREN)
) -> Organisation:
    organisation = Organisation.objects.visible_to(request.user).filter(siren=siren).first()
    if organisation is None:
        raise Http404(_("Aucune organisation de l'annuaire n'a le SIREN %(s)s.") % {"s": siren})
    return _patch(request, organisation, payload)


@router.patch(
    "/organisations/id/{organisation_id}",
    response={200: OrganisationDetail, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Modifier une organisation par son identifiant",
)
def patch_organisation_by_id(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> Organisation:
    organisation = Organisation.objects.visible_to(request.user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404(_("Aucune organisation n'a l'identifiant %(i)s.") % {"i": organisation_id})
    return _patch(request, organisation, payload)


@router.get(
    "/establishments/{siret}",
    response={200: EstablishmentOut, 404: Message},
    summary="Un établissement par son SIRET",
)
def get_establishment(request: HttpRequest, siret: str = Path(..., pattern=SIRET)) -> Establishment:
    found = (
        Establishment.objects.select_related("commune", "organisation").filter(siret=siret).first()
    )
    if found is None or not permissions.can_view_organisation(request.user, found.organisation):
        raise Http404(_("Aucun établissement de l'annuaire n'a le SIRET %(s)s.") % {"s": siret})
    return found


@router.get("/siret/{siret}/check", response=SiretCheck, summary="Vérifier un SIRET")
def check_siret(request: HttpRequest, siret: str) -> dict[str, object]:
    """Validité du SIRET (clé de Luhn, règle de La Poste) et ce que l'annuaire en sait."""
    try:
        compact = services.validate_siret(siret)
    except ValidationError as exc:
        return {
            "siret": siret,
            "valid": False,
            "message": exc.message_dict["siret"][0],
            "siren": None,
            "known": False,
        }
    found = (
        Establishment.objects.select_related("commune", "organisation")
        .filter(siret=compact)
        .first()
    )
    visible = found is not None and permissions.can_view_organisation(
        request.user, found.organisation
    )
    return {
        "siret": compact,
        "valid": True,
        "message": _("SIRET valide.")
        + " "
        + (_("Établissement connu de l'annuaire.") if visible else _("Inconnu de l'annuaire.")),
        "siren": compact[:9],
        "known": visible,
        "establishment": found if visible else None,
        "organisation": found.organisation if visible else None,
    }


class MapQuery(DirectoryQuery):
    bbox: str = Field(
        ...,
        pattern=r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?$",
        description="ouest,sud,est,nord en degrés WGS84",
    )
    zoom: int = Field(..., ge=0, le=20)


@router.get("/map/establishments", summary="Carte des établissements (groupes ou points)")
def map_establishments(request: HttpRequest, query: Query[MapQuery]) -> dict[str, object]:
    """Selon le zoom et la densité : des groupes (nombre d'établissements par cellule) ou
    les établissements eux-mêmes. Réponse GeoJSON ; les filtres sont ceux de l'annuaire."""
    west, south, east, north = (float(v) for v in query.bbox.split(","))
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise HttpError(
            422,
            _(
                "Le paramètre « bbox » doit valoir ouest,sud,est,nord avec ouest < est et sud < nord."
            ),
        )
    index = map_index.get()
    answer = clustering.query(
        index.points,
        (west, south, east, north),
        min(query.zoom, clustering.MAX_ZOOM),
        mask=index.mask(query.filters()) & index.visible_mask(request.user),
        max_points=MAP_MAX_POINTS,
    )

    def properties(ids: NDArray[np.int64]) -> list[dict[str, object]]:
        return [{"org": org} for org in index.organisations_of(ids).tolist()]

    return clustering.to_geojson_dict(answer, properties)
