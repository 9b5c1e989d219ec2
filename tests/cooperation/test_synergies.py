"""The synergy engine: exchanges, pools, prospects and their ranking (no database).

Hand-made cases check exact proposals, scores and reasons; the figures in the comments are
the documented formulas worked out by hand. Property tests compare the vectorised engine
with `bench.cooperation_synergies.brute_force` (plain loops over every pair, written from
the docstrings) and check the invariants directly with `geo.distance_km` and `units`.
"""

from __future__ import annotations

import gc
import json
import random
from datetime import date
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.cooperation_synergies import brute_force, make_candidates, make_items
from ptce.cooperation import arrays
from ptce.cooperation.prospects import (
    NAF_KINDS_PATH,
    Candidate,
    NafKinds,
    detect_prospects,
    load_naf_kinds,
    naf_entry,
    normalise_naf,
    parse_naf_kinds,
)
from ptce.cooperation.synergies import (
    KINDS,
    REASON_MESSAGES,
    DeclarationError,
    Item,
    Proposal,
    Reason,
    detect_exchanges,
    detect_pooling,
    gc_paused,
    haversine_km,
    pooling_saving_rate_bp,
    rank_key,
    run_all,
)
from ptce.cooperation.units import convertible
from ptce.territories.geo import distance_km

SETTINGS = settings(max_examples=120, deadline=None)
SHIPPED = load_naf_kinds()


def need(**fields) -> Item:
    """A need for a shared van in Valence-like latitudes; `fields` override."""
    values = {
        "id": 1,
        "organisation": 10,
        "side": "need",
        "kind": "vehicles",
        "category": "van",
        "lat": 45.0,
        "lon": 4.8,
    }
    return Item(**{**values, **fields})


def offer(**fields) -> Item:
    return need(**{"id": 2, "organisation": 20, "side": "offer", "lat": 45.09, **fields})


def exchange_pair(**changes) -> list[Item]:
    """The reference pair: 10.0076 km apart on one meridian (0.09° × 6371.0088 km)."""
    need_changes = {k[5:]: v for k, v in changes.items() if k.startswith("need_")}
    offer_changes = {k[6:]: v for k, v in changes.items() if k.startswith("offer_")}
    need_fields = {
        "quantity": 2,
        "unit": "jour",
        "periodicity": "week",
        "start": date(2025, 1, 1),
        "end": date(2025, 12, 31),
        "max_km": 20,
        "price_intent": "at_cost",
    }
    offer_fields = {
        "quantity": 70,
        "unit": "h",
        "periodicity": "month",
        "start": date(2025, 3, 1),
        "end": date(2026, 6, 30),
        "max_km": 30,
        "price_intent": "free",
    }
    return [need(**{**need_fields, **need_changes}), offer(**{**offer_fields, **offer_changes})]


def engines(items, candidates=(), naf_kinds=SHIPPED, **options):
    """run_all's answer, after checking that the brute force gives the same."""
    fast = run_all(items, candidates, naf_kinds, **options)
    assert fast == brute_force(items, candidates, naf_kinds, **options)
    return fast


# ----------------------------------------------------------------------------- exchanges


def test_exchange_with_every_reason():
    proposals = engines(exchange_pair())
    assert proposals == [
        Proposal(
            "exchange",
            (1, 2),
            (10, 20),
            # 0.35 × (1 − 10.00756/20) + 0.25 × 728/840 + 0.2 × 306/365 + 0.2 × 1
            0.759206,
            (
                Reason("distance", {"km": 10.0, "limit_km": 20.0, "score_pct": 50.0}),
                Reason(
                    "quantity_fit",
                    # 2 working days (7 h) a week = 728 h a year; 70 h a month = 840 h
                    {
                        "need": 728.0,
                        "offer": 840.0,
                        "unit": "h",
                        "per": " par an",
                        "ratio_pct": 86.7,
                    },
                ),
                Reason("period_overlap", {"overlap_days": 306, "share_pct": 83.8}),
                Reason(
                    "price",
                    {
                        "need": "at_cost",
                        "offer": "free",
                        "need_label": "à prix coûtant",
                        "offer_label": "gratuit",
                        "score_pct": 100.0,
                    },
                ),
            ),
        )
    ]
    assert [r.message for r in proposals[0].reasons] == [
        "À 10.0 km, dans la limite de 20.0 km que s'est fixée chaque partie (proximité 50.0 %).",
        "Quantités comparables : 728.0 h par an demandés, 840.0 h par an proposés "
        "(rapport 86.7 %).",
        "306 jours en commun, soit 83.8 % de la période du besoin.",
        "Prix : le besoin est prêt à payer à prix coûtant, l'offre est proposée gratuit "
        "(compatibilité 100.0 %).",
    ]


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"offer_organisation": 10}, id="same-organisation"),
        pytest.param({"offer_category": "truck"}, id="other-category"),
        pytest.param({"offer_kind": "services", "offer_category": "transport"}, id="other-kind"),
        pytest.param({"offer_side": "need"}, id="two-needs"),
        pytest.param(
            {"offer_start": date(2026, 1, 1), "offer_end": date(2026, 6, 30)}, id="disjoint"
        ),
        pytest.param({"offer_start": None, "offer_end": date(2024, 12, 31)}, id="ended-before"),
        pytest.param({"need_max_km": 10}, id="beyond-need-limit"),
        pytest.param({"offer_max_km": 10}, id="beyond-offer-limit"),
        pytest.param({"need_max_km": None, "offer_max_km": 9.9}, id="offer-limit-alone"),
        pytest.param({"offer_unit": "kg"}, id="time-vs-mass"),
        pytest.param({"offer_unit": "palette", "need_unit": "piece"}, id="pallets-vs-pieces"),
        pytest.param({"offer_quantity": 6}, id="offer-below-a-tenth"),  # 72 h < 72.8 h
    ],
)
def test_exchange_refused(changes):
    assert engines(exchange_pair(**changes)) == []


