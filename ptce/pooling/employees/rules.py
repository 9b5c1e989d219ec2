"""Legal checks and re-invoicing arithmetic of a groupement d'employeurs (GE).

Pure module (no Django import).

Code du travail L1253-1 ff.: a GE (a non-profit association or a cooperative) employs staff
and puts them at its members' disposal, re-invoicing at cost. When the GE includes local
authorities (collectivités territoriales, their groupings and local public bodies):

* local authorities are at most half of the GE's members (`local_authority_members`);
* the work done for local authorities is at most three quarters of each employee's
  contractual working time per year (`local_authority_time`).

Each check returns a `Finding` with a level:

* `ok`;
* `warning` once the value reaches `WARNING_RATIO` (90 %) of the legal limit: the limit is
  approaching (shown on the GE page, never blocking);
* `error` beyond the limit: shown on the page, and it blocks the close of a month.

`level` is monotone: a larger value never gives a lower level for the same limit.

Plans
-----
A plan line splits an employee's time for a member in one of three ways:

* `days_per_week`: so many days a week; a day is `HOURS_PER_DAY` = 7 h (35 h / 5 days) and
  a year has `WORKING_WEEKS_PER_YEAR` = 1607 / 35 weeks (the legal full-time 1 607 h);
* `hours_per_month`: so many hours a month (12 months a year);
* `season`: so many hours in all between the line's start and end dates.

Lines apply between their start and end dates (open-ended when missing) and are prorated to
the days of the year they cover. The contractual hours of an employee are prorated the same
way to the days of the year under contract.

Re-invoicing
------------
For each employee and month, the pay part is `hours × hourly cost` over all members,
rounded to the cent once (ROUND_HALF_UP: half a cent goes up, away from zero for negative
corrections); the overhead is `pay × overhead rate`, rounded the same way. Both totals are
split between the members in proportion to their hours with `ptce.pooling.allocation.by_keys`
(largest remainder), so that the members' lines add up exactly to the totals: each member's
share is within one cent of its exact value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final, Literal

from ptce.pooling import allocation

Level = Literal["ok", "warning", "error"]
LEVELS: Final[tuple[Level, ...]] = ("ok", "warning", "error")

WARNING_RATIO: Final = Fraction(9, 10)
LOCAL_AUTHORITY_MEMBER_SHARE: Final = Fraction(1, 2)
LOCAL_AUTHORITY_TIME_SHARE: Final = Fraction(3, 4)
HOURS_PER_DAY: Final = Decimal(7)
FULL_TIME_HOURS_PER_YEAR: Final = Decimal(1607)
WORKING_WEEKS_PER_YEAR: Final = FULL_TIME_HOURS_PER_YEAR / Decimal(35)
MONTHS_PER_YEAR: Final = 12
# 48 h is the legal weekly maximum (L3121-20); a month has at most 31 days.
MAX_HOURS_PER_MONTH: Final = (Decimal(48) * Decimal(31) / Decimal(7)).quantize(Decimal("0.01"))
CENT: Final = Decimal(1)

PlanMode = Literal["days_per_week", "hours_per_month", "season"]
PLAN_MODES: Final[tuple[PlanMode, ...]] = ("days_per_week", "hours_per_month", "season")


@dataclass(frozen=True)
class Finding:
    """The outcome of one check. `code` names the rule; `params` fill its message."""

    code: str
    level: Level
    value: Fraction
    limit: Fraction
    params: Mapping[str, str]

    @property
    def blocking(self) -> bool:
        return self.level == "error"


def level(value: Fraction | int | Decimal, limit: Fraction | int | Decimal) -> Level:
    """`error` beyond `limit`, `warning` from `WARNING_RATIO × limit` on, else `ok`.

    A zero value is always `ok` (nothing to limit)."""
    v, lim = Fraction(value), Fraction(limit)
    if v <= 0:
        return "ok"
    if v > lim:
        return "error"
    if v >= WARNING_RATIO * lim:
        return "warning"
    return "ok"


def worst(findings: Iterable[Finding]) -> Level:
    found = [LEVELS.index(f.level) for f in findings]
    return LEVELS[max(found)] if found else "ok"


# ------------------------------------------------------------------ members


@dataclass(frozen=True)
class Member:
    """A line of the GE's register."""

    key: str
    local_authority: bool
    joined_on: dt.date
    left_on: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


def members_on(members: Iterable[Member], day: dt.date) -> list[Member]:
    """The members in force on `day` (joined on or before, not yet left)."""
    return [m for m in members if m.active_on(day)]


def local_authority_members(members: Iterable[Member], day: dt.date) -> Finding:
    """Local authorities are at most half of the GE's members on `day`."""
    present = members_on(members, day)
    count = sum(1 for m in present if m.local_authority)
    limit = LOCAL_AUTHORITY_MEMBER_SHARE * len(present)
    return Finding(
        code="local_authority_members",
        level=level(count, limit),
        value=Fraction(count),
        limit=limit,
        params={"count": str(count), "total": str(len(present)), "day": day.isoformat()},
    )


# ------------------------------------------------------------------- periods


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def overlap_days(start: dt.date | None, end: dt.date | None, lo: dt.date, hi: dt.date) -> int:
    """Days of [start, end] (inclusive; None = open) within [lo, hi] (inclusive)."""
    first = max(start or lo, lo)
    last = min(end or hi, hi)
    return max(0, (last - first).days + 1)


def days_in_year(year: int) -> int:
    lo, hi = year_bounds(year)
    return (hi - lo).days + 1


def contractual_hours_in_year(
    hours_per_year: Decimal, start: dt.date, end: dt.date | None, year: int
) -> Decimal:
    """The contractual hours of `year`, prorated to the days under contract."""
    lo, hi = year_bounds(year)
    return hours_per_year * Decimal(overlap_days(start, end, lo, hi)) / Decimal(days_in_year(year))


