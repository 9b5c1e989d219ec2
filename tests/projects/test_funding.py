"""The funding plan's figures (pure module)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptce.projects import funding
from ptce.projects.funding import Line, Step

SOURCES = [
    "public_subsidy",
    "foundation",
    "self_financing",
    "citizen_campaign",
    "bank_loan",
    "solidarity_finance",
]
LEVELS = ["state", "region", "departement", "epci", "commune", "eu"]
STATUSES = ["requested", "granted", "refused", "received"]


@st.composite
def lines(draw: st.DrawFn) -> Line:
    source = draw(st.sampled_from(SOURCES))
    planned = draw(st.integers(min_value=0, max_value=10**11))
    status = draw(st.sampled_from(STATUSES))
    received = 0 if status == "refused" else draw(st.integers(min_value=0, max_value=planned))
    level = draw(st.sampled_from(LEVELS)) if source == "public_subsidy" else ""
    return Line(source, planned, received, status, level)


budgets = st.lists(st.integers(min_value=0, max_value=10**11), max_size=8)


def test_a_worked_example():
    plan = funding.plan(
        [8_000_000, 2_000_000],
        [
            Line("public_subsidy", 4_000_000, 2_000_000, "granted", "region"),
            Line("public_subsidy", 1_000_000, 0, "granted", "commune"),
            Line("self_financing", 3_000_000, 3_000_000, "received"),
            Line("bank_loan", 2_000_000, 0, "requested"),
            Line("foundation", 500_000, 0, "refused"),
        ],
    )
    assert plan.budget_cents == 10_000_000
    assert plan.planned_cents == 10_000_000
    assert plan.balanced and plan.gap_cents == 0
    assert plan.secured_cents == 8_000_000
    assert plan.received_cents == 5_000_000
    assert plan.by_source == {
        "public_subsidy": 5_000_000,
        "self_financing": 3_000_000,
        "bank_loan": 2_000_000,
    }
    assert plan.by_level == {"region": 4_000_000, "commune": 1_000_000}
    assert plan.level_shares == {"region": 0.4, "commune": 0.1}
    assert plan.self_financing_ratio == 0.3
    assert plan.received_ratio == 0.5
    assert plan.received_by_level == {"region": 2_000_000, "commune": 0}


def test_an_unbalanced_plan_states_its_gap():
    plan = funding.plan([1_000_00], [Line("foundation", 60_000)])
    assert not plan.balanced
    assert plan.gap_cents == 40_000


def test_empty_plan():
    plan = funding.plan([], [])
    assert plan.balanced and plan.share(0) == 0.0
    assert plan.self_financing_ratio == 0.0 and plan.received_ratio == 0.0


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        funding.plan([-1], [])
    with pytest.raises(ValueError):
        funding.plan([], [Line("foundation", -5)])


@given(budgets, st.lists(lines(), max_size=12))
def test_totals_add_up(budget, plan_lines):
    plan = funding.plan(budget, plan_lines)
    kept = [line for line in plan_lines if line.status != "refused"]
    assert plan.budget_cents == sum(budget)
    assert (
        plan.planned_cents
        == sum(line.planned_cents for line in kept)
        == sum(plan.by_source.values())
    )
    assert plan.gap_cents == plan.budget_cents - plan.planned_cents
    assert plan.balanced == (plan.gap_cents == 0)
    assert plan.by_source.get("public_subsidy", 0) == sum(plan.by_level.values())
    assert plan.received_cents == sum(plan.received_by_source.values())
    assert 0 <= plan.secured_cents <= plan.planned_cents
    assert all(isinstance(v, int) for v in plan.by_source.values())
    if plan.planned_cents:
        assert sum(plan.source_shares.values()) == pytest.approx(1.0)
        assert plan.received_ratio <= 1.0


@given(st.lists(st.builds(Step, st.integers(0, 100), st.booleans()), max_size=20))
def test_progress_is_a_bounded_mean(steps):
    value = funding.progress(steps)
    assert 0 <= value <= 100
    if steps and all(s.done for s in steps):
        assert value == 100
    if not steps or all(not s.done and s.progress == 0 for s in steps):
        assert value == 0


def test_progress_of_an_example():
    assert funding.progress([Step(100, True), Step(50), Step(0)]) == 50
    with pytest.raises(ValueError):
        funding.progress([Step(120)])


@given(st.integers(min_value=0, max_value=10**13))
def test_euros_round_trip(cents):
    assert funding.parse_euros(funding.format_euros(cents)) == cents
    assert funding.parse_euros(funding.input_euros(cents)) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,234", "12.3.4"])
def test_unreadable_amounts(text):
    with pytest.raises(ValueError, match="Montant illisible"):
        funding.parse_euros(text)


def test_readable_amounts():
    assert funding.parse_euros("1 234,5 €") == 123450
    assert funding.parse_euros("12.05") == 1205