def test_exchange_kept_at_a_tenth_and_beyond_limit_only_when_none():
    # 6.1 h a month = 73.2 h a year >= 10 % of 728 h
    assert len(engines(exchange_pair(offer_quantity=6.1))) == 1
    # without any limit, 10 km is within reach
    [proposal] = engines(exchange_pair(need_max_km=None, offer_max_km=None))
    assert proposal.reasons[0] == Reason(
        # 25 / (25 + 10.00756) = 0.71413
        "distance_unlimited",
        {"km": 10.0, "score_pct": 71.4},
    )


def test_exchange_converts_units_and_keeps_unknown_quantities_neutral():
    [converted] = engines(
        exchange_pair(
            need_kind="material_flows",
            need_category="rubble",
            need_quantity=2,
            need_unit="t",
            need_periodicity="once",
            offer_kind="material_flows",
            offer_category="rubble",
            offer_quantity=500,
            offer_unit="kg",
            offer_periodicity="once",
        )
    )
    assert converted.reasons[1] == Reason(
        "quantity_fit",
        {"need": 2000.0, "offer": 500.0, "unit": "kg", "per": "", "ratio_pct": 25.0},
    )
    [unknown] = engines(exchange_pair(need_quantity=None, offer_unit=None, offer_quantity=None))
    assert unknown.reasons[1] == Reason("quantity_unknown", {"score_pct": 50.0})
    # the neutral 0.5 replaces the fit of 0.8667: 0.25 × (0.8667 − 0.5) lower
    assert unknown.score == 0.667539


def test_exchange_periods_open_ended_and_prices():
    [open_] = engines(
        exchange_pair(
            need_start=None,
            need_end=None,
            offer_end=None,
            need_price_intent="free",
            offer_price_intent="market",
        )
    )
    assert open_.reasons[2] == Reason("period_open", {"share_pct": 100.0})
    assert open_.reasons[3].params["score_pct"] == 0.0  # free against market: still proposed
    # a need open at the start meets an offer from 1 March until its end, 31 December
    [clipped] = engines(exchange_pair(need_start=None))
    assert clipped.reasons[2] == Reason("period_overlap", {"overlap_days": 306, "share_pct": 100.0})


def test_exchange_at_zero_km_with_zero_limit():
    [proposal] = engines([need(max_km=0), offer(lat=45.0, max_km=0)])
    assert proposal.reasons[0] == Reason(
        "distance", {"km": 0.0, "limit_km": 0.0, "score_pct": 100.0}
    )
    assert engines([need(max_km=0), offer(lat=45.0001, max_km=0)]) == []


def test_exchanges_ranked_with_ties_broken_by_item_ids():
    items = [
        need(id=5, max_km=20),
        offer(id=9, lat=44.91, max_km=20),  # the mirror image of id 7: the same score
        offer(id=7, lat=45.09, max_km=20),
        offer(id=3, organisation=21, lat=45.045, max_km=20),  # nearer: first
    ]
    proposals = detect_exchanges(items)
    assert [p.item_ids for p in proposals] == [(5, 3), (5, 7), (5, 9)]
    assert proposals[1].score == proposals[2].score


# ------------------------------------------------------------------------------- pooling


