"""Reads of a hub's pooling, with the hub's permissions: every role sees the resources and
the booking calendar; a member sees its own organisations' statements, coordination all of
them; observers read the totals only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ptce.poles import permissions
from ptce.poles.models import Pole
from ptce.pooling.models import (
    Adjustment,
    Booking,
    BookingStatus,
    Cost,
    Period,
    Resource,
    Statement,
    StatementLine,
    Unit,
)


def resources(user: Any, pole: Pole) -> QuerySet[Resource]:
    return (
        Resource.objects.visible_to(user, pole)
        .select_related("owner", "allocation_rule")
        .prefetch_related(
            Prefetch("units", queryset=Unit.objects.order_by("name", "id")),
            "shares__organisation",
            "opening_hours",
            "closed_days",
        )
    )


def bookings(
    user: Any,
    pole: Pole,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    resource: Resource | None = None,
    include_cancelled: bool = False,
) -> QuerySet[Booking]:
    if not permissions.can_observe(user, pole):
        return Booking.objects.none()
    rows = Booking.objects.filter(unit__resource__pole=pole).select_related(
        "unit__resource", "organisation", "booked_by"
    )
    if not permissions.can_manage_pole(user, pole):
        rows = rows.exclude(unit__resource__status="draft")
    if resource is not None:
        rows = rows.filter(unit__resource=resource)
    if start is not None:
        rows = rows.filter(ends_at__gt=start)
    if end is not None:
        rows = rows.filter(starts_at__lt=end)
    if not include_cancelled:
        rows = rows.filter(status=BookingStatus.CONFIRMED)
    return rows.order_by("starts_at", "id")


def costs(user: Any, pole: Pole, period: Period | None = None) -> QuerySet[Cost]:
    if not permissions.can_manage_pole(user, pole):
        return Cost.objects.none()
    rows = Cost.objects.filter(resource__pole=pole).select_related("resource", "period")
    if period is not None:
        rows = rows.filter(period=period)
    return rows.order_by("-period__starts_on", "resource__name", "id")


def periods(pole: Pole) -> QuerySet[Period]:
    return Period.objects.filter(pole=pole).order_by("-starts_on", "kind")


def statements(user: Any, pole: Pole, period: Period | None = None) -> QuerySet[Statement]:
    """Coordination: every member's; a member: its own organisations'; others: none."""
    rows = Statement.objects.filter(period__pole=pole).select_related(
        "organisation", "period__pole"
    )
    if period is not None:
        rows = rows.filter(period=period)
    if not permissions.can_manage_pole(user, pole):
        if not permissions.is_member(user, pole):
            return rows.none()
        rows = rows.filter(organisation_id__in=permissions.member_organisation_ids(user, pole))
    return rows.prefetch_related(
        Prefetch("lines", queryset=StatementLine.objects.select_related("resource"))
    ).order_by("-period__starts_on", "organisation__name")


def adjustments(user: Any, pole: Pole, period: Period | None = None) -> QuerySet[Adjustment]:
    rows = Adjustment.objects.filter(period__pole=pole).select_related(
        "organisation", "resource", "period"
    )
    if period is not None:
        rows = rows.filter(period=period)
    if not permissions.can_manage_pole(user, pole):
        if not permissions.is_member(user, pole):
            return rows.none()
        rows = rows.filter(organisation_id__in=permissions.member_organisation_ids(user, pole))
    return rows


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def local_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, day after last 00:00) as aware local datetimes."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    return start, end
