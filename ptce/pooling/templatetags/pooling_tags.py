"""Template filters of pooling: amounts in cents shown in euros."""

from django import template

from ptce.pooling.accounting import euros as format_euros

register = template.Library()


@register.filter
def euros(cents: int | str | None) -> str:
    """12345 -> "123,45 €"."""
    return "—" if cents in (None, "") else format_euros(int(cents))  # type: ignore[arg-type]


@register.filter
def weekday(number: int) -> str:
    """0 -> "lundi"."""
    from ptce.pooling.booking_rules import WEEKDAYS

    return WEEKDAYS[int(number) % 7]