def van_need(id_: int, organisation: int, lat: float, **fields) -> Item:
    return need(id=id_, organisation=organisation, lat=lat, **fields)


POOL = [
    van_need(11, 1, 45.0, quantity=1, unit="jour", periodicity="week", cost_cents_per_year=300_000),
    van_need(
        12, 2, 45.045, quantity=2, unit="jour", periodicity="week", cost_cents_per_year=500_000
    ),
    van_need(13, 3, 45.09, quantity=1.5, unit="jour", periodicity="week"),
    van_need(14, 4, 45.3),  # 33 km away
    van_need(15, 2, 45.046),  # a second need of organisation 2
]


def test_pool_around_the_best_connected_need():
    # 11-12 and 12-13 are 5.004 km apart, 11-13 10.008 km: beyond the 10 km radius.
    # 12 and 15 have two neighbouring organisations each; 12 (lower id) seeds the pool,
    # which takes 11 and 13; 15 belongs to 12's organisation and is left out.
    assert engines(POOL) == [
        Proposal(
            "pooling",
            (11, 12, 13),
            (1, 2, 3),
            # 0.35 × (1 − 5.00378/10) + 0.25 × 2/4 + 0.2 × 1 + 0.2 × 364/728
            0.599868,
            (
                Reason("pool_members", {"count": 3, "score_pct": 50.0}),
                Reason(
                    "pool_distance",
                    {"radius_km": 10.0, "max_km": 5.0, "mean_km": 5.0, "score_pct": 50.0},
                ),
                Reason("pool_period", {"share_pct": 100.0}),
                Reason(
                    "pool_quantity",
                    {
                        "min": 364.0,
                        "max": 728.0,
                        "total": 1638.0,
                        "unit": "h",
                        "per": " par an",
                        "ratio_pct": 50.0,
                    },
                ),
                # 25 % of 3,000 € + 5,000 € declared by two of the three
                Reason(
                    "saving",
                    {
                        "cents": 200_000,
                        "euros": "2\u202f000,00",
                        "rate_pct": 25,
                        "known": 2,
                        "count": 3,
                    },
                ),
            ),
            200_000,
        )
    ]
    assert detect_pooling(POOL)[0].reasons[4].message == (
        "Économie estimée : 2\u202f000,00 € par an, 25 % des coûts annuels déclarés par 2 des "
        "3 organisations."
    )


def test_pool_options_radius_and_min_members():
    assert engines(POOL, min_members=4) == []
    # radius 4 km: no two needs of distinct organisations are that close
    assert engines(POOL, radius_km=4) == []
    # radius 40 km: 14 joins; every need has 3 neighbouring organisations: 11 seeds and
    # takes 12 rather than 15 (organisation 2's nearer need)
    [pool] = engines(POOL, radius_km=40)
    assert pool.item_ids == (11, 12, 13, 14)
    assert pool.reasons[0] == Reason("pool_members", {"count": 4, "score_pct": 75.0})
    assert pool.reasons[3] == Reason("quantity_unknown", {"score_pct": 50.0})


def test_pool_respects_each_members_limit_and_periods():
    limited = [*POOL[:2], van_need(13, 3, 45.09, max_km=4.0)]  # 5 km from 12
    assert [p.item_ids for p in engines(limited)] == [(11, 12)]
    dated = [
        POOL[0],
        van_need(12, 2, 45.045, end=date(2025, 12, 31)),
        van_need(13, 3, 45.09, start=date(2026, 1, 1)),  # within reach of 12, not in time
    ]
    assert [p.item_ids for p in engines(dated)] == [(11, 12)]


def test_pool_units_must_convert():
    mass = {"kind": "group_purchasing", "category": "food"}
    items = [
        van_need(1, 1, 45.0, quantity=100, unit="kg", **mass),
        van_need(2, 2, 45.01, quantity=2, unit="m3", **mass),
        van_need(3, 3, 45.02, quantity=1, unit="t", periodicity="year", **mass),
    ]
    [pool] = engines(items)
    assert pool.item_ids == (1, 3)  # kg and t; m3 is another family
    assert pool.reasons[3].params == {
        "min": 100.0,
        "max": 1000.0,
        "total": 1100.0,
        "unit": "kg",
        "per": " par an",
        "ratio_pct": 10.0,
    }
    assert pool.reasons[4] == Reason("saving_unknown", {"count": 2})
    assert pool.saving_cents is None


