"""Checks shared by the projects services: permissions, and cleaning of text, dates, amounts
and choices into a dict of French errors keyed by field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from ptce.core.models import User
from ptce.poles.models import Pole
from ptce.projects import access
from ptce.projects.models import Project


def require_manager(acting_user: User | None, pole: Pole) -> None:
    if acting_user is not None and not access.can_create(acting_user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut faire cela."))


def require_editor(acting_user: User | None, project: Project) -> None:
    if acting_user is not None and not access.can_edit(acting_user, project):
        raise PermissionDenied(
            _("Seuls la coordination du pôle et le porteur du projet peuvent le modifier.")
        )


def text(
    cleaned: dict[str, Any],
    errors: dict[str, str],
    field: str,
    label: str,
    *,
    minimum: int = 0,
    maximum: int | None = None,
) -> None:
    if field not in cleaned:
        return
    value = (cleaned[field] or "").strip()
    cleaned[field] = value
    if len(value) < minimum:
        errors[field] = _("%(label)s compte au moins %(n)s caractères.") % {
            "label": label,
            "n": minimum,
        }
    elif maximum is not None and len(value) > maximum:
        errors[field] = _("%(label)s compte au plus %(n)s caractères.") % {
            "label": label,
            "n": maximum,
        }


def day(cleaned: dict[str, Any], errors: dict[str, str], field: str) -> None:
    value = cleaned.get(field)
    if value in (None, ""):
        if field in cleaned:
            cleaned[field] = None
        return
    if isinstance(value, dt.date):
        return
    try:
        cleaned[field] = dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Date attendue au format AAAA-MM-JJ.")


def cents(
    cleaned: dict[str, Any], errors: dict[str, str], field: str, label: str, *, positive: bool
) -> None:
    if field not in cleaned:
        return
    value = cleaned[field]
    if value is None or value == "":
        errors[field] = _("%(label)s : indiquez un montant.") % {"label": label}
        return
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors[field] = _("%(label)s : montant en centimes entier attendu.") % {"label": label}
            return
    cleaned[field] = value
    if value < 0 or (positive and value == 0):
        errors[field] = (
            _("%(label)s doit être supérieur à zéro.")
            if positive
            else _("%(label)s ne peut être négatif.")
        ) % {"label": label}
    elif value > 10**13:
        errors[field] = _("%(label)s est trop élevé.") % {"label": label}


def choice(
    cleaned: dict[str, Any], errors: dict[str, str], field: str, allowed: Sequence[str], label: str
) -> None:
    if field in cleaned and cleaned[field] not in allowed:
        errors[field] = _("%(label)s inconnu(e) : %(v)s.") % {"label": label, "v": cleaned[field]}


def raise_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def apply(obj: models.Model, cleaned: dict[str, Any]) -> None:
    for key, value in cleaned.items():
        setattr(obj, key, value)
