"""Exchange detector of the synergy engine: an offer meets a need (rules and score in
`ptce.cooperation.synergies`). Pure module (no Django import).
"""

from __future__ import annotations

import numpy as np

from ptce.cooperation import units
from ptce.cooperation.arrays import (
    I64,
    INF,
    PRICE_TABLE,
    ItemTable,
    clipped_periods,
    close_pairs,
    cos_reach,
    group_indices,
    haversine_km,
    pct,
    pcts,
    proximity,
    scores,
)
from ptce.cooperation.proposals import Proposal, Reason
from ptce.cooperation.reference import (
    MIN_COVERAGE,
    PRICE_COMPATIBILITY,
    PRICE_INTENTS,
    QUANTITY_UNKNOWN_SCORE,
    W_DISTANCE,
    W_PERIOD,
    W_PRICE,
    W_QUANTITY,
)


def find_exchanges(t: ItemTable) -> list[Proposal]:
    reach = cos_reach(t.limit)
    needs_found: list[I64] = []
    offers_found: list[I64] = []
    for members in group_indices(t.group):
        needs, offers = members[t.need[members]], members[~t.need[members]]
        if len(needs) and len(offers):
            i, j = close_pairs(t.xyz[needs], reach[needs], t.xyz[offers], reach[offers])
            needs_found.append(needs[i])
            offers_found.append(offers[j])
    if not needs_found:
        return []
    n, o = np.concatenate(needs_found), np.concatenate(offers_found)
    overlap, need_days, _, open_ = clipped_periods(t.start[n], t.end[n], t.start[o], t.end[o])
    qn, qo = t.quantity[n], t.quantity[o]
    keep = (
        (t.organisation[n] != t.organisation[o])
        & ((t.family[n] == t.family[o]) | (t.family[n] < 0) | (t.family[o] < 0))
        & (overlap >= 1)
        & ~(qo < MIN_COVERAGE * qn)  # NaN (unknown) compares false: kept
    )
    n, o, overlap, need_days, open_ = n[keep], o[keep], overlap[keep], need_days[keep], open_[keep]
    km = haversine_km(t.lon[n], t.lat[n], t.lon[o], t.lat[o])
    limit = np.minimum(t.limit[n], t.limit[o])
    keep = km <= limit
    n, o, overlap, need_days, open_ = n[keep], o[keep], overlap[keep], need_days[keep], open_[keep]
    km, limit = km[keep], limit[keep]

    s_distance = proximity(km, limit)
    qn, qo = t.quantity[n], t.quantity[o]
    known = ~np.isnan(qn) & ~np.isnan(qo)
    with np.errstate(invalid="ignore"):
        ratio = np.minimum(qn, qo) / np.maximum(qn, qo)
    s_quantity = np.where(known, ratio, QUANTITY_UNKNOWN_SCORE)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_period = np.where(open_ == 1, 1.0, overlap / need_days)
    price = t.price[n] * len(PRICE_INTENTS) + t.price[o]
    s_price = PRICE_TABLE.ravel()[price]
    score = W_DISTANCE * s_distance + W_QUANTITY * s_quantity + W_PERIOD * s_period
    score = score + W_PRICE * s_price

    # the reasons that do not depend on the pair are built once
    ids, organisation = t.ids.tolist(), t.organisation.tolist()
    base = [units.base_unit(i.unit) if i.unit is not None else "" for i in t.items]
    per = np.where(
        t.recurring[n] | t.recurring[o], " " + units.PERIODICITIES["year"][0], ""
    ).tolist()
    unknown = Reason.of("quantity_unknown", score_pct=pct(QUANTITY_UNKNOWN_SCORE))
    open_period = Reason.of("period_open", share_pct=pct(1.0))
    price_reasons = [
        Reason.of(
            "price",
            need=need,
            offer=offer,
            need_label=PRICE_INTENTS[need],
            offer_label=PRICE_INTENTS[offer],
            score_pct=pct(PRICE_COMPATIBILITY[(need, offer)]),
        )
        for need in PRICE_INTENTS
        for offer in PRICE_INTENTS
    ]
    proposals: list[Proposal] = []
    append = proposals.append
    for ni, oi, d, lim, sd, k, q1, q2, pr, rq, ov, op, sp, ps, sc in zip(
        n.tolist(),
        o.tolist(),
        np.round(km, 1).tolist(),
        limit.tolist(),
        pcts(s_distance).tolist(),
        known.tolist(),
        np.round(qn, 3).tolist(),
        np.round(qo, 3).tolist(),
        per,
        pcts(s_quantity).tolist(),
        overlap.tolist(),
        open_.tolist(),
        pcts(s_period).tolist(),
        price.tolist(),
        scores(score).tolist(),
        strict=True,
    ):
        distance = (
            Reason("distance_unlimited", {"km": d, "score_pct": sd})
            if lim == INF
            else Reason("distance", {"km": d, "limit_km": lim, "score_pct": sd})
        )
        quantity = (
            Reason(
                "quantity_fit",
                {"need": q1, "offer": q2, "unit": base[ni], "per": pr, "ratio_pct": rq},
            )
            if k
            else unknown
        )
        period = (
            open_period if op else Reason("period_overlap", {"overlap_days": ov, "share_pct": sp})
        )
        append(
            Proposal(
                "exchange",
                (ids[ni], ids[oi]),
                (organisation[ni], organisation[oi]),
                sc,
                (distance, quantity, period, price_reasons[ps]),
            )
        )
    return proposals
