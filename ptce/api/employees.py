"""Shared employees of a hub's groupement d'employeurs: employees, timesheets, invoices and
the register of members.

Coordination manages; a member organisation's people see the employees and their own
organisation's timesheets and invoices; observers read the register and the monthly totals;
people without a role on the hub see nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from ptce.actors.models import Organisation
from ptce.api.api import authenticated
from ptce.poles import permissions
from ptce.poles.models import Pole
from ptce.pooling.employees import queries, services
from ptce.pooling.employees.models import Employee, EmployerGroup

router = Router()


class Message(Schema):
    detail: str


class PlanLineOut(Schema):
    organisation_id: int
    organisation: str = Field(..., alias="organisation.name")
    mode: str
    quantity: Decimal
    starts_on: dt.date | None
    ends_on: dt.date | None


class EmployeeOut(Schema):
    id: int
    person_name: str
    job_title: str
    contractual_hours_per_year: Decimal
    hourly_cost_cents: int
    start_on: dt.date
    end_on: dt.date | None
    plan: list[PlanLineOut] = Field(..., alias="plan_lines")


class EmployeeIn(Schema):
    person_name: str = Field(..., max_length=200)
    job_title: str = Field(..., max_length=200)
    contractual_hours_per_year: Decimal
    hourly_cost_cents: int
    start_on: dt.date
    end_on: dt.date | None = None


class TimesheetOut(Schema):
    id: int
    employee_id: int
    employee: str = Field(..., alias="employee.person_name")
    organisation_id: int
    organisation: str = Field(..., alias="organisation.name")
    month: dt.date
    hours: Decimal


class TimesheetIn(Schema):
    employee_id: int
    organisation_id: int
    month: str = Field(..., description="AAAA-MM", max_length=10)
    hours: Decimal = Field(..., ge=0, le=10_000, allow_inf_nan=False)


class InvoiceLineOut(Schema):
    employee_id: int
    employee: str = Field(..., alias="employee.person_name")
    hours: Decimal
    hourly_cost_cents: int
    pay_cents: int
    overhead_cents: int


class AdjustmentOut(InvoiceLineOut):
    reason: str
    created_at: dt.datetime


class InvoiceOut(Schema):
    number: str
    organisation_id: int
    organisation: str = Field(..., alias="organisation.name")
    month: dt.date
    hours: Decimal
    overhead_rate: Decimal
    pay_cents: int
    overhead_cents: int
    total_cents: int
    lines: list[InvoiceLineOut]
    adjustments: list[AdjustmentOut]


class MonthTotalOut(Schema):
    month: dt.date
    status: str
    invoices: int
    hours: Decimal | None
    pay_cents: int
    overhead_cents: int
    total_cents: int
    adjustments_cents: int


class InvoicesOut(Schema):
    month_totals: list[MonthTotalOut]
    invoices: list[InvoiceOut]


class RegisterLineOut(Schema):
    organisation_id: int
    organisation: str = Field(..., alias="organisation.name")
    siren: str | None = Field(None, alias="organisation.siren")
    local_authority: bool
    joined_on: dt.date
    left_on: dt.date | None


def _group(request: HttpRequest, slug: str) -> EmployerGroup:
    """The hub's GE, for anyone with a role on the hub (404 when the hub is not visible,
    403 without a role, 404 when the hub has no GE)."""
    pole = Pole.objects.filter(slug=slug).first()
    if pole is None or not permissions.can_view_pole(request.user, pole):
        raise Http404(_("Aucun pôle n'a l'identifiant « %(slug)s ».") % {"slug": slug})
    if not permissions.can_observe(request.user, pole):
        raise PermissionDenied(_("Réservé aux membres, observateurs et à la coordination du pôle."))
    group = queries.group_of(pole)
    if group is None:
        raise Http404(_("Ce pôle n'a pas de groupement d'employeurs."))
    return group


def _require_employees_view(request: HttpRequest, group: EmployerGroup) -> None:
    if not queries.sees_employees(request.user, group.pole):
        raise PermissionDenied(
            _("Les salariés et les relevés sont réservés aux membres et à la coordination.")
        )


def _employee(group: EmployerGroup, employee_id: int) -> Employee:
    employee = queries.employees(group).filter(pk=employee_id).first()
    if employee is None:
        raise Http404(_("Ce groupement n'a pas de salarié n° %(i)s.") % {"i": employee_id})
    return employee


PRIVATE = {401: Message, 403: Message, 404: Message}


@router.get(
    "/poles/{slug}/employees",
    response={200: list[EmployeeOut], **PRIVATE},
    auth=authenticated,
    summary="Les salariés partagés du groupement d'employeurs",
)
def list_employees(request: HttpRequest, slug: str) -> list[Employee]:
    group = _group(request, slug)
    _require_employees_view(request, group)
    return list(queries.employees(group))


@router.post(
    "/poles/{slug}/employees",
    response={201: EmployeeOut, **PRIVATE, 422: Message},
    auth=authenticated,
    summary="Embaucher un salarié partagé (coordination)",
)
def hire_employee(request: HttpRequest, slug: str, payload: EmployeeIn) -> Status[Employee]:
    group = _group(request, slug)
    employee = services.hire_employee(request.user, group=group, **payload.dict())
    return Status(201, _employee(group, employee.pk))


@router.get(
    "/poles/{slug}/employees/{int:employee_id}",
    response={200: EmployeeOut, **PRIVATE},
    auth=authenticated,
    summary="Un salarié partagé et son plan de partage",
)
def get_employee(request: HttpRequest, slug: str, employee_id: int) -> Employee:
    group = _group(request, slug)
    _require_employees_view(request, group)
    return _employee(group, employee_id)


def _month(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return services.parse_month(value)
    except Exception:
        raise HttpError(
            422, _("Mois invalide : « %(v)s » (attendu AAAA-MM).") % {"v": value}
        ) from None


@router.get(
    "/poles/{slug}/employees/timesheets",
    response={200: list[TimesheetOut], **PRIVATE},
    auth=authenticated,
    summary="Relevés d'heures (les vôtres, ou tous pour la coordination)",
)
def list_timesheets(request: HttpRequest, slug: str, month: str | None = None) -> list[object]:
    group = _group(request, slug)
    _require_employees_view(request, group)
    return list(queries.timesheets(request.user, group, _month(month))[:5000])


@router.post(
    "/poles/{slug}/employees/timesheets",
    response={201: TimesheetOut, **PRIVATE, 422: Message},
    auth=authenticated,
    summary="Saisir les heures d'un mois pour un membre",
)
def record_timesheet(request: HttpRequest, slug: str, payload: TimesheetIn) -> Status[object]:
    group = _group(request, slug)
    employee = group.employees.filter(pk=payload.employee_id).first()
    if employee is None:
        raise Http404(_("Ce groupement n'a pas de salarié n° %(i)s.") % {"i": payload.employee_id})
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise Http404(
            _("Aucune organisation n'a l'identifiant %(i)s.") % {"i": payload.organisation_id}
        )
    sheet = services.record_timesheet(
        request.user,
        employee=employee,
        organisation=organisation,
        month=payload.month,
        hours=payload.hours,
    )
    return Status(201, queries.timesheets(request.user, group).get(pk=sheet.pk))


@router.get(
    "/poles/{slug}/employees/invoices",
    response={200: InvoicesOut, **PRIVATE},
    auth=authenticated,
    summary="Totaux mensuels et factures de mise à disposition (les vôtres)",
)
def list_invoices(request: HttpRequest, slug: str, month: str | None = None) -> dict[str, object]:
    group = _group(request, slug)
    return {
        "month_totals": queries.month_totals(group),
        "invoices": list(queries.invoices(request.user, group, _month(month))[:500]),
    }


@router.get(
    "/poles/{slug}/employees/register",
    response={200: list[RegisterLineOut], **PRIVATE},
    auth=authenticated,
    summary="Registre des membres du groupement (entrées et sorties)",
)
def get_register(request: HttpRequest, slug: str) -> list[object]:
    group = _group(request, slug)
    return list(queries.register(group))