def test_pool_seed_without_unit_takes_its_nearest_family():
    mass = {"kind": "group_purchasing", "category": "food"}
    items = [
        van_need(1, 1, 45.0, **mass),  # no unit: most neighbours, seed
        van_need(2, 2, 45.01, quantity=2, unit="m3", **mass),  # nearest with a unit
        van_need(3, 3, 45.02, quantity=100, unit="kg", **mass),
        van_need(4, 4, 45.03, quantity=5, unit="L", **mass),
    ]
    assert [p.item_ids for p in engines(items)] == [(1, 2, 4)]


def test_pool_at_zero_radius():
    items = [van_need(1, 1, 45.0), van_need(2, 2, 45.0)]
    [pool] = engines(items, radius_km=0)
    assert pool.reasons[1] == Reason(
        "pool_distance", {"radius_km": 0.0, "max_km": 0.0, "mean_km": 0.0, "score_pct": 100.0}
    )


def test_neighbours_need_units_that_convert():
    """A need surrounded by needs of another unit family has no neighbour in them: the
    best connected need of its own family seeds first."""
    food = {"kind": "group_purchasing", "category": "food"}
    items = [
        van_need(1, 1, 45.0, unit="kg", **food),
        # three m3 needs 1.1 to 1.3 km south of 1, more than 10 km from 5
        *(van_need(i, i, 44.992 - 0.001 * i, unit="m3", **food) for i in (2, 3, 4)),
        van_need(5, 5, 45.085, unit="kg", **food),  # 9.5 km from 1
        van_need(6, 6, 45.17, unit="kg", **food),  # 9.5 km from 5
        van_need(7, 7, 45.16, unit="kg", **food),  # 8.3 km from 5
    ]
    # 5 has three kg neighbours (1, 6, 7) and seeds; 1 has one (5): the m3 needs, though
    # within reach, do not count (if they did, 1 would seed and pool 5 alone)
    assert sorted(p.item_ids for p in engines(items)) == [(1, 5, 6, 7), (2, 3, 4)]


def test_limits_are_inclusive_to_the_millimetre():
    """The matrix filter keeps a margin of a few millimetres; the exact distance decides."""
    a, b = exchange_pair()
    km = float(haversine_km(*(np.array([v]) for v in (a.lon, a.lat, b.lon, b.lat)))[0])
    for limit, found in ((km, 1), (km - 1e-6, 0)):
        assert len(engines(exchange_pair(need_max_km=limit))) == found
        assert len(engines(exchange_pair(offer_max_km=limit))) == found
        pair = [need(), need(id=2, organisation=20, lat=45.09)]
        assert len(engines(pair, radius_km=limit)) == found
        candidate = [Candidate(300, "77.11A", 45.09, 4.8)]  # van rental
        prospects = engines([need(max_km=limit)], candidate)
        assert len(prospects) == found


@pytest.mark.parametrize(
    ("members", "rate"), [(1, 0), (2, 2000), (3, 2500), (4, 3000), (5, 3500), (12, 3500)]
)
def test_saving_rates(members, rate):
    assert pooling_saving_rate_bp(members) == rate


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"radius_km": -1}, "rayon"),
        ({"radius_km": float("nan")}, "rayon"),
        ({"min_members": 1}, "au moins 2"),
    ],
)
def test_pool_options_checked(options, message):
    with pytest.raises(DeclarationError, match=message):
        detect_pooling(POOL, **options)


# ----------------------------------------------------------------------------- prospects

MEMBERS = [
    need(id=1, organisation=10, category="truck", max_km=30),
    Item(
        id=2,
        organisation=11,
        side="offer",
        kind="material_flows",
        category="biowaste",
        lat=45.0,
        lon=4.8,
        max_km=20,
        quantity=2,
        unit="t",
        periodicity="month",
    ),
    need(id=3, organisation=12, category="truck", lat=45.3),  # no limit
]
CANDIDATES = [
    Candidate(100, "49.41A", 45.09, 4.8),  # road freight: offers trucks
    Candidate(101, "38.21Z", 45.045, 4.8),  # composting: needs biowaste
    Candidate(102, "56.10A", 45.3, 4.8),  # restaurant: nothing members need or offer
    Candidate(10, "49.41A", 45.0, 4.8),  # already a member
    Candidate(104, None, 45.0, 4.8),
    Candidate(105, "47.71Z", 45.0, 4.8),  # not in the table
    Candidate(106, "7712z", 45.6, 4.8),  # truck rental, 66.7 km from 1, 33.4 km from 3
]


