"""allocation: equal, by keys, fixed + usage and Shapley cost allocation (no database).

The references below are deliberately naive and independent of the module: the Shapley
value by enumerating every permutation (or every coalition) in exact fractions, and the
largest-remainder rounding written out with `math.floor`.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ptce.pooling.allocation import (
    MAX_COST_CENTS,
    AllocationError,
    by_keys,
    equal,
    fixed_plus_usage,
    shapley,
    shapley_with_error,
)

SETTINGS = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=30, deadline=None)
D = Decimal


# ----------------------------------------------------------------------------- references


def hamilton(total: int, quotas: Sequence[Fraction]) -> list[int]:
    """Largest remainder, ties to the lower index; the quotas must add up to `total`."""
    assert sum(quotas) == total
    floors = [math.floor(q) for q in quotas]
    ranked = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in ranked[: total - sum(floors)]:
        floors[i] += 1
    return floors


def remainders_distinct(quotas: Sequence[Fraction]) -> bool:
    fractional = [q - math.floor(q) for q in quotas]
    return len(set(fractional)) == len(fractional)


def shapley_by_permutations(names: Sequence[str], cost: Callable[[frozenset[str]], int]):
    """Exact Shapley value: the mean marginal cost over all n! orders."""
    totals = dict.fromkeys(names, 0)
    orders = list(itertools.permutations(names))
    for order in orders:
        before = 0
        for k, name in enumerate(order):
            after = cost(frozenset(order[: k + 1]))
            totals[name] += after - before
            before = after
    return [Fraction(totals[name], len(orders)) for name in names]


def shapley_by_subsets(names: Sequence[str], cost: Callable[[frozenset[str]], int]):
    """Exact Shapley value by the subset formula, one coalition at a time, in integers."""
    n = len(names)
    v = [
        cost(frozenset(name for j, name in enumerate(names) if mask >> j & 1))
        for mask in range(1 << n)
    ]
    values = []
    for i in range(n):
        numerator = 0
        for mask in range(1 << n):
            if not mask >> i & 1:
                size = mask.bit_count()
                weight = math.factorial(size) * math.factorial(n - size - 1)
                numerator += weight * (v[mask | 1 << i] - v[mask])
        values.append(Fraction(numerator, math.factorial(n)))
    return values


def per_permutation_sd(names: Sequence[str], cost: Callable[[frozenset[str]], int]):
    """Population standard deviation of each member's marginal cost over all orders."""
    marginals: dict[str, list[int]] = {name: [] for name in names}
    for order in itertools.permutations(names):
        before = 0
        for k, name in enumerate(order):
            after = cost(frozenset(order[: k + 1]))
            marginals[name].append(after - before)
            before = after
    return {name: statistics.pstdev(values) for name, values in marginals.items()}


# ---------------------------------------------------------------------------------- games


@dataclass(frozen=True)
class Game:
    """A cost game given by its table: `table[mask]` is the cost of the coalition whose
    members are the `names[j]` with bit j of `mask` set."""

    names: tuple[str, ...]
    table: tuple[int, ...]

    def cost(self, coalition: frozenset[str]) -> int:
        mask = sum(1 << j for j, name in enumerate(self.names) if name in coalition)
        assert len(coalition) == mask.bit_count(), "a stranger in the coalition"
        return self.table[mask]

    @property
    def full(self) -> int:
        return self.table[-1]


NAMES = st.text(alphabet="abcdéèçAZ-' 0", min_size=1, max_size=4)


@st.composite
def games(draw, min_members=1, max_members=6, magnitudes=(10**3, 10**6, 10**12, MAX_COST_CENTS)):
    names = draw(st.lists(NAMES, min_size=min_members, max_size=max_members, unique=True))
    magnitude = draw(st.sampled_from(magnitudes))
    rest = (1 << len(names)) - 1
    table = draw(st.lists(st.integers(-magnitude, magnitude), min_size=rest, max_size=rest))
    return Game(tuple(names), (0, *table))


