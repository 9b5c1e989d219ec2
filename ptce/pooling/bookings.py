"""Writes on bookings and usage: book, weekly series, change, cancel, record usage.

Two live bookings of a unit never overlap: the unit row is locked (`select_for_update`) while
the overlap is checked, and the database refuses an overlap that would slip through anyway
(exclusion constraint on PostgreSQL, trigger on SQLite), with the same French message.
Every function checks the acting user's permission (None = the system), validates with a
French message keyed by field, runs in a transaction and records an audit entry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.actors.models import Organisation
from ptce.core import audit
from ptce.core.choices import Role
from ptce.core.models import AuditEntry, User
from ptce.poles import permissions
from ptce.pooling import booking_rules
from ptce.pooling.models import (
    Booking,
    BookingStatus,
    Resource,
    ResourceStatus,
    Unit,
    Usage,
)
from ptce.pooling.resources import (
    closed_period_on,
    hub_organisation_ids,
    require_manager,
    rules_of,
    speaks_for,
)

MAX_SERIES = 104
BOOKING_FIELDS = ("unit_id", "organisation_id", "starts_at", "ends_at", "status", "note", "series")


# ------------------------------------------------------------------------------- bookings

FIELD_OF_RULE = {
    "order": "ends_at",
    "too_long": "ends_at",
    "closed_day": "starts_at",
    "opening_hours": "starts_at",
    "notice": "starts_at",
}


def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValidationError({"starts_at": _("Indiquez la date et l’heure avec leur fuseau.")})
    return timezone.localtime(moment).replace(tzinfo=None)


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %Hh%M")


def overlap_message(unit: Unit, other: Booking | None) -> str:
    if other is None:
        return _("Chevauchement : « %(u)s » vient d’être réservée sur ce créneau.") % {
            "u": unit.name
        }
    return _("Chevauchement : « %(u)s » est déjà réservée du %(a)s au %(b)s.") % {
        "u": unit.name,
        "a": _when(other.starts_at),
        "b": _when(other.ends_at),
    }


def _rule_errors(
    resource: Resource, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for violation in booking_rules.check(
        _local(starts_at), _local(ends_at), rules_of(resource), now=_local(now)
    ):
        errors.setdefault(FIELD_OF_RULE[violation.code], []).append(violation.message)
    return errors


def _may_book(
    acting_user: User | None, unit: Unit, resource: Resource, organisation: Organisation
) -> None:
    pole = resource.pole
    if resource.status != ResourceStatus.ACTIVE or not unit.active:
        raise ValidationError(
            {"unit": _("« %(r)s » n’est pas ouverte à la réservation.") % {"r": resource.name}}
        )
    if acting_user is not None:
        manages = permissions.can_manage_pole(acting_user, pole)
        if resource.bookable_by == Role.COORDINATOR and not manages:
            raise PermissionDenied(_("Seule la coordination réserve « %(r)s ».") % {"r": resource})
        if not speaks_for(acting_user, pole, organisation.pk):
            raise PermissionDenied(
                _("Vous ne pouvez pas réserver au nom de %(o)s.") % {"o": organisation.name}
            )
    if organisation.pk not in hub_organisation_ids(pole):
        raise ValidationError(
            {"organisation": _("%(o)s n’est pas membre du pôle.") % {"o": organisation.name}}
        )


def _first_overlap(
    unit: Unit, starts_at: dt.datetime, ends_at: dt.datetime, exclude_pk: int | None = None
) -> Booking | None:
    return (
        Booking.objects.filter(
            unit=unit, starts_at__lt=ends_at, ends_at__gt=starts_at, status=BookingStatus.CONFIRMED
        )
        .exclude(pk=exclude_pk)
        .order_by("starts_at")
        .first()
    )


def _save_booking(booking: Booking) -> None:
    """Save; the database's no-overlap guard turns into the French message."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if "no_overlap" in str(exc) or "pooling_booking_no_overlap" in repr(exc.__cause__):
            raise ValidationError({"starts_at": overlap_message(booking.unit, None)}) from exc
        raise


def _lock_unit(unit: Unit) -> Unit:
    return Unit.objects.select_for_update().select_related("resource__pole").get(pk=unit.pk)