def test_prospects():
    proposals = [p for p in engines(MEMBERS, CANDIDATES) if p.kind == "prospect"]
    activity = {"entry": None, "level": "sous-classe", "score_pct": 100.0}
    trucks = {"kind": "vehicles", "category": "truck", "label": "Véhicules — Poids lourd"}
    assert proposals == [
        Proposal(
            "prospect",
            (1, 3),
            (100, 10, 12),
            # 0.5 × (1 − 10.00756/30) + 0.3 × 2/5 + 0.2 × 1
            0.653207,
            (
                Reason("prospect_activity", {**activity, "naf": "49.41A", "entry": "49.41A"}),
                Reason("prospect_offers", {**trucks, "count": 2}),
                Reason("prospect_reach", {"count": 2, "score_pct": 40.0}),
                Reason("distance", {"km": 10.0, "limit_km": 30.0, "score_pct": 66.6}),
            ),
        ),
        Proposal(
            "prospect",
            (2,),
            (101, 11),
            # 0.5 × (1 − 5.00378/20) + 0.3 × 1/5 + 0.2 × 1
            0.634906,
            (
                Reason("prospect_activity", {**activity, "naf": "38.21Z", "entry": "38.21Z"}),
                Reason(
                    "prospect_needs",
                    {
                        "kind": "material_flows",
                        "category": "biowaste",
                        "label": "Flux de matières et déchets — Biodéchets",
                        "count": 1,
                    },
                ),
                Reason("prospect_reach", {"count": 1, "score_pct": 20.0}),
                Reason("distance", {"km": 5.0, "limit_km": 20.0, "score_pct": 75.0}),
            ),
        ),
        Proposal(
            "prospect",
            (3,),
            (106, 12),
            # 0.5 × 25 / (25 + 33.3585) + 0.3 × 1/5 + 0.2 × 1
            0.474193,
            (
                Reason("prospect_activity", {**activity, "naf": "77.12Z", "entry": "77.12Z"}),
                Reason("prospect_offers", {**trucks, "count": 1}),
                Reason("prospect_reach", {"count": 1, "score_pct": 20.0}),
                Reason("distance_unlimited", {"km": 33.4, "score_pct": 42.8}),
            ),
        ),
    ]
    assert proposals[1].reasons[1].message == (
        "Son activité a habituellement besoin de « Flux de matières et déchets — Biodéchets », "
        "que proposent 1 offre(s) de membres à sa portée."
    )


def test_prospect_lists_its_best_items_and_counts_them_all():
    members = [
        need(id=i, organisation=i, category="truck", lat=45.0 + 0.01 * i) for i in range(1, 8)
    ]
    # the candidate sits near 7: the five nearest are 3..7
    found = engines(members, [Candidate(500, "49.41A", 45.07, 4.8)])
    [proposal] = [p for p in found if p.kind == "prospect"]
    assert proposal.item_ids == (3, 4, 5, 6, 7)
    assert proposal.organisations == (500, 3, 4, 5, 6, 7)
    assert proposal.reasons[2] == Reason("prospect_reach", {"count": 7, "score_pct": 100.0})


def test_prospect_specificity_follows_the_most_specific_entry():
    table = {
        "49": NafKinds(offers=(("vehicles", "truck"),)),
        "49.41": NafKinds(offers=(("vehicles", "truck"),)),
        "49.41A": NafKinds(offers=(("vehicles", "truck"),)),
    }
    candidates = [
        Candidate(200, "49.41A", 45.09, 4.8),
        Candidate(201, "49.41B", 45.09, 4.8),
        Candidate(202, "49.39A", 45.09, 4.8),
    ]
    proposals = engines([MEMBERS[0]], candidates, table)
    levels = {p.organisations[0]: p.reasons[0].params for p in proposals}
    assert levels[200]["entry"] == "49.41A" and levels[200]["score_pct"] == 100.0
    assert levels[201]["entry"] == "49.41" and levels[201]["level"] == "classe"
    assert levels[202]["entry"] == "49" and levels[202]["score_pct"] == 60.0
    # the same distance and reach: specificity alone orders them (0.2 × 1.0, 0.8, 0.6)
    assert [p.organisations[0] for p in proposals] == [200, 201, 202]


def test_naf_lookups():
    assert normalise_naf("4941a") == "49.41A"
    assert normalise_naf(" 49.41A ") == "49.41A"
    assert normalise_naf("49.41") is None
    assert normalise_naf("00.00Z") is None  # no division 00
    assert normalise_naf("") is None
    assert naf_entry("10.71C", SHIPPED)[:2] == ("10.71C", "code")
    assert naf_entry("10.13A", SHIPPED)[:2] == ("10", "division")
    assert naf_entry("47.11D", SHIPPED)[:2] == ("47.11", "class")
    assert naf_entry("47.71Z", SHIPPED) is None
    assert naf_entry(None, SHIPPED) is None


