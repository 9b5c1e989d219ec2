"""Synergy engine (`ptce.cooperation.synergies` and `prospects`).

Data (fixed seed): 100,000 needs and offers declared by 50,000 member organisations spread
over Auvergne-Rhône-Alpes (lon 2.1..7.2, lat 44.1..46.8): 70 % of the organisations
around 24 towns weighted by size, 30 % anywhere in the box. Each item draws its kind and
category, a side (55 % needs), a quantity with a unit that fits its kind (70 %), a
periodicity, a period (half of them; a fifth of those without an end), a distance limit
(5 to 50 km, 3 % without a limit), a price intent, and for a third of the needs a yearly
cost. 50,000 directory organisations (not members) are the prospect candidates, half of
them with an activity of the NAF table.

Figures:

* a full run of the three detectors (`run_all`) on all of it: time (best of two) and peak
  memory traced by `tracemalloc` during the run;
* on a 5,000-item subset (and 2,500 candidates) drawn with the seed: `run_all` against
  `brute_force`, a plain loop over every pair of items (and every candidate-item pair),
  measured in the same run; both must give identical proposals or the benchmark fails.

`brute_force` is the reference the tests use too: it follows the rules of the module
docstrings item by item, with no index, no grouping and no array.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np

from bench import Report
from ptce.cooperation import units
from ptce.cooperation.prospects import (
    LEVELS,
    PROSPECT_FULL_REACH,
    PROSPECT_MAX_ITEMS,
    W_PROSPECT_DISTANCE,
    W_PROSPECT_REACH,
    W_PROSPECT_SPECIFICITY,
    Candidate,
    NafKinds,
    load_naf_kinds,
    naf_entry,
    normalise_naf,
)
from ptce.cooperation.synergies import (
    DISTANCE_REFERENCE_KM,
    KINDS,
    MIN_COVERAGE,
    POOL_FULL_SIZE,
    POOLING_RADIUS_KM,
    PRICE_COMPATIBILITY,
    PRICE_INTENTS,
    QUANTITY_UNKNOWN_SCORE,
    SCORE_DIGITS,
    W_DISTANCE,
    W_PERIOD,
    W_POOL_PERIOD,
    W_POOL_PROXIMITY,
    W_POOL_QUANTITY,
    W_POOL_SIZE,
    W_PRICE,
    W_QUANTITY,
    Confidentiality,
    Item,
    PriceIntent,
    Proposal,
    Reason,
    Side,
    category_label,
    gc_paused,
    haversine_km,
    pooling_saving_rate_bp,
    run_all,
)

SEED = 20261204
ITEMS = 100_000
ORGANISATIONS = 50_000
CANDIDATES = 50_000
SUBSET_ITEMS = 5_000
SUBSET_CANDIDATES = 2_500
BBOX = (2.1, 44.1, 7.2, 46.8)  # Auvergne-Rhône-Alpes, lon/lat
CLUSTERED = 0.5  # share of organisations around towns, the others anywhere in the box
SPREAD_DEG = 0.15  # scale of the distance to the town centre
TOWNS = (  # lon, lat, weight
    (4.835, 45.764, 30),  # Lyon
    (5.724, 45.188, 12),  # Grenoble
    (4.387, 45.434, 8),  # Saint-Étienne
    (3.087, 45.778, 8),  # Clermont-Ferrand
    (6.129, 45.899, 5),  # Annecy
    (4.892, 44.933, 4),  # Valence
    (5.918, 45.566, 4),  # Chambéry
    (5.226, 46.205, 3),  # Bourg-en-Bresse
    (4.073, 45.042, 2),  # Le Puy-en-Velay
    (3.334, 46.566, 2),  # Moulins
    (2.445, 44.926, 2),  # Aurillac
    (4.811, 44.559, 2),  # Montélimar
    (4.908, 45.525, 2),  # Vienne
    (4.073, 46.036, 2),  # Roanne
    (3.606, 46.127, 1),  # Vichy
    (2.605, 46.340, 1),  # Montluçon
    (6.237, 46.194, 2),  # Annemasse
    (5.049, 45.043, 1),  # Romans-sur-Isère
    (4.600, 44.735, 1),  # Privas
    (6.403, 45.676, 1),  # Albertville
    (5.093, 45.594, 1),  # Bourgoin-Jallieu
    (4.716, 46.003, 1),  # Villefranche-sur-Saône
    (4.387, 44.636, 1),  # Aubenas
    (6.867, 45.924, 1),  # Chamonix
)
UNITS_BY_KIND = {
    "premises": ("m2", "h", "jour", "demi_journee"),
    "equipment": ("h", "jour", "piece"),
    "vehicles": ("jour", "h", "km"),
    "skills": ("jour", "h"),
    "staff_time": ("h", "jour", "semaine", "etp"),
    "group_purchasing": ("kg", "t", "piece", "lot", "L"),
    "services": ("h", "jour", "piece"),
    "material_flows": ("t", "kg", "m3", "palette", "L"),
    "energy": ("kWh", "MWh", "kW"),
    "land": ("m2", "ha"),
    "data_software": ("piece", "lot"),
}
KIND_WEIGHTS = {
    "premises": 14,
    "equipment": 10,
    "vehicles": 10,
    "skills": 12,
    "staff_time": 8,
    "group_purchasing": 12,
    "services": 10,
    "material_flows": 14,
    "energy": 4,
    "land": 3,
    "data_software": 3,
}
MAX_KM = (5.0, 10.0, 20.0, 30.0, 50.0, None)
MAX_KM_P = (0.15, 0.25, 0.25, 0.15, 0.17, 0.03)
PERIODICITIES: tuple[units.Periodicity, ...] = ("once", "day", "week", "month", "year")
PRICES: tuple[PriceIntent, ...] = ("free", "at_cost", "market")
CONFIDENTIALITIES: tuple[Confidentiality, ...] = ("public", "members", "coordinators")
# a real sub-class under each division or class key of the NAF table
NAF_EXAMPLES = {
    "01": "01.11Z",
    "02": "02.20Z",
    "10": "10.13A",
    "11": "11.05Z",
    "13": "13.20Z",
    "14": "14.13Z",
    "16": "16.10A",
    "17": "17.21A",
    "20": "20.11Z",
    "22": "22.22Z",
    "23": "23.61Z",
    "24": "24.10Z",
    "25": "25.62B",
    "31": "31.09B",
    "33": "33.12Z",
    "42": "42.11Z",
    "43": "43.21A",
    "46": "46.39B",
    "47.11": "47.11D",
    "87": "87.10A",
}
UNMAPPED_NAF = ("47.71Z", "86.21Z", "96.02A", "68.20A", "64.19Z", "66.22Z", "85.20Z", "93.29Z")


# ------------------------------------------------------------------------------- the data


def _positions(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    towns = np.array([t[:2] for t in TOWNS])
    weights = np.array([t[2] for t in TOWNS], dtype=np.float64)
    town = rng.choice(len(TOWNS), count, p=weights / weights.sum())
    spread = rng.exponential(SPREAD_DEG, count)[:, None] * rng.normal(size=(count, 2))
    clustered = towns[town] + spread
    anywhere = rng.uniform(BBOX[:2], BBOX[2:], (count, 2))
    where = np.where((rng.random(count) < CLUSTERED)[:, None], clustered, anywhere)
    lon = np.clip(where[:, 0], BBOX[0], BBOX[2])
    lat = np.clip(where[:, 1], BBOX[1], BBOX[3])
    return lon, lat


def make_items(
    count: int = ITEMS, organisations: int = ORGANISATIONS, seed: int = SEED
) -> list[Item]:
    rng = np.random.default_rng(seed)
    org_lon, org_lat = _positions(rng, organisations)
    kinds = list(KIND_WEIGHTS)
    weights = np.array([KIND_WEIGHTS[k] for k in kinds], dtype=np.float64)
    kind_of = rng.choice(len(kinds), count, p=weights / weights.sum())
    org_of = rng.integers(0, organisations, count)
    draws = rng.random((count, 8))
    max_km = rng.choice(len(MAX_KM), count, p=MAX_KM_P)
    day0 = date(2025, 1, 1)
    items = []
    for n in range(count):
        kind = kinds[kind_of[n]]
        categories = list(KINDS[kind].categories)
        side: Side = "need" if draws[n, 0] < 0.55 else "offer"
        unit = quantity = None
        if draws[n, 1] < 0.7:
            choices = UNITS_BY_KIND[kind]
            unit = choices[int(draws[n, 2] * len(choices))]
            quantity = round(float(10 ** rng.uniform(0, 3)), 1)
        start = end = None
        if draws[n, 3] < 0.5:
            start = day0 + timedelta(days=int(rng.integers(0, 720)))
            if draws[n, 4] < 0.8:
                end = start + timedelta(days=int(rng.integers(7, 720)))
        org = int(org_of[n])
        items.append(
            Item(
                id=n + 1,
                organisation=org + 1,
                side=side,
                kind=kind,
                category=categories[int(draws[n, 5] * len(categories))],
                lat=float(org_lat[org]),
                lon=float(org_lon[org]),
                quantity=quantity,
                unit=unit,
                periodicity=PERIODICITIES[int(draws[n, 6] * len(PERIODICITIES))],
                start=start,
                end=end,
                max_km=MAX_KM[max_km[n]],
                price_intent=PRICES[int(draws[n, 7] * len(PRICES))],
                cost_cents_per_year=int(rng.integers(100_000, 5_000_000))
                if side == "need" and rng.random() < 0.33
                else None,
                confidentiality=CONFIDENTIALITIES[n % 3],
            )
        )
    return items


def make_candidates(count: int = CANDIDATES, seed: int = SEED) -> list[Candidate]:
    rng = np.random.default_rng(seed + 1)
    lon, lat = _positions(rng, count)
    mapped = [NAF_EXAMPLES.get(key, key) for key in load_naf_kinds()]
    candidates = []
    for n in range(count):
        pool = mapped if rng.random() < 0.5 else UNMAPPED_NAF
        naf = pool[int(rng.integers(0, len(pool)))]
        candidates.append(
            Candidate(1_000_000 + n, naf if rng.random() < 0.97 else None, lat[n], lon[n])
        )
    return candidates


# ------------------------------------------------------------------------ the reference


def distance_km(lon_a: float, lat_a: float, lon_b: float, lat_b: float) -> float:
    """The engine's distance, one pair at a time."""
    f = np.float64
    return float(haversine_km(f(lon_a), f(lat_a), f(lon_b), f(lat_b)))  # type: ignore[arg-type]