def book(
    acting_user: User | None,
    *,
    unit: Unit,
    organisation: Organisation,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Book a unit for a member organisation; refused with the rule it breaks."""
    now = now or timezone.now()
    with transaction.atomic():
        unit = _lock_unit(unit)
        resource = unit.resource
        _may_book(acting_user, unit, resource, organisation)
        errors = _rule_errors(resource, starts_at, ends_at, now)
        if not errors:
            other = _first_overlap(unit, starts_at, ends_at)
            if other is not None:
                errors["starts_at"] = [overlap_message(unit, other)]
        if errors:
            raise ValidationError(errors)
        booking = Booking(
            unit=unit,
            organisation=organisation,
            booked_by=acting_user,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note.strip()[:255],
        )
        _save_booking(booking)
        audit.record(
            acting_user,
            verb="pooling.book",
            obj=booking,
            action=AuditEntry.Action.CREATE,
            after=audit.snapshot(booking, BOOKING_FIELDS),
        )
    return booking


def book_series(
    acting_user: User | None,
    *,
    unit: Unit,
    organisation: Organisation,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    count: int | None = None,
    until: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> list[Booking]:
    """A weekly series, `count` occurrences or until a date: all or nothing; every
    occurrence that breaks a rule or overlaps is named."""
    now = now or timezone.now()
    if (count is None) == (until is None):
        raise ValidationError(
            {"count": _("Indiquez soit un nombre d’occurrences, soit une date de fin.")}
        )
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    occurrences: list[tuple[dt.datetime, dt.datetime]] = []
    week = 0
    while True:
        day_start = local_start.replace(tzinfo=None) + dt.timedelta(weeks=week)
        if count is not None and week >= count:
            break
        if until is not None and day_start.date() > until:
            break
        if week >= MAX_SERIES:
            raise ValidationError(
                {"count": _("Une série compte au plus %(n)s occurrences.") % {"n": MAX_SERIES}}
            )
        day_end = local_end.replace(tzinfo=None) + dt.timedelta(weeks=week)
        occurrences.append(
            (timezone.make_aware(day_start), timezone.make_aware(day_end))
        )  # wall-clock times kept across daylight saving changes
        week += 1
    if not occurrences:
        raise ValidationError({"until": _("La date de fin précède la première occurrence.")})
    series = uuid.uuid4()
    with transaction.atomic():
        unit = _lock_unit(unit)
        resource = unit.resource
        _may_book(acting_user, unit, resource, organisation)
        problems: list[str] = []
        for start, end in occurrences:
            errors = _rule_errors(resource, start, end, now)
            messages = [m for ms in errors.values() for m in ms]
            if not errors:
                other = _first_overlap(unit, start, end)
                if other is not None:
                    messages.append(overlap_message(unit, other))
            problems += [f"{timezone.localtime(start):%d/%m/%Y} : {m}" for m in messages]
        if problems:
            raise ValidationError({"starts_at": problems})
        bookings = []
        for start, end in occurrences:
            booking = Booking(
                unit=unit,
                organisation=organisation,
                booked_by=acting_user,
                starts_at=start,
                ends_at=end,
                note=note.strip()[:255],
                series=series,
            )
            _save_booking(booking)
            bookings.append(booking)
        audit.record(
            acting_user,
            verb="pooling.book_series",
            obj=bookings[0],
            action=AuditEntry.Action.CREATE,
            after={"series": str(series), "count": len(bookings), "unit_id": unit.pk},
        )
    return bookings


def _may_change(acting_user: User | None, booking: Booking) -> None:
    pole = booking.unit.resource.pole
    if not speaks_for(acting_user, pole, booking.organisation_id):
        raise PermissionDenied(
            _(
                "Seule l’organisation qui a réservé, ou la coordination, peut modifier cette réservation."
            )
        )
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationError({"status": _("Cette réservation est annulée.")})


def change_booking(
    acting_user: User | None,
    *,
    booking: Booking,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        unit = _lock_unit(booking.unit)
        booking = Booking.objects.select_related("unit__resource__pole").get(pk=booking.pk)
        _may_change(acting_user, booking)
        before = audit.snapshot(booking, BOOKING_FIELDS)
        errors = _rule_errors(unit.resource, starts_at, ends_at, now)
        if not errors:
            other = _first_overlap(unit, starts_at, ends_at, exclude_pk=booking.pk)
            if other is not None:
                errors["starts_at"] = [overlap_message(unit, other)]
        if errors:
            raise ValidationError(errors)
        booking.starts_at, booking.ends_at = starts_at, ends_at
        if note is not None:
            booking.note = note.strip()[:255]
        _save_booking(booking)
        audit.record(
            acting_user,
            verb="pooling.change_booking",
            obj=booking,
            before=before,
            after=audit.snapshot(booking, BOOKING_FIELDS),
        )
    return booking


def cancel_booking(
    acting_user: User | None, *, booking: Booking, whole_series: bool = False
) -> int:
    """Cancel a booking (and, with `whole_series`, the series' later ones); returns how many."""
    with transaction.atomic():
        booking = Booking.objects.select_related("unit__resource__pole").get(pk=booking.pk)
        _may_change(acting_user, booking)
        rows = Booking.objects.filter(pk=booking.pk)
        if whole_series and booking.series:
            rows = Booking.objects.filter(series=booking.series, starts_at__gte=booking.starts_at)
        count = rows.filter(status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.CANCELLED, cancelled_at=timezone.now()
        )
        audit.record(
            acting_user,
            verb="pooling.cancel_booking",
            obj=booking,
            after={"cancelled": count, "series": str(booking.series or "")},
        )
    return count


# ---------------------------------------------------------------------------------- usage


def _decimal(value: Any, field: str, errors: dict[str, str], *, signed: bool = False) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0).replace(",", "."))
    except InvalidOperation:
        errors[field] = _("Nombre attendu (reçu : %(v)s).") % {"v": value}
        return Decimal(0)
    if not number.is_finite() or (number < 0 and not signed):
        errors[field] = _("Indiquez un nombre positif ou nul.")
    return number


