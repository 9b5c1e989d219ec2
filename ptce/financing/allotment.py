"""Over-subscription of a campaign: who receives how many units when requests exceed the cap.

Pure rules, no Django. Everything is counted in whole units: the campaign's shares, bonds or
parts sociales where the instrument has a unit price, otherwise cents (the caller converts).

Two rules, both stated to investors on the campaign page:

* **First come** (`first_come`): requests are served in the order they were made, each in full
  while room remains; the request that meets the cap receives what is left, provided it is at
  least the per-investor minimum, otherwise nothing; later requests receive nothing.
* **Pro rata** (`pro_rata`): every request first receives the per-investor minimum (or what it
  asked, if less); the remaining room is shared in proportion to what each asked beyond that
  minimum, rounded down to whole units; the units left over by rounding go one each to the
  largest remainders, ties broken by subscription order. If the cap cannot even cover every
  minimum, minimums are granted in subscription order while they fit.

With "residents first", residents' requests are allotted first under the rule, then the others
share whatever room remains under the same rule.

Invariants (property-tested): the total never exceeds the cap; nobody receives more than they
asked; every non-zero allotment is at least the request's minimum; with room for everyone,
everybody receives what they asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import add, sub

__all__ = [
    "RULE_STATEMENTS",
    "Request",
    "Rule",
    "allot",
    "first_come",
    "pro_rata",
]


class Rule(StrEnum):
    FIRST_COME = "first_come"
    PRO_RATA = "pro_rata"


def gettext_noop(text: str) -> str:
    """Marks a message for the translation catalogues (found by `makemessages`) without
    importing Django; pages translate it when they show it."""
    return text


# The rule as told to investors (French source text; pages show it translated).
RULE_STATEMENTS: dict[str, str] = {
    Rule.FIRST_COME: gettext_noop(
        "Premier arrivé, premier servi : les souscriptions sont servies dans l'ordre de leur "
        "enregistrement jusqu'au plafond ; la dernière reçoit le reste disponible s'il atteint "
        "le ticket minimum."
    ),
    Rule.PRO_RATA: gettext_noop(
        "Réduction au prorata : chacun reçoit d'abord le ticket minimum, puis le reste est "
        "réparti au prorata de la part demandée au-delà, arrondi à l'unité inférieure ; les "
        "unités restantes vont une à une aux plus forts restes, à égalité par ordre de "
        "souscription."
    ),
}


@dataclass(frozen=True)
class Request:
    """One subscription: `units` asked (> 0), `min_units` the per-investor minimum in units."""

    units: int
    min_units: int = 1
    priority: bool = False  # a resident, in a residents-first campaign

    def __post_init__(self) -> None:
        if self.units < 0 or self.min_units < 0:
            raise ValueError("units and min_units must be non-negative")


def first_come(requests: Sequence[Request], room: int) -> list[int]:
    """Units allotted to each request, served in the given (subscription) order."""
    room = max(room, 0)
    out: list[int] = []
    for req in requests:
        give = min(req.units, room)
        if give < min(req.min_units, req.units):
            give = 0
        out.append(give)
        room -= give
    return out


def pro_rata(requests: Sequence[Request], room: int) -> list[int]:
    """Units allotted to each request: minimum first, then pro rata by largest remainder."""
    room = max(room, 0)
    units = [r.units for r in requests]
    if sum(units) <= room:
        return units
    base = list(map(min, [r.min_units for r in requests], units))
    if sum(base) > room:
        # Not even every minimum fits: minimums in subscription order while they fit.
        out = [0] * len(requests)
        for i, b in enumerate(base):
            if b <= room:
                out[i] = b
                room -= b
        return out
    left = room - sum(base)
    extra = list(map(sub, units, base))
    total_extra = sum(extra)  # > left, since the requests overflow the room
    shares = [e * left // total_extra for e in extra]
    spare = left - sum(shares)
    if spare:
        # spare < n; each unit to the largest remainder, ties by subscription order (the sort
        # is stable, reverse=True included)
        remainders = [e * left % total_extra for e in extra]
        order = sorted(range(len(extra)), key=remainders.__getitem__, reverse=True)
        for i in order[:spare]:
            shares[i] += 1
    return list(map(add, base, shares))


def allot(
    requests: Sequence[Request],
    cap: int | None,
    rule: Rule | str = Rule.FIRST_COME,
    *,
    residents_first: bool = False,
) -> list[int]:
    """Units allotted to each request (same order) under `rule`, never more than `cap` in all.

    `cap=None` means no cap: everyone receives what they asked.
    """
    if cap is None:
        return [r.units for r in requests]
    resolve = pro_rata if Rule(rule) == Rule.PRO_RATA else first_come
    if not residents_first:
        return resolve(requests, cap)
    out = [0] * len(requests)
    room = cap
    for group in (True, False):
        idx = [i for i, r in enumerate(requests) if r.priority == group]
        given = resolve([requests[i] for i in idx], room)
        for i, g in zip(idx, given, strict=True):
            out[i] = g
        room -= sum(given)
    return out
