"""Figures of a project's funding plan and progress, in integer cents (no Django).

The plan is balanced when the planned resources equal the budget; the gap is budget minus
planned (positive: resources are missing; negative: more is planned than spent). Shares are
exact fractions of the planned total, returned as floats in [0, 1] for display only; amounts
themselves are never floats. A refused line counts for nothing in the planned total of the
"secured" figures but stays listed (it was asked for).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

PUBLIC_SUBSIDY = "public_subsidy"
SELF_FINANCING = "self_financing"
REFUSED = "refused"
GRANTED = "granted"
RECEIVED = "received"


@dataclass(frozen=True)
class Line:
    """One line of a funding plan."""

    source: str
    planned_cents: int
    received_cents: int = 0
    status: str = "requested"
    public_level: str = ""


@dataclass(frozen=True)
class Step:
    """One milestone: its progress in percent (0..100) and whether it is done."""

    progress: int
    done: bool = False


@dataclass(frozen=True)
class Plan:
    budget_cents: int
    planned_cents: int
    secured_cents: int  # granted or received lines
    received_cents: int
    gap_cents: int  # budget - planned (non-refused lines)
    balanced: bool
    by_source: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    received_by_source: dict[str, int] = field(default_factory=dict)
    received_by_level: dict[str, int] = field(default_factory=dict)

    def share(self, cents: int) -> float:
        """`cents` as a share of the planned total (0 when nothing is planned)."""
        return float(Fraction(cents, self.planned_cents)) if self.planned_cents else 0.0

    @property
    def source_shares(self) -> dict[str, float]:
        return {k: self.share(v) for k, v in self.by_source.items()}

    @property
    def level_shares(self) -> dict[str, float]:
        """Each public level's share of the planned total (not of the public part)."""
        return {k: self.share(v) for k, v in self.by_level.items()}

    @property
    def missing_cents(self) -> int:
        """What the plan still lacks to cover the budget (0 when covered)."""
        return max(0, self.gap_cents)

    @property
    def surplus_cents(self) -> int:
        """What is planned beyond the budget (0 when not over)."""
        return max(0, -self.gap_cents)

    @property
    def public_cents(self) -> int:
        return self.by_source.get(PUBLIC_SUBSIDY, 0)

    @property
    def self_financing_ratio(self) -> float:
        """Self-financing over the budget (over the plan when there is no budget)."""
        base = self.budget_cents or self.planned_cents
        own = self.by_source.get(SELF_FINANCING, 0)
        return float(Fraction(own, base)) if base else 0.0

    @property
    def received_ratio(self) -> float:
        """What was received over what is planned."""
        return (
            float(Fraction(self.received_cents, self.planned_cents)) if self.planned_cents else 0.0
        )


def _add(totals: dict[str, int], key: str, cents: int) -> None:
    totals[key] = totals.get(key, 0) + cents


def plan(budget: Iterable[int], lines: Iterable[Line]) -> Plan:
    """The funding plan's figures for a budget (amounts of its lines) and funding lines."""
    budget_cents = 0
    for amount in budget:
        if amount < 0:
            raise ValueError("budget amounts are non-negative")
        budget_cents += amount
    planned = secured = received = 0
    by_source: dict[str, int] = {}
    by_level: dict[str, int] = {}
    received_by_source: dict[str, int] = {}
    received_by_level: dict[str, int] = {}
    for line in lines:
        if line.planned_cents < 0 or line.received_cents < 0:
            raise ValueError("funding amounts are non-negative")
        received += line.received_cents
        _add(received_by_source, line.source, line.received_cents)
        if line.source == PUBLIC_SUBSIDY and line.public_level:
            _add(received_by_level, line.public_level, line.received_cents)
        if line.status == REFUSED:
            continue
        planned += line.planned_cents
        if line.status in (GRANTED, RECEIVED):
            secured += line.planned_cents
        _add(by_source, line.source, line.planned_cents)
        if line.source == PUBLIC_SUBSIDY and line.public_level:
            _add(by_level, line.public_level, line.planned_cents)
    gap = budget_cents - planned
    return Plan(
        budget_cents=budget_cents,
        planned_cents=planned,
        secured_cents=secured,
        received_cents=received,
        gap_cents=gap,
        balanced=gap == 0,
        by_source=by_source,
        by_level=by_level,
        received_by_source=received_by_source,
        received_by_level=received_by_level,
    )


def progress(steps: Sequence[Step]) -> int:
    """A project's progress in percent: the mean of its milestones' progress (done = 100),
    rounded down; 0 without milestones."""
    if not steps:
        return 0
    total = 0
    for step in steps:
        if not 0 <= step.progress <= 100:
            raise ValueError("progress is a percentage")
        total += 100 if step.done else step.progress
    return total // len(steps)


_AMOUNT = re.compile(r"^(?P<units>\d+)(?:[.,](?P<cents>\d{1,2}))?$")


def parse_euros(text: str) -> int:
    """ "1 234,56 €" -> 123456 cents. Raises ValueError (French message) on bad input."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise ValueError(
            f"Montant illisible : « {text} » (un nombre positif en euros, ex. 1 234,56)."
        )
    cents = (match.group("cents") or "0").ljust(2, "0")
    return int(match.group("units")) * 100 + int(cents)


def format_euros(cents: int) -> str:
    """123456 -> "1 234,56 €" (narrow no-break spaces between thousands)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0€"


def input_euros(cents: int | None) -> str:
    """Cents as a form would show them back: "1234,56" (no grouping)."""
    if cents is None:
        return ""
    units, rest = divmod(cents, 100)
    return f"{units},{rest:02d}" if rest else str(units)