def airport(costs: dict[str, int]) -> Callable[[frozenset[str]], int]:
    """The airport game: a coalition pays for the runway its largest plane needs."""

    def cost(coalition: frozenset[str]) -> int:
        return max((costs[name] for name in coalition), default=0)

    return cost


def glove(coalition: frozenset[str]) -> int:
    """A 3-member glove game worth 1 € once a left and a right glove are together."""
    return 100 if "gauche" in coalition and coalition & {"droite-1", "droite-2"} else 0


def additive(costs: dict[str, int]) -> Callable[[frozenset[str]], int]:
    def cost(coalition: frozenset[str]) -> int:
        return sum(costs[name] for name in coalition)

    return cost


# ---------------------------------------------------------------------------------- equal


@pytest.mark.parametrize(
    ("total", "members", "expected"),
    [
        (100, ["a", "b", "c"], {"a": 34, "b": 33, "c": 33}),
        (2, ["a", "b", "c"], {"a": 1, "b": 1, "c": 0}),
        (2, ["c", "b", "a"], {"c": 1, "b": 1, "a": 0}),
        (0, ["a", "b"], {"a": 0, "b": 0}),
        (12_345, ["seul"], {"seul": 12_345}),
        (10**15 + 1, ["a", "b"], {"a": 5 * 10**14 + 1, "b": 5 * 10**14}),
    ],
)
def test_equal_table(total, members, expected):
    result = equal(total, members)
    assert result == expected
    assert list(result) == members


@given(total=st.integers(0, 10**15), members=st.lists(NAMES, min_size=1, max_size=30, unique=True))
@SETTINGS
def test_equal_properties(total, members):
    result = equal(total, members)
    assert list(result) == members
    assert sum(result.values()) == total
    shares = list(result.values())
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)  # the extra cents go to the first members
    assert shares == hamilton(total, [Fraction(total, len(members))] * len(members))


# --------------------------------------------------------------------------------- by_keys


@pytest.mark.parametrize(
    ("total", "keys", "expected"),
    [
        (1000, {"a": 1, "b": 1, "c": 1}, {"a": 334, "b": 333, "c": 333}),
        (1000, {"c": 1, "b": 1, "a": 1}, {"c": 334, "b": 333, "a": 333}),
        (10_000, {"a": D("12.5"), "b": D("37.5")}, {"a": 2500, "b": 7500}),
        (100, {"a": 2, "b": 1, "c": 0}, {"a": 67, "b": 33, "c": 0}),
        # quotas 7.17 / 0.45 / 5.38 then 7.72 / 0.48 / 5.79: b loses its cent (Alabama)
        (13, {"a": 16, "b": 1, "c": 12}, {"a": 7, "b": 1, "c": 5}),
        (14, {"a": 16, "b": 1, "c": 12}, {"a": 8, "b": 0, "c": 6}),
        (0, {"a": 3, "b": 0}, {"a": 0, "b": 0}),
        (99, {"a": D("0.001"), "b": D("0.002")}, {"a": 33, "b": 66}),
    ],
)
def test_by_keys_table(total, keys, expected):
    result = by_keys(total, keys)
    assert result == expected
    assert list(result) == list(keys)


KEY = st.one_of(
    st.integers(0, 10**6),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
)
KEYS = st.dictionaries(NAMES, KEY, min_size=1, max_size=12).filter(lambda k: any(k.values()))


def quotas_of(total, keys):
    whole = sum(Fraction(k) for k in keys.values())
    return [total * Fraction(k) / whole for k in keys.values()]


@given(total=st.integers(0, 10**12), keys=KEYS)
@SETTINGS
def test_by_keys_properties(total, keys):
    result = by_keys(total, keys)
    quotas = quotas_of(total, keys)
    assert list(result) == list(keys)
    assert sum(result.values()) == total
    assert list(result.values()) == hamilton(total, quotas)
    for share, quota in zip(result.values(), quotas, strict=True):
        assert abs(share - quota) < 1
    for a, b in itertools.permutations(keys, 2):
        if keys[a] > keys[b]:
            assert result[a] >= result[b]
        if keys[a] == keys[b]:
            assert abs(result[a] - result[b]) <= 1
        if keys[a] == 0:
            assert result[a] == 0


