"""Reads of a GE for pages and API, filtered by what the user may see.

* coordination (and platform staff): everything;
* a member organisation's people: the employees, and their own organisation's timesheets
  and invoices;
* observers (and every role): the register and the monthly totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from ptce.poles import permissions
from ptce.poles.models import Pole
from ptce.pooling.employees.models import (
    Adjustment,
    Employee,
    EmployerGroup,
    GroupMember,
    Invoice,
    InvoiceLine,
    MonthPeriod,
    TimeSharePlanLine,
    Timesheet,
)


def group_of(pole: Pole) -> EmployerGroup | None:
    return EmployerGroup.objects.select_related("carrier", "pole").filter(pole=pole).first()


def sees_employees(user: Any, pole: Pole) -> bool:
    return permissions.is_member(user, pole) or bool(
        permissions.member_organisation_ids(user, pole)
    )


def register(group: EmployerGroup) -> QuerySet[GroupMember]:
    return group.members.select_related("organisation").order_by("organisation__name", "joined_on")


def employees(group: EmployerGroup) -> QuerySet[Employee]:
    plan = TimeSharePlanLine.objects.select_related("organisation").order_by(
        "organisation__name", "starts_on"
    )
    return group.employees.prefetch_related(Prefetch("plan_lines", queryset=plan)).order_by(
        "person_name", "id"
    )


def _own(user: Any, group: EmployerGroup) -> frozenset[int] | None:
    """None: every organisation; else the organisations whose records the user sees."""
    if permissions.can_manage_pole(user, group.pole):
        return None
    return permissions.member_organisation_ids(user, group.pole)


def timesheets(
    user: Any, group: EmployerGroup, month: dt.date | None = None
) -> QuerySet[Timesheet]:
    qs = Timesheet.objects.filter(employee__group=group).select_related("employee", "organisation")
    if month is not None:
        qs = qs.filter(month=month)
    own = _own(user, group)
    if own is not None:
        qs = qs.filter(organisation_id__in=own)
    return qs.order_by("month", "employee__person_name", "organisation__name")


def invoices(user: Any, group: EmployerGroup, month: dt.date | None = None) -> QuerySet[Invoice]:
    lines = InvoiceLine.objects.select_related("employee").order_by("employee__person_name", "id")
    fixes = Adjustment.objects.select_related("employee").order_by("created_at", "id")
    qs = (
        Invoice.objects.filter(group=group)
        .select_related("organisation", "group__carrier")
        .prefetch_related(
            Prefetch("lines", queryset=lines), Prefetch("adjustments", queryset=fixes)
        )
    )
    if month is not None:
        qs = qs.filter(month=month)
    own = _own(user, group)
    if own is not None:
        qs = qs.filter(organisation_id__in=own)
    return qs.order_by("-month", "organisation__name")


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date
    status: str
    invoices: int
    hours: Any
    pay_cents: int
    overhead_cents: int
    total_cents: int
    adjustments_cents: int


def month_totals(group: EmployerGroup, limit: int = 24) -> list[MonthTotal]:
    """The latest months' totals over all members (what observers read)."""
    rows = (
        Invoice.objects.filter(group=group)
        .values("month")
        .annotate(
            n=Count("id"),
            h=Sum("hours"),
            pay=Sum("pay_cents"),
            overhead=Sum("overhead_cents"),
            total=Sum("total_cents"),
        )
        .order_by("-month")[:limit]
    )
    months = [r["month"] for r in rows]
    status = dict(
        MonthPeriod.objects.filter(group=group, month__in=months).values_list("month", "status")
    )
    fixes = dict(
        Adjustment.objects.filter(invoice__group=group, invoice__month__in=months)
        .values("invoice__month")
        .annotate(t=Sum("pay_cents") + Sum("overhead_cents"))
        .values_list("invoice__month", "t")
    )
    return [
        MonthTotal(
            month=r["month"],
            status=status.get(r["month"], MonthPeriod.Status.OPEN),
            invoices=r["n"],
            hours=r["h"],
            pay_cents=r["pay"] or 0,
            overhead_cents=r["overhead"] or 0,
            total_cents=r["total"] or 0,
            adjustments_cents=int(fixes.get(r["month"]) or 0),
        )
        for r in rows
    ]


def period(group: EmployerGroup, month: dt.date) -> MonthPeriod | None:
    return MonthPeriod.objects.filter(group=group, month=month).first()


def month_overhead_rate(group: EmployerGroup, month: dt.date, *, closed: bool) -> Decimal:
    """The overhead rate of `group`'s `month`: once the month is closed, the rate its invoices
    were issued at (the group's rate may have changed since); while it is open, or when the
    closed month invoiced nothing, the group's current rate (drafts are recomputed at it)."""
    if closed:
        issued = (
            Invoice.objects.filter(group=group, month=month)
            .order_by("id")
            .values_list("overhead_rate", flat=True)
            .first()
        )
        if issued is not None:
            return issued
    return group.overhead_rate