def _yearly(item: Item) -> float | None:
    if item.quantity is None or item.unit is None:
        return None
    return units.per_year(units.to_base(item.quantity, item.unit), item.periodicity)


def _units_convert(a: Item, b: Item) -> bool:
    return a.unit is None or b.unit is None or units.convertible(a.unit, b.unit)


def _within(km: float, *limits: float | None) -> bool:
    return all(limit is None or km <= limit for limit in limits)


def _closeness(km: float, limit: float | None) -> float:
    if limit is None:
        return DISTANCE_REFERENCE_KM / (DISTANCE_REFERENCE_KM + km)
    return 1.0 - km / limit if limit > 0 else 1.0


def _common_period(a: Item, b: Item) -> tuple[bool, int | None, int, int]:
    """(overlap, days in common or None when open, days of a, days of b): each open bound
    of one side takes the other side's bound."""
    sa = a.start if a.start is not None else b.start
    sb = b.start if b.start is not None else a.start
    ea = a.end if a.end is not None else b.end
    eb = b.end if b.end is not None else a.end
    low = None if sa is None or sb is None else max(sa, sb)
    high = None if ea is None or eb is None else min(ea, eb)
    if low is None or high is None:
        return True, None, 0, 0
    if low > high:
        return False, None, 0, 0
    assert sa is not None and sb is not None and ea is not None and eb is not None
    return True, (high - low).days + 1, (ea - sa).days + 1, (eb - sb).days + 1


