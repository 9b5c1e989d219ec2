"""The cooperation graph of a hub, or of several hubs (a network), and its figures.

Pure module (no Django import), over networkx. Nodes are organisations (with their actor
group: ESS, other enterprises, public bodies, other), links the cooperation links between
them (type, direction, years of activity). The figures are computed on the simple
undirected graph (two organisations linked at least once are neighbours):

* density (links present / links possible), degree of each node;
* betweenness centrality (normalised): the brokers are the nodes with the highest one;
* connected components and isolated members (no link at all);
* communities: Louvain method with a fixed seed (`SEED`), on nodes and edges added in
  sorted order, so the same data gives the same communities;
* share of links crossing actor groups (both ends known and different), among links
  whose ends both have a known group;
* the same figures year by year (`by_year`): a link counts in a year when it is active
  on at least one day of it.

Every function gives the same result whatever the order of its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import networkx as nx

from ptce.core.text import gettext_noop

__all__ = [
    "ACTOR_GROUPS",
    "SEED",
    "Link",
    "Metrics",
    "Node",
    "active_in",
    "actor_group",
    "by_year",
    "merge",
    "metrics",
    "years_of",
]

SEED: Final = 7
DIGITS: Final = 6
BROKERS: Final = 5
ACTOR_GROUPS: Final[dict[str, str]] = {
    "ess": gettext_noop("Entreprises de l'ESS"),
    "enterprise": gettext_noop("Autres entreprises"),
    "public": gettext_noop("Organismes publics"),
    "other": gettext_noop("Autres"),
}
_PUBLIC: Final = frozenset({"local_authority", "research", "public_body", "training"})


def actor_group(actor_type: str | None) -> str:
    """`ess`, `enterprise`, `public` (authorities, research, training, other public bodies)
    or `other` for an actor type of `ptce.actors`."""
    if actor_type == "ess":
        return "ess"
    if actor_type == "enterprise":
        return "enterprise"
    if actor_type in _PUBLIC:
        return "public"
    return "other"


@dataclass(frozen=True, slots=True)
class Node:
    id: int
    label: str
    group: str = "other"


@dataclass(frozen=True, slots=True)
class Link:
    id: int
    source: int
    target: int
    type: str
    directed: bool = True
    start_year: int = 0
    end_year: int | None = None  # None: still active


@dataclass(frozen=True)
class Metrics:
    nodes: int
    links: int
    pairs: int  # distinct linked pairs (edges of the simple graph)
    density: float
    degree: dict[int, int]
    betweenness: dict[int, float]
    brokers: list[int]
    components: list[list[int]]
    isolated: list[int]
    communities: list[list[int]]
    crossing_links: int
    typed_links: int
    crossing_share: float | None
    links_by_type: dict[str, int] = field(default_factory=dict)


def active_in(link: Link, year: int) -> bool:
    return link.start_year <= year and (link.end_year is None or link.end_year >= year)


def years_of(links: Iterable[Link], *, until: int | None = None) -> list[int]:
    """Every year from the first link's start to the last year any link is known to be
    active (`until` for links still active, else their start)."""
    starts = [link.start_year for link in links]
    if not starts:
        return []
    ends = [
        link.end_year if link.end_year is not None else max(until or 0, link.start_year)
        for link in links
    ]
    return list(range(min(starts), max(ends) + 1))


def _sorted_groups(groups: Iterable[Iterable[int]]) -> list[list[int]]:
    return sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g))


def metrics(nodes: Sequence[Node], links: Sequence[Link]) -> Metrics:
    """The figures of a graph; links whose ends are not both nodes are ignored."""
    known = {node.id: node for node in nodes}
    kept = sorted(
        (
            lk
            for lk in links
            if lk.source in known and lk.target in known and lk.source != lk.target
        ),
        key=lambda lk: lk.id,
    )
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(sorted(known))
    graph.add_edges_from(
        sorted({(min(lk.source, lk.target), max(lk.source, lk.target)) for lk in kept})
    )
    n = graph.number_of_nodes()
    degree = {node: int(d) for node, d in sorted(graph.degree())}
    raw = nx.betweenness_centrality(graph, normalized=True) if n else {}
    betweenness = {node: round(float(raw[node]), DIGITS) for node in sorted(raw)}
    brokers = [
        node
        for node, value in sorted(betweenness.items(), key=lambda kv: (-kv[1], kv[0]))
        if value > 0
    ][:BROKERS]
    components = _sorted_groups(nx.connected_components(graph))
    isolated = sorted(node for node, d in degree.items() if d == 0)
    if graph.number_of_edges():
        communities = _sorted_groups(nx.community.louvain_communities(graph, seed=SEED))
    else:
        communities = [[node] for node in sorted(known)]
    typed = [
        lk for lk in kept if known[lk.source].group != "other" and known[lk.target].group != "other"
    ]
    crossing = sum(1 for lk in typed if known[lk.source].group != known[lk.target].group)
    by_type: dict[str, int] = {}
    for lk in kept:
        by_type[lk.type] = by_type.get(lk.type, 0) + 1
    return Metrics(
        nodes=n,
        links=len(kept),
        pairs=graph.number_of_edges(),
        density=round(float(nx.density(graph)), DIGITS) if n > 1 else 0.0,
        degree=degree,
        betweenness=betweenness,
        brokers=brokers,
        components=components,
        isolated=isolated,
        communities=communities,
        crossing_links=crossing,
        typed_links=len(typed),
        crossing_share=round(crossing / len(typed), DIGITS) if typed else None,
        links_by_type=dict(sorted(by_type.items())),
    )


def by_year(
    nodes: Sequence[Node], links: Sequence[Link], years: Iterable[int]
) -> dict[int, Metrics]:
    """`metrics` of the links active in each year (all nodes kept)."""
    return {
        year: metrics(nodes, [lk for lk in links if active_in(lk, year)])
        for year in sorted(set(years))
    }


def merge(
    hubs: Mapping[str, tuple[Sequence[Node], Sequence[Link]]],
) -> tuple[list[Node], list[Link]]:
    """The network of several hubs: an organisation member of several hubs is one node (its
    first label and group by hub name), links are all kept (their ids must be distinct)."""
    nodes: dict[int, Node] = {}
    links: dict[int, Link] = {}
    for name in sorted(hubs):
        hub_nodes, hub_links = hubs[name]
        for node in sorted(hub_nodes, key=lambda n: n.id):
            nodes.setdefault(node.id, node)
        for link in hub_links:
            links.setdefault(link.id, link)
    return sorted(nodes.values(), key=lambda n: n.id), sorted(links.values(), key=lambda lk: lk.id)
