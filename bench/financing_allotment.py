"""Pro-rata allotment of an oversubscribed campaign (`ptce.financing.allotment`).

Synthetic campaign with a fixed seed: 100,000 subscriptions of 1 to 400 shares (most small, a
few large: a log-normal draw), a per-investor minimum of 1 share, 10 % of the requests under
5 shares with a minimum of 2; the cap is 60 % of what was asked, so every request is cut.

* `allotment.pro_rata` (integer floor division, remainders compared as integers, one sort)
  against the naive implementation, measured in the same run: a per-subscriber Python loop
  (quota = extra × room / total as an exact whole part and remainder), the spare units
  handed out by sorting the remainders. (A Decimal loop is no reference: at 28 digits two
  equal exact remainders may differ and break a tie the other way.) Both must give the same shares, the sum
  must equal the cap exactly, nobody above what they asked, every minimum kept; otherwise the
  benchmark fails.
* the same with "residents first" (`allot(..., residents_first=True)`, 40 % residents).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from bench import Report
from ptce.financing.allotment import Request, Rule, allot, pro_rata

SEED = 20261204
SUBSCRIPTIONS = 100_000
CAP_SHARE = 0.6


def campaign(count: int = SUBSCRIPTIONS, seed: int = SEED) -> tuple[list[Request], int]:
    rng = np.random.default_rng(seed)
    units = np.clip(np.rint(rng.lognormal(mean=2.3, sigma=1.0, size=count)), 1, 400).astype(int)
    small_min = rng.random(count) < 0.10
    resident = rng.random(count) < 0.40
    requests = [
        Request(
            units=int(u),
            min_units=min(int(u), 2 if small and u < 5 else 1),
            priority=bool(r),
        )
        for u, small, r in zip(units.tolist(), small_min.tolist(), resident.tolist(), strict=True)
    ]
    cap = int(sum(r.units for r in requests) * CAP_SHARE)
    return requests, cap


# ------------------------------------------------------------------------------- baseline


def naive_pro_rata(requests: Sequence[Request], room: int) -> list[int]:
    """The textbook way, subscriber by subscriber: each exact quota as a whole part and a
    remainder (integer division, so equal remainders tie exactly), then the remainders sorted."""
    if sum(r.units for r in requests) <= room:
        return [r.units for r in requests]
    base = [min(r.min_units, r.units) for r in requests]
    if sum(base) > room:
        out = []
        for b in base:
            give = b if b <= room else 0
            room -= give
            out.append(give)
        return out
    left = room - sum(base)
    total_extra = sum(r.units - b for r, b in zip(requests, base, strict=True))
    shares: list[int] = []
    fractions: list[tuple[int, int]] = []
    for i, (req, b) in enumerate(zip(requests, base, strict=True)):
        whole, remainder = divmod((req.units - b) * left, total_extra)
        shares.append(b + whole)
        fractions.append((remainder, i))
    spare = room - sum(shares)
    fractions.sort(key=lambda item: (-item[0], item[1]))
    for _fraction, i in fractions[:spare]:
        shares[i] += 1
    return shares


# --------------------------------------------------------------------------------- runner


def _best(action: Callable[[], list[int]], repeat: int) -> tuple[float, list[int]]:
    best, result = float("inf"), []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def _check(requests: Sequence[Request], cap: int, shares: Sequence[int], what: str) -> None:
    if sum(shares) != cap:
        raise AssertionError(f"{what}: {sum(shares)} shares allotted for a cap of {cap}")
    for req, got in zip(requests, shares, strict=True):
        if got > req.units or (got and got < req.min_units):
            raise AssertionError(f"{what}: {got} shares for a request of {req}")


def run(report: Report) -> None:
    requests, cap = campaign()
    fast, shares = _best(lambda: pro_rata(requests, cap), repeat=5)
    slow, expected = _best(lambda: naive_pro_rata(requests, cap), repeat=2)
    if shares != expected:
        raise AssertionError("pro_rata disagrees with the per-subscriber implementation")
    _check(requests, cap, shares, "pro rata")
    report(
        name=f"pro-rata allotment, {SUBSCRIPTIONS:,} subscriptions (vs per-subscriber loop)",
        value=fast * 1e3,
        unit="ms",
        baseline=slow * 1e3,
        higher_is_better=False,
        target=500,
    )
    seconds, shares = _best(
        lambda: allot(requests, cap, Rule.PRO_RATA, residents_first=True), repeat=3
    )
    _check(requests, cap, shares, "residents first")
    report(
        name=f"  residents first, {SUBSCRIPTIONS:,} subscriptions",
        value=seconds * 1e3,
        unit="ms",
        higher_is_better=False,
        target=1000,
    )
