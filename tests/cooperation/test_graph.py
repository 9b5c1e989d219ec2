"""The cooperation graph's figures (pure module): hand-made cases and properties."""

from __future__ import annotations

import random

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from ptce.cooperation import graph
from ptce.cooperation.graph import Link, Node

GROUPS = ["ess", "enterprise", "public", "other"]


def test_a_star_has_its_centre_as_broker_and_an_isolated_member():
    nodes = [
        Node(i, f"O{i}", g)
        for i, g in zip(range(1, 6), ["ess", "ess", "enterprise", "public", "ess"], strict=True)
    ]
    links = [
        Link(1, 1, 2, "purchase", start_year=2022),
        Link(2, 1, 3, "knowledge", start_year=2023, end_year=2023),
        Link(3, 4, 1, "financing", start_year=2024),
        Link(4, 2, 1, "purchase", start_year=2024),  # same pair again: one edge
    ]
    m = graph.metrics(nodes, links)
    assert (m.nodes, m.links, m.pairs) == (5, 4, 3)
    assert m.density == 0.3  # 3 of 10 possible pairs
    assert m.degree == {1: 3, 2: 1, 3: 1, 4: 1, 5: 0}
    assert m.brokers == [1] and m.betweenness[1] == 0.5  # 3 of 6 pairs among 4 others
    assert m.isolated == [5] and m.components == [[1, 2, 3, 4], [5]]
    # crossing: 1-3 (ess-enterprise), 4-1 (public-ess) cross; 1-2, 2-1 do not
    assert (m.crossing_links, m.typed_links, m.crossing_share) == (2, 4, 0.5)
    assert m.links_by_type == {"financing": 1, "knowledge": 1, "purchase": 2}
    years = graph.by_year(nodes, links, graph.years_of(links, until=2025))
    assert list(years) == [2022, 2023, 2024, 2025]
    assert [years[y].links for y in years] == [1, 2, 3, 3]


def test_actor_groups():
    assert graph.actor_group("ess") == "ess"
    assert graph.actor_group("local_authority") == "public"
    assert graph.actor_group("research") == "public"
    assert graph.actor_group("enterprise") == "enterprise"
    assert graph.actor_group(None) == "other"


def test_a_network_merges_organisations_members_of_several_hubs():
    a = ([Node(1, "A", "ess"), Node(2, "B", "ess")], [Link(10, 1, 2, "purchase")])
    b = ([Node(2, "B", "ess"), Node(3, "C", "public")], [Link(11, 2, 3, "financing")])
    nodes, links = graph.merge({"b": b, "a": a})
    assert [n.id for n in nodes] == [1, 2, 3] and [lk.id for lk in links] == [10, 11]
    m = graph.metrics(nodes, links)
    assert m.components == [[1, 2, 3]] and m.brokers == [2]


@st.composite
def graphs(draw):
    n = draw(st.integers(0, 14))
    nodes = [Node(i, f"O{i}", draw(st.sampled_from(GROUPS))) for i in range(n)]
    links = []
    if n >= 2:
        for k in range(draw(st.integers(0, 25))):
            a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            start = draw(st.integers(2018, 2026))
            end = draw(st.one_of(st.none(), st.integers(start, 2027)))
            links.append(
                Link(
                    k,
                    a,
                    b,
                    draw(st.sampled_from(["purchase", "knowledge"])),
                    draw(st.booleans()),
                    start,
                    end,
                )
            )
    return nodes, links


@settings(max_examples=80, deadline=None)
@given(data=graphs(), seed=st.integers(0, 10_000))
def test_properties(data, seed):
    nodes, links = data
    m = graph.metrics(nodes, links)
    ids = sorted(n.id for n in nodes)
    assert 0.0 <= m.density <= 1.0
    # components and communities partition the nodes
    assert sorted(i for c in m.components for i in c) == ids
    assert sorted(i for c in m.communities for i in c) == ids
    # every community lies inside one component
    where = {i: k for k, c in enumerate(m.components) for i in c}
    assert all(len({where[i] for i in c}) == 1 for c in m.communities)
    assert m.isolated == [i for i in ids if m.degree[i] == 0]
    assert sum(m.degree.values()) == 2 * m.pairs
    assert all(0.0 <= v <= 1.0 for v in m.betweenness.values())
    assert m.crossing_share is None or 0.0 <= m.crossing_share <= 1.0
    simple = nx.Graph()
    simple.add_nodes_from(ids)
    simple.add_edges_from((lk.source, lk.target) for lk in links if lk.source != lk.target)
    assert m.pairs == simple.number_of_edges()
    assert (
        len(m.components) == nx.number_connected_components(simple) if ids else m.components == []
    )
    # the order of the inputs does not matter
    rng = random.Random(seed)
    shuffled_nodes, shuffled_links = nodes[:], links[:]
    rng.shuffle(shuffled_nodes)
    rng.shuffle(shuffled_links)
    assert graph.metrics(shuffled_nodes, shuffled_links) == m
    # year by year: a year's graph has no more links than the whole
    for year, ym in graph.by_year(nodes, links, graph.years_of(links, until=2026)).items():
        assert ym.links <= m.links and ym.nodes == m.nodes
        assert ym.links == sum(
            1 for lk in links if lk.source != lk.target and graph.active_in(lk, year)
        )
