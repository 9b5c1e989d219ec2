"""Small template helpers of the pages."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A duration in whole minutes (rounded up): `{{ cooloff_timedelta|minutes }}`."""
    if not isinstance(value, dt.timedelta):
        return 0
    seconds = value.total_seconds()
    return int(-(-seconds // 60))
