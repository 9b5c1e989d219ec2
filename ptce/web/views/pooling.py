"""Pages of pooling: shared resources, booking, week and month calendars, usage, iCal feeds.

Costs, allocation rules, periods and statements: `pooling_accounting`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptce.actors.models import Organisation
from ptce.pooling import booking_rules, exports, queries, services
from ptce.pooling.models import Booking, FeedToken, Resource, ResourceStatus, Unit, Usage
from ptce.web.forms_poles import apply_errors
from ptce.web.forms_pooling import BookingForm, ResourceForm, UsageForm
from ptce.web.views.hub import HubAccess, hub_page

HOURS = range(7, 21)


def ctx(access: HubAccess, **extra: Any) -> dict[str, Any]:
    return {"pole": access.pole, "access": access, "section": "pooling", **extra}


def shows_who(access: HubAccess) -> bool:
    """Members and coordination see who booked; observers and reviewers read "réservé"."""
    return access.is_member


def hub_organisations(access: HubAccess) -> list[Organisation]:
    ids = services.hub_organisation_ids(access.pole)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))


def acting_organisations(access: HubAccess) -> list[Organisation]:
    """Who the visitor may book or declare for: every member for coordination, else its own."""
    if access.manages:
        return hub_organisations(access)
    return list(Organisation.objects.filter(pk__in=access.organisation_ids).order_by("name"))


def get_resource(request: HttpRequest, access: HubAccess, resource_id: int) -> Resource:
    resource = queries.resources(request.user, access.pole).filter(pk=resource_id).first()
    if resource is None:
        raise Http404(_("Ce pôle n’a pas de ressource n° %(i)s.") % {"i": resource_id})
    return resource


def _live_units(request: HttpRequest, access: HubAccess) -> list[Unit]:
    return list(
        Unit.objects.filter(
            resource__pole=access.pole, resource__status=ResourceStatus.ACTIVE, active=True
        )
        .select_related("resource")
        .order_by("resource__name", "name", "pk")
    )


def _unit_label(unit: Unit) -> str:
    return (
        unit.resource.name
        if unit.name == unit.resource.name
        else f"{unit.resource.name} — {unit.name}"
    )


# ------------------------------------------------------------------------------ resources


@require_safe
@hub_page()
def index(request: HttpRequest, access: HubAccess) -> HttpResponse:
    resources = list(queries.resources(request.user, access.pole))
    start = timezone.now()
    upcoming = list(
        queries.bookings(request.user, access.pole, start=start).filter(
            organisation_id__in=access.organisation_ids
        )[:10]
    )
    feeds = list(
        FeedToken.objects.filter(
            pole=access.pole,
            organisation_id__in=access.organisation_ids,
            revoked_at__isnull=True,
        ).select_related("organisation")
    )
    context = ctx(
        access,
        resources=resources,
        upcoming=upcoming,
        feeds=feeds,
        my_organisations=list(
            Organisation.objects.filter(pk__in=access.organisation_ids).order_by("name")
        ),
    )
    return render(request, "pooling/index.html", context)


def _resource_form(
    request: HttpRequest, access: HubAccess, resource: Resource | None
) -> HttpResponse:
    organisations = hub_organisations(access)
    initial = ResourceForm.initial_for(resource) if resource else None
    form = ResourceForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {o.pk: o for o in organisations}
        values: dict[str, Any] = {
            "name": data["name"],
            "kind": data["kind"],
            "description": data["description"],
            "status": data["status"],
            "ownership": data["ownership"],
            "owner": by_id.get(data["owner"]) if data["owner"] else None,
            "max_booking_minutes": data["max_booking_minutes"],
            "min_notice_minutes": data["min_notice_minutes"] or 0,
            "bookable_by": data["bookable_by"],
        }
        shared = [by_id[i] for i in data["organisations"] if i in by_id]
        original = resource
        try:
            with transaction.atomic():  # all or nothing: resource, units, hours
                if resource is None:
                    resource = services.create_resource(
                        request.user,
                        pole=access.pole,
                        organisations=shared,
                        shares=form.shares() or _kept_shares(None, values["ownership"], shared),
                        units=form.unit_names(),
                        **values,
                    )
                else:
                    services.update_resource(
                        request.user,
                        resource=resource,
                        organisations=shared,
                        shares=form.shares() or _kept_shares(resource, values["ownership"], shared),
                        **values,
                    )
                    services.set_units(
                        request.user, resource=resource, names=form.unit_names() or [resource.name]
                    )
                services.set_availability(
                    request.user,
                    resource=resource,
                    opening=form.opening(),
                    closed_days=data["closed_days"],
                )
        except ValidationError as exc:
            resource = original  # rolled back: a new resource was not made
            if resource is not None:
                resource.refresh_from_db()
            apply_errors(form, exc, {"opening": "opens", "shares": "organisations"})
        else:
            messages.success(request, _("Ressource « %(r)s » enregistrée.") % {"r": resource.name})
            return redirect("pooling:resource", access.pole.slug, resource.pk)
    status = 400 if request.method == "POST" else 200
    context = ctx(access, form=form, resource=resource)
    return render(request, "pooling/resource_form.html", context, status=status)


def _kept_shares(
    resource: Resource | None, ownership: str, shared: list[Organisation]
) -> dict[int, Decimal] | None:
    """Ownership shares: the page keeps the existing ones when they still add up to 100 %,
    else splits evenly between the organisations ticked."""
    if ownership != "members" or not shared:
        return None
    known = (
        {s.organisation_id: s.ownership_share for s in resource.shares.all()} if resource else {}
    )
    if sum((known.get(o.pk, Decimal(0)) for o in shared), Decimal(0)) == 100:
        return {o.pk: known.get(o.pk, Decimal(0)) for o in shared}
    even = (Decimal(100) / len(shared)).quantize(Decimal("0.001"))
    shares = {o.pk: even for o in shared}
    shares[shared[-1].pk] = Decimal(100) - even * (len(shared) - 1)
    return shares


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def resource_create(request: HttpRequest, access: HubAccess) -> HttpResponse:
    return _resource_form(request, access, None)


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def resource_edit(request: HttpRequest, access: HubAccess, resource_id: int) -> HttpResponse:
    return _resource_form(request, access, get_resource(request, access, resource_id))


@require_safe
@hub_page()
def resource(request: HttpRequest, access: HubAccess, resource_id: int) -> HttpResponse:
    item = get_resource(request, access, resource_id)
    upcoming = list(
        queries.bookings(request.user, access.pole, resource=item, start=timezone.now())[:20]
    )
    feed = (
        FeedToken.objects.filter(resource=item, created_by=request.user, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    context = ctx(access, resource=item, upcoming=upcoming, feed=feed, shows_who=shows_who(access))
    return render(request, "pooling/resource.html", context)


# ------------------------------------------------------------------------------- bookings


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page()
def book(request: HttpRequest, access: HubAccess) -> HttpResponse:
    units = _live_units(request, access)
    organisations = acting_organisations(access)
    if not access.is_member or not organisations:
        raise PermissionDenied(_("Seuls les membres du pôle réservent."))
    initial = {
        "unit": request.GET.get("unit"),
        "day": request.GET.get("day"),
        "start": request.GET.get("start"),
        "end": request.GET.get("end"),
        "organisation": organisations[0].pk if organisations else None,
    }
    form = BookingForm(
        request.POST or None,
        units=[(u.pk, _unit_label(u)) for u in units],
        organisations=organisations,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        organisation = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        start, end = form.moments()
        try:
            if form.cleaned_data["weeks"] and form.cleaned_data["weeks"] > 1:
                made = services.book_series(
                    request.user,
                    unit=unit,
                    organisation=organisation,
                    starts_at=start,
                    ends_at=end,
                    count=form.cleaned_data["weeks"],
                    note=form.cleaned_data["note"],
                )
            else:
                made = [
                    services.book(
                        request.user,
                        unit=unit,
                        organisation=organisation,
                        starts_at=start,
                        ends_at=end,
                        note=form.cleaned_data["note"],
                    )
                ]
        except ValidationError as exc:
            apply_errors(form, exc, {"starts_at": "start", "ends_at": "end", "count": "weeks"})
        else:
            messages.success(
                request,
                _("Réservation enregistrée : %(u)s, le %(d)s de %(a)s à %(b)s.")
                % {
                    "u": _unit_label(unit),
                    "d": f"{timezone.localtime(start):%d/%m/%Y}",
                    "a": f"{timezone.localtime(start):%H:%M}",
                    "b": f"{timezone.localtime(end):%H:%M}",
                }
                + (_(" (%(n)s occurrences)") % {"n": len(made)} if len(made) > 1 else ""),
            )
            week = queries.week_start(timezone.localtime(start).date())
            return redirect(
                reverse("pooling:week", args=[access.pole.slug]) + f"?unit={unit.pk}&week={week}"
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "pooling/book.html", ctx(access, form=form), status=status)


@require_POST
@hub_page()
def cancel(request: HttpRequest, access: HubAccess, booking_id: int) -> HttpResponse:
    booking = queries.bookings(request.user, access.pole).filter(pk=booking_id).first()
    if booking is None:
        raise Http404(_("Ce pôle n’a pas de réservation n° %(i)s.") % {"i": booking_id})
    try:
        count = services.cancel_booking(
            request.user, booking=booking, whole_series=request.POST.get("series") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s réservation(s) annulée(s).") % {"n": count})
    week = queries.week_start(timezone.localtime(booking.starts_at).date())
    return redirect(
        reverse("pooling:week", args=[access.pole.slug]) + f"?unit={booking.unit_id}&week={week}"
    )


# ------------------------------------------------------------------------------ calendars


def _pick_unit(request: HttpRequest, units: list[Unit]) -> Unit | None:
    wanted = request.GET.get("unit", "")
    for unit in units:
        if str(unit.pk) == wanted:
            return unit
    return units[0] if units else None


# Calendars stay inside these years: the previous and next links never leave the range
# of dates Python can represent (no 500 on ?week=9999-12-31).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9000, 12, 31)


def _parse_day(text: str | None, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(text or "")
    except ValueError:
        return default
    return day if FIRST_DAY <= day <= LAST_DAY else default


def _parse_month(text: str | None, default: dt.date) -> dt.date:
    try:
        year, number = (int(p) for p in (text or "").split("-"))
        first = dt.date(year, number, 1)
    except ValueError:
        return default
    return first if FIRST_DAY <= first <= LAST_DAY else default


@require_safe
@hub_page()
def week(request: HttpRequest, access: HubAccess) -> HttpResponse:
    units = _live_units(request, access)
    unit = _pick_unit(request, units)
    today = timezone.localdate()
    first = queries.week_start(_parse_day(request.GET.get("week"), today))
    days = [first + dt.timedelta(days=i) for i in range(7)]
    rows: list[dict[str, Any]] = []
    if unit is not None:
        start, end = queries.local_range(days[0], days[-1])
        bookings = list(
            queries.bookings(request.user, access.pole, start=start, end=end).filter(unit=unit)
        )
        rules = services.rules_of(unit.resource)
        hours_only = booking_rules.Rules(opening=rules.opening, closed_days=rules.closed_days)
        spans = [
            (
                timezone.localtime(b.starts_at).replace(tzinfo=None),
                timezone.localtime(b.ends_at).replace(tzinfo=None),
                b,
            )
            for b in bookings
        ]
        for hour in HOURS:
            cells = []
            for day in days:
                slot_start = dt.datetime.combine(day, dt.time(hour))
                slot_end = slot_start + dt.timedelta(hours=1)
                taken = [b for s, e, b in spans if s < slot_end and slot_start < e]
                first_hour = [b for s, _e, b in spans if slot_start <= s < slot_end]
                cells.append(
                    {
                        "day": day,
                        "taken": taken,
                        "starts": first_hour,
                        "mine": any(b.organisation_id in access.organisation_ids for b in taken),
                        "past": slot_start < timezone.localtime().replace(tzinfo=None),
                        "closed": bool(
                            booking_rules.check(
                                slot_start, slot_end, hours_only, now=dt.datetime.min
                            )
                        ),
                    }
                )
            rows.append({"hour": hour, "end": hour + 1, "cells": cells})
    context = ctx(
        access,
        units=units,
        unit=unit,
        unit_label=_unit_label(unit) if unit else "",
        days=days,
        rows=rows,
        previous=first - dt.timedelta(days=7),
        next=first + dt.timedelta(days=7),
        today=today,
        can_book=access.is_member and bool(acting_organisations(access)),
        shows_who=shows_who(access),
    )
    template = "pooling/_week.html" if request.htmx else "pooling/week.html"
    return render(request, template, context)


@require_safe
@hub_page()
def month(request: HttpRequest, access: HubAccess) -> HttpResponse:
    units = _live_units(request, access)
    unit = _pick_unit(request, units)
    today = timezone.localdate()
    first = _parse_month(request.GET.get("month"), today.replace(day=1))
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    grid_start = queries.week_start(first)
    grid_end = queries.week_start(last) + dt.timedelta(days=6)
    by_day: dict[dt.date, list[Any]] = {}
    if unit is not None:
        start, end = queries.local_range(grid_start, grid_end)
        for booking in queries.bookings(request.user, access.pole, start=start, end=end).filter(
            unit=unit
        ):
            by_day.setdefault(timezone.localtime(booking.starts_at).date(), []).append(booking)
    weeks = []
    day = grid_start
    while day <= grid_end:
        weeks.append(
            [
                {"day": d, "in_month": d.month == first.month, "bookings": by_day.get(d, [])}
                for d in (day + dt.timedelta(days=i) for i in range(7))
            ]
        )
        day += dt.timedelta(days=7)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    context = ctx(
        access,
        units=units,
        unit=unit,
        unit_label=_unit_label(unit) if unit else "",
        first=first,
        weeks=weeks,
        previous=f"{previous:%Y-%m}",
        next=f"{last + dt.timedelta(days=1):%Y-%m}",
        today=today,
        shows_who=shows_who(access),
    )
    template = "pooling/_month.html" if request.htmx else "pooling/month.html"
    return render(request, template, context)


# ---------------------------------------------------------------------------------- usage


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page()
def usage(request: HttpRequest, access: HubAccess) -> HttpResponse:
    resources = [
        r for r in queries.resources(request.user, access.pole) if r.status == ResourceStatus.ACTIVE
    ]
    organisations = acting_organisations(access)
    form = UsageForm(
        request.POST or None,
        resources=resources,
        organisations=organisations,
        initial={"day": timezone.localdate()},
    )
    if request.method == "POST":
        if not access.is_member:
            raise PermissionDenied(_("Seuls les membres déclarent une utilisation."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_usage(
                    request.user,
                    resource=next(r for r in resources if r.pk == data["resource"]),
                    organisation=next(o for o in organisations if o.pk == data["organisation"]),
                    day=data["day"],
                    used_hours=data["used_hours"] or 0,
                    km=data["km"] or 0,
                    units=data["units"] or 0,
                    adjustment=data["adjustment"],
                    reason=data["reason"],
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    form.add_error(None, str(exc))
                else:
                    apply_errors(form, exc)
            else:
                messages.success(request, _("Utilisation enregistrée."))
                return redirect("pooling:usage", access.pole.slug)
    rows = Usage.objects.filter(resource__pole=access.pole).select_related(
        "resource", "organisation"
    )
    if not access.manages:
        rows = rows.filter(organisation_id__in=access.organisation_ids)
    context = ctx(access, form=form, usages=list(rows.order_by("-day", "-id")[:100]))
    return render(
        request, "pooling/usage.html", context, status=400 if request.method == "POST" else 200
    )


# ---------------------------------------------------------------------------------- feeds


@require_POST
@hub_page()
def feed_create(request: HttpRequest, access: HubAccess) -> HttpResponse:
    resource_id = request.POST.get("resource")
    organisation_id = request.POST.get("organisation")
    try:
        if resource_id:
            item = get_resource(request, access, int(resource_id))
            services.create_feed_token(request.user, pole=access.pole, resource=item)
            target = reverse("pooling:resource", args=[access.pole.slug, item.pk])
        else:
            organisation = Organisation.objects.filter(
                pk=int(organisation_id or 0),
                pk__in=services.hub_organisation_ids(access.pole),
            ).first()
            if organisation is None:
                raise Http404(_("Organisation inconnue."))
            services.create_feed_token(request.user, pole=access.pole, organisation=organisation)
            target = reverse("pooling:index", args=[access.pole.slug])
    except (ValueError, OverflowError) as exc:
        raise Http404(_("Flux inconnu.")) from exc
    messages.success(
        request, _("Adresse du flux iCal créée ; l’ancienne, s’il y en avait une, ne marche plus.")
    )
    return redirect(target)


@require_POST
@hub_page()
def feed_revoke(request: HttpRequest, access: HubAccess, token_id: int) -> HttpResponse:
    token = FeedToken.objects.filter(pk=token_id, pole=access.pole, revoked_at__isnull=True).first()
    if token is None:
        raise Http404(_("Flux inconnu."))
    services.revoke_feed_token(request.user, token=token)
    messages.success(request, _("Flux révoqué : son adresse ne marche plus."))
    return redirect("pooling:index", access.pole.slug)


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCal feed at a secret address (no sign-in: calendar apps cannot sign in)."""
    item = (
        FeedToken.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("resource", "organisation", "pole", "created_by")
        .first()
    )
    if item is None or not services.feed_is_live(item):
        raise Http404(_("Flux inconnu ou révoqué."))
    start = timezone.now() - dt.timedelta(days=90)
    rows = Booking.objects.filter(
        unit__resource__pole=item.pole, status="confirmed", ends_at__gt=start
    ).select_related("unit", "organisation")
    if item.resource_id:
        rows = rows.filter(unit__resource_id=item.resource_id)
        name = f"{item.resource.name} — {item.pole.name}" if item.resource else ""
    else:
        rows = rows.filter(organisation_id=item.organisation_id)
        name = f"{item.organisation.name} — {item.pole.name}" if item.organisation else ""
    body = exports.ical(
        name,
        rows.order_by("starts_at")[:5000],
        request.get_host().split(":")[0],
        shows_who=services.feed_shows_who(item),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reservations.ics"'
    return response
