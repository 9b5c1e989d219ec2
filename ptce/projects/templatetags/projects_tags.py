"""Template filters of projects: amounts in cents shown in euros, shares as percentages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from ptce.core import i18n

register = template.Library()


@register.filter
def project_euros(cents: Any) -> str:
    """123456 -> "1 234,56 €"; whole amounts without cents: 1800000 -> "18 000 €" ("€18,000"
    in English)."""
    if cents in (None, ""):
        return "—"
    return i18n.euros(int(cents), narrow=True)


@register.filter
def project_percent(share: Any) -> str:
    """0.734 -> "73 %" (a fraction in [0, 1]; "73%" in English)."""
    try:
        figure = round(float(share) * 100)
    except (TypeError, ValueError):
        return "—"
    return i18n.percent(Decimal(figure) / 100, 0)


@register.simple_tag
def public_projects(pole: Any) -> list[Any]:
    """The public projects of a public hub, for its observatory page (one query)."""
    from ptce.core.choices import Visibility
    from ptce.projects.models import Project

    if pole is None or getattr(pole, "visibility", None) != Visibility.PUBLIC:
        return []
    return list(Project.objects.public().filter(pole=pole).select_related("lead_organisation")[:50])
