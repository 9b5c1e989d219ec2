"""Shapley cost allocation (`ptce.pooling.allocation`).

Synthetic pooling with a fixed seed: members with stand-alone costs of 2,000 to 40,000 € a
year, a pooled cost with economies of scale (the saving grows with the number of members
and levels off at 30 %) plus a fixed 15,000 € a year for running the pool:

    cost(S) = 15,000 € + (Σ stand-alone costs of S) × (1 − 30 % × (1 − 1/|S|)),  cost(∅) = 0

in integer cents, evaluated in Python as the pooling app would.

* exact Shapley (subset formula over the 2**n coalitions) for 16, 18 and 20 members, time
  per run, the 2**n calls of `cost` included;
* the same at 10 members against the naive algorithm, measured in the same run: every one
  of the 10! = 3,628,800 orders walked, marginal costs summed (from the same 2**10 cost
  table, so that both pay the same cost calls), then rounded by the same largest-remainder
  rule; both must give the same cents or the benchmark fails;
* sampled Shapley for 100 members and 10,000 permutations: time, and the largest standard
  error over the members (in cents and relative to that member's share). At 16 members the
  sampled value must stay within 6 standard errors (+1 cent) of the exact one.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from bench import Report
from ptce.pooling.allocation import shapley, shapley_with_error

SEED = 20261127
FIXED_CENTS = 1_500_000
EXACT_SIZES = (16, 18, 20)
NAIVE_SIZE = 10
SAMPLED_MEMBERS = 100
SAMPLED_PERMUTATIONS = 10_000

Cost = Callable[[frozenset[str]], int]


def pooling_game(count: int, seed: int = SEED) -> tuple[list[str], Cost]:
    rng = np.random.default_rng(seed + count)
    names = [f"membre-{j:03d}" for j in range(count)]
    costs = rng.integers(200_000, 4_000_000, count, endpoint=True).tolist()
    alone = dict(zip(names, costs, strict=True))
    # what is left to pay, in basis points, for a pool of k members
    keep = [10_000] + [10_000 - round(3_000 * (1 - 1 / k)) for k in range(1, count + 1)]

    def cost(coalition: frozenset[str]) -> int:
        if not coalition:
            return 0
        return FIXED_CENTS + sum(map(alone.__getitem__, coalition)) * keep[len(coalition)] // 10_000

    return names, cost


# ------------------------------------------------------------------------------- baseline


def _largest_remainder(total: int, quotas: Sequence[Fraction]) -> list[int]:
    floors = [math.floor(q) for q in quotas]
    ranked = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in ranked[: total - sum(floors)]:
        floors[i] += 1
    return floors


def naive_shapley(names: Sequence[str], cost: Cost) -> dict[str, int]:
    """Every order of the members, marginal costs summed; costs computed once per coalition."""
    n = len(names)
    table = [
        cost(frozenset(name for j, name in enumerate(names) if mask >> j & 1))
        for mask in range(1 << n)
    ]
    totals = [0] * n
    orders = 0
    for order in itertools.permutations(range(n)):
        mask = 0
        before = 0
        for j in order:
            mask |= 1 << j
            after = table[mask]
            totals[j] += after - before
            before = after
        orders += 1
    quotas = [Fraction(t, orders) for t in totals]
    return dict(zip(names, _largest_remainder(table[-1], quotas), strict=True))


# --------------------------------------------------------------------------------- runner


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def bench_exact(report: Report) -> None:
    names, cost = pooling_game(NAIVE_SIZE)
    fast = min(_timed(lambda: shapley(names, cost))[0] for _ in range(5))
    slow, expected = _timed(lambda: naive_shapley(names, cost))
    if shapley(names, cost) != expected:
        raise AssertionError("the subset formula disagrees with the enumeration of orders")
    report(
        name=f"exact Shapley, {NAIVE_SIZE} members (vs {NAIVE_SIZE}! orders)",
        value=fast * 1e3,
        unit="ms",
        baseline=slow * 1e3,
        higher_is_better=False,
        target_ratio=100,
    )
    for size, target in zip(EXACT_SIZES, (0.25, 1.0, 3.0), strict=True):
        names, cost = pooling_game(size)
        runs = [_timed(lambda names=names, cost=cost: shapley(names, cost)) for _ in range(2)]
        seconds = min(r[0] for r in runs)
        result = runs[0][1]
        assert isinstance(result, dict)
        if sum(result.values()) != cost(frozenset(names)):
            raise AssertionError(f"exact Shapley for {size} members does not add up")
        report(
            name=f"exact Shapley, {size} members ({2**size:,} coalitions)",
            value=seconds,
            unit="s",
            higher_is_better=False,
            target=target,
        )
        if size == EXACT_SIZES[0]:
            sampled, errors = shapley_with_error(names, cost, permutations=2_000, seed=SEED)
            for name in names:
                if abs(sampled[name] - result[name]) > 6 * errors[name] + 1:
                    raise AssertionError(f"sampled Shapley far from the exact value for {name}")


def bench_sampled(report: Report) -> None:
    names, cost = pooling_game(SAMPLED_MEMBERS)
    seconds, outcome = _timed(
        lambda: shapley_with_error(names, cost, permutations=SAMPLED_PERMUTATIONS, seed=SEED)
    )
    assert isinstance(outcome, tuple)
    shares, errors = outcome
    if sum(shares.values()) != cost(frozenset(names)):
        raise AssertionError("sampled Shapley does not add up")
    report(
        name=f"sampled Shapley, {SAMPLED_MEMBERS} members × {SAMPLED_PERMUTATIONS:,} orders",
        value=seconds,
        unit="s",
        higher_is_better=False,
        target=10.0,
    )
    worst = max(names, key=errors.__getitem__)
    report(
        name="  largest standard error",
        value=errors[worst],
        unit="cents",
        higher_is_better=False,
    )
    relative = max(errors[name] / abs(shares[name]) for name in names if shares[name])
    report(
        name="  largest standard error / share",
        value=relative * 100,
        unit="%",
        higher_is_better=False,
        target=1.0,
    )


def run(report: Report) -> None:
    bench_exact(report)
    bench_sampled(report)