def record_usage(
    acting_user: User | None,
    *,
    resource: Resource,
    organisation: Organisation,
    day: dt.date,
    used_hours: Any = 0,
    km: Any = 0,
    units: Any = 0,
    booking: Booking | None = None,
    reason: str = "",
    adjustment: bool = False,
) -> Usage:
    """What a member actually used (an adjustment: coordination only, with a reason, values
    may be negative). Refused in a closed period."""
    pole = resource.pole
    if adjustment:
        require_manager(acting_user, pole)
    elif not speaks_for(acting_user, pole, organisation.pk):
        raise PermissionDenied(
            _("Vous ne pouvez pas déclarer une utilisation au nom de %(o)s.") % {"o": organisation}
        )
    errors: dict[str, str] = {}
    values = {
        name: _decimal(value, name, errors, signed=adjustment)
        for name, value in (("used_hours", used_hours), ("km", km), ("units", units))
    }
    if adjustment and not reason.strip():
        errors["reason"] = _("Indiquez le motif de l’ajustement.")
    if organisation.pk not in hub_organisation_ids(pole):
        errors["organisation"] = _("%(o)s n’est pas membre du pôle.") % {"o": organisation.name}
    if booking is not None and (
        booking.unit.resource_id != resource.pk or booking.organisation_id != organisation.pk
    ):
        errors["booking"] = _("Cette réservation n’est pas celle de ce membre sur cette ressource.")
    period = closed_period_on(pole, day)
    if period is not None:
        errors["day"] = _("La période %(p)s est clôturée : corrigez par une régularisation.") % {
            "p": period.label
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        usage = Usage.objects.create(
            resource=resource,
            organisation=organisation,
            booking=booking,
            day=day,
            booked_hours=booking.hours.quantize(Decimal("0.01")) if booking else Decimal(0),
            is_adjustment=adjustment,
            reason=reason.strip()[:255],
            recorded_by=acting_user,
            **values,
        )
        audit.record(
            acting_user,
            verb="pooling.adjust_usage" if adjustment else "pooling.record_usage",
            obj=usage,
            action=AuditEntry.Action.CREATE,
        )
    return usage