def test_shipped_table():
    raw = json.loads(NAF_KINDS_PATH.read_text(encoding="utf-8"))["entries"]
    assert 40 <= len(SHIPPED) <= 80
    assert set(SHIPPED) == set(raw)
    for key, entry in SHIPPED.items():
        assert entry.offers or entry.needs, key
        assert entry.label == raw[key]["label"]
        for kind, category in (*entry.offers, *entry.needs):
            assert category in KINDS[kind].categories
    assert ("vehicles", "truck") in SHIPPED["49.41A"].offers
    assert ("group_purchasing", "food") in SHIPPED["56.10A"].needs
    assert ("material_flows", "biowaste") in SHIPPED["56.10A"].offers
    assert ("premises", "office") in SHIPPED["68.20B"].offers
    load_naf_kinds().clear()  # a copy: the next load is whole
    assert len(load_naf_kinds()) == len(SHIPPED)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "objet « entries » attendu"),
        ({"entries": {"4941": {}}}, "« 4941 » n'est ni une sous-classe"),
        ({"entries": {"00": {}}}, "« 00 » n'est ni"),
        ({"entries": {"49": []}}, "entrée « 49 » : objet attendu"),
        ({"entries": {"49": {"offers": "vehicles"}}}, "« offers » doit être une liste"),
        (
            {"entries": {"49": {"needs": [{"kind": "vehicles", "category": "boat"}]}}},
            "catégorie « vehicles / boat » inconnue.*entrée « 49 »",
        ),
        (
            {"entries": {"49": {"offers": [{"kind": "ships", "category": "boat"}]}}},
            "« ships / boat »",
        ),
    ],
)
def test_naf_table_errors(document, message):
    with pytest.raises(DeclarationError, match=message):
        parse_naf_kinds(document)


def test_naf_table_from_a_file(tmp_path):
    path = tmp_path / "table.json"
    entry = {"label": "Fret", "offers": [{"kind": "vehicles", "category": "truck"}] * 2}
    path.write_text(json.dumps({"entries": {"49.41A": entry}}), encoding="utf-8")
    assert load_naf_kinds(path) == {
        "49.41A": NafKinds(offers=(("vehicles", "truck"),), needs=(), label="Fret")
    }


# --------------------------------------------------------------------- input and helpers


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id": "1"}, "id"),
        ({"organisation": 1.5}, "organisation"),
        ({"side": "gift"}, "side"),
        ({"kind": "boats"}, "kind"),
        ({"category": "boat"}, "category"),
        ({"lat": 91.0}, "lat"),
        ({"lat": float("nan")}, "lat"),
        ({"lon": -181.0}, "lon"),
        ({"unit": "kilo"}, "unit"),
        ({"quantity": 0, "unit": "kg"}, "quantity"),
        ({"quantity": float("inf"), "unit": "kg"}, "quantity"),
        ({"quantity": 3}, "unit"),
        ({"periodicity": "hourly"}, "periodicity"),
        ({"start": date(2025, 2, 1), "end": date(2025, 1, 1)}, "end"),
        ({"max_km": -1}, "max_km"),
        ({"price_intent": "cheap"}, "price_intent"),
        ({"cost_cents_per_year": 12.5}, "cost_cents_per_year"),
        ({"cost_cents_per_year": -1}, "cost_cents_per_year"),
        ({"confidentiality": "secret"}, "confidentiality"),
    ],
)
def test_item_checks_name_the_field(fields, field):
    with pytest.raises(DeclarationError, match=f"^Déclaration 1 : .*\\(champ « {field} »\\)\\.$"):
        need(**fields)


def test_duplicate_ids_refused():
    with pytest.raises(DeclarationError, match="en double : 1"):
        detect_exchanges([need(), offer(id=1)])
    with pytest.raises(DeclarationError, match="candidates en double"):
        detect_prospects(MEMBERS, [CANDIDATES[0], CANDIDATES[0]], SHIPPED)
    with pytest.raises(DeclarationError, match="Organisation 7 : coordonnées invalides"):
        Candidate(7, "49.41A", 95.0, 4.8)


def test_empty_inputs():
    assert run_all([]) == []
    assert detect_pooling([]) == []
    assert detect_prospects([], CANDIDATES, SHIPPED) == []
    assert run_all(MEMBERS, []) == []


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_every_reason_appears_and_reads_well():
    """On the bench's generated data, every reason code is produced, and every message
    formats with the figures given."""
    items = make_items(3000, 1500, seed=11)
    proposals = run_all(items, make_candidates(2000, seed=11))
    seen = {reason.code for p in proposals for reason in p.reasons}
    assert seen == set(REASON_MESSAGES)
    for proposal in proposals:
        for reason in proposal.reasons:
            assert "%(" not in reason.message


