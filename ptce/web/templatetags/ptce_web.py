"""Small template helpers of the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.forms import BoundField

from ptce.core import i18n

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A duration in whole minutes (rounded up): `{{ cooloff_timedelta|minutes }}`."""
    if not isinstance(value, dt.timedelta):
        return 0
    seconds = value.total_seconds()
    return int(-(-seconds // 60))


@register.filter
def percent_points(value: Any) -> str:
    """A figure already in percent (a college's weight), at most 2 decimals, trailing zeros
    dropped: `Decimal("33.33")` -> "33,33 %" in French, "33.33%" in English; "50" -> "50 %"."""
    try:
        points = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return i18n.percent(points / 100, None)


@register.simple_tag
def field_widget(field: BoundField) -> str:
    """The field's widget, described by its help text and its errors (when present)."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
    attrs = {"aria-describedby": " ".join(described_by)} if described_by else None
    return field.as_widget(attrs=attrs)