def _round(x: float, digits: int) -> float:
    return float(np.round(x, digits))


def _score(raw: float) -> float:
    return _round(min(1.0, max(0.0, raw)), SCORE_DIGITS)


def _pct(x: float) -> float:
    return _round(100.0 * x, 1)


def _distance_reason(km: float, limit: float | None, closeness: float) -> Reason:
    if limit is None:
        return Reason.of("distance_unlimited", km=_round(km, 1), score_pct=_pct(closeness))
    return Reason.of("distance", km=_round(km, 1), limit_km=limit, score_pct=_pct(closeness))


def _limit(*limits: float | None) -> float | None:
    known = [float(x) for x in limits if x is not None]
    return min(known) if known else None


def brute_exchanges(items: Sequence[Item]) -> list[Proposal]:
    found = []
    for need in items:
        if need.side != "need":
            continue
        for offer in items:
            if (
                offer.side != "offer"
                or (offer.kind, offer.category) != (need.kind, need.category)
                or offer.organisation == need.organisation
                or not _units_convert(need, offer)
            ):
                continue
            meet, days, need_days, _ = _common_period(need, offer)
            if not meet:
                continue
            qn, qo = _yearly(need), _yearly(offer)
            if qn is not None and qo is not None and qo < MIN_COVERAGE * qn:
                continue
            km = distance_km(need.lon, need.lat, offer.lon, offer.lat)
            if not _within(km, need.max_km, offer.max_km):
                continue
            limit = _limit(need.max_km, offer.max_km)
            s_distance = _closeness(km, limit)
            if qn is not None and qo is not None:
                s_quantity = min(qn, qo) / max(qn, qo)
                assert need.unit is not None
                recurring = need.periodicity != "once" or offer.periodicity != "once"
                quantity = Reason.of(
                    "quantity_fit",
                    need=_round(qn, 3),
                    offer=_round(qo, 3),
                    unit=units.base_unit(need.unit),
                    per=" par an" if recurring else "",
                    ratio_pct=_pct(s_quantity),
                )
            else:
                s_quantity = QUANTITY_UNKNOWN_SCORE
                quantity = Reason.of("quantity_unknown", score_pct=_pct(s_quantity))
            if days is None:
                s_period = 1.0
                period = Reason.of("period_open", share_pct=100.0)
            else:
                s_period = days / need_days
                period = Reason.of("period_overlap", overlap_days=days, share_pct=_pct(s_period))
            s_price = PRICE_COMPATIBILITY[(need.price_intent, offer.price_intent)]
            raw = W_DISTANCE * s_distance + W_QUANTITY * s_quantity + W_PERIOD * s_period
            raw = raw + W_PRICE * s_price
            price = Reason.of(
                "price",
                need=need.price_intent,
                offer=offer.price_intent,
                need_label=PRICE_INTENTS[need.price_intent],
                offer_label=PRICE_INTENTS[offer.price_intent],
                score_pct=_pct(s_price),
            )
            found.append(
                Proposal(
                    "exchange",
                    (need.id, offer.id),
                    (need.organisation, offer.organisation),
                    _score(raw),
                    (_distance_reason(km, limit, s_distance), quantity, period, price),
                )
            )
    return found


