"""Writes on a GE's months: timesheets, invoices, the close of a month and the adjustments
after it. Re-exported by `ptce.pooling.employees.services`.

A month's row (`MonthPeriod`) is locked for every write on that month, so that entries for
one group and month are serialised and a closed month stays closed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.actors.models import Organisation
from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.poles import permissions
from ptce.pooling.employees import checks, queries, rules
from ptce.pooling.employees.common import decimal, parse_month, require_manager
from ptce.pooling.employees.models import (
    Adjustment,
    Employee,
    EmployerGroup,
    Invoice,
    InvoiceLine,
    MonthPeriod,
    Timesheet,
)


def _period(group: EmployerGroup, month: dt.date, *, lock: bool = False) -> MonthPeriod:
    qs = MonthPeriod.objects.select_for_update() if lock else MonthPeriod.objects
    period, _created = qs.get_or_create(group=group, month=month)
    return period


def _refuse_closed(period: MonthPeriod) -> None:
    if period.closed:
        raise ValidationError(
            {
                "month": _(
                    "Le mois %(m)s est clos : il n'est plus modifiable ; enregistrez une "
                    "régularisation."
                )
                % {"m": period.month.strftime("%m/%Y")}
            }
        )


def may_record_for(acting_user: User | None, group: EmployerGroup, organisation_id: int) -> bool:
    if acting_user is None or permissions.can_manage_pole(acting_user, group.pole):
        return True
    return organisation_id in permissions.member_organisation_ids(acting_user, group.pole)


def record_timesheet(
    acting_user: User | None,
    *,
    employee: Employee,
    organisation: Organisation,
    month: dt.date | str,
    hours: Decimal | str | int,
) -> Timesheet:
    """Record (or replace) the hours `employee` worked for a member in a month.

    The coordination records for any member; a member for the organisations it speaks for."""
    group = employee.group
    if not may_record_for(acting_user, group, organisation.pk):
        raise PermissionDenied(
            _("Vous ne pouvez saisir des heures que pour votre propre organisation.")
        )
    first = parse_month(month)
    last = rules.month_end(first)
    value = decimal(hours, "hours", _("Heures"))
    errors: dict[str, str] = {}
    in_register = (
        group.members.filter(organisation=organisation, joined_on__lte=last)
        .exclude(left_on__lt=first)
        .exists()
    )
    if not in_register:
        errors["organisation"] = _("%(org)s n'était pas membre du groupement en %(m)s.") % {
            "org": organisation.name,
            "m": first.strftime("%m/%Y"),
        }
    if employee.start_on > last or (employee.end_on is not None and employee.end_on < first):
        errors["month"] = _("Mois : %(name)s n'était pas sous contrat en %(m)s.") % {
            "name": employee.person_name,
            "m": first.strftime("%m/%Y"),
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The month's row is locked: entries for one group and month are serialised, so the
        # employee's monthly total below cannot be raised by a concurrent entry.
        period = _period(group, first, lock=True)
        _refuse_closed(period)
        _check_hours(employee, organisation, first, value)
        sheet = Timesheet.objects.filter(
            employee=employee, organisation=organisation, month=first
        ).first()
        before = audit.snapshot(sheet) if sheet else {}
        if sheet is None:
            sheet = Timesheet(employee=employee, organisation=organisation, month=first)
        sheet.hours = value
        sheet.recorded_by = acting_user if acting_user and acting_user.is_authenticated else None
        sheet.save()
        audit.record(
            acting_user,
            verb="record_timesheet",
            obj=sheet,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            before=before,
        )
    return sheet


def _check_hours(
    employee: Employee, organisation: Organisation, first: dt.date, value: Decimal
) -> None:
    others = sum(
        Timesheet.objects.filter(employee=employee, month=first)
        .exclude(organisation=organisation)
        .values_list("hours", flat=True),
        Decimal(0),
    )
    problem = rules.timesheet_problem(value, others + value)
    if problem == "negative":
        message = _("Heures : un nombre positif ou nul.")
    elif problem == "precision":
        message = _("Heures : au plus 2 décimales (au centième d'heure).")
    elif problem == "too_many":
        message = _(
            "Heures : %(total)s h en %(m)s pour %(name)s, tous membres confondus, dépasse le "
            "plausible (%(max)s h : 48 h par semaine au plus)."
        ) % {
            "total": rules.hours_text(others + value),
            "m": first.strftime("%m/%Y"),
            "name": employee.person_name,
            "max": rules.hours_text(rules.MAX_HOURS_PER_MONTH),
        }
    else:
        return
    raise ValidationError({"hours": message})


def _build_invoices(group: EmployerGroup, month: dt.date) -> list[Invoice]:
    """(Re)write the month's draft invoices from its timesheets."""
    sheets = list(
        Timesheet.objects.filter(employee__group=group, month=month)
        .select_related("employee")
        .order_by("employee_id", "organisation_id")
    )
    by_employee: dict[int, dict[str, Decimal]] = defaultdict(dict)
    employees: dict[int, Employee] = {}
    for sheet in sheets:
        by_employee[sheet.employee_id][str(sheet.organisation_id)] = sheet.hours
        employees[sheet.employee_id] = sheet.employee
    lines: dict[int, list[InvoiceLine]] = defaultdict(list)
    for employee_id, hours in by_employee.items():
        employee = employees[employee_id]
        shares = rules.split_month(hours, employee.hourly_cost_cents, group.overhead_rate)
        for org, share in shares.items():
            lines[int(org)].append(
                InvoiceLine(
                    employee=employee,
                    hours=share.hours,
                    hourly_cost_cents=employee.hourly_cost_cents,
                    pay_cents=share.pay_cents,
                    overhead_cents=share.overhead_cents,
                )
            )
    Invoice.objects.filter(group=group, month=month).delete()
    invoices = []
    for org_id, org_lines in sorted(lines.items()):
        pay = sum(x.pay_cents for x in org_lines)
        overhead = sum(x.overhead_cents for x in org_lines)
        invoice = Invoice.objects.create(
            group=group,
            organisation_id=org_id,
            month=month,
            number=f"GE{group.pk}-{month:%Y%m}-{org_id}",
            hours=sum((x.hours for x in org_lines), Decimal(0)),
            pay_cents=pay,
            overhead_cents=overhead,
            total_cents=pay + overhead,
            overhead_rate=group.overhead_rate,
        )
        for line in org_lines:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(org_lines)
        invoices.append(invoice)
    return invoices