@given(total=st.integers(0, 10**12), keys=KEYS, factor=st.integers(1, 10**6))
@SETTINGS
def test_by_keys_depends_only_on_proportions(total, keys, factor):
    scaled = {name: key * factor for name, key in keys.items()}
    assert by_keys(total, scaled) == by_keys(total, keys)


@given(total=st.integers(0, 10**9), keys=KEYS, data=st.data())
@SETTINGS
def test_by_keys_raising_a_key_never_lowers_its_share(total, keys, data):
    name = data.draw(st.sampled_from(sorted(keys)))
    raised = {**keys, name: keys[name] + data.draw(st.integers(1, 10**6))}
    assert by_keys(total, raised)[name] >= by_keys(total, keys)[name]


@given(total=st.integers(0, 10**12), keys=KEYS, data=st.data())
@SETTINGS
def test_by_keys_order_only_breaks_ties(total, keys, data):
    order = data.draw(st.permutations(list(keys)))
    shuffled = {name: keys[name] for name in order}
    result, other = by_keys(total, keys), by_keys(total, shuffled)
    assert list(other) == order
    assert list(other.values()) == hamilton(total, quotas_of(total, shuffled))
    assert all(abs(result[name] - other[name]) <= 1 for name in keys)
    if remainders_distinct(quotas_of(total, keys)):
        assert other == result


# ------------------------------------------------------------------------ fixed_plus_usage


def test_fixed_plus_usage_worked_example():
    # 20 % fixed: 2,000 split in four; 8,000 by usage 10 / 30 / 0 / (nothing declared)
    result = fixed_plus_usage(10_000, D("0.2"), ["a", "b", "c", "d"], {"a": 10, "b": 30, "c": 0})
    assert result == {"a": 2500, "b": 6500, "c": 500, "d": 500}


def test_fixed_plus_usage_rounds_once():
    # half of 100 split in three, the other half to "a" alone: exact quotas 50/3 + 50,
    # 50/3, 50/3; floors 66 + 16 + 16 = 98, two cents left and three remainders of 2/3, so
    # the first two members by order get them (rounding each part apart would give 99)
    result = fixed_plus_usage(100, D("0.5"), ["a", "b", "c"], {"a": D("2.5")})
    assert result == {"a": 67, "b": 17, "c": 16}


def test_fixed_plus_usage_without_any_usage_is_equal():
    members = ["a", "b", "c"]
    assert fixed_plus_usage(1000, D("0.3"), members, {}) == equal(1000, members)
    assert fixed_plus_usage(1000, D("0"), members, {"a": 0, "b": D("0.00")}) == equal(1000, members)


@given(total=st.integers(0, 10**12), keys=KEYS, data=st.data())
@SETTINGS
def test_fixed_plus_usage_properties(total, keys, data):
    members = list(keys)
    usage = {name: key for name, key in keys.items() if data.draw(st.booleans())}
    fixed_share = data.draw(
        st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
    )
    result = fixed_plus_usage(total, fixed_share, members, usage)
    used = [Fraction(usage.get(name, 0)) for name in members]
    whole = sum(used)
    f = Fraction(fixed_share)
    quotas = [
        total * f / len(members)
        + (total * (1 - f) * u / whole if whole else total * (1 - f) / len(members))
        for u in used
    ]
    assert list(result) == members
    assert sum(result.values()) == total
    assert list(result.values()) == hamilton(total, quotas)
    assert all(abs(s - q) < 1 for s, q in zip(result.values(), quotas, strict=True))


@given(total=st.integers(0, 10**12), keys=KEYS)
@SETTINGS
def test_fixed_plus_usage_extremes(total, keys):
    members = list(keys)
    assert fixed_plus_usage(total, D(0), members, keys) == by_keys(total, keys)
    assert fixed_plus_usage(total, D(1), members, keys) == equal(total, members)


