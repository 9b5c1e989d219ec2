"""Pooling detector of the synergy engine: members with similar needs close together
(rules and score in `ptce.cooperation.synergies`). Pure module (no Django import).
"""

from __future__ import annotations

import numpy as np

from ptce.cooperation import units
from ptce.cooperation.arrays import (
    I64,
    ItemTable,
    clipped_periods,
    close_pairs,
    cos_reach,
    final_score,
    group_indices,
    haversine_km,
    pct,
    rnd,
)
from ptce.cooperation.proposals import Proposal, Reason
from ptce.cooperation.reference import (
    POOL_FULL_SIZE,
    QUANTITY_UNKNOWN_SCORE,
    W_POOL_PERIOD,
    W_POOL_PROXIMITY,
    W_POOL_QUANTITY,
    W_POOL_SIZE,
    DeclarationError,
    pooling_saving_rate_bp,
)


def _euros(cents: int) -> str:
    """`123456` -> `1 234,56` (narrow no-break space between thousands)."""
    return f"{cents // 100:,}".replace(",", "\u202f") + f",{cents % 100:02d}"


def find_pools(t: ItemTable, radius_km: float, min_members: int) -> list[Proposal]:
    if not (isinstance(radius_km, int | float) and 0 <= radius_km < float("inf")):
        raise DeclarationError("Le rayon de mutualisation doit être un nombre de km positif.")
    if not (isinstance(min_members, int) and min_members >= 2):
        raise DeclarationError("Une mutualisation réunit au moins 2 organisations.")
    reach_km = np.minimum(t.limit, float(radius_km))
    reach = cos_reach(reach_km)
    needs = np.flatnonzero(t.need)
    found_a: list[I64] = []
    found_b: list[I64] = []
    for part in group_indices(t.group[needs]):
        members = needs[part]
        if len(members) > 1:
            i, j = close_pairs(
                t.xyz[members], reach[members], t.xyz[members], reach[members], upper=True
            )
            found_a.append(members[i])
            found_b.append(members[j])
    if not found_a:
        return []
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    overlap, days_a, days_b, open_ = clipped_periods(t.start[a], t.end[a], t.start[b], t.end[b])
    keep = (
        (t.organisation[a] != t.organisation[b])
        & ((t.family[a] == t.family[b]) | (t.family[a] < 0) | (t.family[b] < 0))
        & (overlap >= 1)
    )
    a, b = a[keep], b[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(open_ == 1, 1.0, overlap / np.minimum(days_a, days_b))[keep]
    km = haversine_km(t.lon[a], t.lat[a], t.lon[b], t.lat[b])
    keep = km <= np.minimum(reach_km[a], reach_km[b])
    a, b, km, share = a[keep], b[keep], km[keep], share[keep]

    # both directions, each seed's neighbours by distance then item id
    src, dst = np.concatenate((a, b)), np.concatenate((b, a))
    km, share = np.concatenate((km, km)), np.concatenate((share, share))
    order = np.lexsort((t.ids[dst], km, src))
    src, dst, km, share = src[order], dst[order], km[order], share[order]
    first = np.searchsorted(src, np.arange(len(t.ids) + 1))
    # seeds by decreasing number of distinct neighbouring organisations, then by id
    pairs = np.unique(np.column_stack((src, t.organisation[dst])), axis=0)
    degree = np.bincount(pairs[:, 0], minlength=len(t.ids))
    seeds = np.flatnonzero(degree >= min_members - 1)
    seeds = seeds[np.lexsort((t.ids[seeds], -degree[seeds]))]

    used = np.zeros(len(t.ids), dtype=np.bool_)
    organisation, family = t.organisation.tolist(), t.family.tolist()
    proposals: list[Proposal] = []
    for seed in seeds.tolist():
        if used[seed]:
            continue
        lo, hi = first[seed], first[seed + 1]
        free = ~used[dst[lo:hi]]
        chosen: dict[int, tuple[int, float, float]] = {}
        pool_family = family[seed]
        for member, d, s in zip(
            dst[lo:hi][free].tolist(),
            km[lo:hi][free].tolist(),
            share[lo:hi][free].tolist(),
            strict=True,
        ):
            org = organisation[member]
            if org in chosen:  # only the nearest need of each organisation is gathered
                continue
            if family[member] >= 0:
                if pool_family < 0:
                    # a seed without a unit takes that of its nearest *gathered* need with
                    # one (not of a need passed over because its organisation is in)
                    pool_family = family[member]
                elif family[member] != pool_family:
                    continue
            chosen[org] = (member, d, s)
        if len(chosen) + 1 < min_members:
            continue
        pool = sorted(chosen.values(), key=lambda m: t.items[m[0]].id)
        used[seed] = True
        used[[m[0] for m in pool]] = True
        proposals.append(_pool_proposal(t, seed, pool, float(radius_km)))
    return proposals


def _pool_proposal(
    t: ItemTable, seed: int, pool: list[tuple[int, float, float]], radius_km: float
) -> Proposal:
    """The proposal of a seed and its members (index, km to the seed, period share), the
    members sorted by item id: sums run in that order."""
    everyone = sorted([seed, *(m[0] for m in pool)], key=lambda i: t.items[i].id)
    count = len(everyone)
    distances = [m[1] for m in pool]
    mean_km = sum(distances) / len(distances)
    s_proximity = 1.0 - mean_km / radius_km if radius_km > 0 else 1.0
    s_size = min(1.0, (count - 1) / (POOL_FULL_SIZE - 1))
    s_period = sum(m[2] for m in pool) / len(pool)
    quantities = [float(t.quantity[i]) for i in everyone]
    if any(q != q for q in quantities):  # NaN: unknown
        s_quantity = QUANTITY_UNKNOWN_SCORE
        quantity = Reason.of("quantity_unknown", score_pct=pct(s_quantity))
    else:
        s_quantity = min(quantities) / max(quantities)
        unit = t.items[seed].unit
        assert unit is not None
        quantity = Reason.of(
            "pool_quantity",
            min=rnd(min(quantities), 3),
            max=rnd(max(quantities), 3),
            total=rnd(sum(quantities), 3),
            unit=units.base_unit(unit),
            per=" " + units.PERIODICITIES["year"][0] if bool(t.recurring[everyone].any()) else "",
            ratio_pct=pct(s_quantity),
        )
    costs = [c for i in everyone if (c := t.items[i].cost_cents_per_year) is not None]
    rate = pooling_saving_rate_bp(count)
    saving = sum(costs) * rate // 10_000 if costs else None
    raw = W_POOL_PROXIMITY * s_proximity + W_POOL_SIZE * s_size + W_POOL_PERIOD * s_period
    raw = raw + W_POOL_QUANTITY * s_quantity
    reasons = (
        Reason.of("pool_members", count=count, score_pct=pct(s_size)),
        Reason.of(
            "pool_distance",
            radius_km=radius_km,
            max_km=rnd(max(distances), 1),
            mean_km=rnd(mean_km, 1),
            score_pct=pct(s_proximity),
        ),
        Reason.of("pool_period", share_pct=pct(s_period)),
        quantity,
        Reason.of("saving_unknown", count=count)
        if saving is None
        else Reason.of(
            "saving",
            cents=saving,
            euros=_euros(saving),
            rate_pct=rate // 100,
            known=len(costs),
            count=count,
        ),
    )
    return Proposal(
        "pooling",
        tuple(t.items[i].id for i in everyone),
        tuple(t.items[i].organisation for i in everyone),
        final_score(raw),
        reasons,
        saving,
    )
