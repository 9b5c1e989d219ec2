"""The hubs: public directory, members, eligibility; writes for coordinators."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from ptce.actors.models import Organisation
from ptce.api.api import authenticated
from ptce.core.choices import Visibility
from ptce.core.i18n import translate
from ptce.poles import opendata, permissions, queries, services
from ptce.poles.models import MemberRole, Membership, Pole

router = Router()


class Message(Schema):
    detail: str


class PoleOut(Schema):
    slug: str
    name: str
    region: str | None = Field(None, alias="region_id")
    departement: str | None = Field(None, alias="departement_id")
    commune: str | None = Field(None, alias="commune_id")
    lat: float | None
    lon: float | None
    impulse: str
    dynamic: str
    maturity: str | None = Field(None, alias="maturity_id")
    objectives: list[str]
    naf_sections: list[str]
    member_count: int = 0
    is_demo: bool


class PoleDetail(PoleOut):
    description: str
    legal_form: str
    created_on: dt.date | None
    specificities: list[str]
    tags: list[str]
    website: str
    contact_email: str
    shared_place: bool
    shared_place_name: str
    shared_place_address: str
    carrier: str | None = Field(None, alias="carrier.name")
    perimeter: str | None = Field(None, alias="perimeter.name")
    perimeter_population: int | None = Field(None, alias="perimeter.population")
    visibility: str


class PolePage(Schema):
    count: int
    page: int
    pages: int
    results: list[PoleOut]


class PoleFilters(Schema):
    q: str = Field("", max_length=100)
    region: list[str] = Field([])
    departement: list[str] = Field([])
    dynamic: list[str] = Field([])
    impulse: list[str] = Field([])
    maturity: list[str] = Field([])
    objective: list[str] = Field([])
    sector: list[str] = Field([], description="section NAF, A à U")
    demo: bool | None = None
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(100, ge=1, le=500)

    def apply(self, qs: QuerySet[Pole]) -> QuerySet[Pole]:
        if self.q:
            qs = qs.filter(name__icontains=self.q)
        for field, values in (
            ("region_id__in", self.region),
            ("departement_id__in", self.departement),
            ("dynamic__in", self.dynamic),
            ("impulse__in", self.impulse),
            ("maturity_id__in", self.maturity),
        ):
            if values:
                qs = qs.filter(**{field: values})
        for objective in self.objective:  # JSON lists: a portable text match on the quoted value
            qs = qs.filter(objectives__icontains=f'"{objective}"')
        for section in self.sector:
            qs = qs.filter(naf_sections__icontains=f'"{section.upper()}"')
        if self.demo is not None:
            qs = qs.filter(is_demo=self.demo)
        return qs


class MemberOut(Schema):
    id: int
    organisation_id: int
    name: str = Field(..., alias="organisation.name")
    siren: str | None = Field(None, alias="organisation.siren")
    actor_type: str = Field(..., alias="effective_actor_type")
    ess_family: str = Field(..., alias="organisation.ess_family")
    role: str
    joined_on: dt.date
    left_on: dt.date | None
    college: str | None = Field(None, alias="college.name")


class ConditionOut(Schema):
    code: str
    checklist: str
    status: str
    message: str


class PoleIn(Schema):
    name: str = Field(..., min_length=3, max_length=200)
    slug: str | None = Field(None, max_length=80, pattern=r"^[a-z0-9-]+$")
    description: str = ""
    commune: str | None = Field(None, pattern=r"^(\d{5}|2[AB]\d{3})$")
    legal_form: str = ""
    impulse: str = ""
    dynamic: str = ""
    maturity: str | None = None
    objectives: list[str] = []
    specificities: list[str] = []
    naf_sections: list[str] = []
    website: str = ""
    contact_email: str = ""
    visibility: Visibility = Visibility.PUBLIC


class PolePatch(Schema):
    name: str | None = Field(None, min_length=3, max_length=200)
    description: str | None = None
    commune: str | None = Field(None, pattern=r"^(\d{5}|2[AB]\d{3})$")
    legal_form: str | None = None
    impulse: str | None = None
    dynamic: str | None = None
    maturity: str | None = None
    objectives: list[str] | None = None
    specificities: list[str] | None = None
    naf_sections: list[str] | None = None
    website: str | None = None
    contact_email: str | None = None
    charter: str | None = None
    common_strategy_formalised: bool | None = None
    long_term_commitment: bool | None = None
    pooled_resources: bool | None = None
    visibility: Visibility | None = None


class MemberIn(Schema):
    organisation_id: int
    role: MemberRole = MemberRole.MEMBER
    joined_on: dt.date | None = None
    actor_type_override: str = ""
    actor_type_reason: str = ""
    visibility: Visibility = Visibility.PUBLIC


def _pole(request: HttpRequest, slug: str) -> Pole:
    pole = Pole.objects.select_related("perimeter", "carrier").filter(slug=slug).first()
    if pole is None or not permissions.can_view_pole(request.user, pole):
        raise Http404(_("Aucun pôle n'a l'identifiant « %(slug)s ».") % {"slug": slug})
    return pole


def _listed(request: HttpRequest) -> QuerySet[Pole]:
    return Pole.objects.visible_to(request.user).with_member_count()


@router.get("", response=PolePage, summary="Les pôles (filtres de l'observatoire)")
def list_poles(request: HttpRequest, filters: Query[PoleFilters]) -> dict[str, object]:
    qs = filters.apply(_listed(request)).order_by("name")
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    return {
        "count": count,
        "page": filters.page,
        "pages": max(1, math.ceil(count / filters.page_size)),
        "results": list(qs[start : start + filters.page_size]),
    }


@router.get("/export", summary="Données ouvertes : les pôles publics (CSV, JSON, GeoJSON)")
def export_poles(
    request: HttpRequest, format: Literal["csv", "json", "geojson"] = "csv"
) -> HttpResponse:
    """Décrites par le schéma de table `docs/opendata/poles.schema.json` (Licence Ouverte 2.0)."""
    qs = opendata.queryset()
    base_url = request.build_absolute_uri("/").rstrip("/")
    if format == "csv":
        response = HttpResponse(
            opendata.to_csv(qs, base_url=base_url), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="poles.csv"'
        return response
    if format == "geojson":
        return JsonResponse(
            opendata.to_geojson(qs, base_url=base_url),
            content_type="application/geo+json",
            json_dumps_params={"ensure_ascii": False},
        )
    return JsonResponse(
        list(opendata.records(qs, base_url=base_url)),
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


@router.get("/{slug}", response={200: PoleDetail, 404: Message}, summary="Un pôle")
def get_pole(request: HttpRequest, slug: str) -> Pole:
    pole = _pole(request, slug)
    return _listed(request).select_related("perimeter", "carrier").get(pk=pole.pk)


@router.get("/{slug}/members", response={200: list[MemberOut], 404: Message}, summary="Ses membres")
def list_members(request: HttpRequest, slug: str, date: dt.date | None = None) -> list[Membership]:
    """Les membres en vigueur à une date (aujourd'hui par défaut)."""
    pole = _pole(request, slug)
    return list(queries.members(pole, day=date).visible_to(request.user, pole))


@router.get(
    "/{slug}/eligibility",
    response={200: list[ConditionOut], 404: Message},
    summary="Éligibilité (décret 2015-431 et critères du Labo de l'ESS)",
)
def get_eligibility(request: HttpRequest, slug: str) -> list[object]:
    return [
        {"code": c.code, "checklist": c.checklist, "status": c.status, "message": translate(c.text)}
        for c in queries.eligibility_conditions(_pole(request, slug))
    ]


@router.post(
    "",
    response={201: PoleDetail, 401: Message, 422: Message},
    auth=authenticated,
    summary="Créer un pôle (vous en devenez coordinateur)",
)
def create_pole(request: HttpRequest, payload: PoleIn) -> Status[Pole]:
    values = payload.dict(exclude_none=True)
    pole = services.create_pole(request.user, **values)
    return Status(201, _listed(request).get(pk=pole.pk))


@router.patch(
    "/{slug}",
    response={200: PoleDetail, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Modifier un pôle",
)
def patch_pole(request: HttpRequest, slug: str, payload: PolePatch) -> Pole:
    pole = _pole(request, slug)
    services.update_pole(request.user, pole=pole, **payload.dict(exclude_unset=True))
    return _listed(request).select_related("perimeter", "carrier").get(pk=pole.pk)


@router.post(
    "/{slug}/members",
    response={201: MemberOut, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Ajouter un membre",
)
def add_member(request: HttpRequest, slug: str, payload: MemberIn) -> Status[Membership]:
    pole = _pole(request, slug)
    organisation = (
        Organisation.objects.visible_to(request.user).filter(pk=payload.organisation_id).first()
    )
    if organisation is None:
        raise Http404(
            _("Aucune organisation n'a l'identifiant %(i)s.") % {"i": payload.organisation_id}
        )
    values = payload.dict(exclude={"organisation_id"})
    membership = services.add_member(request.user, pole=pole, organisation=organisation, **values)
    return Status(201, queries.members(pole).get(pk=membership.pk))


@router.delete(
    "/{slug}/members/{membership_id}",
    response={200: MemberOut, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Mettre fin à une adhésion (l'historique est conservé)",
)
def end_member(
    request: HttpRequest, slug: str, membership_id: int, left_on: dt.date | None = None
) -> Membership:
    pole = _pole(request, slug)
    membership = pole.memberships.filter(pk=membership_id).first()
    if membership is None:
        raise Http404(_("Ce pôle n'a pas d'adhésion n° %(i)s.") % {"i": membership_id})
    services.end_membership(request.user, membership=membership, left_on=left_on)
    return (
        pole.memberships.with_actor_type()
        .select_related("organisation", "college")
        .get(pk=membership.pk)
    )
