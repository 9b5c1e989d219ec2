"""Campaign life cycle and subscription checks: pure rules, no Django.

draft -> open -> succeeded | failed -> closed. A campaign that is open accepts subscriptions
between its opening and closing dates; subscriptions are pledges until the minimum is reached
(funds are held, not used); at settlement the campaign succeeds when what was raised reaches
the minimum, else it fails and every payment received is refunded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "TRANSITIONS",
    "Refund",
    "State",
    "TicketRules",
    "accepts_subscriptions",
    "can_move",
    "outcome",
    "refunds",
    "ticket_problems",
]


class State(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CLOSED = "closed"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.OPEN}),
    State.OPEN: frozenset({State.SUCCEEDED, State.FAILED}),
    State.SUCCEEDED: frozenset({State.CLOSED}),
    State.FAILED: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return State(target) in TRANSITIONS[State(current)]


def outcome(raised_cents: int, minimum_cents: int) -> State:
    """Settlement: succeeded when the minimum is reached, else failed."""
    return State.SUCCEEDED if raised_cents >= minimum_cents else State.FAILED


def accepts_subscriptions(
    state: str, now: dt.datetime, opens_at: dt.datetime, closes_at: dt.datetime
) -> bool:
    return State(state) == State.OPEN and opens_at <= now < closes_at


@dataclass(frozen=True)
class TicketRules:
    """Per-investor limits and the campaign's room, all in cents (room None = no hard cap)."""

    unit_cents: int | None
    min_ticket_cents: int
    max_ticket_cents: int | None
    already_cents: int = 0  # what this investor already subscribed to the campaign
    room_cents: int | None = None


def ticket_problems(amount_cents: int, rules: TicketRules) -> list[tuple[str, str]]:
    """(code, detail) for each rule a ticket breaks; codes: positive, unit, min, max, room."""
    problems: list[tuple[str, str]] = []
    if amount_cents <= 0:
        return [("positive", "")]
    if rules.unit_cents and amount_cents % rules.unit_cents:
        problems.append(("unit", str(rules.unit_cents)))
    if amount_cents < rules.min_ticket_cents:
        problems.append(("min", str(rules.min_ticket_cents)))
    if (
        rules.max_ticket_cents is not None
        and amount_cents + rules.already_cents > rules.max_ticket_cents
    ):
        problems.append(("max", str(max(rules.max_ticket_cents - rules.already_cents, 0))))
    if rules.room_cents is not None and amount_cents > rules.room_cents:
        problems.append(("room", str(max(rules.room_cents, 0))))
    return problems


@dataclass(frozen=True)
class Refund:
    key: int
    paid_cents: int
    kept_cents: int

    @property
    def refund_cents(self) -> int:
        return self.paid_cents - self.kept_cents


def refunds(paid: Sequence[tuple[int, int, int]], state: str) -> list[Refund]:
    """Who gets money back: (key, paid_cents, allotted_cents) per subscription.

    A failed campaign refunds every payment received in full; a succeeded one refunds what
    was paid beyond the allotment (over-subscription). Pledges never paid need no refund.
    """
    failed = State(state) == State.FAILED
    out = []
    for key, paid_cents, allotted in paid:
        if paid_cents <= 0:
            continue
        kept = 0 if failed else min(max(allotted, 0), paid_cents)
        if paid_cents > kept:
            out.append(Refund(key=key, paid_cents=paid_cents, kept_cents=kept))
    return out
