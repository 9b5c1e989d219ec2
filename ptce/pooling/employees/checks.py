"""The legal checks of a GE on its stored data, with their French messages.

The arithmetic lives in `rules` (pure); this module loads the register, the plans and the
timesheets (a bounded number of queries) and words the findings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from ptce.pooling.employees import rules
from ptce.pooling.employees.models import (
    Adjustment,
    Employee,
    EmployerGroup,
    TimeSharePlanLine,
    Timesheet,
)


@dataclass(frozen=True)
class Checked:
    finding: rules.Finding
    message: str
    employee: Employee | None = None

    @property
    def level(self) -> str:
        return self.finding.level


def _members(group: EmployerGroup) -> list[rules.Member]:
    return [
        rules.Member(str(m.organisation_id), m.local_authority, m.joined_on, m.left_on)
        for m in group.members.all()
    ]


def local_authority_ids(group: EmployerGroup) -> set[str]:
    return {
        str(o)
        for o in group.members.filter(local_authority=True).values_list(
            "organisation_id", flat=True
        )
    }


def _members_message(f: rules.Finding) -> str:
    p = f.params
    if f.level == "error":
        text = _(
            "Les collectivités territoriales sont %(count)s sur %(total)s membres au %(day)s : "
            "au plus la moitié des membres du groupement (art. L1253-1 du Code du travail)."
        )
    elif f.level == "warning":
        text = _(
            "Les collectivités territoriales sont %(count)s sur %(total)s membres au %(day)s : "
            "proche du plafond légal de la moitié des membres."
        )
    else:
        text = _("Collectivités territoriales : %(count)s sur %(total)s membres au %(day)s.")
    return text % {**p, "day": dt.date.fromisoformat(p["day"]).strftime("%d/%m/%Y")}


def _name(employee: Employee, anonymous: bool) -> str:
    return _("Salarié n° %(n)s") % {"n": employee.pk} if anonymous else employee.person_name


def _time_message(
    f: rules.Finding, employee: Employee, year: int, actual: bool, anonymous: bool = False
) -> str:
    values = {**f.params, "name": _name(employee, anonymous), "year": year}
    kind = _("effectuées") if actual else _("prévues")
    values["kind"] = kind
    if f.level == "error":
        text = _(
            "%(name)s : %(hours)s h %(kind)s pour des collectivités territoriales en %(year)s, "
            "au-delà des trois quarts du temps contractuel (%(limit)s h, art. L1253-1)."
        )
    elif f.level == "warning":
        text = _(
            "%(name)s : %(hours)s h %(kind)s pour des collectivités territoriales en %(year)s, "
            "proche du plafond des trois quarts du temps contractuel (%(limit)s h)."
        )
    else:
        text = _(
            "%(name)s : %(hours)s h %(kind)s pour des collectivités territoriales en %(year)s "
            "(plafond %(limit)s h)."
        )
    return text % values


def _plan_message(f: rules.Finding, employee: Employee, year: int, anonymous: bool) -> str:
    values = {**f.params, "name": _name(employee, anonymous), "year": year}
    if f.level == "error":
        text = _(
            "%(name)s : le plan répartit %(planned)s h en %(year)s, plus que ses %(contractual)s h "
            "contractuelles."
        )
    else:
        text = _(
            "%(name)s : %(planned)s h planifiées en %(year)s sur %(contractual)s h contractuelles."
        )
    return text % values


def actual_hours(
    group: EmployerGroup, first: dt.date, last: dt.date
) -> dict[int, dict[str, Decimal]]:
    """Hours worked per employee and member between two months (timesheets + adjustments)."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    sheets = (
        Timesheet.objects.filter(employee__group=group, month__gte=first, month__lte=last)
        .values("employee_id", "organisation_id")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    for row in sheets:
        totals[row["employee_id"]][str(row["organisation_id"])] += row["h"]
    fixes = (
        Adjustment.objects.filter(
            employee__group=group, invoice__month__gte=first, invoice__month__lte=last
        )
        .values("employee_id", "invoice__organisation_id")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    for row in fixes:
        totals[row["employee_id"]][str(row["invoice__organisation_id"])] += row["h"]
    return totals


def _employees_in_year(group: EmployerGroup, year: int) -> list[Employee]:
    lo, hi = rules.year_bounds(year)
    return [
        e for e in group.employees.all() if rules.overlap_days(e.start_on, e.end_on, lo, hi) > 0
    ]


def at_close(group: EmployerGroup, month: dt.date) -> list[Checked]:
    """The checks that block the close of `month`: members at the month's end, and each
    employee's actual hours for local authorities from January to that month."""
    last = rules.month_end(month)
    found = [
        Checked(f := rules.local_authority_members(_members(group), last), _members_message(f))
    ]
    authorities = local_authority_ids(group)
    worked = actual_hours(group, month.replace(month=1), month)
    for employee in _employees_in_year(group, month.year):
        contractual = rules.contractual_hours_in_year(
            employee.contractual_hours_per_year, employee.start_on, employee.end_on, month.year
        )
        f = rules.local_authority_time(
            worked.get(employee.pk, {}),
            authorities,
            contractual,
            code="local_authority_time_actual",
        )
        found.append(Checked(f, _time_message(f, employee, month.year, True), employee))
    return found


def overview(
    group: EmployerGroup, year: int, day: dt.date, *, anonymous: bool = False
) -> list[Checked]:
    """Everything the GE page shows: members on `day`; for each employee of `year`, plan
    consistency and planned and actual hours for local authorities. `anonymous` words the
    messages with the employee's number instead of their name (for observers)."""
    found = [Checked(f := rules.local_authority_members(_members(group), day), _members_message(f))]
    authorities = local_authority_ids(group)
    employees = _employees_in_year(group, year)
    plans: dict[int, list[rules.PlanLine]] = defaultdict(list)
    for line in TimeSharePlanLine.objects.filter(employee__group=group):
        plans[line.employee_id].append(
            rules.PlanLine(
                str(line.organisation_id), line.mode, line.quantity, line.starts_on, line.ends_on
            )
        )
    worked = actual_hours(group, dt.date(year, 1, 1), dt.date(year, 12, 1))
    for employee in employees:
        contractual = rules.contractual_hours_in_year(
            employee.contractual_hours_per_year, employee.start_on, employee.end_on, year
        )
        lines = plans.get(employee.pk, [])
        if lines:
            f = rules.plan_consistency(lines, contractual, year)
            found.append(Checked(f, _plan_message(f, employee, year, anonymous), employee))
            planned = rules.planned_hours(lines, year)
            f = rules.local_authority_time(
                planned, authorities, contractual, code="local_authority_time_planned"
            )
            found.append(Checked(f, _time_message(f, employee, year, False, anonymous), employee))
        f = rules.local_authority_time(
            worked.get(employee.pk, {}),
            authorities,
            contractual,
            code="local_authority_time_actual",
        )
        found.append(Checked(f, _time_message(f, employee, year, True, anonymous), employee))
    return found
