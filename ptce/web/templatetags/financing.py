"""Template helpers of financing: euro amounts, shares, and a project's campaigns (used by the
projects pages through `projects/_campaigns_slot.html`, so their views need no change)."""

from __future__ import annotations

from typing import Any

from django import template

from ptce.core import i18n
from ptce.financing import queries
from ptce.financing.indicators import Figures

register = template.Library()


@register.filter
def euros(cents: Any, decimals: str = "") -> str:
    """`{{ 123456|euros }}` -> "1 234,56 €" ("€1,234.56" in English); `{{ x|euros:"0" }}`
    drops the cents."""
    if cents in (None, ""):
        return ""
    show: bool | None = None if decimals == "" else decimals not in {"0", "false"}
    return i18n.euros(int(cents), show)


@register.filter
def percent(share: Any) -> str:
    """A fraction in [0, 1] as a percentage: 0.734 -> "73,4 %" ("73.4%" in English)."""
    try:
        value = float(share)
    except (TypeError, ValueError):
        return ""
    return i18n.percent(value)


@register.filter
def progress_width(raised: Any, target: Any) -> int:
    """Percentage of the target (0-100) for a progress bar's width class."""
    try:
        ratio = int(raised) * 100 // max(int(target), 1)
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, ratio))


@register.simple_tag(takes_context=True)
def project_campaigns(context: template.Context, project: Any) -> list[tuple[Any, Figures]]:
    """The campaigns of `project` the visitor may see, with their figures (two queries)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or project is None:
        return []
    return queries.project_campaigns(project, user)


@register.simple_tag(takes_context=True)
def project_financing(context: template.Context, project: Any) -> dict[str, Any]:
    """The campaigns of `project` with their figures, what they raised and the part of the
    project's budget financed locally (`local_part`)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or project is None:
        return {"rows": []}
    return queries.project_financing(project, user)
