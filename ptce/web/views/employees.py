"""Pages of a hub's groupement d'employeurs (shared employees).

* the GE page: register of members with the legal checks, employees and their plans, monthly
  totals (every role; employees for members and coordination only);
* coordination: set up the GE, enter and exit members, hire and edit employees, plans;
* timesheets of a month: coordination for every member, a member for its own organisations;
* monthly invoices (PDF, CSV): coordination all, a member its own, observers the totals;
  coordination computes, closes a month, records adjustments after the close.

Forms post to their own address; service errors go next to the fields, status 400.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptce.actors.models import Organisation
from ptce.pooling.employees import checks, exports, queries, rules, services
from ptce.pooling.employees.models import Employee, EmployerGroup, GroupMember
from ptce.web.forms_employees import (
    PLAN_ROWS,
    AdjustmentForm,
    EmployeeForm,
    GroupForm,
    JoinForm,
    LeaveForm,
    MonthForm,
    PlanLineForm,
    TimesheetGridForm,
    timesheet_field_name,
)
from ptce.web.forms_poles import apply_errors
from ptce.web.views.hub import HubAccess, hub_page

SECTION = "employees"


def _group(access: HubAccess) -> EmployerGroup:
    group = queries.group_of(access.pole)
    if group is None:
        raise Http404(_("Ce pôle n’a pas de groupement d’employeurs."))
    return group


def _url(name: str, access: HubAccess, *args: Any) -> str:
    return reverse(f"employees:{name}", args=[access.pole.slug, *args])


def _context(access: HubAccess, **extra: Any) -> dict[str, Any]:
    return {"pole": access.pole, "access": access, "section": SECTION, **extra}


def _hub_organisations(access: HubAccess) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            memberships__pole=access.pole, memberships__left_on__isnull=True
        ).order_by("name")
    )


def _sees_employees(access: HubAccess) -> bool:
    return access.is_member or bool(access.organisation_ids)


def _default_month() -> dt.date:
    first = rules.month_start(timezone.localdate())
    return rules.month_start(first - dt.timedelta(days=1))


def _month(request: HttpRequest) -> tuple[MonthForm, dt.date]:
    form = MonthForm(request.GET or None)
    month = None
    if form.is_valid():
        month = form.cleaned_data["mois"]
    month = month or _default_month()
    if not form.is_bound:
        form = MonthForm(initial={"mois": f"{month:%Y-%m}"})
    return form, month


# ---------------------------------------------------------------- GE page


def _group_context(access: HubAccess, request: HttpRequest, **forms: Any) -> dict[str, Any]:
    group = queries.group_of(access.pole)
    context = _context(access, group=group, **forms)
    if group is None:
        if access.manages and "setup_form" not in forms:
            context["setup_form"] = GroupForm(organisations=_hub_organisations(access))
        return context
    today = timezone.localdate()
    register = list(queries.register(group))
    found = checks.overview(group, today.year, today, anonymous=not _sees_employees(access))
    context.update(
        register=register,
        checks=found,
        worst=rules.worst(c.finding for c in found),
        totals=queries.month_totals(group, limit=12),
        year=today.year,
    )
    if _sees_employees(access):
        context["employees"] = list(queries.employees(group))
    if access.manages:
        in_register = {m.organisation_id for m in register if m.left_on is None}
        candidates = [
            o
            for o in _hub_organisations(access)
            if o.pk not in in_register and o.pk != group.carrier_id
        ]
        context.setdefault(
            "join_form",
            JoinForm(organisations=candidates, initial={"joined_on": today}),
        )
    return context


@require_safe
@hub_page()
def group(request: HttpRequest, access: HubAccess) -> HttpResponse:
    return render(request, "employees/group.html", _group_context(access, request))


@require_http_methods(["GET", "POST"])
@hub_page(manage=True)
def setup(request: HttpRequest, access: HubAccess) -> HttpResponse:
    current = queries.group_of(access.pole)
    organisations = _hub_organisations(access)
    if current is not None and current.carrier not in organisations:
        organisations.append(current.carrier)
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {
            "carrier": str(current.carrier_id),
            "name": current.name,
            "overhead_percent": current.overhead_rate * 100,
        }
    elif access.pole.carrier_id:
        initial = {"carrier": str(access.pole.carrier_id)}
    form = GroupForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        carrier = next(o for o in organisations if str(o.pk) == form.cleaned_data["carrier"])
        try:
            services.set_up_group(
                request.user,
                pole=access.pole,
                carrier=carrier,
                name=form.cleaned_data["name"],
                overhead_rate=form.cleaned_data["overhead_percent"] / 100,
            )
        except ValidationError as error:
            apply_errors(form, error, {"overhead_rate": "overhead_percent"})
        else:
            messages.success(request, _("Le groupement d’employeurs est enregistré."))
            return redirect(_url("group", access))
    status = 400 if request.method == "POST" else 200
    context = _context(access, form=form, group=current)
    return render(request, "employees/setup.html", context, status=status)


@require_POST
@hub_page(manage=True)
def join(request: HttpRequest, access: HubAccess) -> HttpResponse:
    group_ = _group(access)
    organisations = _hub_organisations(access)
    form = JoinForm(request.POST, organisations=organisations)
    if form.is_valid():
        organisation = next(
            o for o in organisations if str(o.pk) == form.cleaned_data["organisation"]
        )
        try:
            services.join_group(
                request.user,
                group=group_,
                organisation=organisation,
                joined_on=form.cleaned_data["joined_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("%(org)s entre au groupement.") % {"org": organisation.name}
            )
            return redirect(_url("group", access) + "#registre")
    context = _group_context(access, request, join_form=form)
    return render(request, "employees/group.html", context, status=400)


@require_http_methods(["GET", "POST"])
@hub_page(manage=True)
def leave(request: HttpRequest, access: HubAccess, member_id: int) -> HttpResponse:
    group_ = _group(access)
    member = (
        GroupMember.objects.select_related("organisation")
        .filter(group=group_, pk=member_id, left_on__isnull=True)
        .first()
    )
    if member is None:
        raise Http404(_("Ce groupement n’a pas de membre en cours n° %(i)s.") % {"i": member_id})
    form = LeaveForm(request.POST or None, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_group(request.user, member=member, left_on=form.cleaned_data["left_on"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("%(org)s sort du groupement.") % {"org": member.organisation.name}
            )
            return redirect(_url("group", access) + "#registre")
    status = 400 if request.method == "POST" else 200
    context = _context(access, form=form, member=member, group=group_)
    return render(request, "employees/leave.html", context, status=status)


@require_safe
@hub_page()
def register_csv(request: HttpRequest, access: HubAccess) -> HttpResponse:
    group_ = _group(access)
    body = exports.register_csv(group_, queries.register(group_))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"registre-groupement-{access.pole.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -------------------------------------------------------------- employees


@require_http_methods(["GET", "POST"])
@hub_page(manage=True)
def employee_form(
    request: HttpRequest, access: HubAccess, employee_id: int | None = None
) -> HttpResponse:
    group_ = _group(access)
    employee: Employee | None = None
    initial: dict[str, Any] = {}
    if employee_id is not None:
        employee = group_.employees.filter(pk=employee_id).first()
        if employee is None:
            raise Http404(_("Ce groupement n’a pas de salarié n° %(i)s.") % {"i": employee_id})
        initial = EmployeeForm.initial_for(employee)
    form = EmployeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if employee is None:
                employee = services.hire_employee(request.user, group=group_, **form.values())
                text = _("%(name)s est embauché·e par le groupement.")
            else:
                employee = services.update_employee(
                    request.user, employee=employee, **form.values()
                )
                text = _("La fiche de %(name)s est enregistrée.")
        except ValidationError as error:
            apply_errors(form, error, EmployeeForm.FIELD_MAP)
        else:
            messages.success(request, text % {"name": employee.person_name})
            return redirect(_url("plan", access, employee.pk))
    status = 400 if request.method == "POST" else 200
    context = _context(access, form=form, employee=employee, group=group_)
    return render(request, "employees/employee_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@hub_page(manage=True)
def plan(request: HttpRequest, access: HubAccess, employee_id: int) -> HttpResponse:
    group_ = _group(access)
    employee = queries.employees(group_).filter(pk=employee_id).first()
    if employee is None:
        raise Http404(_("Ce groupement n’a pas de salarié n° %(i)s.") % {"i": employee_id})
    organisations = [m.organisation for m in queries.register(group_) if m.left_on is None]
    existing = list(employee.plan_lines.all())
    rows = []
    for i in range(max(PLAN_ROWS, len(existing) + 2)):
        line = existing[i] if i < len(existing) else None
        initial = (
            {
                "organisation": str(line.organisation_id),
                "mode": line.mode,
                "quantity": line.quantity,
                "starts_on": line.starts_on,
                "ends_on": line.ends_on,
            }
            if line
            else {}
        )
        rows.append(
            PlanLineForm(
                request.POST or None,
                prefix=f"l{i}",
                organisations=organisations,
                initial=initial,
            )
        )
    if request.method == "POST" and all(f.is_valid() for f in rows):
        lines = []
        positions = []
        for i, f in enumerate(rows):
            line = f.line()
            if line is not None:
                lines.append(line)
                positions.append(i)
        try:
            services.set_plan(request.user, employee=employee, lines=lines)
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                parts = key.split(".")
                if len(parts) == 3 and parts[0] == "lines":
                    target = rows[positions[int(parts[1])]]
                    field = parts[2] if parts[2] in target.fields else None
                    for text in texts:
                        target.add_error(field, text)
                else:
                    for text in texts:
                        rows[0].add_error(None, text)
        else:
            messages.success(
                request, _("Le plan de %(name)s est enregistré.") % {"name": employee.person_name}
            )
            return redirect(_url("group", access) + f"#salarie-{employee.pk}")
    status = 400 if request.method == "POST" else 200
    context = _context(access, employee=employee, rows=rows, group=group_)
    return render(request, "employees/plan.html", context, status=status)


# -------------------------------------------------------------- timesheets


@require_http_methods(["GET", "POST"])
@hub_page()
def timesheets(request: HttpRequest, access: HubAccess) -> HttpResponse:
    group_ = _group(access)
    if not (access.manages or access.organisation_ids):
        context = {"pole": access.pole, "members_area": True}
        return render(request, "poles/workspace/forbidden.html", context, status=403)
    month_form, month = _month(request)
    period = queries.period(group_, month)
    last = rules.month_end(month)
    members = [
        m
        for m in queries.register(group_)
        if m.joined_on <= last
        and (m.left_on is None or m.left_on >= month)
        and (access.manages or m.organisation_id in access.organisation_ids)
    ]
    organisations = list({m.organisation_id: m.organisation for m in members}.values())
    employees = [
        e
        for e in group_.employees.order_by("person_name", "id")
        if e.start_on <= last and (e.end_on is None or e.end_on >= month)
    ]
    cells = [(e, o) for e in employees for o in organisations]
    sheets = {
        (s.employee_id, s.organisation_id): s.hours
        for s in queries.timesheets(request.user, group_, month)
    }
    initial = {timesheet_field_name(e, o): h for (e, o), h in sheets.items()}
    form = TimesheetGridForm(
        request.POST if request.method == "POST" else None, cells=cells, initial=initial
    )
    if period is not None and period.closed:  # read only: corrections are adjustments
        for field in form.fields.values():
            field.disabled = True
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            saved = 0
            for employee, organisation in cells:
                name = timesheet_field_name(employee.pk, organisation.pk)
                value = form.cleaned_data.get(name)
                if value is None or sheets.get((employee.pk, organisation.pk)) == value:
                    continue
                try:
                    services.record_timesheet(
                        request.user,
                        employee=employee,
                        organisation=organisation,
                        month=month,
                        hours=value,
                    )
                except ValidationError as error:
                    for text in error.messages:
                        form.add_error(name, text)
                except PermissionDenied as error:
                    form.add_error(name, str(error))
                else:
                    saved += 1
                    sheets[(employee.pk, organisation.pk)] = value
            if not form.errors:
                messages.success(
                    request,
                    _("Relevés de %(m)s enregistrés (%(n)s modifiés).")
                    % {"m": month.strftime("%m/%Y"), "n": saved},
                )
                return redirect(_url("timesheets", access) + f"?mois={month:%Y-%m}")
    grid = [
        {
            "employee": e,
            "cells": [form[timesheet_field_name(e.pk, o.pk)] for o in organisations],
            "total": sum((sheets.get((e.pk, o.pk)) or 0 for o in organisations), 0),
        }
        for e in employees
    ]
    context = _context(
        access,
        group=group_,
        month=month,
        month_form=month_form,
        period=period,
        organisations=organisations,
        grid=grid,
        form=form,
        warnings=[c for c in checks.at_close(group_, month) if c.level != "ok"],
    )
    return render(request, "employees/timesheets.html", context, status=status)


# ---------------------------------------------------------------- invoices


def _invoices_context(
    request: HttpRequest, access: HubAccess, month_form: MonthForm, month: dt.date, **extra: Any
) -> dict[str, Any]:
    group_ = _group(access)
    period = queries.period(group_, month)
    invoices = list(queries.invoices(request.user, group_, month))
    context = _context(
        access,
        group=group_,
        month=month,
        month_form=month_form,
        period=period,
        overhead_rate=queries.month_overhead_rate(
            group_, month, closed=period is not None and period.closed
        ),
        invoices=invoices,
        totals=queries.month_totals(group_, limit=12),
        sum_total=sum(i.total_cents for i in invoices),
        sum_fixes=sum(a.total_cents for i in invoices for a in i.adjustments.all()),
        **extra,
    )
    if access.manages:
        context["close_checks"] = [c for c in checks.at_close(group_, month) if c.level != "ok"]
        if period is not None and period.closed and "adjust_form" not in extra:
            context["adjust_form"] = AdjustmentForm(
                employees=list(group_.employees.order_by("person_name")),
                organisations=[m.organisation for m in queries.register(group_)],
            )
    return context


@require_safe
@hub_page()
def invoices(request: HttpRequest, access: HubAccess) -> HttpResponse:
    month_form, month = _month(request)
    context = _invoices_context(request, access, month_form, month)
    return render(request, "employees/invoices.html", context)


@require_POST
@hub_page(manage=True)
def invoices_action(request: HttpRequest, access: HubAccess, action: str) -> HttpResponse:
    group_ = _group(access)
    form = MonthForm(request.POST)
    if not form.is_valid() or form.cleaned_data["mois"] is None:
        raise Http404(_("Mois invalide."))
    month = form.cleaned_data["mois"]
    back = _url("invoices", access) + f"?mois={month:%Y-%m}"
    try:
        if action == "calcul":
            found = services.compute_invoices(request.user, group=group_, month=month)
            messages.success(
                request,
                _("%(n)s factures calculées pour %(m)s.")
                % {"n": len(found), "m": month.strftime("%m/%Y")},
            )
        elif action == "cloture":
            services.close_month(request.user, group=group_, month=month)
            messages.success(request, _("Le mois %(m)s est clos.") % {"m": month.strftime("%m/%Y")})
        else:
            raise Http404(_("Action inconnue."))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(back)


@require_POST
@hub_page(manage=True)
def adjust(request: HttpRequest, access: HubAccess) -> HttpResponse:
    group_ = _group(access)
    employees = list(group_.employees.order_by("person_name"))
    organisations = [m.organisation for m in queries.register(group_)]
    form = AdjustmentForm(request.POST, employees=employees, organisations=organisations)
    month_form = MonthForm(request.POST)
    month = month_form.cleaned_data["mois"] if month_form.is_valid() else None
    if month is None:
        raise Http404(_("Mois invalide."))
    if form.is_valid():
        employee = next(e for e in employees if str(e.pk) == form.cleaned_data["employee"])
        organisation = next(
            o for o in organisations if str(o.pk) == form.cleaned_data["organisation"]
        )
        try:
            services.record_adjustment(
                request.user,
                employee=employee,
                organisation=organisation,
                month=month,
                hours=form.cleaned_data["hours"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La régularisation est enregistrée."))
            return redirect(_url("invoices", access) + f"?mois={month:%Y-%m}")
    context = _invoices_context(request, access, month_form, month, adjust_form=form)
    return render(request, "employees/invoices.html", context, status=400)


@require_safe
@hub_page()
def invoice_pdf(request: HttpRequest, access: HubAccess, invoice_id: int) -> HttpResponse:
    group_ = _group(access)
    invoice = queries.invoices(request.user, group_).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404(_("Aucune facture n° %(i)s pour vous.") % {"i": invoice_id})
    response = HttpResponse(exports.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


@require_safe
@hub_page()
def invoices_csv(request: HttpRequest, access: HubAccess) -> HttpResponse:
    group_ = _group(access)
    _form, month = _month(request)
    body = exports.invoices_csv(queries.invoices(request.user, group_, month))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"factures-groupement-{access.pole.slug}-{month:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
