"""Cost allocation between the members of a pooling: equal, by keys, fixed + usage, Shapley.

Pure module (no Django import).

Every function returns integer cents, one entry per member in the members' order, that add
up *exactly* to the amount to split. Each member's exact share (its *quota*, a rational
number) is rounded by the largest-remainder rule (Hamilton): every member first gets the
floor of its quota, then the cents left go one each to the largest remainders; equal
remainders are broken by member order (the order of `members`, or of the `keys` mapping),
earlier first. Quotas and remainders are computed in exact rational arithmetic, so ties
are real ties and the result does not depend on floating-point noise. Each share is thus
within one cent of its quota (strictly), a member whose quota is a whole number gets
exactly that, and a member with a zero quota gets nothing.

Monotonicity: a member with a larger key never gets less than one with a smaller key, and
raising one member's key (the others unchanged) never lowers its share. The rule is not
monotone in the total, though (the "Alabama paradox" of Hamilton's method): one more cent
to split can, rarely, cost a member a cent; e.g. 13 cents by keys 16/1/12 give 7/1/5 and
14 cents give 8/0/6. Every method that stays within a cent of each quota has some such
paradox (Balinski–Young); this one is the price of staying closest to the exact shares.

Functions
---------
* `equal(total_cents, members)`: the same share for everyone; the first `total % n`
  members get one cent more.
* `by_keys(total_cents, keys)`: proportional to the keys (`int` or `Decimal`, finite, at
  least 0, not all 0). A member whose key is 0 gets 0.
* `fixed_plus_usage(total_cents, fixed_share, members, usage)`: the part `fixed_share`
  (in [0, 1]) of the total split equally, the rest in proportion to `usage`. A member
  missing from `usage` used nothing (0); usage declared for someone who is not a member is
  an error. When nobody used anything, the usage part is split equally too (so the whole
  total is). Both parts are rounded together, once, from each member's exact quota
  `total × fixed_share / n + total × (1 − fixed_share) × usage / total usage`.
* `by_usage(total_cents, members, usage)`: `fixed_plus_usage` with no fixed part.
* `shapley(members, cost, permutations=None, seed=0)`: the Shapley value of the cost game
  `cost` (a function of a `frozenset` of members returning integer cents), rounded so that
  the shares add up to `cost(frozenset(members))`.
* `shapley_with_error(members, cost, permutations, seed=0)`: the sampled Shapley value and,
  for each member, the standard error of its estimate (see below).

Shapley value
-------------
`cost` must return an `int` (or numpy integer) of absolute value below 2**53 cents
(`MAX_COST_CENTS`, about 90 000 billion euros), and the empty coalition must cost 0 (a
cost function with a fixed part must special-case it: nobody pays for a pooling that has
no member). A member's Shapley share may be negative when its presence lowers the cost of
the others; a negative total is allowed.

*Exact* (`permutations=None`, at most `MAX_EXACT_MEMBERS` = 20 members): `cost` is called
exactly once per coalition (2**n calls, the empty one included), and the value of member i
is the subset formula

    φ_i = Σ_{S ∌ i} |S|! (n − |S| − 1)! / n! × (v(S ∪ {i}) − v(S))

(never the n! permutations). Writing A[i, k] for the sum of v over the coalitions of size k
that contain i and T[k] for the sum over all coalitions of size k, the marginal sum over
the coalitions of size s without i is A[i, s + 1] − (T[s] − A[i, s]). Those 2 n (n + 1)
integer sums are computed with numpy over the 2**n bitmasks, sorted by popcount once
(`np.add.reduceat` by size, one pass per member); the costs are split into two 32-bit
limbs so that no int64 sum can overflow. The n weighted sums then run on Python integers:
`n! × φ_i` is an integer, and the rounding is done on that exact fraction. The result is
therefore *exact* for every admissible cost, with no precision limit (float64 would
already be off for 20 members and costs near 10**12 cents); the tests compare it with a
`fractions.Fraction` enumeration of all permutations. For 20 members the time is dominated
by the 2**20 calls of `cost` (about a second for a cheap Python cost function).

*Sampled* (`permutations=m`, any number of members): m permutations of the members are
drawn with `numpy.random.default_rng(seed)` (one `permutation` call each, so the first m
permutations of a seed are the same whatever m), and each member's value is estimated by
the mean of its m marginal costs. The permutations are drawn over the members sorted by
name, so that the estimate does not depend on the order of `members` (which, as
everywhere, only breaks ties in the rounding). `cost` is called twice (the empty and the
full coalition) plus n − 1 times per permutation, with no cache: memoise an expensive cost
function yourself. The sums of marginal costs are integers, and each permutation's marginal
costs add up to v(N), so the rounding is again exact and the shares add up to v(N). No
antithetic or stratified sampling: plain Monte Carlo keeps the estimate unbiased and its
error estimate simple. The standard error of member i is s_i / √m, where s_i is the sample
standard deviation (ddof = 1) of its m marginal costs, in cents; the rounded share may
differ from the estimate by less than one more cent. About 95 % of estimates are within
two standard errors of the exact value.

Errors
------
Bad input raises `AllocationError` (a `ValueError`) with a French message naming the
field and the rule: a total that is negative or not an integer, no member, a member twice,
a key or usage that is negative, not finite or not a number, keys all zero, a fixed share
out of [0, 1], more than 20 members for the exact Shapley value, fewer than one permutation
(two for `shapley_with_error`), a cost that is not an integer or too large, an empty
coalition that does not cost 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_COST_CENTS",
    "MAX_EXACT_MEMBERS",
    "AllocationError",
    "by_keys",
    "by_usage",
    "equal",
    "fixed_plus_usage",
    "shapley",
    "shapley_with_error",
]

MAX_EXACT_MEMBERS: Final = 20
MAX_COST_CENTS: Final = 2**53 - 1

_CHUNK: Final = 256  # permutations per block: |marginal| < 2**54, so a block sum fits int64
_LIMB_BITS: Final = 32
_LIMB_MASK: Final = (1 << _LIMB_BITS) - 1

Cost = Callable[[frozenset[str]], int]


class AllocationError(ValueError):
    """Input that cannot be allocated; the message is in French, for people."""


# ---------------------------------------------------------------------------- validation


def _check_total(total_cents: int) -> int:
    if isinstance(total_cents, bool) or not isinstance(total_cents, int):
        raise AllocationError(
            f"Le montant à répartir doit être un nombre entier de centimes (reçu : {total_cents!r})."
        )
    if total_cents < 0:
        raise AllocationError(
            f"Le montant à répartir est négatif ({total_cents} centimes) : "
            "il doit être positif ou nul."
        )
    return total_cents


def _check_members(members: Iterable[str]) -> list[str]:
    names = list(members)
    if not names:
        raise AllocationError("Aucun membre : il faut au moins un membre pour répartir.")
    seen: set[str] = set()
    twice: list[str] = []
    for name in names:
        if name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    if twice:
        listed = ", ".join(f"« {name} »" for name in twice)
        raise AllocationError(
            f"Membre en double : {listed} ; chaque membre ne doit figurer qu'une fois."
        )
    return names


def _non_negative(value: Decimal | int, label: str) -> Fraction:
    """`value` as an exact fraction; `label` names it, e.g. "La clé de répartition de « A »"."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise AllocationError(f"{label} doit être un nombre entier ou décimal (reçu : {value!r}).")
    if isinstance(value, Decimal) and not value.is_finite():
        raise AllocationError(f"{label} n'est pas un nombre fini (reçu : {value}).")
    if value < 0:
        raise AllocationError(f"{label} est négative ({value}) : elle doit être positive ou nulle.")
    return Fraction(value)


