"""The pure rules of a groupement d'employeurs: limits, plans, re-invoicing arithmetic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptce.pooling.employees import rules

hours = st.decimals(min_value=0, max_value=250, places=2, allow_nan=False, allow_infinity=False)
members = st.dictionaries(st.sampled_from("ABCDEFG"), hours, min_size=1, max_size=7)
rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
costs = st.integers(min_value=0, max_value=100_000)


def test_level_thresholds():
    assert rules.level(0, 10) == "ok"
    assert rules.level(8, 10) == "ok"
    assert rules.level(9, 10) == "warning"  # 90 % of the limit
    assert rules.level(10, 10) == "warning"  # at the limit: allowed
    assert rules.level(Fraction(1001, 100), 10) == "error"


@given(
    st.fractions(min_value=0, max_value=1000),
    st.fractions(min_value=0, max_value=1000),
    st.fractions(min_value=0, max_value=1000),
)
def test_level_is_monotone_in_the_value(a, b, limit):
    low, high = sorted((a, b))
    assert rules.LEVELS.index(rules.level(low, limit)) <= rules.LEVELS.index(
        rules.level(high, limit)
    )


def test_local_authorities_at_most_half_of_members_on_a_date():
    day = dt.date(2026, 1, 1)
    register = [
        rules.Member("a", False, day),
        rules.Member("b", True, day),
        rules.Member("c", True, dt.date(2026, 3, 1)),
        rules.Member("d", False, day, left_on=dt.date(2026, 6, 1)),
    ]
    assert rules.local_authority_members(register, dt.date(2026, 2, 1)).level == "ok"  # 1 of 3
    at_march = rules.local_authority_members(register, dt.date(2026, 3, 1))
    assert (at_march.value, at_march.limit, at_march.level) == (2, 2, "warning")  # 2 of 4
    after = rules.local_authority_members(register, dt.date(2026, 6, 1))  # d left: 2 of 3
    assert after.level == "error" and after.blocking


def test_local_authority_time_three_quarters_of_contract():
    f = rules.local_authority_time({"la": Decimal(1200), "x": Decimal(400)}, ["la"], Decimal(1600))
    assert f.limit == 1200 and f.level == "warning"
    f = rules.local_authority_time({"la": Decimal("1200.01")}, ["la"], Decimal(1600))
    assert f.level == "error"
    f = rules.local_authority_time({"la": Decimal(1000), "x": Decimal(600)}, ["la"], Decimal(1600))
    assert f.level == "ok"


def test_plan_modes_give_annual_hours():
    year = 2025  # 365 days
    assert rules.plan_line_hours(rules.PlanLine("a", "days_per_week", Decimal(5)), year) == 1607
    assert rules.plan_line_hours(rules.PlanLine("a", "hours_per_month", Decimal(50)), year) == 600
    season = rules.PlanLine("a", "season", Decimal(300), dt.date(2024, 12, 1), dt.date(2025, 1, 31))
    assert rules.plan_line_hours(season, year) == Decimal(300) * 31 / 62
    half = rules.PlanLine(
        "a", "hours_per_month", Decimal(100), dt.date(2025, 1, 1), dt.date(2025, 7, 2)
    )
    assert rules.plan_line_hours(half, year) == Decimal(1200) * 183 / 365
    with pytest.raises(ValueError):
        rules.plan_line_hours(rules.PlanLine("a", "season", Decimal(1)), year)


def test_plan_consistency_over_the_contract_is_an_error():
    lines = [
        rules.PlanLine("a", "days_per_week", Decimal(3)),
        rules.PlanLine("b", "days_per_week", Decimal(2)),
    ]
    assert rules.plan_consistency(lines, Decimal(1607), 2025).level == "ok"
    lines.append(rules.PlanLine("c", "hours_per_month", Decimal(1)))
    assert rules.plan_consistency(lines, Decimal(1607), 2025).level == "error"


def test_contract_prorated_to_the_year():
    assert rules.contractual_hours_in_year(Decimal(1607), dt.date(2020, 1, 1), None, 2025) == 1607
    assert (
        rules.contractual_hours_in_year(Decimal(730), dt.date(2025, 7, 2), None, 2025)
        == Decimal(730) * 183 / 365
    )
    assert rules.contractual_hours_in_year(Decimal(1607), dt.date(2026, 1, 1), None, 2025) == 0


def test_timesheet_plausibility():
    assert rules.timesheet_problem(Decimal(-1), Decimal(0)) == "negative"
    assert rules.timesheet_problem(Decimal("1.005"), Decimal(1)) == "precision"
    assert rules.timesheet_problem(Decimal(100), Decimal("212.58")) == "too_many"
    assert rules.timesheet_problem(Decimal(100), Decimal("212.57")) is None


def test_split_month_worked_example():
    shares = rules.split_month(
        {"a": Decimal("10.5"), "b": Decimal("20.25"), "c": Decimal(0)}, 2_345, Decimal("0.08")
    )
    # 30.75 h x 23.45 EUR = 721.0875 EUR -> 72109 cents; overhead 8 % = 5768.72 -> 5769
    assert sum(s.pay_cents for s in shares.values()) == 72_109
    assert sum(s.overhead_cents for s in shares.values()) == 5_769
    assert shares["c"].total_cents == 0
    # quotas 72109 x 10.5 / 30.75 = 24622.61 and 47486.39: the cent left goes to the larger
    assert shares["a"].pay_cents == 24_623
    assert shares["b"].pay_cents == 47_486


def test_rounding_is_half_up_away_from_zero():
    assert rules.round_cents(Decimal("0.5")) == 1
    assert rules.round_cents(Decimal("-0.5")) == -1
    assert rules.adjustment(Decimal("-1.5"), 1001, Decimal("0.1")).pay_cents == -1502


@given(members, costs, rates)
def test_invoices_sum_exactly_to_hours_times_cost_plus_overhead(hours_by, cost, rate):
    shares = rules.split_month(hours_by, cost, rate)
    total_hours = sum(hours_by.values(), Decimal(0))
    pay = rules.pay_cents(total_hours, cost)
    assert sum(s.pay_cents for s in shares.values()) == pay
    assert sum(s.overhead_cents for s in shares.values()) == rules.overhead_cents(pay, rate)
    for member, share in shares.items():
        exact = hours_by[member] * cost
        assert abs(share.pay_cents - exact) < 1 + Decimal("0.5")  # rounding once + split
        assert share.pay_cents >= 0 and share.overhead_cents >= 0
        if hours_by[member] == 0:
            assert share.total_cents == 0


@given(members, costs, rates, st.sampled_from("ABCDEFG"), hours)
def test_more_hours_never_lower_a_members_share(hours_by, cost, rate, member, extra):
    before = rules.split_month(hours_by, cost, rate)
    more = dict(hours_by)
    more[member] = more.get(member, Decimal(0)) + extra
    after = rules.split_month(more, cost, rate)
    if member in before:
        assert after[member].pay_cents >= before[member].pay_cents


@given(
    members, st.sets(st.sampled_from("ABCDEFG")), st.decimals(min_value=1, max_value=2000, places=2)
)
def test_local_authority_time_monotone_in_hours(hours_by, authorities, contractual):
    base = rules.local_authority_time(hours_by, authorities, contractual)
    more = {m: h + 1 for m, h in hours_by.items()}
    bigger = rules.local_authority_time(more, authorities, contractual)
    assert rules.LEVELS.index(bigger.level) >= rules.LEVELS.index(base.level)