# -------------------------------------------------------------------------- exact Shapley


def test_shapley_airport_game():
    runways = {"petit": 300, "moyen": 900, "gros": 1500}
    # the first 300 in three, the next 600 in two, the last 600 to "gros" alone
    assert shapley(list(runways), airport(runways)) == {"petit": 100, "moyen": 400, "gros": 1000}


def test_shapley_airport_game_ties_follow_member_order():
    runways = {"a": 100, "b": 200, "c": 400}
    # exact 33⅓, 83⅓, 283⅓: one cent left and three equal remainders
    assert shapley(["a", "b", "c"], airport(runways)) == {"a": 34, "b": 83, "c": 283}
    assert shapley(["c", "b", "a"], airport(runways)) == {"c": 284, "b": 83, "a": 33}


def test_shapley_glove_game():
    # exact 66⅔ for the left glove, 16⅔ for each right glove; two cents go by order
    assert shapley(["gauche", "droite-1", "droite-2"], glove) == {
        "gauche": 67,
        "droite-1": 17,
        "droite-2": 16,
    }
    # the same three equal remainders: the two right gloves, listed first, get the cents
    assert shapley(["droite-2", "droite-1", "gauche"], glove) == {
        "droite-2": 17,
        "droite-1": 17,
        "gauche": 66,
    }


def test_shapley_two_members():
    table = {frozenset(): 0, frozenset("a"): 100, frozenset("b"): 300, frozenset("ab"): 350}
    # a: (100 + (350 - 300)) / 2, b: (300 + (350 - 100)) / 2
    assert shapley(["a", "b"], table.__getitem__) == {"a": 75, "b": 275}


def test_shapley_one_member():
    assert shapley(["seul"], lambda s: 4200 if s else 0) == {"seul": 4200}


@given(game=games())
@SETTINGS
def test_shapley_exact_matches_fraction_enumeration_of_permutations(game):
    exact = shapley_by_permutations(game.names, game.cost)
    result = shapley(game.names, game.cost)
    assert list(result) == list(game.names)
    assert sum(result.values()) == game.full
    assert list(result.values()) == hamilton(game.full, exact)


@pytest.mark.parametrize("magnitude", [10**12, MAX_COST_CENTS])
@pytest.mark.parametrize("seed", [1, 2])
def test_shapley_exact_is_exact_for_large_costs(seed, magnitude):
    """The precision claim: 13 members and arbitrary costs up to 10**12 or 2**53 cents give
    exactly the rounding of the exact rational values (float64 sums would not)."""
    rng = np.random.default_rng(seed)
    names = tuple(f"membre-{j:02d}" for j in range(13))
    table = (0, *rng.integers(-magnitude, magnitude, (1 << 13) - 1, endpoint=True).tolist())
    game = Game(names, table)
    exact = shapley_by_subsets(names, game.cost)
    assert sum(exact) == game.full
    assert list(shapley(names, game.cost).values()) == hamilton(game.full, exact)


def test_shapley_exact_twenty_members_airport_closed_form():
    """20 members, costs near 2**53: the airport game's closed form, shares in any order."""
    rng = np.random.default_rng(7)
    levels = sorted(rng.integers(10**15, MAX_COST_CENTS, 20).tolist())
    names = [f"avion-{j:02d}" for j in range(20)]
    runways = dict(zip(names, levels, strict=True))
    # the k-th smallest plane pays, for each runway segment up to its own, its share among
    # the planes that need it
    exact = {}
    paid = Fraction(0)
    for k, name in enumerate(names):
        below = levels[k - 1] if k else 0
        paid += Fraction(levels[k] - below, 20 - k)
        exact[name] = paid
    order = [names[j] for j in rng.permutation(20)]
    result = shapley(order, airport(runways))
    assert list(result) == order
    assert list(result.values()) == hamilton(levels[-1], [exact[name] for name in order])


