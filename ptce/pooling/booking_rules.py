"""Booking rules of a shared resource, and fast conflict checks. Pure module (no Django).

`check(request, rules)` lists every rule a booking breaks, each with a code and a French
message naming the rule: outside the opening hours, on a closed day, too long, too late
(less notice than required), not in order. Times are local wall-clock times (naive
`datetime`), in the resource's time zone.

`Timeline` holds the bookings of one unit, sorted, as numpy arrays of integer seconds; its
`conflicts(start, end)` finds the overlapping ones by bisection (O(log n)) for half-open
intervals [start, end). `conflicts_naive` is the linear scan it is measured against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Rules",
    "Timeline",
    "Violation",
    "check",
    "conflicts_naive",
    "overlaps",
]

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

Window = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class Violation:
    code: str  # "order", "closed_day", "opening_hours", "too_long", "notice"
    message: str


@dataclass(frozen=True)
class Rules:
    """`opening`: windows per weekday (0 = Monday); an empty mapping means always open,
    a weekday missing from a non-empty mapping means closed that day."""

    opening: Mapping[int, Sequence[Window]] = field(default_factory=dict)
    closed_days: frozenset[dt.date] = frozenset()
    max_minutes: int | None = None
    min_notice_minutes: int = 0


def _hm(moment: dt.time) -> str:
    return f"{moment.hour:02d}h{moment.minute:02d}"


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest:02d}" if rest else "")


def _within_opening(start: dt.datetime, end: dt.datetime, rules: Rules) -> Violation | None:
    if not rules.opening:
        return None
    windows = rules.opening.get(start.weekday(), ())
    day = WEEKDAYS[start.weekday()]
    if not windows:
        return Violation(
            "opening_hours", f"Hors des heures d’ouverture : la ressource est fermée le {day}."
        )
    if end.date() != start.date() and not (
        end.date() == start.date() + dt.timedelta(days=1) and end.time() == dt.time(0)
    ):
        return Violation(
            "opening_hours",
            "Hors des heures d’ouverture : une réservation ne peut pas passer d’un jour à l’autre.",
        )
    end_time = end.time() if end.date() == start.date() else dt.time.max
    for opens, closes in windows:
        if opens <= start.time() and end_time <= closes:
            return None
    listed = ", ".join(f"{_hm(a)}–{_hm(b)}" for a, b in windows)
    return Violation(
        "opening_hours",
        f"Hors des heures d’ouverture : le {day}, la ressource est ouverte {listed}.",
    )


def check(
    start: dt.datetime, end: dt.datetime, rules: Rules, *, now: dt.datetime
) -> list[Violation]:
    """Every rule the booking [start, end) breaks (empty when it may be booked)."""
    if end <= start:
        return [Violation("order", "La fin de la réservation doit être après son début.")]
    found: list[Violation] = []
    closed = sorted(
        day
        for day in rules.closed_days
        if start.date() <= day <= (end - dt.timedelta(seconds=1)).date()
    )
    if closed:
        found.append(
            Violation(
                "closed_day",
                f"Jour de fermeture : la ressource est fermée le {closed[0]:%d/%m/%Y}.",
            )
        )
    hours = _within_opening(start, end, rules)
    if hours is not None:
        found.append(hours)
    minutes = (end - start).total_seconds() / 60
    if rules.max_minutes is not None and minutes > rules.max_minutes:
        found.append(
            Violation(
                "too_long",
                f"Réservation trop longue : {_duration(int(minutes))} demandées, "
                f"{_duration(rules.max_minutes)} au plus.",
            )
        )
    if rules.min_notice_minutes and start < now + dt.timedelta(minutes=rules.min_notice_minutes):
        found.append(
            Violation(
                "notice",
                f"Réservation trop tardive : il faut réserver au moins "
                f"{_duration(rules.min_notice_minutes)} à l’avance.",
            )
        )
    elif start < now:
        found.append(
            Violation("notice", "Réservation trop tardive : ce créneau est déjà commencé.")
        )
    return found


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) share an instant."""
    return a_start < b_end and b_start < a_end


def conflicts_naive(bookings: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indices of the bookings overlapping [start, end), by a linear scan."""
    return [i for i, (s, e) in enumerate(bookings) if s < end and start < e]


class Timeline:
    """Non-overlapping bookings of one unit, sorted by start (so their ends are sorted too):
    a conflict check is two bisections."""

    def __init__(self, bookings: Iterable[tuple[int, int]]) -> None:
        pairs = sorted(bookings)
        self.starts: NDArray[np.int64] = np.array([s for s, _ in pairs], dtype=np.int64)
        self.ends: NDArray[np.int64] = np.array([e for _, e in pairs], dtype=np.int64)
        if len(pairs) > 1 and bool(np.any(self.starts[1:] < self.ends[:-1])):
            raise ValueError("Les réservations d’une unité ne doivent pas se chevaucher.")

    def __len__(self) -> int:
        return int(self.starts.size)

    def conflicts(self, start: int, end: int) -> range:
        """Positions (in start order) of the bookings overlapping [start, end)."""
        first = int(np.searchsorted(self.ends, start, side="right"))
        last = int(np.searchsorted(self.starts, end, side="left"))
        return range(first, max(first, last))

    def is_free(self, start: int, end: int) -> bool:
        return len(self.conflicts(start, end)) == 0
