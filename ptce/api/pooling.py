"""Pooling: shared resources, bookings, costs and statements of a hub (private to its
people: authentication required; members book and read their own statements, coordination
manages resources, costs and periods and reads every statement, observers read totals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from ptce.actors.models import Organisation
from ptce.api.api import authenticated
from ptce.core.choices import Role
from ptce.poles import permissions
from ptce.poles.models import Pole
from ptce.pooling import accounting, queries, services
from ptce.pooling.models import (
    Adjustment,
    Booking,
    Cost,
    Measure,
    Ownership,
    Period,
    Resource,
    ResourceStatus,
    Unit,
)

router = Router()


class Message(Schema):
    detail: str


class UnitOut(Schema):
    id: int
    name: str
    active: bool


class ResourceOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    ownership: str
    owner: str | None = Field(None, alias="owner.name")
    status: str
    max_booking_minutes: int | None
    min_notice_minutes: int
    bookable_by: str
    units: list[UnitOut]


class ResourceIn(Schema):
    name: str = Field(..., max_length=200)
    kind: str
    description: str = ""
    ownership: Ownership = Ownership.CARRIER
    owner_id: int | None = None
    status: ResourceStatus = ResourceStatus.ACTIVE
    organisation_ids: list[int] = []
    shares: dict[int, Decimal] = Field({}, description="part de propriété (%) par organisation")
    units: list[str] = []
    max_booking_minutes: int | None = Field(None, ge=1)
    min_notice_minutes: int = Field(0, ge=0)
    bookable_by: str = Role.MEMBER


class ResourcePatch(Schema):
    name: str | None = Field(None, max_length=200)
    kind: str | None = None
    description: str | None = None
    status: ResourceStatus | None = None
    max_booking_minutes: int | None = Field(None, ge=1)
    min_notice_minutes: int | None = Field(None, ge=0)
    bookable_by: str | None = None


class BookingOut(Schema):
    id: int
    unit_id: int
    unit: str = Field(..., alias="unit.name")
    resource_id: int = Field(..., alias="unit.resource_id")
    organisation_id: int | None = Field(None, description="absent pour les observateurs")
    organisation: str = Field(..., description="« réservé » pour les observateurs")
    starts_at: dt.datetime
    ends_at: dt.datetime
    series: str | None = None
    status: str
    note: str

    @staticmethod
    def resolve_series(obj: Booking) -> str | None:
        return str(obj.series) if obj.series else None

    @staticmethod
    def resolve_organisation_id(obj: Booking) -> int | None:
        return None if getattr(obj, "hide_who", False) else obj.organisation_id

    @staticmethod
    def resolve_organisation(obj: Booking) -> str:
        return _("réservé") if getattr(obj, "hide_who", False) else obj.organisation.name

    @staticmethod
    def resolve_note(obj: Booking) -> str:
        return "" if getattr(obj, "hide_who", False) else obj.note


def _masked(request: HttpRequest, pole: Pole, rows: list[Booking]) -> list[Booking]:
    """Observers read the calendar without who booked (nor the object of the booking)."""
    if not permissions.is_member(request.user, pole):
        for booking in rows:
            booking.hide_who = True  # type: ignore[attr-defined]
    return rows


class BookingIn(Schema):
    unit_id: int
    organisation_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str = Field("", max_length=255)
    weekly_count: int | None = Field(None, ge=1, le=services.MAX_SERIES)
    weekly_until: dt.date | None = None


class BookingPatch(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str | None = Field(None, max_length=255)


class CostOut(Schema):
    id: int
    resource_id: int
    resource: str = Field(..., alias="resource.name")
    period_id: int
    period: str = Field(..., alias="period.label")
    category: str
    amount_cents: int
    label: str


class CostIn(Schema):
    resource_id: int
    period_id: int
    category: str
    amount_cents: int
    label: str = Field("", max_length=255)


class LineOut(Schema):
    resource: str = Field(..., alias="resource.name")
    method: str
    key_label: str
    cost_cents: int
    amount_cents: int


class StatementOut(Schema):
    id: int
    organisation_id: int
    organisation: str = Field(..., alias="organisation.name")
    total_cents: int
    lines: list[LineOut]


class ResourceTotal(Schema):
    resource: str
    total_cents: int


class PeriodStatements(Schema):
    id: int
    kind: str
    label: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    total_cents: int
    adjustments_cents: int
    resources: list[ResourceTotal]
    statements: list[StatementOut]


class StatementsIn(Schema):
    period_id: int
    close: bool = False


class PeriodIn(Schema):
    kind: str
    starts_on: dt.date


class RuleIn(Schema):
    method: str
    key: str = ""
    key_values: dict[str, Decimal] = {}
    fixed_share: Decimal | None = None
    measure: Measure = Measure.HOURS
    standalone_costs: dict[str, int] = {}
    shared_cost_cents: int | None = None


def _pole(request: HttpRequest, slug: str) -> Pole:
    pole = Pole.objects.filter(slug=slug).first()
    if pole is None or not permissions.can_view_pole(request.user, pole):
        raise Http404(_("Aucun pôle n'a l'identifiant « %(slug)s ».") % {"slug": slug})
    if not permissions.can_observe(request.user, pole):
        raise PermissionDenied(_("La mutualisation est réservée aux personnes du pôle."))
    return pole


def _resource(request: HttpRequest, pole: Pole, resource_id: int) -> Resource:
    resource = queries.resources(request.user, pole).filter(pk=resource_id).first()
    if resource is None:
        raise Http404(_("Ce pôle n'a pas de ressource n° %(i)s.") % {"i": resource_id})
    return resource


def _organisation(pole: Pole, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or organisation.pk not in services.hub_organisation_ids(pole):
        raise Http404(_("Aucun membre du pôle n'a l'identifiant %(i)s.") % {"i": organisation_id})
    return organisation


def _period(pole: Pole, period_id: int) -> Period:
    period = Period.objects.filter(pole=pole, pk=period_id).select_related("pole").first()
    if period is None:
        raise Http404(_("Ce pôle n'a pas de période n° %(i)s.") % {"i": period_id})
    return period


def _booking(request: HttpRequest, pole: Pole, booking_id: int) -> Booking:
    booking = (
        queries.bookings(request.user, pole, include_cancelled=True).filter(pk=booking_id).first()
    )
    if booking is None:
        raise Http404(_("Ce pôle n'a pas de réservation n° %(i)s.") % {"i": booking_id})
    return _masked(request, pole, [booking])[0]


ERRORS = {403: Message, 404: Message, 422: Message}

# ------------------------------------------------------------------------------ resources


@router.get(
    "/poles/{slug}/resources",
    response={200: list[ResourceOut], **ERRORS},
    auth=authenticated,
    summary="Les ressources partagées du pôle",
)
def list_resources(request: HttpRequest, slug: str) -> list[Resource]:
    return list(queries.resources(request.user, _pole(request, slug)))


@router.post(
    "/poles/{slug}/resources",
    response={201: ResourceOut, **ERRORS},
    auth=authenticated,
    summary="Créer une ressource partagée (coordination)",
)
def create_resource(request: HttpRequest, slug: str, payload: ResourceIn) -> Status[Resource]:
    pole = _pole(request, slug)
    values = payload.dict(exclude={"organisation_ids", "owner_id", "shares"})
    owner = _organisation(pole, payload.owner_id) if payload.owner_id else None
    organisations = [_organisation(pole, i) for i in payload.organisation_ids]
    resource = services.create_resource(
        request.user,
        pole=pole,
        owner=owner,
        organisations=organisations,
        shares=payload.shares or None,
        **values,
    )
    return Status(201, _resource(request, pole, resource.pk))


@router.patch(
    "/poles/{slug}/resources/{resource_id}",
    response={200: ResourceOut, **ERRORS},
    auth=authenticated,
    summary="Modifier une ressource (coordination)",
)
def patch_resource(
    request: HttpRequest, slug: str, resource_id: int, payload: ResourcePatch
) -> Resource:
    pole = _pole(request, slug)
    resource = _resource(request, pole, resource_id)
    services.update_resource(request.user, resource=resource, **payload.dict(exclude_unset=True))
    return _resource(request, pole, resource_id)


@router.delete(
    "/poles/{slug}/resources/{resource_id}",
    response={200: ResourceOut, **ERRORS},
    auth=authenticated,
    summary="Archiver une ressource (coordination ; son historique est gardé)",
)
def archive_resource(request: HttpRequest, slug: str, resource_id: int) -> Resource:
    pole = _pole(request, slug)
    services.archive_resource(request.user, resource=_resource(request, pole, resource_id))
    return _resource(request, pole, resource_id)


@router.put(
    "/poles/{slug}/resources/{resource_id}/rule",
    response={200: Message, **ERRORS},
    auth=authenticated,
    summary="Fixer la règle de répartition des coûts (coordination)",
)
def put_rule(request: HttpRequest, slug: str, resource_id: int, payload: RuleIn) -> dict[str, str]:
    pole = _pole(request, slug)
    values: dict[str, Any] = payload.dict()
    accounting.set_allocation_rule(
        request.user, resource=_resource(request, pole, resource_id), **values
    )
    return {"detail": _("Règle de répartition enregistrée.")}


# ------------------------------------------------------------------------------- bookings


@router.get(
    "/poles/{slug}/bookings",
    response={200: list[BookingOut], **ERRORS},
    auth=authenticated,
    summary="Les réservations (filtres : ressource, intervalle)",
)
def list_bookings(
    request: HttpRequest,
    slug: str,
    resource_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[Booking]:
    pole = _pole(request, slug)
    resource = _resource(request, pole, resource_id) if resource_id else None
    if start is None and end is None:
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    rows = list(
        queries.bookings(request.user, pole, start=start, end=end, resource=resource)[:2000]
    )
    return _masked(request, pole, rows)


@router.post(
    "/poles/{slug}/bookings",
    response={201: list[BookingOut], **ERRORS},
    auth=authenticated,
    summary="Réserver (ou une série hebdomadaire : weekly_count ou weekly_until)",
)
def create_booking(request: HttpRequest, slug: str, payload: BookingIn) -> Status[list[Booking]]:
    pole = _pole(request, slug)
    unit = (
        Unit.objects.filter(pk=payload.unit_id, resource__pole=pole)
        .select_related("resource__pole")
        .first()
    )
    if unit is None:
        raise Http404(_("Ce pôle n'a pas d'unité réservable n° %(i)s.") % {"i": payload.unit_id})
    organisation = _organisation(pole, payload.organisation_id)
    common: dict[str, Any] = {
        "unit": unit,
        "organisation": organisation,
        "starts_at": payload.starts_at,
        "ends_at": payload.ends_at,
        "note": payload.note,
    }
    if payload.weekly_count or payload.weekly_until:
        made = services.book_series(
            request.user, count=payload.weekly_count, until=payload.weekly_until, **common
        )
    else:
        made = [services.book(request.user, **common)]
    ids = [b.pk for b in made]
    return Status(201, list(queries.bookings(request.user, pole).filter(pk__in=ids)))


@router.patch(
    "/poles/{slug}/bookings/{booking_id}",
    response={200: BookingOut, **ERRORS},
    auth=authenticated,
    summary="Déplacer une réservation",
)
def patch_booking(
    request: HttpRequest, slug: str, booking_id: int, payload: BookingPatch
) -> Booking:
    pole = _pole(request, slug)
    booking = _booking(request, pole, booking_id)
    services.change_booking(request.user, booking=booking, **payload.dict(exclude_unset=True))
    return _booking(request, pole, booking_id)


@router.delete(
    "/poles/{slug}/bookings/{booking_id}",
    response={200: BookingOut, **ERRORS},
    auth=authenticated,
    summary="Annuler une réservation (series=true : et les suivantes de la série)",
)
def cancel_booking(
    request: HttpRequest, slug: str, booking_id: int, series: bool = False
) -> Booking:
    pole = _pole(request, slug)
    booking = _booking(request, pole, booking_id)
    services.cancel_booking(request.user, booking=booking, whole_series=series)
    return _booking(request, pole, booking_id)


# ---------------------------------------------------------------------------------- costs


def _require_manager(request: HttpRequest, pole: Pole) -> None:
    if not permissions.can_manage_pole(request.user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle voit et saisit les coûts."))


@router.get(
    "/poles/{slug}/costs",
    response={200: list[CostOut], **ERRORS},
    auth=authenticated,
    summary="Les coûts (coordination)",
)
def list_costs(request: HttpRequest, slug: str, period_id: int | None = None) -> list[Cost]:
    pole = _pole(request, slug)
    _require_manager(request, pole)
    period = _period(pole, period_id) if period_id else None
    return list(queries.costs(request.user, pole, period))


@router.post(
    "/poles/{slug}/costs",
    response={201: CostOut, **ERRORS},
    auth=authenticated,
    summary="Saisir un coût (coordination)",
)
def create_cost(request: HttpRequest, slug: str, payload: CostIn) -> Status[Cost]:
    pole = _pole(request, slug)
    _require_manager(request, pole)
    cost = accounting.record_cost(
        request.user,
        resource=_resource(request, pole, payload.resource_id),
        period=_period(pole, payload.period_id),
        category=payload.category,
        amount_cents=payload.amount_cents,
        label=payload.label,
    )
    return Status(201, queries.costs(request.user, pole).get(pk=cost.pk))


@router.delete(
    "/poles/{slug}/costs/{cost_id}",
    response={204: None, **ERRORS},
    auth=authenticated,
    summary="Supprimer un coût d'une période ouverte (coordination)",
)
def delete_cost(request: HttpRequest, slug: str, cost_id: int) -> Status[None]:
    pole = _pole(request, slug)
    _require_manager(request, pole)
    cost = queries.costs(request.user, pole).filter(pk=cost_id).first()
    if cost is None:
        raise Http404(_("Ce pôle n'a pas de coût n° %(i)s.") % {"i": cost_id})
    accounting.delete_cost(request.user, cost=cost)
    return Status(204, None)


# ------------------------------------------------------------------- periods and statements


@router.post(
    "/poles/{slug}/periods",
    response={201: PeriodStatements, **ERRORS},
    auth=authenticated,
    summary="Ouvrir une période : mois, trimestre ou année (coordination)",
)
def create_period(request: HttpRequest, slug: str, payload: PeriodIn) -> Status[dict[str, Any]]:
    pole = _pole(request, slug)
    period = accounting.open_period(request.user, pole=pole, **payload.dict())
    return Status(201, _period_out(request, pole, period))


def _periods_out(request: HttpRequest, pole: Pole, periods: list[Period]) -> list[dict[str, Any]]:
    """The periods with their totals and the statements the user may read, in a fixed
    number of queries."""
    ids = [p.pk for p in periods]
    costs = (
        Cost.objects.filter(period_id__in=ids)
        .values("period_id", "resource__name")
        .annotate(total=Sum("amount_cents"))
        .order_by("resource__name")
    )
    adjustments = dict(
        Adjustment.objects.filter(period_id__in=ids)
        .values("period_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("period_id", "total")
        .order_by()
    )
    statements = queries.statements(request.user, pole).filter(period_id__in=ids)
    by_period: dict[int, list[Any]] = {i: [] for i in ids}
    for statement in statements:
        by_period[statement.period_id].append(statement)
    resources: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in costs:
        resources[row["period_id"]].append(
            {"resource": row["resource__name"], "total_cents": int(row["total"])}
        )
    return [
        {
            "id": period.pk,
            "kind": period.kind,
            "label": period.label,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "status": period.status,
            "total_cents": sum(r["total_cents"] for r in resources[period.pk]),
            "adjustments_cents": int(adjustments.get(period.pk) or 0),
            "resources": resources[period.pk],
            "statements": by_period[period.pk],
        }
        for period in periods
    ]


def _period_out(request: HttpRequest, pole: Pole, period: Period) -> dict[str, Any]:
    return _periods_out(request, pole, [period])[0]


@router.get(
    "/poles/{slug}/statements",
    response={200: list[PeriodStatements], **ERRORS},
    auth=authenticated,
    summary="Les périodes, leurs totaux et les relevés que vous pouvez lire",
)
def list_statements(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    pole = _pole(request, slug)
    return _periods_out(request, pole, list(queries.periods(pole)[:24]))


@router.post(
    "/poles/{slug}/statements",
    response={200: PeriodStatements, **ERRORS},
    auth=authenticated,
    summary="Calculer les relevés d'une période (close=true : puis la clôturer)",
)
def compute_statements(request: HttpRequest, slug: str, payload: StatementsIn) -> dict[str, Any]:
    pole = _pole(request, slug)
    period = _period(pole, payload.period_id)
    if payload.close:
        period = accounting.close_period(request.user, period=period)
    else:
        accounting.compute_statements(request.user, period=period)
    return _period_out(request, pole, period)
