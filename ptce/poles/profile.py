"""A hub's profile from its member list: who they are, how diverse, how anchored, how many
jobs they weigh, how old the hub is.

Pure module (no Django import). Definitions:

* `counts_by_type`: members by actor type, only the types present, in the order of
  `ACTOR_TYPES` (classification.py).
* `ess_share`: share of ESS enterprises among the members (0 with no member). A member is
  an ESS enterprise when its actor type is `ess` or it has an ESS family (a research
  association whose type was declared `research` still is one).
* `diversity`: Shannon entropy of the actor types, divided by its largest possible value,
  the logarithm of the number of actor types (8):
  ``diversity = -sum(p_t * ln p_t) / ln(len(ACTOR_TYPES))`` with ``p_t`` the share of
  members of type t. 0 with no member or a single type, 1 when every actor type is present
  in equal numbers. Dividing by ln(8) rather than by ln(number of types present) (Pielou's
  evenness) keeps richness in the figure: Pielou would rate a hub of one ESS enterprise
  and one other enterprise as perfectly diverse (1.0); here it scores 1/3.
* `anchoring`: share of members with an establishment in the hub's perimeter, among those
  for which it is known; None when it is known for none.
* Direct jobs, from the headcount bands (`tranche_effectifs`, read by
  `classification.headcount_range`): `jobs_low` adds the lower bounds, `jobs_high` the
  upper bounds, None as soon as one band is open (53: 10,000 and more). A band that is
  missing, NN or unreadable adds 0 to both and counts in `jobs_unknown`, except for a
  natural person (`person`), who employs nobody as a member: no band means 0 jobs there.
  These are the legal units' headcounts, wherever they work: an estimate, shown as a range
  by `jobs_label`, never as one figure.
* `age_years`: whole years from the creation date to `today` (None without a date).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from ptce.actors.classification import ACTOR_TYPES, ESS_FAMILIES, headcount_range
from ptce.core.text import Message, _, ngettext

__all__ = ["HubProfile", "MemberProfileFacts", "compute_profile", "jobs_label", "jobs_message"]

_THIN_SPACE: Final = "\u202f"  # French thousands separator (espace fine insécable)


@dataclass(frozen=True)
class MemberProfileFacts:
    actor_type: str  # a value of ACTOR_TYPES
    ess_family: str  # a value of ESS_FAMILIES, or "" when none
    tranche_effectifs: str | None  # INSEE headcount band ("12"), NN, "" or None
    in_perimeter: bool | None  # has an establishment inside the hub's perimeter


@dataclass(frozen=True)
class HubProfile:
    member_count: int
    counts_by_type: dict[str, int]  # types present, in ACTOR_TYPES order
    ess_share: float  # 0..1
    diversity: float  # 0..1, see the module docstring
    anchoring: float | None  # 0..1, None when unknown for every member
    jobs_low: int
    jobs_high: int | None  # None when a band has no upper bound
    jobs_unknown: int  # members whose headcount band is unknown
    age_years: int | None


def _diversity(counts: Sequence[int]) -> float:
    total = sum(counts)
    if total == 0:
        return 0.0
    entropy = -sum(c / total * math.log(c / total) for c in counts if c)
    return min(1.0, max(0.0, entropy / math.log(len(ACTOR_TYPES))))


def _age(created: date | None, today: date) -> int | None:
    if created is None:
        return None
    if created > today:
        raise ValueError(f"creation date {created} is after today ({today})")
    before_anniversary = (today.month, today.day) < (created.month, created.day)
    return today.year - created.year - int(before_anniversary)


def compute_profile(
    members: Sequence[MemberProfileFacts], *, created: date | None, today: date
) -> HubProfile:
    """The profile of a hub from its current members (see the module docstring). Raises
    ValueError on an unknown actor type or ESS family, or a creation date after today."""
    for member in members:
        if member.actor_type not in ACTOR_TYPES:
            raise ValueError(f"unknown actor type {member.actor_type!r}")
        if member.ess_family and member.ess_family not in ESS_FAMILIES:
            raise ValueError(f"unknown ESS family {member.ess_family!r}")
    tally = Counter(m.actor_type for m in members)
    counts = {t: tally[t] for t in ACTOR_TYPES if tally[t]}
    count = len(members)
    ess = sum(1 for m in members if m.actor_type == "ess" or m.ess_family)
    known = [m.in_perimeter for m in members if m.in_perimeter is not None]

    low = 0
    high: int | None = 0
    unknown = 0
    for member in members:
        band = headcount_range(member.tranche_effectifs)
        if band is None:
            if member.actor_type != "person":
                unknown += 1
            continue
        low += band[0]
        high = None if high is None or band[1] is None else high + band[1]

    return HubProfile(
        member_count=count,
        counts_by_type=counts,
        ess_share=ess / count if count else 0.0,
        diversity=_diversity(list(counts.values())),
        anchoring=sum(known) / len(known) if known else None,
        jobs_low=low,
        jobs_high=high,
        jobs_unknown=unknown,
        age_years=_age(created, today),
    )


def jobs_label(profile: HubProfile) -> str:
    """The direct jobs of a hub as French text, a range and never one exact figure:
    "entre 45 et 120 emplois directs (estimation d'après les tranches d'effectifs ;
    2 membres sans tranche connue)". `jobs_message` gives it translatable."""
    return str(jobs_message(profile))


def jobs_message(profile: HubProfile) -> Message:
    """`jobs_label` as a translatable message."""
    if profile.member_count == 0:
        return _("aucun membre : pas d'emplois directs à estimer")
    unknown = profile.jobs_unknown
    without = ngettext(
        "%(count)s membre sans tranche connue", "%(count)s membres sans tranche connue", unknown
    )
    if profile.jobs_high == 0 and profile.jobs_low == 0 and unknown:
        return _("emplois directs inconnus (%(without)s)", without=without)
    if unknown:
        note = _("estimation d'après les tranches d'effectifs ; %(without)s", without=without)
    else:
        note = _("estimation d'après les tranches d'effectifs")
    if profile.jobs_high is None:
        return _("au moins %(low)s emplois directs (%(note)s)", low=profile.jobs_low, note=note)
    if profile.jobs_high == 0:
        return _("aucun emploi direct (%(note)s)", note=note)
    return _(
        "entre %(low)s et %(high)s emplois directs (%(note)s)",
        low=profile.jobs_low,
        high=profile.jobs_high,
        note=note,
    )