def brute_pools(
    items: Sequence[Item], radius_km: float = POOLING_RADIUS_KM, min_members: int = 2
) -> list[Proposal]:
    needs = [item for item in items if item.side == "need"]
    neighbours: dict[int, list[tuple[float, int, Item, float]]] = {i.id: [] for i in needs}
    for a in needs:
        for b in needs:
            if (
                a.id >= b.id
                or (a.kind, a.category) != (b.kind, b.category)
                or a.organisation == b.organisation
                or not _units_convert(a, b)
            ):
                continue
            meet, days, days_a, days_b = _common_period(a, b)
            if not meet:
                continue
            km = distance_km(a.lon, a.lat, b.lon, b.lat)
            if not _within(km, radius_km, a.max_km, b.max_km):
                continue
            share = 1.0 if days is None else days / min(days_a, days_b)
            neighbours[a.id].append((km, b.id, b, share))
            neighbours[b.id].append((km, a.id, a, share))
    degree = {i.id: len({n[2].organisation for n in neighbours[i.id]}) for i in needs}
    seeds = sorted(
        (i for i in needs if degree[i.id] >= min_members - 1), key=lambda i: (-degree[i.id], i.id)
    )
    used: set[int] = set()
    pools = []
    for seed in seeds:
        if seed.id in used:
            continue
        family = None if seed.unit is None else units.comparable_key(seed.unit)
        chosen: dict[int, tuple[Item, float, float]] = {}
        for km, _, member, share in sorted(neighbours[seed.id], key=lambda n: (n[0], n[1])):
            if member.id in used or member.organisation in chosen:
                continue
            if member.unit is not None:
                if family is None:
                    family = units.comparable_key(member.unit)
                elif units.comparable_key(member.unit) != family:
                    continue
            chosen[member.organisation] = (member, km, share)
        if len(chosen) + 1 < min_members:
            continue
        members = sorted(chosen.values(), key=lambda m: m[0].id)
        used.add(seed.id)
        used.update(m[0].id for m in members)
        pools.append(_brute_pool(seed, members, radius_km))
    return pools


