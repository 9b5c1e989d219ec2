"""The synergy engine: needs and offers of a hub's members turned into ranked proposals.

Pure module (no Django import). Members declare needs and offers (`Item`): a kind and a
category of `KINDS`, an optional quantity with its unit (`ptce.cooperation.units`) and
periodicity, an optional period, the place of the establishment, how far the member will
go, a price intent and, for needs, what the member pays today. Three detectors propose:

* `detect_exchanges`: an offer meets a need (`exchange`);
* `detect_pooling`: members with similar needs close together (`pooling`);
* `ptce.cooperation.prospects.detect_prospects`: directory organisations, not yet members,
  whose activity usually offers or needs what members need or offer (`prospect`).

`run_all` runs the three and ranks the proposals together. Each `Proposal` has a score in
[0, 1] (rounded to `SCORE_DIGITS` decimals), the reasons behind it (`Reason`: a code of
`REASON_MESSAGES` and the figures its French message needs, rounded half to even as
`numpy.round` does: km and percentages to 0.1, quantities to 0.001), and the ids of the
items it involves: confidentiality is not decided here, the app hides a proposal from a
viewer who may not see one of its items. Ranking (`rank`) is by score, highest first, then by item
ids, organisations and kind: the same data gives the same list in any input order.

Common rules
------------
* Distances are great-circle distances (`haversine_km`, the formula of
  `ptce.territories.geo.distance_km`). A pair is within reach when the distance is at most
  each side's `max_km` (None: no limit).
* Periods are inclusive dates, None meaning open-ended. An open bound takes the other
  side's bound ("available since whenever" meets "needed from 1 March" on 1 March); the
  periods must then share at least one day.
* Quantities are compared in the base unit per year (`units.per_year(units.to_base(...))`).
  Two items whose units do not convert are never matched nor pooled; an item without a
  unit matches any unit (its quantity is unknown).
* The same organisation is never matched with itself.

Exchange: an offer and a need of the same kind and category, within reach of both, with
units that convert, periods that overlap and, when both quantities are known, an offer of
at least `MIN_COVERAGE` of the need. Score (weights sum to 1)::

    W_DISTANCE × proximity + W_QUANTITY × fit + W_PERIOD × share + W_PRICE × price

* proximity: 1 − km / limit with limit the smaller `max_km` (1 when the limit is 0);
  without a limit on either side, `DISTANCE_REFERENCE_KM` / (`DISTANCE_REFERENCE_KM` + km);
* fit: smaller quantity / larger quantity; `QUANTITY_UNKNOWN_SCORE` when one is unknown;
* share: days in common / days of the need's period (open bounds clipped as above), 1
  when the common period has no start or no end;
* price: `PRICE_COMPATIBILITY[need's intent, offer's intent]`.

Pooling: needs of the same kind and category from distinct organisations. Two needs are
neighbours when they are within `radius_km` of each other and within both `max_km`, their
periods overlap and their units convert (or one has none). Pools are formed greedily,
deterministically: needs are taken as seeds by decreasing number of distinct neighbouring
organisations, then by item id; a seed not yet pooled gathers, for each other
organisation, its nearest neighbouring need not yet pooled (ties: lowest id) whose unit
converts with the pool's (the seed's, or for a seed without a unit, that of its nearest
gathered need with one); when that makes at least `min_members` organisations, the pool
is kept and its needs are used up. Every member is thus within `radius_km` of the seed,
the natural host of the shared resource, and all units in a pool convert. Score::

    W_POOL_PROXIMITY × (1 − mean km to the seed / radius_km)   (1 when radius_km is 0)
    + W_POOL_SIZE × min(1, (members − 1) / (POOL_FULL_SIZE − 1))
    + W_POOL_PERIOD × mean share of the shorter period shared with the seed (1 if open)
    + W_POOL_QUANTITY × smallest / largest quantity (QUANTITY_UNKNOWN_SCORE if one is unknown)

The estimated saving applies `POOLING_SAVING_RATES_BP` (economies of scale: 20 % of the
costs for 2 members, 25 % for 3, 30 % for 4, 35 % from 5 on) to the yearly costs declared
by the members (`cost_cents_per_year`); None when no member declared one.

Speed: items are grouped by kind and category; within a group, pairs within reach are
found from chunked matrix products of unit vectors (cosine of the angle against the
cosine of the reach, with a safety margin), so no Python loop runs over pairs that are
not within reach. The pairs found are then measured exactly with `haversine_km`, so that
the answer is exactly the one of a plain double loop over the items.

Layout: `reference` (kinds, weights, `Item`), `proposals` (`Reason`, `Proposal`, messages,
ranking), `arrays` (the item table and array helpers), `exchanges`, `pools` and
`prospects` (the three detectors); this module runs them and keeps the public API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ptce.cooperation import prospects
from ptce.cooperation.arrays import (
    F64,
    GROUP_KEYS,
    I64,
    ItemTable,
    haversine_km,
    item_table,
)
from ptce.cooperation.exchanges import find_exchanges
from ptce.cooperation.pools import find_pools
from ptce.cooperation.proposals import (
    REASON_MESSAGES,
    ParamValue,
    Proposal,
    Reason,
    gc_paused,
    rank,
    rank_key,
)
from ptce.cooperation.prospects import Candidate, NafKinds
from ptce.cooperation.reference import (
    CONFIDENTIALITIES,
    DISTANCE_REFERENCE_KM,
    KINDS,
    MIN_COVERAGE,
    POOL_FULL_SIZE,
    POOLING_RADIUS_KM,
    POOLING_SAVING_RATES_BP,
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
    DeclarationError,
    Item,
    Kind,
    PriceIntent,
    ProposalKind,
    Side,
    category_label,
    pooling_saving_rate_bp,
)

__all__ = [
    "CONFIDENTIALITIES",
    "DISTANCE_REFERENCE_KM",
    "F64",
    "GROUP_KEYS",
    "I64",
    "KINDS",
    "MIN_COVERAGE",
    "POOLING_RADIUS_KM",
    "POOLING_SAVING_RATES_BP",
    "POOL_FULL_SIZE",
    "PRICE_COMPATIBILITY",
    "PRICE_INTENTS",
    "QUANTITY_UNKNOWN_SCORE",
    "REASON_MESSAGES",
    "SCORE_DIGITS",
    "W_DISTANCE",
    "W_PERIOD",
    "W_POOL_PERIOD",
    "W_POOL_PROXIMITY",
    "W_POOL_QUANTITY",
    "W_POOL_SIZE",
    "W_PRICE",
    "W_QUANTITY",
    "Confidentiality",
    "DeclarationError",
    "Item",
    "ItemTable",
    "Kind",
    "ParamValue",
    "PriceIntent",
    "Proposal",
    "ProposalKind",
    "Reason",
    "Side",
    "category_label",
    "detect_exchanges",
    "detect_pooling",
    "gc_paused",
    "haversine_km",
    "item_table",
    "pooling_saving_rate_bp",
    "rank",
    "rank_key",
    "run_all",
]


def run_all(
    items: Sequence[Item],
    candidates: Sequence[Candidate] = (),
    naf_kinds: Mapping[str, NafKinds] | None = None,
    *,
    radius_km: float = POOLING_RADIUS_KM,
    min_members: int = 2,
) -> list[Proposal]:
    """Exchanges, pools and prospects, ranked together. `candidates` and `naf_kinds` are
    those of `prospects.detect_prospects` (`naf_kinds` None: the table shipped with ptce)."""
    mapping = prospects.load_naf_kinds() if naf_kinds is None else naf_kinds
    with gc_paused():
        table = item_table(items)
        found = find_exchanges(table)
        found += find_pools(table, radius_km, min_members)
        found += prospects.prospects_of(table, candidates, mapping)
        return rank(found)


def detect_exchanges(items: Sequence[Item]) -> list[Proposal]:
    """Offers meeting needs (see the module docstring), ranked."""
    with gc_paused():
        return rank(find_exchanges(item_table(items)))


def detect_pooling(
    items: Sequence[Item], *, radius_km: float = POOLING_RADIUS_KM, min_members: int = 2
) -> list[Proposal]:
    """Pools of similar needs of distinct organisations close together, ranked."""
    with gc_paused():
        return rank(find_pools(item_table(items), radius_km, min_members))
