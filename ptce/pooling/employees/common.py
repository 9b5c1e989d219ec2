"""Validation helpers shared by the services of a GE (`services`, `months`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ptce.actors.models import ActorType, Organisation
from ptce.core.models import User
from ptce.poles import permissions
from ptce.poles.models import Pole
from ptce.pooling.employees import rules


def require_manager(acting_user: User | None, pole: Pole) -> None:
    if acting_user is not None and not permissions.can_manage_pole(acting_user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut faire cela."))


def decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(label)s : « %(v)s » n'est pas un nombre.") % {"label": label, "v": value}}
        ) from None
    if not number.is_finite():
        raise ValidationError({field: _("%(label)s : nombre invalide.") % {"label": label}})
    return number


def parse_day(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            {field: _("Date invalide : « %(v)s » (attendu AAAA-MM-JJ).") % {"v": value}}
        ) from None


def parse_month(value: Any, field: str = "month") -> dt.date:
    """The first day of a month given as a date or "AAAA-MM"."""
    if isinstance(value, str) and len(value.strip()) == 7:
        value = value.strip() + "-01"
    return rules.month_start(parse_day(value, field))


def is_local_authority(pole: Pole, organisation: Organisation) -> bool:
    """Whether the organisation is a local authority: the type declared on its hub
    membership, else the type classified from its register data."""
    membership = (
        pole.memberships.current().with_actor_type().filter(organisation=organisation).first()
    )
    kind = membership.effective_actor_type if membership else organisation.actor_type
    return bool(kind == ActorType.LOCAL_AUTHORITY)
