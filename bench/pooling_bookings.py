"""Booking conflict checks and sampled Shapley against a closed form (`ptce.pooling`).

* Conflict check on one unit holding 100,000 bookings (a shared room booked over about
  thirty years, fixed seed): `booking_rules.Timeline.conflicts` (two bisections over the
  sorted numpy arrays) against the naive linear scan `conflicts_naive`, in the same run, on
  the same 2,000 random requests; both must find the same bookings.
* Sampled Shapley value for 200 members and 1,000 permutations on two games whose Shapley
  value has a closed form: a fixed running cost F plus each member's own consumption a_i
  (member i pays a_i + F / n), and the *airport game* (an investment sized for the most
  demanding member: cost(S) = max of the needs in S; sort the needs c(1) <= ... <= c(n),
  member k pays Σ_{j<=k} (c(j) − c(j−1)) / (n − j + 1)). Time, the largest error against
  the closed form in cents and relative to the share, and that error in units of the
  standard error the sampler reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from bench import Report
from ptce.pooling.allocation import shapley_with_error
from ptce.pooling.booking_rules import Timeline, conflicts_naive

SEED = 20261126
BOOKINGS = 100_000
CHECKS = 2_000
NAIVE_CHECKS = 200
MEMBERS = 200
PERMUTATIONS = 1_000

Cost = Callable[[frozenset[str]], int]


def _bookings(count: int, seed: int = SEED) -> list[tuple[int, int]]:
    """Non-overlapping bookings in minutes: gaps of 0 to 4 hours, lengths of 30 min to 4 h."""
    rng = np.random.default_rng(seed)
    gaps = rng.integers(0, 240, count)
    lengths = rng.integers(1, 9, count) * 30
    starts = np.cumsum(gaps + np.concatenate(([0], lengths[:-1])))
    return list(zip(starts.tolist(), (starts + lengths).tolist(), strict=True))


def bench_conflicts(report: Report) -> None:
    bookings = _bookings(BOOKINGS)
    started = time.perf_counter()
    timeline = Timeline(bookings)
    build = time.perf_counter() - started
    rng = np.random.default_rng(SEED + 1)
    horizon = bookings[-1][1]
    requests = [
        (int(s), int(s) + int(d))
        for s, d in zip(
            rng.integers(0, horizon, CHECKS), rng.integers(30, 240, CHECKS), strict=True
        )
    ]
    started = time.perf_counter()
    fast = [list(timeline.conflicts(s, e)) for s, e in requests]
    per_check = (time.perf_counter() - started) / CHECKS
    started = time.perf_counter()
    slow = [conflicts_naive(bookings, s, e) for s, e in requests[:NAIVE_CHECKS]]
    naive_per_check = (time.perf_counter() - started) / NAIVE_CHECKS
    if fast[:NAIVE_CHECKS] != slow:
        raise AssertionError("the bisection and the linear scan disagree")
    report(
        name=f"booking conflict check, {BOOKINGS:,} bookings (vs scan)",
        value=per_check * 1e6,
        unit="µs",
        baseline=naive_per_check * 1e6,
        higher_is_better=False,
        target=100,
        target_ratio=100,
    )
    report(
        name="  sorting the unit's bookings once",
        value=build * 1e3,
        unit="ms",
        higher_is_better=False,
    )


def airport_exact(needs: dict[str, int]) -> dict[str, Fraction]:
    ordered = sorted(needs, key=lambda name: (needs[name], name))
    n = len(ordered)
    value: dict[str, Fraction] = {}
    running = Fraction(0)
    previous = 0
    for k, name in enumerate(ordered):
        running += Fraction(needs[name] - previous, n - k)
        previous = needs[name]
        value[name] = running
    return value


def _sampled_against(
    report: Report,
    label: str,
    names: list[str],
    cost: Cost,
    exact: dict[str, Fraction],
    *,
    target_sigma: float | None,
) -> None:
    started = time.perf_counter()
    shares, errors = shapley_with_error(names, cost, permutations=PERMUTATIONS, seed=SEED)
    seconds = time.perf_counter() - started
    if sum(shares.values()) != cost(frozenset(names)):
        raise AssertionError("sampled Shapley does not add up")
    gaps = {name: abs(shares[name] - exact[name]) for name in names}
    report(
        name=f"sampled Shapley {MEMBERS} × {PERMUTATIONS:,} orders, {label}",
        value=seconds,
        unit="s",
        higher_is_better=False,
        target=10.0,
    )
    report(
        name="  largest error vs closed form",
        value=float(max(gaps.values())),
        unit="cents",
        higher_is_better=False,
    )
    report(
        name="  largest error / exact share",
        value=float(max(gaps[n] / exact[n] for n in names)) * 100,
        unit="%",
        higher_is_better=False,
    )
    ratios = [float(gaps[n]) / errors[n] for n in names if errors[n] > 0]
    report(
        name="  largest error / reported standard error",
        value=max(ratios),
        unit="σ",
        higher_is_better=False,
        target=target_sigma,
    )


def bench_sampled_closed_form(report: Report) -> None:
    rng = np.random.default_rng(SEED + 2)
    names = [f"membre-{j:03d}" for j in range(MEMBERS)]
    alone = dict(zip(names, rng.integers(100_000, 5_000_000, MEMBERS).tolist(), strict=True))

    def fixed_plus_additive(coalition: frozenset[str]) -> int:
        # a 60,000 € running cost shared by whoever joins, plus what each member consumes
        return 6_000_000 + sum(alone[n] for n in coalition) if coalition else 0

    exact = {n: alone[n] + Fraction(6_000_000, MEMBERS) for n in names}
    _sampled_against(
        report, "fixed + additive", names, fixed_plus_additive, exact, target_sigma=5.0
    )

    def airport(coalition: frozenset[str]) -> int:
        return max((alone[name] for name in coalition), default=0)

    # heavy-tailed marginal costs: the smallest members pay only when they come first, so
    # 1,000 orders give a rough estimate and an unreliable standard error (no target)
    _sampled_against(
        report, "airport game", names, airport, airport_exact(alone), target_sigma=None
    )


def run(report: Report) -> None:
    bench_conflicts(report)
    bench_sampled_closed_form(report)