def test_fast_path_equals_brute_force_on_generated_data():
    """The bench's generator (towns, limits, periods, units), at a size a test affords."""
    items, candidates = make_items(2000, 1000, seed=3), make_candidates(1000, seed=3)
    proposals = run_all(items, candidates)
    assert proposals == brute_force(items, candidates)
    kinds = [p.kind for p in proposals]
    assert min(kinds.count("exchange"), kinds.count("prospect")) > 100
    assert kinds.count("pooling") > 10


# ------------------------------------------------------------------------------ properties

GROUPS = [("vehicles", "van"), ("material_flows", "biowaste")]
UNIT_CHOICES = [None, None, "kg", "t", "m3", "L", "palette", "h", "jour"]
DATES = [None, date(2025, 1, 1), date(2025, 3, 1), date(2025, 6, 30), date(2025, 12, 31)]
NAFS = ["4941B", "77.11A", "38.21Z", "56.10A", "35.21Z", "47.71Z", None, "XX"]


@st.composite
def item_lists(draw, max_size: int = 30) -> list[Item]:
    ids = draw(st.lists(st.integers(1, 500), min_size=4, max_size=max_size, unique=True))
    items = []
    for id_ in ids:
        kind, category = draw(st.sampled_from(GROUPS))
        unit = draw(st.sampled_from(UNIT_CHOICES))
        quantity = None if unit is None else draw(st.sampled_from([None, 1.0, 5.0, 10.0, 200.0]))
        start, end = draw(st.sampled_from(DATES)), draw(st.sampled_from(DATES))
        if start is not None and end is not None and start > end:
            start, end = end, start
        items.append(
            Item(
                id=id_,
                organisation=draw(st.integers(1, 8)),
                side=draw(st.sampled_from(["need", "need", "offer"])),
                kind=kind,
                category=category,
                # a 0.01° grid over about 15 km: close pairs and equal places are common
                lat=45.6 + 0.01 * draw(st.integers(0, 14)),
                lon=4.7 + 0.01 * draw(st.integers(0, 14)),
                quantity=quantity,
                unit=unit,
                periodicity=draw(st.sampled_from(["once", "day", "week", "month", "year"])),
                start=start,
                end=end,
                max_km=draw(st.sampled_from([None, 0.0, 3.0, 8.0, 15.0, 30.0])),
                price_intent=draw(st.sampled_from(["free", "at_cost", "market"])),
                cost_cents_per_year=draw(st.one_of(st.none(), st.integers(0, 10**7))),
            )
        )
    return items


@st.composite
def candidate_lists(draw) -> list[Candidate]:
    ids = draw(st.lists(st.integers(1, 1000), max_size=8, unique=True))  # 1..8: members
    return [
        Candidate(
            id_,
            draw(st.sampled_from(NAFS)),
            45.6 + 0.01 * draw(st.integers(0, 14)),
            4.7 + 0.01 * draw(st.integers(0, 14)),
        )
        for id_ in ids
    ]


options = st.fixed_dictionaries(
    {"radius_km": st.sampled_from([2.0, 5.0, 10.0, 25.0]), "min_members": st.sampled_from([2, 3])}
)


@SETTINGS
@given(items=item_lists(), candidates=candidate_lists(), opts=options)
def test_fast_path_equals_brute_force(items, candidates, opts):
    assert run_all(items, candidates, SHIPPED, **opts) == brute_force(
        items, candidates, SHIPPED, **opts
    )


@settings(max_examples=60, deadline=None)
@given(items=item_lists(max_size=30), candidates=candidate_lists(), opts=options)
def test_chunked_matrices_give_the_same_answer(items, candidates, opts):
    whole = run_all(items, candidates, SHIPPED, **opts)
    with mock.patch.object(arrays, "_CHUNK_ELEMENTS", 7):
        assert run_all(items, candidates, SHIPPED, **opts) == whole


@SETTINGS
@given(items=item_lists(), candidates=candidate_lists(), opts=options, rng=st.randoms())
def test_same_answer_in_any_input_order(items, candidates, opts, rng: random.Random):
    expected = run_all(items, candidates, SHIPPED, **opts)
    rng.shuffle(items)
    rng.shuffle(candidates)
    assert run_all(items, candidates, SHIPPED, **opts) == expected


def _within(a: Item, b: Item, *limits: float | None) -> bool:
    km = distance_km(a.lon, a.lat, b.lon, b.lat)
    return all(limit is None or km <= limit + 1e-9 for limit in limits)


