"""Reads for pages and the API: indicators from the database in a bounded number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from ptce.core.i18n import translate
from ptce.financing import indicators
from ptce.financing.models import Campaign, CampaignState, Subscription
from ptce.poles import permissions
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


def other_communes_label(departement: str, departement_nom: str, threshold: int) -> str:
    """The public name of a bucket of other communes."""
    if departement:
        return _("Autres communes, département %(dep)s (moins de %(n)s souscripteurs chacune)") % {
            "dep": f"{departement_nom} ({departement})" if departement_nom else departement,
            "n": threshold,
        }
    return _("Autres communes (moins de %(n)s souscripteurs chacune)") % {"n": threshold}


def public_communes(figures: indicators.Figures) -> dict[str, Any]:
    """What may be published per commune (statistical disclosure, `indicators.disclose`):
    the communes shown, with their centroid for the map, and the buckets of the others, with a
    label. Together they add up to the campaign's totals. Also the campaign-wide figures that
    may be published (`indicators.publishable`: local figures and median withheld when they
    would single out one or two persons), under "figures". One query."""
    codes = [c.commune for c in figures.communes if c.commune]
    places = {
        code: (nom, lat, lon, dep, dep_nom)
        for code, nom, lat, lon, dep, dep_nom in Commune.objects.filter(pk__in=codes).values_list(
            "code_insee", "nom", "lat", "lon", "departement_id", "departement__nom"
        )
    }
    disclosed = indicators.disclose(
        figures.communes, departements={code: p[3] for code, p in places.items()}
    )
    dep_names = {p[3]: p[4] for p in places.values()}
    points = []
    for c in disclosed.shown:
        nom, lat, lon, _dep, _dep_nom = places[c.commune]
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
    others = [
        {
            "departement": b.departement or None,
            "label": other_communes_label(
                b.departement, dep_names.get(b.departement, ""), disclosed.threshold
            ),
            "investors": b.investors,
            "amount_cents": b.amount_cents,
            "local": b.is_local,
        }
        for b in disclosed.others
    ]
    return {
        "points": points,
        "others": others,
        "threshold": disclosed.threshold,
        "figures": indicators.publishable(figures, disclosed),
    }


def withheld_reasons(public: indicators.PublicFigures) -> dict[str, str]:
    """Per withheld figure, the sentence saying why, in the active language."""
    return {name: translate(public.reason(name) or "") for name in public.withheld}


def map_points(figures: indicators.Figures) -> list[dict[str, Any]]:
    """The communes that may be shown on the public map, with their centroid (one query)."""
    points: list[dict[str, Any]] = public_communes(figures)["points"]
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
    financed locally (four queries, five for a visitor who does not coordinate the hub).

    The hub's coordination sees the exact figures; anyone else what may be published
    (`indicators.publishable`): a campaign's local share, and the project's local amount and
    part, are None (with `withheld`, the sentence saying why) when they would single out one
    or two investors. Rows are (campaign, figures) pairs either way."""
    rows: list[tuple[Campaign, Any]] = list(project_campaigns(project, user))
    budget = int(project.budget_lines.aggregate(t=Sum("amount_cents"))["t"] or 0)
    if not budget:
        budget = int(project.funding_lines.aggregate(t=Sum("planned_cents"))["t"] or 0)
    withheld = ""
    if rows and not permissions.can_manage_pole(user, rows[0][0].pole):
        codes = {cell.commune for _c, fig in rows for cell in fig.communes if cell.commune}
        deps = dict(
            Commune.objects.filter(pk__in=codes).values_list("code_insee", "departement_id")
        )
        rows = [
            (c, indicators.publishable(fig, indicators.disclose(fig.communes, departements=deps)))
            for c, fig in rows
        ]
        reasons = [
            fig.reason("local_cents")
            for c, fig in rows
            if c.state != CampaignState.FAILED and fig.local_cents is None
        ]
        withheld = translate(reasons[0]) if reasons and reasons[0] else ""
    counted = [fig for c, fig in rows if c.state != CampaignState.FAILED]
    raised = sum(fig.raised_cents for fig in counted)
    if withheld:
        return {
            "rows": rows,
            "raised_cents": raised,
            "local_cents": None,
            "budget_cents": budget,
            "local_part": None,
            "withheld": withheld,
        }
    local = sum(fig.local_cents or 0 for fig in counted)
    return {
        "rows": rows,
        "raised_cents": raised,
        "local_cents": local,
        "budget_cents": budget,
        "local_part": indicators.local_part(local, budget),
        "withheld": "",
    }


def register(campaign: Campaign) -> QuerySet[Subscription]:
    """The investor register, in subscription order."""
    return (
        Subscription.objects.filter(campaign=campaign)
        .select_related("commune")
        .order_by("created_at", "id")
    )