def compute_invoices(
    acting_user: User | None, *, group: EmployerGroup, month: dt.date | str
) -> list[Invoice]:
    """Compute the month's invoices (drafts, recomputed until the month is closed)."""
    require_manager(acting_user, group.pole)
    first = parse_month(month)
    with transaction.atomic():
        period = _period(group, first, lock=True)
        _refuse_closed(period)
        invoices = _build_invoices(group, first)
        audit.record(
            acting_user,
            verb="compute_employee_invoices",
            obj=period,
            after={
                "month": first.isoformat(),
                "invoices": len(invoices),
                "total_cents": sum(i.total_cents for i in invoices),
            },
        )
    return invoices


def close_month(
    acting_user: User | None, *, group: EmployerGroup, month: dt.date | str
) -> MonthPeriod:
    """Compute the month's invoices and lock the month, unless a legal rule is broken."""
    require_manager(acting_user, group.pole)
    first = parse_month(month)
    if first > rules.month_start(timezone.localdate()):
        raise ValidationError({"month": _("Mois : on ne clôt pas un mois à venir.")})
    with transaction.atomic():
        period = _period(group, first, lock=True)
        _refuse_closed(period)
        blocking = [f for f in checks.at_close(group, first) if f.finding.blocking]
        if blocking:
            raise ValidationError(
                {"month": [_("Clôture impossible : %(m)s") % {"m": f.message} for f in blocking]}
            )
        invoices = _build_invoices(group, first)
        period.status = MonthPeriod.Status.CLOSED
        period.closed_at = timezone.now()
        period.closed_by = acting_user if acting_user and acting_user.is_authenticated else None
        period.save()
        audit.record(
            acting_user,
            verb="close_employee_month",
            obj=period,
            after={
                "month": first.isoformat(),
                "status": period.status,
                "total_cents": sum(i.total_cents for i in invoices),
            },
        )
    return period


