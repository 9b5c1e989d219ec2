"""API of cooperation: needs and offers, synergy proposals and the cooperation graph.

Authentication required. A need or an offer for the coordination only is listed to the
coordination and to its own organisation; a proposal built on one is listed to the
coordination and to that organisation only (`visible_to` querysets)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from ptce.actors.models import Establishment, Organisation
from ptce.api.api import authenticated
from ptce.cooperation import queries, reasons, services
from ptce.cooperation.models import (
    Declaration,
    Proposal,
    ProposalOrganisation,
    Side,
)
from ptce.poles import permissions
from ptce.poles.models import Pole

router = Router()
PAGE_LIMIT = 500


class Message(Schema):
    detail: str


class DeclarationOut(Schema):
    id: int
    organisation_id: int
    organisation: str = Field(..., alias="organisation.name")
    side: str
    kind: str
    category: str
    title: str
    description: str
    quantity: Decimal | None
    unit: str
    periodicity: str
    start_on: dt.date | None
    end_on: dt.date | None
    max_km: int | None
    price_intent: str
    confidentiality: str
    lat: float
    lon: float


class DeclarationIn(Schema):
    organisation_id: int
    establishment_id: int | None = None
    kind: str = Field(..., max_length=20)
    category: str = Field(..., max_length=30)
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    quantity: Decimal | None = None
    unit: str = Field("", max_length=16)
    periodicity: str = Field("once", max_length=8)
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    max_km: int | None = None
    price_intent: str = Field("market", max_length=8)
    cost_cents_per_year: int | None = None
    confidentiality: str = Field("members", max_length=12)


class ReasonOut(Schema):
    code: str
    params: dict[str, Any]
    message: str


class OrganisationRef(Schema):
    id: int
    name: str


class ProposalOut(Schema):
    id: int
    kind: str
    status: str
    current: bool
    rank: int
    score: float
    organisations: list[OrganisationRef]
    candidate: OrganisationRef | None
    declarations: list[int]
    reasons: list[ReasonOut]
    saving_cents: int | None
    decline_reason: str


class ProposalFilters(Schema):
    kind: Literal["exchange", "pooling", "prospect"] | None = None
    status: Literal["proposed", "accepted", "declined", "realised"] | None = None


class DeclineIn(Schema):
    reason: str = Field(..., max_length=2000)


class RunOut(Schema):
    id: int
    items: int
    candidates: int
    proposals: int
    created: int


class GraphFilters(Schema):
    type: list[str] = Field([])
    year: int | None = Field(None, ge=1900, le=2200)


def _pole(request: HttpRequest, slug: str) -> Pole:
    pole = Pole.objects.filter(slug=slug).first()
    if pole is None or not permissions.can_view_pole(request.user, pole):
        raise Http404(_("Aucun pôle n'a l'identifiant « %(slug)s ».") % {"slug": slug})
    return pole


def _declarations(request: HttpRequest, pole: Pole, side: str) -> list[Declaration]:
    return list(
        Declaration.objects.visible_to(request.user, pole)
        .active()
        .filter(side=side)
        .select_related("organisation")
        .order_by("id")[:PAGE_LIMIT]
    )


def _declare(request: HttpRequest, slug: str, side: str, payload: DeclarationIn) -> Declaration:
    pole = _pole(request, slug)
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise Http404(
            _("Aucune organisation n'a l'identifiant %(i)s.") % {"i": payload.organisation_id}
        )
    values = payload.dict(exclude={"organisation_id", "establishment_id"})
    establishment = None
    if payload.establishment_id is not None:
        establishment = Establishment.objects.filter(pk=payload.establishment_id).first()
        if establishment is None:
            raise Http404(
                _("Aucun établissement n'a l'identifiant %(i)s.") % {"i": payload.establishment_id}
            )
    declaration = services.declare(
        request.user,
        pole=pole,
        organisation=organisation,
        side=side,
        establishment=establishment,
        **values,
    )
    return Declaration.objects.select_related("organisation").get(pk=declaration.pk)


@router.get(
    "/poles/{slug}/needs",
    response={200: list[DeclarationOut], 401: Message, 404: Message},
    auth=authenticated,
    summary="Les besoins des membres (selon leur confidentialité)",
)
def list_needs(request: HttpRequest, slug: str) -> list[Declaration]:
    return _declarations(request, _pole(request, slug), Side.NEED)


@router.post(
    "/poles/{slug}/needs",
    response={201: DeclarationOut, 401: Message, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Déclarer un besoin",
)
def create_need(request: HttpRequest, slug: str, payload: DeclarationIn) -> Status[Declaration]:
    return Status(201, _declare(request, slug, Side.NEED, payload))


@router.get(
    "/poles/{slug}/offers",
    response={200: list[DeclarationOut], 401: Message, 404: Message},
    auth=authenticated,
    summary="Les offres des membres (selon leur confidentialité)",
)
def list_offers(request: HttpRequest, slug: str) -> list[Declaration]:
    return _declarations(request, _pole(request, slug), Side.OFFER)


@router.post(
    "/poles/{slug}/offers",
    response={201: DeclarationOut, 401: Message, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Déclarer une offre",
)
def create_offer(request: HttpRequest, slug: str, payload: DeclarationIn) -> Status[Declaration]:
    return Status(201, _declare(request, slug, Side.OFFER, payload))


@router.post(
    "/poles/{slug}/synergies/run",
    response={200: RunOut, 401: Message, 403: Message, 404: Message},
    auth=authenticated,
    summary="Chercher des synergies (coordination)",
)
def run_synergies(request: HttpRequest, slug: str) -> Any:
    return services.run_synergies(request.user, pole=_pole(request, slug))


def _proposal_row(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kind": p.kind,
        "status": p.status,
        "current": p.current,
        "rank": p.rank,
        "score": float(p.score),
        "organisations": [
            {"id": o.organisation_id, "name": o.organisation.name}
            for o in p.involved  # type: ignore[attr-defined]
        ],
        "candidate": {"id": p.candidate.pk, "name": p.candidate.name} if p.candidate else None,
        "declarations": sorted(d.pk for d in p.declarations.all()),
        "reasons": reasons.rows(p.reasons),  # messages in the reader's language
        "saving_cents": p.saving_cents,
        "decline_reason": p.decline_reason,
    }


def _proposals(request: HttpRequest, pole: Pole) -> QuerySet[Proposal]:
    orgs = ProposalOrganisation.objects.select_related("organisation").order_by("position")
    return (
        Proposal.objects.visible_to(request.user, pole)
        .select_related("candidate")
        .prefetch_related(
            Prefetch("involvement", queryset=orgs, to_attr="involved"),
            Prefetch("declarations", queryset=Declaration.objects.only("id")),
        )
    )


@router.get(
    "/poles/{slug}/synergies",
    response={200: list[ProposalOut], 401: Message, 404: Message},
    auth=authenticated,
    summary="Les propositions de synergie qui vous concernent (toutes pour la coordination)",
)
def list_synergies(
    request: HttpRequest, slug: str, filters: Query[ProposalFilters]
) -> list[dict[str, Any]]:
    qs = _proposals(request, _pole(request, slug))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return [_proposal_row(p) for p in qs.order_by("-current", "rank", "id")[:PAGE_LIMIT]]


def _get_proposal(request: HttpRequest, pole: Pole, proposal_id: int) -> Proposal:
    proposal = Proposal.objects.visible_to(request.user, pole).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404(_("Ce pôle n'a pas de proposition n° %(i)s.") % {"i": proposal_id})
    return proposal


@router.post(
    "/poles/{slug}/synergies/{proposal_id}/accept",
    response={200: ProposalOut, 401: Message, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Accepter une proposition (elle devient un lien de coopération)",
)
def accept(request: HttpRequest, slug: str, proposal_id: int) -> dict[str, Any]:
    pole = _pole(request, slug)
    proposal = _get_proposal(request, pole, proposal_id)
    services.accept_proposal(request.user, proposal=proposal)
    return _proposal_row(_proposals(request, pole).get(pk=proposal.pk))


@router.post(
    "/poles/{slug}/synergies/{proposal_id}/decline",
    response={200: ProposalOut, 401: Message, 403: Message, 404: Message, 422: Message},
    auth=authenticated,
    summary="Décliner une proposition (raison obligatoire)",
)
def decline(
    request: HttpRequest, slug: str, proposal_id: int, payload: DeclineIn
) -> dict[str, Any]:
    pole = _pole(request, slug)
    proposal = _get_proposal(request, pole, proposal_id)
    services.decline_proposal(request.user, proposal=proposal, reason=payload.reason)
    return _proposal_row(_proposals(request, pole).get(pk=proposal.pk))


@router.get(
    "/poles/{slug}/graph",
    response={200: dict[str, Any], 401: Message, 403: Message, 404: Message},
    auth=authenticated,
    summary="Le graphe de coopération : organisations, liens, indicateurs, année par année",
)
def get_graph(request: HttpRequest, slug: str, filters: Query[GraphFilters]) -> dict[str, Any]:
    pole = _pole(request, slug)
    if not permissions.can_observe(request.user, pole):
        raise Http404(_("Aucun pôle n'a l'identifiant « %(slug)s ».") % {"slug": slug})
    return queries.graph_payload(pole, request.user, types=filters.type, year=filters.year)


class NetworkFilters(Schema):
    hubs: list[str] = Field(..., min_length=1, max_length=50)
    type: list[str] = Field([])
    year: int | None = Field(None, ge=1900, le=2200)


@router.get(
    "/networks/graph",
    response={200: dict[str, Any], 401: Message, 404: Message},
    auth=authenticated,
    summary="Le graphe de coopération de plusieurs pôles (un réseau) et ses indicateurs",
)
def get_network(request: HttpRequest, filters: Query[NetworkFilters]) -> dict[str, Any]:
    poles = []
    for slug in dict.fromkeys(filters.hubs):
        pole = _pole(request, slug)
        if not permissions.can_observe(request.user, pole):
            raise Http404(_("Aucun pôle n'a l'identifiant « %(slug)s ».") % {"slug": slug})
        poles.append(pole)
    return queries.network_payload(poles, request.user, types=filters.type, year=filters.year)