def _check_permutations(permutations: int, minimum: int) -> int:
    if isinstance(permutations, bool) or not isinstance(permutations, int):
        raise AllocationError(
            f"Le nombre de permutations doit être un nombre entier (reçu : {permutations!r})."
        )
    if permutations < minimum:
        raise AllocationError(
            f"Le nombre de permutations doit être au moins {minimum} (reçu : {permutations})."
        )
    return permutations


def _cost_array(values: list[int], coalition: Callable[[int], frozenset[str]]) -> NDArray[np.int64]:
    """The costs as int64, or an error naming the first coalition whose cost is invalid."""
    array = np.asarray(values)
    if array.dtype.kind == "i" and (
        array.size == 0 or int(np.max(np.abs(array))) <= MAX_COST_CENTS
    ):
        return array.astype(np.int64, copy=False)
    for position, value in enumerate(values):
        valid = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
        if not valid or abs(int(value)) > MAX_COST_CENTS:
            members = ", ".join(sorted(coalition(position))) or "aucun membre"
            raise AllocationError(
                f"Le coût de la coalition ({members}) doit être un nombre entier de centimes, "
                f"inférieur à 2^53 en valeur absolue (reçu : {value!r})."
            )
    raise AssertionError("unreachable: an invalid cost was not found")  # pragma: no cover