def month_hourly_cost(employee: Employee, month: dt.date) -> int:
    """The hourly cost `employee` was invoiced at in `month` (its closed invoices' lines);
    the current one only when the month invoiced none of their hours."""
    invoiced = (
        InvoiceLine.objects.filter(
            employee=employee, invoice__group_id=employee.group_id, invoice__month=month
        )
        .order_by("id")
        .values_list("hourly_cost_cents", flat=True)
        .first()
    )
    return int(invoiced) if invoiced is not None else employee.hourly_cost_cents


def record_adjustment(
    acting_user: User | None,
    *,
    employee: Employee,
    organisation: Organisation,
    month: dt.date | str,
    hours: Decimal | str | int,
    reason: str,
) -> Adjustment:
    """Correct a closed month: hours added (or removed, negative) for a member, invoiced at
    the employee's hourly cost of that month (see `month_hourly_cost`) plus the overhead
    rate the month was invoiced at (the invoice's, not the group's current one). The closed
    invoice is not edited."""
    group = employee.group
    require_manager(acting_user, group.pole)
    first = parse_month(month)
    delta = decimal(hours, "hours", _("Heures"))
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if len(reason) < 3:
        errors["reason"] = _("Motif : expliquez la régularisation (au moins 3 caractères).")
    if abs(delta) > rules.MAX_HOURS_PER_MONTH:
        errors["hours"] = _("Heures : une correction d'au plus %(max)s h (un mois de travail).") % {
            "max": rules.hours_text(rules.MAX_HOURS_PER_MONTH)
        }
    elif delta == 0 or delta != delta.quantize(Decimal("0.01")):
        errors["hours"] = _("Heures : une correction non nulle, au plus 2 décimales.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        period = _period(group, first, lock=True)
        if not period.closed:
            raise ValidationError(
                {
                    "month": _(
                        "Le mois %(m)s est ouvert : corrigez directement le relevé d'heures."
                    )
                    % {"m": first.strftime("%m/%Y")}
                }
            )
        recorded = Timesheet.objects.filter(
            employee=employee, organisation=organisation, month=first
        ).values_list("hours", flat=True).first() or Decimal(0)
        corrected = sum(
            Adjustment.objects.filter(
                employee=employee, invoice__organisation=organisation, invoice__month=first
            ).values_list("hours", flat=True),
            Decimal(0),
        )
        if recorded + corrected + delta < 0:
            raise ValidationError(
                {
                    "hours": _(
                        "Heures : la correction rendrait le total du mois négatif "
                        "(%(h)s h enregistrées)."
                    )
                    % {"h": recorded + corrected}
                }
            )
        invoice, _created = Invoice.objects.get_or_create(
            group=group,
            organisation=organisation,
            month=first,
            defaults={
                "number": f"GE{group.pk}-{first:%Y%m}-{organisation.pk}",
                # a member the month did not invoice: the rate of the month's other invoices
                "overhead_rate": queries.month_overhead_rate(group, first, closed=True),
            },
        )
        hourly_cost = month_hourly_cost(employee, first)
        share = rules.adjustment(delta, hourly_cost, invoice.overhead_rate)
        entry = Adjustment.objects.create(
            invoice=invoice,
            employee=employee,
            hours=delta,
            hourly_cost_cents=hourly_cost,
            pay_cents=share.pay_cents,
            overhead_cents=share.overhead_cents,
            reason=reason[:255],
            created_by=acting_user if acting_user and acting_user.is_authenticated else None,
        )
        audit.record(
            acting_user,
            verb="record_employee_adjustment",
            obj=entry,
            action=AuditEntry.Action.CREATE,
        )
    return entry