@given(n=st.integers(1, 9))
@settings(max_examples=9, deadline=None)
def test_shapley_exact_calls_cost_once_per_coalition(n):
    names = [f"m{j}" for j in range(n)]
    calls: Counter[frozenset[str]] = Counter()

    def cost(coalition: frozenset[str]) -> int:
        calls[coalition] += 1
        return 10 * len(coalition) ** 2

    shapley(names, cost)
    assert sum(calls.values()) == 2**n
    assert set(calls) == {
        frozenset(c) for size in range(n + 1) for c in itertools.combinations(names, size)
    }


@st.composite
def games_with_twins(draw):
    """A game where "jumeau-1" and "jumeau-2" are interchangeable: the cost depends on the
    other members present and on how many of the twins are."""
    others = draw(st.lists(NAMES, min_size=0, max_size=4, unique=True))
    rows = 1 << len(others)
    table = draw(st.lists(st.integers(-(10**9), 10**9), min_size=3 * rows, max_size=3 * rows))
    table[0] = 0

    def cost(coalition: frozenset[str]) -> int:
        mask = sum(1 << j for j, name in enumerate(others) if name in coalition)
        twins = len(coalition & {"jumeau-1", "jumeau-2"})
        return table[3 * mask + twins]

    names = draw(st.permutations([*others, "jumeau-1", "jumeau-2"]))
    return names, cost


@given(game=games_with_twins())
@SETTINGS
def test_shapley_symmetric_members_within_a_cent(game):
    names, cost = game
    result = shapley(names, cost)
    first, second = sorted(("jumeau-1", "jumeau-2"), key=names.index)
    assert 0 <= result[first] - result[second] <= 1  # equal quotas: the earlier one first
    sampled = shapley(names, cost, permutations=50, seed=3)
    assert sum(sampled.values()) == cost(frozenset(names))


@given(game=games(max_members=5), data=st.data())
@SETTINGS
def test_shapley_null_member_pays_nothing(game, data):
    """A member who changes no coalition's cost gets exactly 0, and the others exactly what
    they got without it (zero quota, zero remainder: it never takes a cent)."""
    null = "membre-nul"
    assume(null not in game.names)

    def cost(coalition: frozenset[str]) -> int:
        return game.cost(coalition - {null})

    position = data.draw(st.integers(0, len(game.names)))
    names = [*game.names[:position], null, *game.names[position:]]
    result = shapley(names, cost)
    assert result[null] == 0
    assert {k: v for k, v in result.items() if k != null} == shapley(game.names, game.cost)
    sampled = shapley(names, cost, permutations=20, seed=5)
    assert sampled[null] == 0


@given(game=games(max_members=5, magnitudes=(10**6, 10**12)), data=st.data())
@SETTINGS
def test_shapley_additive_within_rounding(game, data):
    rest = len(game.table) - 1
    other = Game(
        game.names,
        (0, *data.draw(st.lists(st.integers(-(10**12), 10**12), min_size=rest, max_size=rest))),
    )
    both = Game(game.names, tuple(a + b for a, b in zip(game.table, other.table, strict=True)))
    v, w, vw = (shapley(g.names, g.cost) for g in (game, other, both))
    assert all(abs(vw[name] - v[name] - w[name]) <= 2 for name in game.names)
    assert sum(vw.values()) == sum(v.values()) + sum(w.values())


@given(game=games(), data=st.data())
@SETTINGS
def test_shapley_member_order_only_breaks_ties(game, data):
    order = data.draw(st.permutations(game.names))
    exact = dict(zip(game.names, shapley_by_permutations(game.names, game.cost), strict=True))
    result = shapley(order, game.cost)
    assert list(result) == order
    assert list(result.values()) == hamilton(game.full, [exact[name] for name in order])
    if remainders_distinct(list(exact.values())):
        assert result == shapley(game.names, game.cost)


def test_shapley_exact_additive_game_gives_each_its_own_cost():
    costs = {f"m{j}": 1000 * j + 7 for j in range(12)}
    assert shapley(list(costs), additive(costs)) == costs


# ------------------------------------------------------------------------ sampled Shapley


