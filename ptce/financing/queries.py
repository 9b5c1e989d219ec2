"""Reads for pages and the API: indicators from the database in a bounded number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet, Sum

from ptce.financing import indicators
from ptce.financing.models import Campaign, CampaignState, Subscription
from ptce.territories.models import Commune


def _tickets(rows: Iterable[tuple[Any, ...]]) -> list[indicators.Ticket]:
    return [
        indicators.Ticket(
            investor=ref,
            amount_cents=int(amount if allotted is None else allotted),
            is_local=bool(local),
            commune=commune or "",
        )
        for ref, amount, allotted, local, commune in rows
    ]


_COLUMNS = ("investor_ref", "amount_cents", "allotted_cents", "is_local", "commune_id")


def campaign_figures(campaign: Campaign) -> indicators.Figures:
    """Amount raised, investors, local share, median ticket, communes: one query."""
    rows = Subscription.objects.filter(campaign=campaign).live().values_list(*_COLUMNS)
    return indicators.figures(_tickets(rows))


def figures_by_campaign(campaigns: Iterable[Campaign]) -> dict[int, indicators.Figures]:
    """The figures of many campaigns: one query."""
    ids = [c.pk for c in campaigns]
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    rows = (
        Subscription.objects.filter(campaign_id__in=ids)
        .live()
        .values_list("campaign_id", *_COLUMNS)
    )
    for campaign_id, *rest in rows:
        grouped[campaign_id].append(tuple(rest))
    return {pk: indicators.figures(_tickets(grouped.get(pk, []))) for pk in ids}


def pole_figures(pole: Any) -> indicators.Figures:
    """Every campaign of a hub together (an investor in two campaigns counts once)."""
    rows = Subscription.objects.of_pole(pole).live().values_list(*_COLUMNS)
    return indicators.figures(_tickets(rows))


def map_points(figures: indicators.Figures) -> list[dict[str, Any]]:
    """Investors by commune with the commune's centroid, for the map (one query)."""
    codes = [c.commune for c in figures.communes]
    places = {
        code: (nom, lat, lon)
        for code, nom, lat, lon in Commune.objects.filter(pk__in=codes).values_list(
            "code_insee", "nom", "lat", "lon"
        )
    }
    points = []
    for c in figures.communes:
        if c.commune not in places:
            continue
        nom, lat, lon = places[c.commune]
        points.append(
            {
                "code_insee": c.commune,
                "nom": nom,
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "investors": c.investors,
                "amount_cents": c.amount_cents,
                "local": c.is_local,
            }
        )
    return points


def project_campaigns(project: Any, user: Any) -> list[tuple[Campaign, indicators.Figures]]:
    """The campaigns of a project the visitor may see, with their figures (two queries)."""
    campaigns = list(
        Campaign.objects.visible_to(user)
        .filter(project=project)
        .select_related("pole")
        .order_by("-opens_at")
    )
    figures = figures_by_campaign(campaigns)
    return [(c, figures[c.pk]) for c in campaigns]


def project_financing(project: Any, user: Any) -> dict[str, Any]:
    """What a project's campaigns raised, its local part and the part of the project's budget
    financed locally (four queries)."""
    rows = project_campaigns(project, user)
    budget = int(project.budget_lines.aggregate(t=Sum("amount_cents"))["t"] or 0)
    if not budget:
        budget = int(project.funding_lines.aggregate(t=Sum("planned_cents"))["t"] or 0)
    counted = [fig for c, fig in rows if c.state != CampaignState.FAILED]
    raised = sum(fig.raised_cents for fig in counted)
    local = sum(fig.local_cents for fig in counted)
    return {
        "rows": rows,
        "raised_cents": raised,
        "local_cents": local,
        "budget_cents": budget,
        "local_part": indicators.local_part(local, budget),
    }


def register(campaign: Campaign) -> QuerySet[Subscription]:
    """The investor register, in subscription order."""
    return (
        Subscription.objects.filter(campaign=campaign)
        .select_related("commune")
        .order_by("created_at", "id")
    )