def _brute_pool(seed: Item, members: list[tuple[Item, float, float]], radius_km: float) -> Proposal:
    everyone = sorted([seed, *(m[0] for m in members)], key=lambda i: i.id)
    count = len(everyone)
    distances = [m[1] for m in members]
    mean_km = sum(distances) / len(distances)
    s_proximity = 1.0 - mean_km / radius_km if radius_km > 0 else 1.0
    s_size = min(1.0, (count - 1) / (POOL_FULL_SIZE - 1))
    s_period = sum(m[2] for m in members) / len(members)
    yearly = [_yearly(i) for i in everyone]
    known = [q for q in yearly if q is not None]
    if len(known) == count:
        s_quantity = min(known) / max(known)
        assert seed.unit is not None
        quantity = Reason.of(
            "pool_quantity",
            min=_round(min(known), 3),
            max=_round(max(known), 3),
            total=_round(sum(known), 3),
            unit=units.base_unit(seed.unit),
            per=" par an" if any(i.periodicity != "once" for i in everyone) else "",
            ratio_pct=_pct(s_quantity),
        )
    else:
        s_quantity = QUANTITY_UNKNOWN_SCORE
        quantity = Reason.of("quantity_unknown", score_pct=_pct(s_quantity))
    costs = [i.cost_cents_per_year for i in everyone if i.cost_cents_per_year is not None]
    rate = pooling_saving_rate_bp(count)
    saving = sum(costs) * rate // 10_000 if costs else None
    if saving is None:
        saving_reason = Reason.of("saving_unknown", count=count)
    else:
        euros = f"{saving // 100:,}".replace(",", "\u202f") + f",{saving % 100:02d}"
        saving_reason = Reason.of(
            "saving", cents=saving, euros=euros, rate_pct=rate // 100, known=len(costs), count=count
        )
    raw = W_POOL_PROXIMITY * s_proximity + W_POOL_SIZE * s_size + W_POOL_PERIOD * s_period
    raw = raw + W_POOL_QUANTITY * s_quantity
    reasons = (
        Reason.of("pool_members", count=count, score_pct=_pct(s_size)),
        Reason.of(
            "pool_distance",
            radius_km=float(radius_km),
            max_km=_round(max(distances), 1),
            mean_km=_round(mean_km, 1),
            score_pct=_pct(s_proximity),
        ),
        Reason.of("pool_period", share_pct=_pct(s_period)),
        quantity,
        saving_reason,
    )
    return Proposal(
        "pooling",
        tuple(i.id for i in everyone),
        tuple(i.organisation for i in everyone),
        _score(raw),
        reasons,
        saving,
    )


def brute_prospects(
    items: Sequence[Item], candidates: Sequence[Candidate], naf_kinds: Mapping[str, NafKinds]
) -> list[Proposal]:
    members = {item.organisation for item in items}
    found = []
    for candidate in candidates:
        if candidate.id in members:
            continue
        entry = naf_entry(candidate.naf, naf_kinds)
        if entry is None:
            continue
        key, level, kinds = entry
        wanted = {("need", *pair) for pair in kinds.offers} | {("offer", *p) for p in kinds.needs}
        hits = []
        for item in items:
            if (item.side, item.kind, item.category) not in wanted:
                continue
            km = distance_km(candidate.lon, candidate.lat, item.lon, item.lat)
            if _within(km, item.max_km):
                hits.append((-_closeness(km, item.max_km), item.id, item, km))
        if not hits:
            continue
        hits.sort(key=lambda h: (h[0], h[1]))
        closeness, _, best, km = hits[0]
        top = sorted((h[2] for h in hits[:PROSPECT_MAX_ITEMS]), key=lambda i: i.id)
        level_name, specificity = LEVELS[level]
        s_reach = min(1.0, len(hits) / PROSPECT_FULL_REACH)
        raw = W_PROSPECT_DISTANCE * -closeness + W_PROSPECT_REACH * s_reach
        raw = raw + W_PROSPECT_SPECIFICITY * specificity
        order = {
            pair: n for n, pair in enumerate((k, c) for k in KINDS for c in KINDS[k].categories)
        }
        counts: dict[tuple[str, int, str, str], int] = {}
        for _, _, item, _ in hits:
            slot = (item.side, order[(item.kind, item.category)], item.kind, item.category)
            counts[slot] = counts.get(slot, 0) + 1
        reasons = [
            Reason.of(
                "prospect_activity",
                naf=normalise_naf(candidate.naf) or "",
                entry=key,
                level=level_name,
                score_pct=_pct(specificity),
            ),
            *(
                Reason.of(
                    "prospect_offers" if side == "need" else "prospect_needs",
                    kind=kind,
                    category=category,
                    label=category_label(kind, category),
                    count=n,
                )
                for (side, _, kind, category), n in sorted(counts.items())
            ),
            Reason.of("prospect_reach", count=len(hits), score_pct=_pct(s_reach)),
            _distance_reason(km, best.max_km, -closeness),
        ]
        found.append(
            Proposal(
                "prospect",
                tuple(i.id for i in top),
                (candidate.id, *(i.organisation for i in top)),
                _score(raw),
                tuple(reasons),
            )
        )
    return found


