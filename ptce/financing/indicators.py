"""Indicators of a campaign (or of every campaign of a hub): pure, vectorised with numpy.

A ticket is what one subscription counts for (its allotment once settled, else its amount),
in integer cents. Investors are counted once per `investor` key (a person who subscribed
twice is one investor with one ticket, the sum of theirs). Local means living in a commune of
the hub's perimeter. Shares are fractions in [0, 1] (display only, never money).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["CommuneFigure", "Figures", "Ticket", "by_commune", "figures", "local_part"]


@dataclass(frozen=True)
class Ticket:
    investor: str  # a stable key of the investor (pseudonymised id)
    amount_cents: int
    is_local: bool
    commune: str = ""  # code INSEE, "" when unknown


@dataclass(frozen=True)
class CommuneFigure:
    commune: str
    investors: int
    amount_cents: int
    is_local: bool


@dataclass(frozen=True)
class Figures:
    raised_cents: int = 0
    investors: int = 0
    local_cents: int = 0
    local_investors: int = 0
    median_ticket_cents: int = 0
    communes: list[CommuneFigure] = field(default_factory=list)

    @property
    def local_share_amount(self) -> float:
        return self.local_cents / self.raised_cents if self.raised_cents else 0.0

    @property
    def local_share_investors(self) -> float:
        return self.local_investors / self.investors if self.investors else 0.0


def _per_investor(tickets: Sequence[Ticket]) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """Merge tickets by investor: keys, amounts, locality, commune (first seen)."""
    index: dict[str, int] = {}
    amounts: list[int] = []
    local: list[bool] = []
    communes: list[str] = []
    for t in tickets:
        if t.amount_cents <= 0:
            continue
        i = index.get(t.investor)
        if i is None:
            index[t.investor] = len(amounts)
            amounts.append(t.amount_cents)
            local.append(t.is_local)
            communes.append(t.commune)
        else:
            amounts[i] += t.amount_cents
    return (
        list(index),
        np.asarray(amounts, dtype=np.int64),
        np.asarray(local, dtype=bool),
        communes,
    )


def median_cents(amounts: np.ndarray) -> int:
    """The median ticket, in whole cents (even count: mean of the two middle, rounded down)."""
    if amounts.size == 0:
        return 0
    ordered = np.sort(amounts)
    mid = ordered.size // 2
    if ordered.size % 2:
        return int(ordered[mid])
    return int((int(ordered[mid - 1]) + int(ordered[mid])) // 2)


def by_commune(tickets: Iterable[Ticket]) -> list[CommuneFigure]:
    """Investors and amount per commune (for the map), largest amount first."""
    _keys, amounts, local, communes = _per_investor(list(tickets))
    if amounts.size == 0:
        return []
    codes, inverse = np.unique(np.asarray(communes, dtype=str), return_inverse=True)
    sums = np.zeros(codes.size, dtype=np.int64)
    np.add.at(sums, inverse, amounts)  # exact integer sums, no float
    counts = np.bincount(inverse, minlength=codes.size)
    any_local = np.bincount(inverse, weights=local.astype(np.float64), minlength=codes.size)
    rows = [
        CommuneFigure(
            commune=str(code),
            investors=int(counts[i]),
            amount_cents=int(sums[i]),
            is_local=bool(any_local[i] > 0),
        )
        for i, code in enumerate(codes)
        if str(code)
    ]
    rows.sort(key=lambda r: (-r.amount_cents, r.commune))
    return rows


def figures(tickets: Iterable[Ticket]) -> Figures:
    """Amount raised, investors, local share of both, median ticket, per-commune figures."""
    listed = list(tickets)
    _keys, amounts, local, _communes = _per_investor(listed)
    if amounts.size == 0:
        return Figures()
    return Figures(
        raised_cents=int(amounts.sum()),
        investors=int(amounts.size),
        local_cents=int(amounts[local].sum()),
        local_investors=int(local.sum()),
        median_ticket_cents=median_cents(amounts),
        communes=by_commune(listed),
    )


def local_part(local_cents: int, total_cents: int) -> float:
    """The part of a project's total financed by local investors, in [0, 1]."""
    if total_cents <= 0:
        return 0.0
    return min(max(local_cents, 0) / total_cents, 1.0)
