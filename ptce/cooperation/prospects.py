"""Prospects: organisations of the directory, not yet members, proposed as future members
because their activity usually offers what members need, or needs what members offer.
Pure module (no Django import); part of the synergy engine (`synergies`).

What an activity usually offers or needs is the small editable table
`data/naf_kinds.json`: NAF rév. 2 keys (sub-class `49.41A`, class `47.11` or division
`10`) with the kinds and categories of `synergies.KINDS` they offer and need. A candidate's
NAF code takes the most specific entry there is (sub-class, then class, then division).

The caller passes the candidates inside the hub's perimeter; a candidate that is already
a member (its id is the organisation of an item) is skipped. A candidate is within reach
of a member's item when it lies within the item's `max_km` (None: no limit); the candidate
has declared nothing, so only the member's limit applies. A candidate gets one proposal
listing the `PROSPECT_MAX_ITEMS` items it fits best (highest proximity, then lowest id;
`item_ids` sorted, `organisations` the candidate's then those of `item_ids`), with one
reason per (side, kind, category) matched (members' needs first, in `KINDS` order) giving
the count of items within reach, and scored::

    W_PROSPECT_DISTANCE × proximity of the best item (as for exchanges)
    + W_PROSPECT_REACH × min(1, items within reach / PROSPECT_FULL_REACH)
    + W_PROSPECT_SPECIFICITY × specificity of the NAF entry (LEVELS)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np

from ptce.actors.naf import DIVISIONS, is_naf_code
from ptce.cooperation.arrays import (
    GROUP_KEYS,
    I64,
    ItemTable,
    close_pairs,
    cos_reach,
    group_indices,
    haversine_km,
    item_table,
    pcts,
    proximity,
    scores,
    unit_vectors,
)
from ptce.cooperation.proposals import Proposal, Reason, gc_paused, rank
from ptce.cooperation.reference import KINDS, DeclarationError, Item, category_label
from ptce.core.text import gettext_noop

__all__ = [
    "LEVELS",
    "NAF_KINDS_PATH",
    "PROSPECT_FULL_REACH",
    "PROSPECT_MAX_ITEMS",
    "Candidate",
    "NafKinds",
    "detect_prospects",
    "load_naf_kinds",
    "naf_entry",
    "normalise_naf",
    "parse_naf_kinds",
]

NAF_KINDS_PATH: Final = Path(__file__).resolve().parent / "data" / "naf_kinds.json"

# level of a NAF key -> (French name marked for extraction, specificity)
LEVELS: Final[dict[str, tuple[str, float]]] = {
    "code": (gettext_noop("sous-classe"), 1.0),
    "class": (gettext_noop("classe"), 0.8),
    "division": (gettext_noop("division"), 0.6),
}
PROSPECT_MAX_ITEMS: Final = 5
PROSPECT_FULL_REACH: Final = 5
W_PROSPECT_DISTANCE: Final = 0.5
W_PROSPECT_REACH: Final = 0.3
W_PROSPECT_SPECIFICITY: Final = 0.2

_CLASS_RE: Final = re.compile(r"^\d{2}\.\d{2}$")
_DIVISION_RE: Final = re.compile(r"^\d{2}$")
_GROUP_INDEX: Final = {key: index for index, key in enumerate(GROUP_KEYS)}


@dataclass(frozen=True, slots=True)
class Candidate:
    """An organisation of the directory inside the hub's perimeter."""

    id: int
    naf: str | None
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (
            isinstance(self.lat, int | float)
            and isinstance(self.lon, int | float)
            and -90.0 <= self.lat <= 90.0
            and -180.0 <= self.lon <= 180.0
        ):
            raise DeclarationError(
                f"Organisation {self.id} : coordonnées invalides (champs « lat » et « lon »)."
            )