@dataclass(frozen=True)
class PlanLine:
    member: str
    mode: PlanMode
    quantity: Decimal
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


def plan_line_hours(line: PlanLine, year: int) -> Decimal:
    """The hours a plan line gives its member in `year`."""
    lo, hi = year_bounds(year)
    days = Decimal(overlap_days(line.starts_on, line.ends_on, lo, hi))
    if line.mode == "season":
        if line.starts_on is None or line.ends_on is None:
            raise ValueError("a season needs a start and an end date")
        length = Decimal((line.ends_on - line.starts_on).days + 1)
        return line.quantity * days / length
    if line.mode == "days_per_week":
        annual = line.quantity * HOURS_PER_DAY * WORKING_WEEKS_PER_YEAR
    elif line.mode == "hours_per_month":
        annual = line.quantity * MONTHS_PER_YEAR
    else:
        raise ValueError(f"unknown plan mode {line.mode!r}")
    return annual * days / Decimal(days_in_year(year))


def planned_hours(lines: Iterable[PlanLine], year: int) -> dict[str, Decimal]:
    """Planned hours per member in `year`."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.member] = totals.get(line.member, Decimal(0)) + plan_line_hours(line, year)
    return totals


def plan_consistency(lines: Sequence[PlanLine], contractual: Decimal, year: int) -> Finding:
    """The planned hours of a year stay within the contractual hours of that year."""
    total = sum(planned_hours(lines, year).values(), Decimal(0))
    return Finding(
        code="plan_consistency",
        level="error" if total > contractual else "ok",
        value=Fraction(total),
        limit=Fraction(contractual),
        params={"planned": hours_text(total), "contractual": hours_text(contractual)},
    )


def local_authority_time(
    hours_by_member: Mapping[str, Decimal],
    local_authorities: Iterable[str],
    contractual: Decimal,
    *,
    code: str = "local_authority_time",
) -> Finding:
    """Hours for local authorities stay within 3/4 of the contractual hours of the year."""
    authorities = set(local_authorities)
    hours = sum((h for m, h in hours_by_member.items() if m in authorities), Decimal(0))
    limit = LOCAL_AUTHORITY_TIME_SHARE * Fraction(contractual)
    return Finding(
        code=code,
        level=level(Fraction(hours), limit),
        value=Fraction(hours),
        limit=limit,
        params={"hours": hours_text(hours), "limit": hours_text(_decimal(limit))},
    )


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def hours_text(hours: Decimal) -> str:
    """`1205.25` -> `1205,25` (French decimal comma, two decimals); absurd amounts typed
    by mistake (1E+400) in scientific notation rather than an error."""
    if not hours.is_finite() or abs(hours) >= 10**12:
        return f"{hours:.2E}".replace(".", ",")
    return f"{hours.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}".replace(".", ",")


# ---------------------------------------------------------------- timesheets


def timesheet_problem(hours: Decimal, month_total: Decimal) -> str | None:
    """Why `hours` for one member cannot be right, given the employee's total for the
    month over all members (these hours included); None when plausible."""
    if not hours.is_finite() or hours < 0:
        return "negative"
    if hours > MAX_HOURS_PER_MONTH or month_total > MAX_HOURS_PER_MONTH:
        return "too_many"  # checked first: 1E+400 cannot even be rounded to the cent
    if hours != hours.quantize(Decimal("0.01")):
        return "precision"
    return None


# --------------------------------------------------------------- invoicing


def round_cents(amount: Decimal) -> int:
    """Round to the cent, half away from zero (ROUND_HALF_UP)."""
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def pay_cents(hours: Decimal, hourly_cost_cents: int) -> int:
    return round_cents(hours * Decimal(hourly_cost_cents))


def overhead_cents(pay: int, rate: Decimal) -> int:
    return round_cents(Decimal(pay) * rate)


@dataclass(frozen=True)
class Share:
    hours: Decimal
    pay_cents: int
    overhead_cents: int

    @property
    def total_cents(self) -> int:
        return self.pay_cents + self.overhead_cents


def split_month(
    hours_by_member: Mapping[str, Decimal], hourly_cost_cents: int, overhead_rate: Decimal
) -> dict[str, Share]:
    """One employee's month re-invoiced: each member's share of pay and overhead.

    Totals are rounded once, then split by hours (largest remainder), so the shares add up
    exactly to `pay_cents(total hours)` and `overhead_cents(that pay)`."""
    if hourly_cost_cents < 0:
        raise ValueError("the hourly cost cannot be negative")
    if overhead_rate < 0:
        raise ValueError("the overhead rate cannot be negative")
    if any(h < 0 for h in hours_by_member.values()):
        raise ValueError("hours cannot be negative")
    total_hours = sum(hours_by_member.values(), Decimal(0))
    pay = pay_cents(total_hours, hourly_cost_cents)
    overhead = overhead_cents(pay, overhead_rate)
    if total_hours == 0:
        return {m: Share(h, 0, 0) for m, h in hours_by_member.items()}
    pays = allocation.by_keys(pay, dict(hours_by_member))
    overheads = allocation.by_keys(overhead, dict(hours_by_member))
    return {m: Share(h, pays[m], overheads[m]) for m, h in hours_by_member.items()}


def adjustment(hours_delta: Decimal, hourly_cost_cents: int, overhead_rate: Decimal) -> Share:
    """A correction after close: the hours added (or removed, negative) at cost + overhead."""
    pay = pay_cents(hours_delta, hourly_cost_cents)
    return Share(hours_delta, pay, overhead_cents(pay, overhead_rate))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