def economies_of_scale(names: Sequence[str]) -> Callable[[frozenset[str]], int]:
    alone = {name: 100_000 + 37_000 * j for j, name in enumerate(names)}

    def cost(coalition: frozenset[str]) -> int:
        if not coalition:
            return 0
        k = len(coalition)
        return 50_000 + sum(alone[name] for name in coalition) * (100 + 35 // k) // 135

    return cost


def test_sampled_same_seed_same_result_and_seed_matters():
    names = [f"m{j}" for j in range(8)]
    cost = economies_of_scale(names)
    first = shapley_with_error(names, cost, permutations=300, seed=11)
    assert shapley_with_error(names, cost, permutations=300, seed=11) == first
    assert shapley(names, cost, permutations=300, seed=11) == first[0]
    other = shapley_with_error(names, cost, permutations=300, seed=12)
    assert other[1] != first[1]
    assert shapley(names, cost, permutations=300) == shapley(names, cost, permutations=300, seed=0)


def test_sampled_permutations_of_a_seed_do_not_depend_on_their_number():
    names = ["a", "b", "c", "d", "e"]

    def recorder(calls: list[frozenset[str]]) -> Callable[[frozenset[str]], int]:
        def cost(coalition: frozenset[str]) -> int:
            calls.append(coalition)
            return len(coalition) * 100

        return cost

    few: list[frozenset[str]] = []
    many: list[frozenset[str]] = []
    shapley(names, recorder(few), permutations=5, seed=4)
    shapley(names, recorder(many), permutations=600, seed=4)
    assert len(few) == 2 + 5 * 4
    assert len(many) == 2 + 600 * 4
    assert many[: len(few)] == few
    assert len(set(map(tuple, map(sorted, many)))) > 20  # the orders really vary


def test_sampled_standard_error_matches_the_true_spread():
    names = ["a", "b", "c", "d"]
    table = (0, 700, 300, 900, 1000, 1300, 1200, 1400, 200, 850, 450, 1000, 1150, 1250, 1300, 2000)
    game = Game(tuple(names), table)
    sd = per_permutation_sd(names, game.cost)
    exact = dict(zip(names, shapley_by_permutations(names, game.cost), strict=True))
    m = 20_000
    shares, errors = shapley_with_error(names, game.cost, permutations=m, seed=1)
    for name in names:
        assert sd[name] > 0
        assert errors[name] == pytest.approx(sd[name] / math.sqrt(m), rel=0.05)
        assert abs(shares[name] - exact[name]) <= 4 * errors[name] + 1


@given(game=games(min_members=2, max_members=5), permutations=st.integers(2, 700))
@SLOW
def test_sampled_estimate_and_error_from_the_recorded_orders(game, permutations):
    """Rebuild every sampled order from the coalitions `cost` was asked for, and check the
    shares (rounded mean marginal costs) and the standard errors (sample sd / √m) exactly,
    over several blocks of permutations."""
    calls: list[frozenset[str]] = []

    def cost(coalition: frozenset[str]) -> int:
        calls.append(coalition)
        return game.cost(coalition)

    shares, errors = shapley_with_error(game.names, cost, permutations=permutations, seed=2)
    n = len(game.names)
    assert calls[:2] == [frozenset(), frozenset(game.names)]
    assert len(calls) == 2 + permutations * (n - 1)
    marginals: dict[str, list[int]] = {name: [] for name in game.names}
    for p in range(permutations):
        prefixes = [frozenset(), *calls[2 + p * (n - 1) : 2 + (p + 1) * (n - 1)]]
        prefixes.append(frozenset(game.names))
        for before, after in itertools.pairwise(prefixes):
            (added,) = after - before
            marginals[added].append(game.cost(after) - game.cost(before))
    means = [Fraction(sum(marginals[name]), permutations) for name in game.names]
    assert list(shares.values()) == hamilton(game.full, means)
    for name in game.names:
        expected = statistics.stdev(marginals[name]) / math.sqrt(permutations)
        assert errors[name] == pytest.approx(expected, rel=1e-9, abs=1e-6)


@given(game=games(max_members=5), seed=st.integers(0, 2**32))
@SLOW
def test_sampled_converges_to_exact(game, seed):
    exact = shapley_by_permutations(game.names, game.cost)
    shares, errors = shapley_with_error(game.names, game.cost, permutations=2000, seed=seed)
    assert sum(shares.values()) == game.full
    for name, value in zip(game.names, exact, strict=True):
        assert errors[name] >= 0
        assert abs(shares[name] - value) <= 6 * errors[name] + 1


@given(game=games(), permutations=st.integers(1, 40), seed=st.integers(0, 2**32))
@SETTINGS
def test_sampled_sums_exactly(game, permutations, seed):
    result = shapley(game.names, game.cost, permutations=permutations, seed=seed)
    assert list(result) == list(game.names)
    assert sum(result.values()) == game.full


@given(game=games(min_members=2), data=st.data())
@SLOW
def test_sampled_member_order_only_breaks_ties(game, data):
    order = data.draw(st.permutations(game.names))
    shares, errors = shapley_with_error(game.names, game.cost, permutations=60, seed=9)
    other_shares, other_errors = shapley_with_error(order, game.cost, permutations=60, seed=9)
    assert list(other_shares) == order
    assert other_errors == errors  # the same permutations were drawn
    assert all(abs(other_shares[name] - shares[name]) <= 1 for name in game.names)


def test_sampled_beyond_twenty_members():
    costs = {f"m{j:02d}": 10_000 + 13 * j for j in range(30)}
    shares, errors = shapley_with_error(list(costs), additive(costs), permutations=50)
    assert shares == costs
    assert set(errors.values()) == {0.0}


@pytest.mark.parametrize("permutations", [3, 77, 999])
def test_sampled_constant_marginal_cost_has_no_error_even_near_the_limit(permutations):
    """Member "a" always adds 2**53 - 1 cents: its estimate is exact and its standard error
    exactly 0 (no float64 noise from the size of the costs)."""
    big = MAX_COST_CENTS

    def cost(coalition: frozenset[str]) -> int:
        others = len(coalition - {"a"})
        return (big if "a" in coalition else 0) + 1000 * others**2 - 5 * 10**14 * others

    shares, errors = shapley_with_error(["a", "b", "c", "d"], cost, permutations=permutations)
    assert shares["a"] == big
    assert errors["a"] == 0.0
    assert min(errors[name] for name in "bcd") > 0


def test_sampled_single_permutation_is_one_order_of_marginal_costs():
    names = ["a", "b", "c"]
    runways = airport({"a": 10, "b": 40, "c": 25})
    result = shapley(names, runways, permutations=1)
    # whatever the order drawn, the shares are the marginal costs along that order
    assert sum(result.values()) == runways(frozenset(names))
    assert sorted(result.values()) in ([0, 0, 40], [0, 15, 25], [0, 10, 30], [10, 15, 15])


# ----------------------------------------------------------------------------------- errors


def zero_cost(coalition: frozenset[str]) -> int:
    return 0


EXPECTED_ERRORS = [
    (lambda: equal(-1, ["a"]), r"Le montant à répartir est négatif \(-1 centimes\)"),
    (lambda: equal(D("10"), ["a"]), "nombre entier de centimes"),
    (lambda: equal(True, ["a"]), "nombre entier de centimes"),
    (lambda: equal(10, []), "Aucun membre"),
    (lambda: equal(10, ["a", "b", "a", "a"]), "Membre en double : « a » ;"),
    (lambda: by_keys(-5, {"a": 1}), "négatif"),
    (lambda: by_keys(10, {}), "Aucun membre"),
    (
        lambda: by_keys(10, {"a": 0, "b": D("0.00")}),
        "^Les clés de répartition sont toutes nulles : impossible de répartir.$",
    ),
    (lambda: by_keys(0, {"a": 0}), "^Les clés de répartition sont toutes nulles"),
    (lambda: by_keys(10, {"a": -1, "b": 2}), "La clé de répartition de « a » est négative"),
    (lambda: by_keys(10, {"a": D("-0.5")}), "La clé de répartition de « a » est négative"),
    (
        lambda: by_keys(10, {"a": D("NaN")}),
        "La clé de répartition de « a » n'est pas un nombre fini",
    ),
    (lambda: by_keys(10, {"a": D("sNaN")}), "n'est pas un nombre fini"),
    (lambda: by_keys(10, {"a": 1, "b": D("Infinity")}), "« b » n'est pas un nombre fini"),
    (lambda: by_keys(10, {"a": 1.5}), "doit être un nombre entier ou décimal"),
    (
        lambda: fixed_plus_usage(10, D("1.5"), ["a"], {}),
        "La part fixe doit être comprise entre 0 et 1",
    ),
    (lambda: fixed_plus_usage(10, D("-0.1"), ["a"], {}), "comprise entre 0 et 1"),
    (lambda: fixed_plus_usage(10, D("NaN"), ["a"], {}), "comprise entre 0 et 1"),
    (lambda: fixed_plus_usage(10, 0.5, ["a"], {}), "La part fixe doit être un nombre décimal"),
    (lambda: fixed_plus_usage(10, D("0.5"), ["a"], {"z": 1}), "pour « z », qui n'est pas membre"),
    (
        lambda: fixed_plus_usage(10, D("0.5"), ["a"], {"a": -2}),
        "La consommation de « a » est négative",
    ),
    (lambda: fixed_plus_usage(-1, D("0.5"), ["a"], {}), "négatif"),
    (lambda: fixed_plus_usage(10, D("0.5"), ["a", "a"], {}), "Membre en double"),
    (lambda: shapley([], zero_cost), "Aucun membre"),
    (lambda: shapley(["a", "a"], zero_cost), "Membre en double"),
    (lambda: shapley(["a"], zero_cost, permutations=0), "au moins 1"),
    (lambda: shapley_with_error(["a"], zero_cost, permutations=1), "au moins 2"),
    (lambda: shapley(["a", "b"], lambda s: 5), r"coalition vide doit être nul \(reçu : 5"),
    (lambda: shapley(["a", "b"], lambda s: 5, permutations=3), "coalition vide doit être nul"),
    (lambda: shapley(["a", "b"], lambda s: 1.5 if s else 0), r"\(a\) doit être un nombre entier"),
    (lambda: shapley(["a", "b"], lambda s: 0.0), r"\(aucun membre\) doit être un nombre entier"),
    (
        lambda: shapley(["a", "b"], lambda s: 1.5 if s else 0, permutations=3),
        "doit être un nombre entier de centimes",
    ),
    (lambda: shapley(["a"], lambda s: len(s) * 2**53), r"inférieur à 2\^53"),
    (lambda: shapley(["a", "b"], lambda s: len(s) * 10**30, permutations=2), r"2\^53"),
]


@pytest.mark.parametrize(("action", "message"), EXPECTED_ERRORS)
def test_bad_input_raises_a_french_message(action, message):
    with pytest.raises(AllocationError, match=message) as raised:
        action()
    assert isinstance(raised.value, ValueError)


def test_exact_shapley_refuses_more_than_twenty_members_without_calling_cost():
    calls = []
    names = [f"m{j}" for j in range(21)]
    with pytest.raises(
        AllocationError, match=r"au-delà de 20 membres \(21 membres\) : passez `permutations`"
    ):
        shapley(names, lambda s: calls.append(s) or 0)
    assert calls == []


def test_exact_shapley_accepts_twenty_members():
    costs = {f"m{j:02d}": 1000 + j for j in range(20)}
    seen = Counter[int]()

    def cost(coalition: frozenset[str]) -> int:
        seen[len(coalition)] += 1
        return sum(costs[name] for name in coalition)

    assert shapley(list(costs), cost) == costs
    assert seen == Counter({k: math.comb(20, k) for k in range(21)})
