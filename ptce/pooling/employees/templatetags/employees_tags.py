"""Template filters of the shared-employees pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ptce.core import i18n

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    """`123456` -> `1 234,56 €` (narrow no-break spaces between thousands; "€1,234.56" in
    English)."""
    if cents is None:
        return "—"
    return i18n.euros(int(cents), True, narrow=True, minus="−")


@register.filter
def hours(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    return i18n.with_unit(i18n.number(Decimal(value), 2, narrow=True), "h")


@register.filter
def percent(rate: Decimal | None) -> str:
    if rate is None:
        return "—"
    return i18n.percent(Decimal(rate), None, narrow=True)


LEVEL_BADGES = {"ok": "badge--ok", "warning": "badge--warning", "error": "badge--not_met"}


@register.filter
def level_badge(level: str) -> str:
    return LEVEL_BADGES.get(level, "")
