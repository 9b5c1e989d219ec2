"""Reads on cooperation for pages, API and exports: proposal counts, the graph of a hub or
of several hubs as the viewer may see it, with its figures (`ptce.cooperation.graph`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext

from ptce.cooperation import graph
from ptce.cooperation.models import CooperationLink, LinkType, Proposal, ProposalStatus
from ptce.poles.models import Membership, Pole


def proposal_counts(pole: Pole) -> dict[str, int]:
    """Proposals made, accepted, declined and realised on the hub (one query)."""
    found = Proposal.objects.filter(pole=pole).aggregate(
        made=Count("id"),
        accepted=Count(
            "id", filter=Q(status__in=[ProposalStatus.ACCEPTED, ProposalStatus.REALISED])
        ),
        declined=Count("id", filter=Q(status=ProposalStatus.DECLINED)),
        realised=Count("id", filter=Q(status=ProposalStatus.REALISED)),
        open=Count("id", filter=Q(status=ProposalStatus.PROPOSED, current=True)),
    )
    return {key: int(value or 0) for key, value in found.items()}


def graph_parts(
    pole: Pole,
    user: Any,
    *,
    types: Iterable[str] | None = None,
    year: int | None = None,
) -> tuple[list[graph.Node], list[graph.Link]]:
    """Nodes (members, current or past, that the viewer may see) and links visible to the
    viewer; filtered by link type and by year of activity (two queries)."""
    memberships = (
        Membership.objects.filter(pole=pole)
        .visible_to(user, pole)
        .with_actor_type()
        .values_list("organisation_id", "organisation__name", "effective_actor_type")
    )
    nodes: dict[int, graph.Node] = {}
    for org, name, actor_type in memberships:
        nodes.setdefault(org, graph.Node(org, name, graph.actor_group(actor_type)))
    links_qs = CooperationLink.objects.visible_to(user, pole)
    wanted = [t for t in (types or []) if t in LinkType.values]
    if wanted:
        links_qs = links_qs.filter(type__in=wanted)
    if year is not None:
        links_qs = links_qs.filter(start_on__lte=dt.date(year, 12, 31)).filter(
            Q(end_on__isnull=True) | Q(end_on__gte=dt.date(year, 1, 1))
        )
    links = [
        graph.Link(
            id=pk,
            source=a,
            target=b,
            type=kind,
            directed=directed,
            start_year=start.year,
            end_year=end.year if end else None,
        )
        for pk, a, b, kind, directed, start, end in links_qs.order_by("id").values_list(
            "id",
            "from_organisation_id",
            "to_organisation_id",
            "type",
            "directed",
            "start_on",
            "end_on",
        )
        if a in nodes and b in nodes
    ]
    return sorted(nodes.values(), key=lambda n: n.id), links


def metrics_dict(found: graph.Metrics, nodes: Sequence[graph.Node]) -> dict[str, Any]:
    data = asdict(found)
    labels = {n.id: n.label for n in nodes}
    data["broker_names"] = [labels[b] for b in found.brokers]
    data["isolated_names"] = [labels[i] for i in found.isolated]
    data["degree"] = {str(k): v for k, v in found.degree.items()}
    data["betweenness"] = {str(k): v for k, v in found.betweenness.items()}
    return data


def graph_payload(
    pole: Pole,
    user: Any,
    *,
    types: Iterable[str] | None = None,
    year: int | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The JSON the graph page and the API give: nodes, links, metrics and by-year figures."""
    nodes, links = graph_parts(pole, user, types=types, year=year)
    return _payload(nodes, links, today)


def _payload(
    nodes: Sequence[graph.Node], links: Sequence[graph.Link], today: dt.date | None
) -> dict[str, Any]:
    current_year = (today or dt.date.today()).year
    found = graph.metrics(nodes, links)
    all_years = graph.years_of(links, until=current_year)
    yearly = graph.by_year(nodes, links, all_years)
    type_labels = dict(LinkType.choices)
    return {
        "nodes": [
            {
                "id": n.id,
                "label": n.label,
                "group": n.group,
                "group_label": gettext(graph.ACTOR_GROUPS[n.group]),
                "degree": found.degree.get(n.id, 0),
                "betweenness": found.betweenness.get(n.id, 0.0),
            }
            for n in nodes
        ],
        "links": [
            {
                "id": lk.id,
                "source": lk.source,
                "target": lk.target,
                "type": lk.type,
                "type_label": str(type_labels.get(lk.type, lk.type)),
                "directed": lk.directed,
                "start_year": lk.start_year,
                "end_year": lk.end_year,
            }
            for lk in links
        ],
        "metrics": metrics_dict(found, nodes),
        "years": [
            {
                "year": y,
                "links": m.links,
                "density": m.density,
                "components": len(m.components),
                "isolated": len(m.isolated),
                "crossing_share": m.crossing_share,
            }
            for y, m in yearly.items()
        ],
        "types": [{"code": c, "label": str(label)} for c, label in LinkType.choices],
    }


def network_payload(
    poles: Sequence[Pole],
    user: Any,
    *,
    types: Iterable[str] | None = None,
    year: int | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The network of several hubs (each as the viewer may see it): the same figures as a
    hub's graph, and for each hub its organisations and links (two queries a hub)."""
    parts = {p.slug: graph_parts(p, user, types=types, year=year) for p in poles}
    nodes, links = graph.merge(parts)
    names = {p.slug: p.name for p in poles}
    return {
        "hubs": sorted(parts),
        "hub_rows": [
            {"slug": s, "name": names[s], "nodes": len(parts[s][0]), "links": len(parts[s][1])}
            for s in sorted(parts, key=lambda s: (names[s], s))
        ],
        **_payload(nodes, links, today),
    }


__all__ = [
    "graph_parts",
    "graph_payload",
    "network_payload",
    "proposal_counts",
]