@dataclass(frozen=True, slots=True)
class NafKinds:
    """What an activity usually offers and needs: (kind, category) pairs of `KINDS`."""

    offers: tuple[tuple[str, str], ...] = ()
    needs: tuple[tuple[str, str], ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        for kind, category in (*self.offers, *self.needs):
            if category not in (KINDS[kind].categories if kind in KINDS else ()):
                raise DeclarationError(
                    f"Table des activités : catégorie « {kind} / {category} » inconnue."
                )


def _naf_key_level(key: str) -> str | None:
    if is_naf_code(key):
        return "code"
    if _CLASS_RE.match(key) and int(key[:2]) in DIVISIONS:
        return "class"
    if _DIVISION_RE.match(key) and int(key) in DIVISIONS:
        return "division"
    return None


def parse_naf_kinds(document: object) -> dict[str, NafKinds]:
    """The table from its JSON document `{"entries": {key: {"label", "offers", "needs"}}}`,
    each of offers and needs a list of `{"kind", "category"}`; `DeclarationError` naming
    the entry at fault."""
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise DeclarationError("Table des activités : objet « entries » attendu.")
    table: dict[str, NafKinds] = {}
    for key, entry in entries.items():
        if _naf_key_level(key) is None:
            raise DeclarationError(
                f"Table des activités : « {key} » n'est ni une sous-classe (« 49.41A »), "
                "ni une classe (« 47.11 »), ni une division (« 10 ») de la NAF rév. 2."
            )
        if not isinstance(entry, dict):
            raise DeclarationError(f"Table des activités, entrée « {key} » : objet attendu.")
        sides: list[tuple[tuple[str, str], ...]] = []
        for side in ("offers", "needs"):
            pairs = entry.get(side, [])
            if not isinstance(pairs, list) or not all(
                isinstance(p, dict) and isinstance(p.get("kind"), str) for p in pairs
            ):
                raise DeclarationError(
                    f"Table des activités, entrée « {key} » : « {side} » doit être une liste "
                    "de {kind, category}."
                )
            sides.append(tuple(dict.fromkeys((p["kind"], p.get("category")) for p in pairs)))
        try:
            table[key] = NafKinds(sides[0], sides[1], str(entry.get("label", "")))
        except DeclarationError as error:
            raise DeclarationError(f"{error} (entrée « {key} »)") from None
    return table


@cache
def _shipped() -> dict[str, NafKinds]:
    return parse_naf_kinds(json.loads(NAF_KINDS_PATH.read_text(encoding="utf-8")))


def load_naf_kinds(path: Path | None = None) -> dict[str, NafKinds]:
    """The table of `path`, by default the one shipped with ptce (`NAF_KINDS_PATH`)."""
    if path is None:
        return dict(_shipped())
    return parse_naf_kinds(json.loads(Path(path).read_text(encoding="utf-8")))


def normalise_naf(naf: str | None) -> str | None:
    """`4941a`, ` 49.41A ` -> `49.41A`; None when it is not a NAF rév. 2 sub-class."""
    if not naf:
        return None
    text = naf.strip().upper().replace(".", "")
    code = f"{text[:2]}.{text[2:]}"
    return code if is_naf_code(code) else None


def naf_entry(
    naf: str | None, naf_kinds: Mapping[str, NafKinds]
) -> tuple[str, str, NafKinds] | None:
    """(key, level, entry) of the most specific entry for a NAF code, or None."""
    code = normalise_naf(naf)
    if code is None:
        return None
    for key, level in ((code, "code"), (code[:5], "class"), (code[:2], "division")):
        entry = naf_kinds.get(key)
        if entry is not None:
            return key, level, entry
    return None


def detect_prospects(
    items: Sequence[Item], candidates: Sequence[Candidate], naf_kinds: Mapping[str, NafKinds]
) -> list[Proposal]:
    """Candidates whose activity fits members' needs or offers within reach, ranked."""
    with gc_paused():
        return rank(prospects_of(item_table(items), candidates, naf_kinds))


def prospects_of(
    t: ItemTable, candidates: Sequence[Candidate], naf_kinds: Mapping[str, NafKinds]
) -> list[Proposal]:
    """`detect_prospects` on the engine's item table, unranked."""
    if len({c.id for c in candidates}) != len(candidates):
        raise DeclarationError("Organisations candidates en double.")
    members = set(t.organisation.tolist())
    found: dict[str | None, tuple[str, str, NafKinds] | None] = {}
    kept: list[tuple[Candidate, str, str, NafKinds]] = []
    wanted: dict[tuple[bool, int], list[int]] = {}  # (member side is need, group) -> kept
    for candidate in candidates:
        if candidate.id in members:
            continue
        if candidate.naf not in found:
            found[candidate.naf] = naf_entry(candidate.naf, naf_kinds)
        match = found[candidate.naf]
        if match is None:
            continue
        for is_need, pairs in ((True, match[2].offers), (False, match[2].needs)):
            for pair in pairs:
                wanted.setdefault((is_need, _GROUP_INDEX[pair]), []).append(len(kept))
        kept.append((candidate, *match))
    if not kept:
        return []
    lon = np.array([k[0].lon for k in kept], dtype=np.float64)
    lat = np.array([k[0].lat for k in kept], dtype=np.float64)
    xyz = unit_vectors(lon, lat)
    anywhere = np.full(len(kept), -2.0)
    reach = cos_reach(t.limit)
    items_of = {
        (bool(t.need[part[0]]), int(t.group[part[0]])): part
        for part in group_indices(t.group * 2 + t.need)
    }
    found_c: list[I64] = []
    found_i: list[I64] = []
    for key, positions in wanted.items():
        its = items_of.get(key)
        if its is None:
            continue
        cands = np.array(positions, dtype=np.int64)
        i, j = close_pairs(t.xyz[its], reach[its], xyz[cands], anywhere[cands])
        found_i.append(its[i])
        found_c.append(cands[j])
    if not found_c:
        return []
    c, i = np.concatenate(found_c), np.concatenate(found_i)
    km = haversine_km(lon[c], lat[c], t.lon[i], t.lat[i])
    keep = km <= t.limit[i]
    c, i, km = c[keep], i[keep], km[keep]
    if not len(c):
        return []
    closeness = proximity(km, t.limit[i])
    order = np.lexsort((t.ids[i], -closeness, c))
    c, i, km, closeness = c[order], i[order], km[order], closeness[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    ends = np.r_[starts[1:], len(c)]
    count = ends - starts
    # matches by candidate, then member side (needs first), then (kind, category)
    slot = (~t.need[i]) * len(GROUP_KEYS) + t.group[i]
    slots, per_slot = np.unique(c * (2 * len(GROUP_KEYS)) + slot, return_counts=True)
    slot_bounds = np.searchsorted(slots // (2 * len(GROUP_KEYS)), c[starts]).tolist()
    slot_bounds.append(len(slots))
    slots_list = (slots % (2 * len(GROUP_KEYS))).tolist()
    per_slot_list = per_slot.tolist()

    specificity = np.array([LEVELS[kept[x][2]][1] for x in c[starts].tolist()])
    s_best = closeness[starts]
    s_reach = np.minimum(1.0, count / PROSPECT_FULL_REACH)
    raw = W_PROSPECT_DISTANCE * s_best + W_PROSPECT_REACH * s_reach
    raw = raw + W_PROSPECT_SPECIFICITY * specificity
    best = i[starts]
    i_list, ids, organisation = i.tolist(), t.ids.tolist(), t.organisation.tolist()
    labels = [category_label(kind, category) for kind, category in GROUP_KEYS]
    naf_codes = {naf: normalise_naf(naf) for naf in found}  # each distinct code once
    proposals: list[Proposal] = []
    for n, (lo, hi, cand, total, b, d, sd, reach, spec, sc) in enumerate(
        zip(
            starts.tolist(),
            ends.tolist(),
            c[starts].tolist(),
            count.tolist(),
            best.tolist(),
            np.round(km[starts], 1).tolist(),
            pcts(s_best).tolist(),
            pcts(s_reach).tolist(),
            pcts(specificity).tolist(),
            scores(raw).tolist(),
            strict=True,
        )
    ):
        candidate, key, level, _entry = kept[cand]
        top = sorted(i_list[lo : min(hi, lo + PROSPECT_MAX_ITEMS)], key=ids.__getitem__)
        reasons = [
            Reason(
                "prospect_activity",
                {
                    "naf": naf_codes.get(candidate.naf) or "",
                    "entry": key,
                    "level": LEVELS[level][0],
                    "score_pct": spec,
                },
            )
        ]
        for x in range(slot_bounds[n], slot_bounds[n + 1]):
            offered, group = divmod(slots_list[x], len(GROUP_KEYS))
            kind, category = GROUP_KEYS[group]
            reasons.append(
                Reason(
                    "prospect_needs" if offered else "prospect_offers",
                    {
                        "kind": kind,
                        "category": category,
                        "label": labels[group],
                        "count": per_slot_list[x],
                    },
                )
            )
        reasons.append(Reason("prospect_reach", {"count": total, "score_pct": reach}))
        limit = t.items[b].max_km
        reasons.append(
            Reason("distance_unlimited", {"km": d, "score_pct": sd})
            if limit is None
            else Reason("distance", {"km": d, "limit_km": float(limit), "score_pct": sd})
        )
        proposals.append(
            Proposal(
                "prospect",
                tuple(ids[x] for x in top),
                (candidate.id, *(organisation[x] for x in top)),
                sc,
                tuple(reasons),
            )
        )
    return proposals