def _units_convert(items: list[Item]) -> bool:
    known = [i.unit for i in items if i.unit is not None]
    return all(convertible(a, b) for a in known for b in known)


def _periods_meet(a: Item, b: Item) -> bool:
    return (a.start is None or b.end is None or a.start <= b.end) and (
        b.start is None or a.end is None or b.start <= a.end
    )


@SETTINGS
@given(items=item_lists(), candidates=candidate_lists(), opts=options)
def test_invariants(items, candidates, opts):
    proposals = run_all(items, candidates, SHIPPED, **opts)
    by_id = {i.id: i for i in items}
    members = {i.organisation for i in items}
    pooled: list[int] = []
    for proposal in proposals:
        assert 0.0 <= proposal.score <= 1.0
        assert all(reason.code in REASON_MESSAGES for reason in proposal.reasons)
        involved = [by_id[i] for i in proposal.item_ids]
        if proposal.kind == "exchange":
            n, o = involved
            assert (n.side, o.side) == ("need", "offer")
            assert (n.kind, n.category) == (o.kind, o.category)
            assert n.organisation != o.organisation
            assert proposal.organisations == (n.organisation, o.organisation)
            assert _units_convert(involved)
            assert _within(n, o, n.max_km, o.max_km)
            assert _periods_meet(n, o)
        elif proposal.kind == "pooling":
            assert len(involved) >= opts["min_members"]
            assert len({i.organisation for i in involved}) == len(involved)
            assert proposal.organisations == tuple(i.organisation for i in involved)
            assert {(i.side, i.kind, i.category) for i in involved} == {
                ("need", involved[0].kind, involved[0].category)
            }
            assert _units_convert(involved)
            # one of them (the seed) has all the others within reach, periods meeting
            assert any(
                all(
                    m is s
                    or (
                        _within(s, m, opts["radius_km"], s.max_km, m.max_km) and _periods_meet(s, m)
                    )
                    for m in involved
                )
                for s in involved
            )
            pooled += proposal.item_ids
        else:
            candidate = next(c for c in candidates if c.id == proposal.organisations[0])
            assert candidate.id not in members
            entry = naf_entry(candidate.naf, SHIPPED)
            assert entry is not None
            wanted = {("need", *p) for p in entry[2].offers} | {
                ("offer", *p) for p in entry[2].needs
            }
            assert 1 <= len(involved) <= 5
            for item in involved:
                assert (item.side, item.kind, item.category) in wanted
                km = distance_km(candidate.lon, candidate.lat, item.lon, item.lat)
                assert item.max_km is None or km <= item.max_km + 1e-9
    assert len(pooled) == len(set(pooled))  # a need is pooled once at most
    keys = [rank_key(p) for p in proposals]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@SETTINGS
@given(
    lon=st.lists(st.floats(-10, 20), min_size=4, max_size=4),  # Europe: below 4,000 km
    lat=st.lists(st.floats(35, 60), min_size=4, max_size=4),
)
def test_haversine_agrees_with_geo(lon, lat):
    km = haversine_km(np.array(lon[:2]), np.array(lat[:2]), np.array(lon[2:]), np.array(lat[2:]))
    for k, expected in enumerate(
        [distance_km(lon[0], lat[0], lon[2], lat[2]), distance_km(lon[1], lat[1], lon[3], lat[3])]
    ):
        assert abs(km[k] - expected) <= 1e-9
        # element by element: the same figure alone as in an array
        one = haversine_km(*(np.array([v[k]]) for v in (lon[:2], lat[:2], lon[2:], lat[2:])))
        assert one[0] == km[k]


def test_a_seed_without_a_unit_takes_the_unit_of_a_gathered_need_only():
    """Regression (found by hypothesis): a need passed over because its organisation was
    already in the pool must not fix the pool's unit."""
    declared = [(1, 2, None), (2, 1, None), (3, 1, "kg"), (5, 3, "m3")]  # (id, org, unit)
    items = [
        Item(
            id=i,
            organisation=o,
            side="need",
            kind="vehicles",
            category="van",
            lat=45.6,
            lon=4.7,
            unit=u,
        )
        for i, o, u in declared
    ]
    found = detect_pooling(items, radius_km=2.0)
    # seed 1 gathers 2 (org 1, nearest by id); 3 (org 1 too) is passed over, so the pool
    # takes m3 from 5, not kg from 3
    assert [p.item_ids for p in found] == [(1, 2, 5)]
    assert found == brute_force(items, [], SHIPPED, radius_km=2.0)