def _check_empty_cost(value: int) -> None:
    if value != 0:
        raise AllocationError(
            f"Le coût de la coalition vide doit être nul (reçu : {value} centimes) : "
            "une mutualisation sans membre ne coûte rien."
        )


# ------------------------------------------------------------------------------ rounding


def _apportion(total: int, numerators: Sequence[int], denominator: int) -> list[int]:
    """Largest remainder: the quotas are numerators[i] / denominator and add up to total.
    Ties between equal remainders go to the lower index."""
    if denominator <= 0 or sum(numerators) != total * denominator:
        raise AssertionError("quotas must add up to the total")  # a bug, not bad input
    shares = [numerator // denominator for numerator in numerators]
    left = total - sum(shares)
    remainders = [numerator % denominator for numerator in numerators]
    for index in sorted(range(len(shares)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


def _apportion_fractions(total: int, quotas: Sequence[Fraction]) -> list[int]:
    denominator = math.lcm(*(quota.denominator for quota in quotas))
    numerators = [quota.numerator * (denominator // quota.denominator) for quota in quotas]
    return _apportion(total, numerators, denominator)


# ---------------------------------------------------------------- equal, keys and usage


def equal(total_cents: int, members: Sequence[str]) -> dict[str, int]:
    """`total_cents` split equally; the first `total_cents % n` members get one cent more."""
    total = _check_total(total_cents)
    names = _check_members(members)
    base, extra = divmod(total, len(names))
    return {name: base + (1 if index < extra else 0) for index, name in enumerate(names)}


def by_keys(total_cents: int, keys: Mapping[str, Decimal | int]) -> dict[str, int]:
    """`total_cents` split in proportion to `keys` (largest remainder, ties by key order)."""
    total = _check_total(total_cents)
    names = _check_members(keys)
    weights = [_non_negative(keys[name], f"La clé de répartition de « {name} »") for name in names]
    whole = sum(weights, Fraction(0))
    if whole == 0:
        raise AllocationError(
            "Les clés de répartition sont toutes nulles : impossible de répartir."
        )
    shares = _apportion_fractions(total, [total * weight / whole for weight in weights])
    return dict(zip(names, shares, strict=True))


def fixed_plus_usage(
    total_cents: int,
    fixed_share: Decimal,
    members: Sequence[str],
    usage: Mapping[str, Decimal | int],
) -> dict[str, int]:
    """A part `fixed_share` of the total split equally, the rest in proportion to `usage`
    (a missing member used nothing); when nobody used anything, the rest is split equally
    too. Rounded once, by the largest remainder, ties by member order."""
    total = _check_total(total_cents)
    names = _check_members(members)
    if isinstance(fixed_share, bool) or not isinstance(fixed_share, int | Decimal):
        raise AllocationError(
            f"La part fixe doit être un nombre décimal entre 0 et 1 (reçu : {fixed_share!r})."
        )
    if (isinstance(fixed_share, Decimal) and not fixed_share.is_finite()) or not (
        0 <= fixed_share <= 1
    ):
        raise AllocationError(
            f"La part fixe doit être comprise entre 0 et 1 (reçu : {fixed_share})."
        )
    known = set(names)
    strangers = [name for name in usage if name not in known]
    if strangers:
        listed = ", ".join(f"« {name} »" for name in strangers)
        raise AllocationError(f"Consommation indiquée pour {listed}, qui n'est pas membre.")
    used = [_non_negative(usage.get(name, 0), f"La consommation de « {name} »") for name in names]
    fixed = Fraction(fixed_share)
    whole = sum(used, Fraction(0))
    count = len(names)
    variable = total * (1 - fixed)
    quotas = [
        total * fixed / count + (variable * part / whole if whole else variable / count)
        for part in used
    ]
    return dict(zip(names, _apportion_fractions(total, quotas), strict=True))


def by_usage(
    total_cents: int, members: Sequence[str], usage: Mapping[str, Decimal | int]
) -> dict[str, int]:
    """`total_cents` in proportion to `usage` (a missing member used nothing and pays
    nothing); when nobody used anything, split equally. `fixed_plus_usage` with no fixed part."""
    return fixed_plus_usage(total_cents, Decimal(0), members, usage)


# ------------------------------------------------------------------------------- Shapley


def _subsets(items: Sequence[str]) -> list[frozenset[str]]:
    """Every subset of `items`, the subset of bitmask b at index b."""
    subsets: list[frozenset[str]] = [frozenset()]
    for item in items:
        subsets += [subset | {item} for subset in subsets]
    return subsets


def _exact_numerators(names: list[str], cost: Cost) -> tuple[list[int], int, int]:
    """(n! × φ_i for each member, n!, v(N)) by the subset formula."""
    n = len(names)
    half = n // 2
    low, high = _subsets(names[:half]), _subsets(names[half:])
    # bitmask = high index << half | low index, so bit j is names[j]; one call per coalition
    values = [cost(low_set | high_set) for high_set in high for low_set in low]

    def coalition(mask: int) -> frozenset[str]:
        return frozenset(name for j, name in enumerate(names) if mask >> j & 1)

    v = _cost_array(values, coalition)
    _check_empty_cost(int(v[0]))

    masks = np.arange(1 << n, dtype=np.int64)
    order = np.argsort(np.bitwise_count(masks), kind="stable")  # coalitions by size
    starts = np.cumsum([0] + [math.comb(n, k) for k in range(n)])  # first index of each size
    by_size = v[order]
    limbs = ((by_size & _LIMB_MASK, 0), (by_size >> _LIMB_BITS, _LIMB_BITS))  # v = lo + hi<<32

    def combine(parts: list[list[int]]) -> list[int]:
        return [
            sum(p << shift for p, (_, shift) in zip(column, limbs, strict=True))
            for column in zip(*parts, strict=True)
        ]

    size_totals = combine([np.add.reduceat(limb, starts).tolist() for limb, _ in limbs])
    numerators = []
    weights = [math.factorial(s) * math.factorial(n - 1 - s) for s in range(n)]
    for i in range(n):
        has_i = (order >> i & 1).astype(bool)
        with_i = combine(
            [np.add.reduceat(np.where(has_i, limb, 0), starts).tolist() for limb, _ in limbs]
        )  # with_i[k]: sum of v over the coalitions of size k containing i
        numerators.append(
            sum(weights[s] * (with_i[s + 1] - (size_totals[s] - with_i[s])) for s in range(n))
        )
    return numerators, math.factorial(n), int(v[-1])


def _sampled(
    names: list[str], cost: Cost, permutations: int, seed: int
) -> tuple[list[int], int, list[float]]:
    """(sum of each member's marginal costs, v(N), standard error of each mean), with the
    permutations drawn over the members sorted by name."""
    n = len(names)
    canonical = sorted(names)
    full_set = frozenset(names)
    ends = _cost_array([cost(frozenset()), cost(full_set)], [frozenset(), full_set].__getitem__)
    _check_empty_cost(int(ends[0]))
    full = int(ends[1])

    rng = np.random.default_rng(seed)
    sums = [0] * n
    # Spread: Chan et al.'s pairwise update of the mean and the sum of squared deviations,
    # block by block, in float64 on the marginal costs minus those of the first order
    # (exact int64 differences: a member whose marginal cost never changes gets exactly 0).
    reference: NDArray[np.int64] | None = None
    mean = np.zeros(n)
    squares = np.zeros(n)
    done = 0
    while done < permutations:
        block = min(_CHUNK, permutations - done)
        marginal = np.empty((block, n), dtype=np.int64)
        for row in range(block):
            order = rng.permutation(n)
            prefix: set[str] = set()
            values = [0]
            prefixes = []
            for j in order[:-1].tolist():
                prefix.add(canonical[j])
                prefixes.append(frozenset(prefix))
                values.append(cost(prefixes[-1]))
            values.append(full)
            checked = _cost_array(values, [frozenset(), *prefixes, full_set].__getitem__)
            marginal[row, order] = np.diff(checked)
        block_sums = marginal.sum(axis=0)
        if reference is None:
            reference = marginal[0].copy()
        shifted = (marginal - reference).astype(np.float64)
        block_mean = shifted.mean(axis=0)
        block_squares = ((shifted - block_mean) ** 2).sum(axis=0)
        delta = block_mean - mean
        mean += delta * block / (done + block)
        squares += block_squares + delta**2 * done * block / (done + block)
        sums = [s + int(b) for s, b in zip(sums, block_sums.tolist(), strict=True)]
        done += block
    errors = np.sqrt(squares / (permutations - 1) / permutations) if permutations > 1 else None
    position = {name: j for j, name in enumerate(canonical)}
    return (
        [sums[position[name]] for name in names],
        full,
        [float("nan") if errors is None else float(errors[position[name]]) for name in names],
    )


def shapley(
    members: Sequence[str],
    cost: Callable[[frozenset[str]], int],
    *,
    permutations: int | None = None,
    seed: int = 0,
) -> dict[str, int]:
    """The Shapley value of the cost game `cost`, in cents adding up to the cost of all
    members: exact (subset formula, at most 20 members) when `permutations` is None,
    estimated from that many random permutations (reproducible for a `seed`) otherwise."""
    names = _check_members(members)
    if permutations is None:
        if len(names) > MAX_EXACT_MEMBERS:
            raise AllocationError(
                f"Valeur de Shapley exacte impossible au-delà de {MAX_EXACT_MEMBERS} membres "
                f"({len(names)} membres) : passez `permutations` (par exemple 10 000) pour "
                "une estimation par échantillonnage."
            )
        numerators, denominator, full = _exact_numerators(names, cost)
    else:
        count = _check_permutations(permutations, 1)
        numerators, full, _ = _sampled(names, cost, count, seed)
        denominator = count
    return dict(zip(names, _apportion(full, numerators, denominator), strict=True))


def shapley_with_error(
    members: Sequence[str],
    cost: Callable[[frozenset[str]], int],
    *,
    permutations: int,
    seed: int = 0,
) -> tuple[dict[str, int], dict[str, float]]:
    """The sampled Shapley value (as `shapley(..., permutations=, seed=)`) and, for each
    member, the standard error of its mean marginal cost, in cents."""
    names = _check_members(members)
    count = _check_permutations(permutations, 2)
    numerators, full, errors = _sampled(names, cost, count, seed)
    shares = _apportion(full, numerators, count)
    return dict(zip(names, shares, strict=True)), dict(zip(names, errors, strict=True))