def brute_force(
    items: Sequence[Item],
    candidates: Sequence[Candidate] = (),
    naf_kinds: Mapping[str, NafKinds] | None = None,
    *,
    radius_km: float = POOLING_RADIUS_KM,
    min_members: int = 2,
) -> list[Proposal]:
    """What `run_all` must answer, by plain loops over the pairs."""
    table = load_naf_kinds() if naf_kinds is None else naf_kinds
    found = brute_exchanges(items) + brute_pools(items, radius_km, min_members)
    found += brute_prospects(items, candidates, table)
    return sorted(found, key=lambda p: (-p.score, p.item_ids, p.organisations, p.kind))


# --------------------------------------------------------------------------------- runner


def run(report: Report) -> None:
    items = make_items()
    candidates = make_candidates()
    naf_kinds = load_naf_kinds()

    seconds = []
    proposals: list[Proposal] = []
    for _ in range(2):
        proposals = []  # the previous answer is freed before the clock starts
        started = time.perf_counter()
        proposals = run_all(items, candidates, naf_kinds)
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    run_all(items, candidates, naf_kinds)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    counts = {
        kind: sum(p.kind == kind for p in proposals) for kind in ("exchange", "pooling", "prospect")
    }
    report(
        name=f"synergies: run_all, {len(items) // 1000}k items, {len(candidates) // 1000}k candidates",
        value=min(seconds),
        unit="s",
        higher_is_better=False,
        target=30.0,
    )
    report(
        name="synergies: run_all, peak memory (tracemalloc)",
        value=peak / 2**20,
        unit="MiB",
        higher_is_better=False,
        target=1024.0,
    )
    for kind, count in counts.items():
        report(name=f"synergies: run_all, {kind} proposals", value=count, unit="count")

    rng = np.random.default_rng(SEED + 2)
    subset = [items[i] for i in sorted(rng.choice(len(items), SUBSET_ITEMS, replace=False))]
    some = [
        candidates[i] for i in sorted(rng.choice(len(candidates), SUBSET_CANDIDATES, replace=False))
    ]
    fast = []
    answer: list[Proposal] = []
    for _ in range(3):
        answer = []
        started = time.perf_counter()
        answer = run_all(subset, some, naf_kinds)
        fast.append(time.perf_counter() - started)
    started = time.perf_counter()
    with gc_paused():  # the same conditions as run_all's
        expected = brute_force(subset, some, naf_kinds)
    slow = time.perf_counter() - started
    if answer != expected:
        missing = len({repr(p) for p in expected} - {repr(p) for p in answer})
        extra = len({repr(p) for p in answer} - {repr(p) for p in expected})
        raise AssertionError(
            f"run_all disagrees with the brute force: {missing} missing, {extra} extra"
        )
    report(
        name="synergies: subset, proposals (identical to the loops')",
        value=len(expected),
        unit="count",
    )
    report(
        name=f"synergies: subset of {SUBSET_ITEMS:,} items vs pairwise loops",
        value=min(fast) * 1e3,
        unit="ms",
        baseline=slow * 1e3,
        higher_is_better=False,
        target_ratio=50,
    )
