"""The four promises of the issue, for every allocation method the platform uses: sums are
exact, equal members pay equally (to the cent the largest-remainder rule gives to the first
of them), a member who uses nothing pays nothing of the usage part, more usage never lowers
a share. (test_allocation.py checks each method against reference implementations.)"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ptce.pooling.allocation import by_keys, by_usage, equal, fixed_plus_usage, shapley

SETTINGS = settings(max_examples=200, deadline=None)
NAMES = st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=1, max_size=10, unique=True)
AMOUNT = st.one_of(
    st.integers(0, 10**6),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
)
FIXED = st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False)
TOTAL = st.integers(0, 10**12)


@st.composite
def usage_case(draw, *, with_fixed: bool):
    names = draw(NAMES)
    usage = {n: draw(AMOUNT) for n in names}
    fixed = draw(FIXED) if with_fixed else Decimal(0)
    return draw(TOTAL), fixed, names, usage


def allocate(total, fixed, names, usage):
    if fixed == 0:
        return by_usage(total, names, usage)
    return fixed_plus_usage(total, fixed, names, usage)


# ------------------------------------------------------------------------- sums are exact


@given(total=TOTAL, names=NAMES)
@SETTINGS
def test_equal_sums_exactly_and_equal_members_pay_equally(total, names):
    result = equal(total, names)
    assert sum(result.values()) == total
    assert max(result.values()) - min(result.values()) <= 1


@given(case=usage_case(with_fixed=True))
@SETTINGS
def test_usage_methods_sum_exactly(case):
    total, fixed, names, usage = case
    result = allocate(total, fixed, names, usage)
    assert sum(result.values()) == total and list(result) == names
    assert all(v >= 0 for v in result.values())


# ------------------------------------------------------------- equal members pay equally


@given(case=usage_case(with_fixed=True), data=st.data())
@SETTINGS
def test_members_with_the_same_usage_pay_the_same_to_the_cent(case, data):
    total, fixed, names, usage = case
    assume(len(names) >= 2)
    a, b = data.draw(st.permutations(names))[:2]
    usage = {**usage, b: usage[a]}
    result = allocate(total, fixed, names, usage)
    assert abs(result[a] - result[b]) <= 1
    # the cent goes to the first of them in member order
    first, second = sorted((a, b), key=names.index)
    assert result[first] >= result[second]


@given(total=TOTAL, names=NAMES, key=AMOUNT, data=st.data())
@SETTINGS
def test_members_with_the_same_key_pay_the_same_to_the_cent(total, names, key, data):
    assume(key > 0)
    keys = {n: data.draw(AMOUNT) for n in names}
    twins = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    keys.update(dict.fromkeys(twins, key))
    result = by_keys(total, keys)
    shares = [result[n] for n in twins]
    assert max(shares) - min(shares) <= 1


# ------------------------------------------------- who uses nothing pays nothing of usage


@given(case=usage_case(with_fixed=True), data=st.data())
@SETTINGS
def test_who_uses_nothing_pays_at_most_the_fixed_part(case, data):
    total, fixed, names, usage = case
    idle = data.draw(st.sampled_from(names))
    usage = {**usage, idle: 0}
    assume(any(usage.values()))
    result = allocate(total, fixed, names, usage)
    fixed_quota = Fraction(total) * Fraction(fixed) / len(names)
    assert result[idle] <= math.ceil(fixed_quota)  # the fixed part, rounded up at most
    if fixed == 0:
        assert result[idle] == 0


@given(total=TOTAL, names=NAMES, data=st.data())
@SETTINGS
def test_a_zero_key_pays_nothing(total, names, data):
    keys = {n: data.draw(AMOUNT) for n in names}
    idle = data.draw(st.sampled_from(names))
    keys[idle] = 0
    assume(any(keys.values()))
    assert by_keys(total, keys)[idle] == 0


# ---------------------------------------------------------- more usage never lowers a share


@given(case=usage_case(with_fixed=True), data=st.data())
@SETTINGS
def test_more_usage_never_lowers_a_share(case, data):
    total, fixed, names, usage = case
    name = data.draw(st.sampled_from(names))
    more = {**usage, name: usage[name] + data.draw(st.integers(1, 10**6))}
    assert allocate(total, fixed, names, more)[name] >= allocate(total, fixed, names, usage)[name]


@given(total=TOTAL, names=NAMES, data=st.data())
@SETTINGS
def test_a_larger_key_never_lowers_a_share(total, names, data):
    keys = {n: data.draw(AMOUNT) for n in names}
    assume(any(keys.values()))
    name = data.draw(st.sampled_from(names))
    larger = {**keys, name: keys[name] + data.draw(st.integers(1, 10**6))}
    assert by_keys(total, larger)[name] >= by_keys(total, keys)[name]


# ------------------------------------------- Shapley, on the platform's shared-option game


def platform_game(alone: dict[str, int], shared: int):
    """The game `accounting` builds: a coalition pays the cheaper of its members' stand-alone
    costs and the shared option."""

    def cost(coalition: frozenset[str]) -> int:
        return min(sum(alone[m] for m in coalition), shared) if coalition else 0

    return cost


STANDALONE = st.integers(0, 10**9)


@st.composite
def shapley_case(draw):
    names = draw(
        st.lists(st.text("abcdef", min_size=1, max_size=2), min_size=1, max_size=7, unique=True)
    )
    alone = {n: draw(STANDALONE) for n in names}
    shared = draw(st.integers(1, 10**9))
    return names, alone, shared


@given(case=shapley_case())
@SETTINGS
def test_shapley_sums_to_the_grand_coalition_cost(case):
    names, alone, shared = case
    cost = platform_game(alone, shared)
    assert sum(shapley(names, cost).values()) == cost(frozenset(names))


@given(case=shapley_case(), data=st.data())
@SETTINGS
def test_shapley_equal_members_pay_equally(case, data):
    names, alone, shared = case
    assume(len(names) >= 2)
    a, b = data.draw(st.permutations(names))[:2]
    alone = {**alone, b: alone[a]}
    result = shapley(names, platform_game(alone, shared))
    assert abs(result[a] - result[b]) <= 1


@given(case=shapley_case(), data=st.data())
@SETTINGS
def test_shapley_who_needs_nothing_pays_nothing(case, data):
    names, alone, shared = case
    idle = data.draw(st.sampled_from(names))
    alone = {**alone, idle: 0}
    assert shapley(names, platform_game(alone, shared))[idle] == 0


@given(case=shapley_case(), data=st.data())
@SETTINGS
def test_shapley_a_larger_need_never_lowers_a_share(case, data):
    names, alone, shared = case
    name = data.draw(st.sampled_from(names))
    larger = {**alone, name: alone[name] + data.draw(st.integers(1, 10**9))}
    before = shapley(names, platform_game(alone, shared))[name]
    after = shapley(names, platform_game(larger, shared))[name]
    # its marginal cost grows in every coalition: its exact value cannot fall; rounded to
    # the cent, the largest-remainder rule may move a single cent
    assert after >= before - 1
