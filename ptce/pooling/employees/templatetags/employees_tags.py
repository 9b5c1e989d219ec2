"""Template filters of the shared-employees pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    """`123456` -> `1 234,56 €` (narrow no-break spaces between thousands)."""
    if cents is None:
        return "—"
    sign = "−" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{units:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"


@register.filter
def hours(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):.2f}".replace(".", ",") + "\u00a0h"


@register.filter
def percent(rate: Decimal | None) -> str:
    if rate is None:
        return "—"
    return f"{(Decimal(rate) * 100).normalize():f}".replace(".", ",") + "\u00a0%"


LEVEL_BADGES = {"ok": "badge--ok", "warning": "badge--warning", "error": "badge--not_met"}


@register.filter
def level_badge(level: str) -> str:
    return LEVEL_BADGES.get(level, "")
