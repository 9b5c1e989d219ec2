"""Template filters of pooling: amounts in cents shown in euros."""

from django import template

from ptce.core import i18n

register = template.Library()


@register.filter
def euros(cents: int | str | None) -> str:
    """12345 -> "123,45 €" ("€123.45" in English)."""
    return "—" if cents in (None, "") else i18n.euros(int(cents), True, narrow=True)


@register.filter
def weekday(number: int) -> str:
    """0 -> "lundi"."""
    from ptce.pooling.booking_rules import WEEKDAYS

    return WEEKDAYS[int(number) % 7]
