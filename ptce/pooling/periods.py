"""Accounting periods of a hub's pooling (month, quarter, year): opening them, the lock
that writes take on a period row, the rule that a closed period no longer changes, and the
totals observers read. Closing a period is in `statements` (it computes them one last
time)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.poles.models import Pole
from ptce.pooling.models import (
    Adjustment,
    Cost,
    Period,
    PeriodKind,
)
from ptce.pooling.resources import require_manager


def period_end(kind: str, starts_on: dt.date) -> dt.date:
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[PeriodKind(kind)]
    month = starts_on.month - 1 + months
    first_after = dt.date(starts_on.year + month // 12, month % 12 + 1, 1)
    return first_after - dt.timedelta(days=1)


def open_period(acting_user: User | None, *, pole: Pole, kind: str, starts_on: dt.date) -> Period:
    """A month, quarter or year starting on its first day."""
    require_manager(acting_user, pole)
    errors: dict[str, str] = {}
    if kind not in PeriodKind.values:
        errors["kind"] = _("Type de période inconnu : %(v)s.") % {"v": kind}
    elif starts_on.day != 1 or (
        (kind == PeriodKind.QUARTER and starts_on.month not in (1, 4, 7, 10))
        or (kind == PeriodKind.YEAR and starts_on.month != 1)
    ):
        errors["starts_on"] = _(
            "Une période commence le premier jour d’un mois, d’un trimestre ou d’une année."
        )
    elif Period.objects.filter(pole=pole, kind=kind, starts_on=starts_on).exists():
        errors["starts_on"] = _("Cette période existe déjà.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        period = Period.objects.create(
            pole=pole, kind=kind, starts_on=starts_on, ends_on=period_end(kind, starts_on)
        )
        audit.record(
            acting_user, verb="pooling.open_period", obj=period, action=AuditEntry.Action.CREATE
        )
    return period


def locked(period: Period) -> Period:
    """The period row, locked until the end of the transaction (closing waits for writes
    in progress, and they see a close that happened meanwhile)."""
    return Period.objects.select_for_update().select_related("pole").get(pk=period.pk)


def require_open(period: Period, field: str = "period") -> None:
    if period.closed:
        raise ValidationError(
            {
                field: _(
                    "La période %(p)s est clôturée : elle ne peut plus changer ; "
                    "corrigez par une régularisation."
                )
                % {"p": period.label}
            }
        )


def period_totals(period: Period) -> dict[str, Any]:
    """What observers read: the cost per resource and the total shared (no member detail)."""
    rows = (
        Cost.objects.filter(period=period)
        .values("resource__name")
        .annotate(total=Sum("amount_cents"))
        .order_by("resource__name")
    )
    adjustments = (
        Adjustment.objects.filter(period=period).aggregate(t=Sum("amount_cents"))["t"] or 0
    )
    by_resource = [(row["resource__name"], int(row["total"])) for row in rows]
    return {
        "resources": by_resource,
        "total_cents": sum(t for _, t in by_resource),
        "adjustments_cents": int(adjustments),
    }
