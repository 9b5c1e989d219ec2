"""Over-subscription rules, campaign states, refunds and indicators (pure modules)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptce.financing import allotment, indicators, states
from ptce.financing.allotment import Request, Rule

requests_st = st.lists(
    st.builds(
        lambda units, mn, prio: Request(units=units, min_units=min(mn, units), priority=prio),
        st.integers(1, 500),
        st.integers(0, 50),
        st.booleans(),
    ),
    max_size=40,
)


# --- first come -------------------------------------------------------------------------


def test_first_come_serves_in_order_until_the_cap():
    reqs = [Request(10), Request(30), Request(25), Request(5)]
    assert allotment.first_come(reqs, 50) == [10, 30, 10, 0]


def test_first_come_gives_nothing_when_the_rest_is_below_the_minimum():
    reqs = [Request(45), Request(10, min_units=8), Request(3, min_units=2)]
    # 5 units left for the second request, below its minimum of 8; the third fits.
    assert allotment.first_come(reqs, 50) == [45, 0, 3]


# --- pro rata ---------------------------------------------------------------------------


def test_pro_rata_without_overflow_gives_everyone_what_they_asked():
    reqs = [Request(10), Request(20)]
    assert allotment.pro_rata(reqs, 100) == [10, 20]


def test_pro_rata_floors_then_largest_remainder_ties_by_order():
    # 3 requests of 10 (min 0) for a cap of 10: 10/3 = 3.33 each -> 3,3,3 + 1 spare to the
    # first (equal remainders, subscription order decides).
    reqs = [Request(10, min_units=0)] * 3
    assert allotment.pro_rata(reqs, 10) == [4, 3, 3]


def test_pro_rata_minimum_first_then_proportional():
    # min 2 each -> 6 given; 14 left shared over extras 8, 18, 38 (total 64):
    # 8*14/64=1.75, 18*14/64=3.94, 38*14/64=8.31 -> floors 1,3,8 = 12, spare 2 -> .94, .75
    reqs = [Request(10, min_units=2), Request(20, min_units=2), Request(40, min_units=2)]
    assert allotment.pro_rata(reqs, 20) == [2 + 2, 2 + 4, 2 + 8]


def test_pro_rata_when_minimums_do_not_all_fit_serves_minimums_in_order():
    reqs = [Request(10, min_units=4), Request(10, min_units=4), Request(10, min_units=4)]
    assert allotment.pro_rata(reqs, 9) == [4, 4, 0]


def test_residents_first_serves_residents_then_others():
    reqs = [Request(30), Request(30, priority=True), Request(30), Request(30, priority=True)]
    assert allotment.allot(reqs, 70, Rule.FIRST_COME, residents_first=True) == [10, 30, 0, 30]
    pro = allotment.allot(reqs, 80, Rule.PRO_RATA, residents_first=True)
    assert pro[1] == pro[3] == 30 and pro[0] + pro[2] == 20


def test_no_cap_gives_everything():
    reqs = [Request(10), Request(2000)]
    assert allotment.allot(reqs, None, Rule.PRO_RATA) == [10, 2000]


@pytest.mark.parametrize("rule", list(Rule))
@given(reqs=requests_st, cap=st.integers(0, 5000), residents_first=st.booleans())
def test_allotment_invariants(rule, reqs, cap, residents_first):
    out = allotment.allot(reqs, cap, rule, residents_first=residents_first)
    assert len(out) == len(reqs)
    assert sum(out) <= cap
    for got, req in zip(out, reqs, strict=True):
        assert 0 <= got <= req.units
        assert got == 0 or got >= req.min_units
    if sum(r.units for r in reqs) <= cap:
        assert out == [r.units for r in reqs]


@given(reqs=requests_st, cap=st.integers(0, 5000))
def test_pro_rata_fills_the_cap_when_minimums_fit(reqs, cap):
    out = allotment.pro_rata(reqs, cap)
    asked = sum(r.units for r in reqs)
    if sum(min(r.min_units, r.units) for r in reqs) <= cap:
        assert sum(out) == min(asked, cap)


@given(reqs=requests_st, cap=st.integers(0, 5000))
def test_pro_rata_is_monotone_in_what_was_asked(reqs, cap):
    """Among requests with the same minimum, asking more never yields strictly less."""
    out = allotment.pro_rata(reqs, cap)
    if sum(min(r.min_units, r.units) for r in reqs) > cap:
        return
    for i, a in enumerate(reqs):
        for j, b in enumerate(reqs):
            if a.min_units == b.min_units and a.units > b.units:
                assert out[i] >= out[j] - 1


@given(reqs=requests_st, cap=st.integers(0, 5000))
def test_pro_rata_equals_the_per_subscriber_reference(reqs, cap):
    """The vectorised implementation gives exactly what the textbook per-subscriber loop gives."""
    from bench.financing_allotment import naive_pro_rata

    assert allotment.pro_rata(reqs, cap) == naive_pro_rata(reqs, cap)


@pytest.mark.parametrize("rule", list(Rule))
@given(
    units=st.lists(st.integers(1, 500), min_size=1, max_size=40),
    cap=st.integers(1, 5000),
    residents=st.lists(st.booleans(), min_size=40, max_size=40),
    residents_first=st.booleans(),
)
def test_oversubscribed_with_minimum_one_fills_the_cap_exactly(
    rule, units, cap, residents, residents_first
):
    """A minimum of one unit: an oversubscribed campaign is allotted exactly its cap."""
    reqs = [Request(u, min_units=1, priority=p) for u, p in zip(units, residents, strict=False)]
    out = allotment.allot(reqs, cap, rule, residents_first=residents_first)
    if sum(units) >= cap and (rule == Rule.FIRST_COME or len(reqs) <= cap):
        assert sum(out) == cap
    else:
        assert sum(out) == min(sum(units), cap) or sum(out) <= cap


@given(reqs=requests_st, cap=st.integers(0, 5000), more=st.integers(1, 100))
def test_pro_rata_asking_more_never_gives_less(reqs, cap, more):
    """Monotone for one investor: asking more (others unchanged) never yields less."""
    if not reqs:
        return
    grown = [Request(reqs[0].units + more, reqs[0].min_units, reqs[0].priority), *reqs[1:]]
    before, after = allotment.pro_rata(reqs, cap), allotment.pro_rata(grown, cap)
    if sum(min(r.min_units, r.units) for r in reqs) <= cap:
        assert after[0] >= before[0]


# --- states -----------------------------------------------------------------------------


def test_state_transitions():
    assert states.can_move("draft", "open")
    assert states.can_move("open", "succeeded") and states.can_move("open", "failed")
    assert states.can_move("failed", "closed")
    assert not states.can_move("draft", "succeeded")
    assert not states.can_move("closed", "open")
    assert states.outcome(100, 100) == states.State.SUCCEEDED
    assert states.outcome(99, 100) == states.State.FAILED


def test_accepts_subscriptions_only_when_open_and_in_dates():
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    t1 = t0 + dt.timedelta(days=30)
    assert states.accepts_subscriptions("open", t0, t0, t1)
    assert not states.accepts_subscriptions("open", t1, t0, t1)
    assert not states.accepts_subscriptions("open", t0 - dt.timedelta(seconds=1), t0, t1)
    assert not states.accepts_subscriptions("draft", t0, t0, t1)


def test_ticket_problems():
    rules = states.TicketRules(
        unit_cents=5000, min_ticket_cents=10000, max_ticket_cents=100000, room_cents=60000
    )
    assert states.ticket_problems(50000, rules) == []
    assert [c for c, _ in states.ticket_problems(5000, rules)] == ["min"]
    assert [c for c, _ in states.ticket_problems(12345, rules)] == ["unit"]
    assert [c for c, _ in states.ticket_problems(150000, rules)] == ["max", "room"]
    assert states.ticket_problems(0, rules) == [("positive", "")]
    again = states.TicketRules(
        unit_cents=None, min_ticket_cents=100, max_ticket_cents=1000, already_cents=900
    )
    assert states.ticket_problems(200, again) == [("max", "100")]


def test_refunds_of_a_failed_and_of_an_oversubscribed_campaign():
    paid = [(1, 1000, 1000), (2, 0, 500), (3, 2000, 1500)]
    failed = states.refunds(paid, "failed")
    assert [(r.key, r.refund_cents) for r in failed] == [(1, 1000), (3, 2000)]
    ok = states.refunds(paid, "succeeded")
    assert [(r.key, r.refund_cents) for r in ok] == [(3, 500)]


# --- indicators -------------------------------------------------------------------------


def test_figures():
    tickets = [
        indicators.Ticket("a", 10000, True, "56001"),
        indicators.Ticket("b", 30000, False, "75056"),
        indicators.Ticket("a", 5000, True, "56001"),  # same investor again
        indicators.Ticket("c", 50000, True, "56002"),
        indicators.Ticket("d", 0, True, "56002"),  # refunded / nothing allotted
    ]
    f = indicators.figures(tickets)
    assert f.raised_cents == 95000
    assert f.investors == 3
    assert f.local_cents == 65000 and f.local_investors == 2
    assert f.median_ticket_cents == 30000
    assert f.local_share_amount == pytest.approx(65000 / 95000)
    assert f.local_share_investors == pytest.approx(2 / 3)
    assert [(c.commune, c.investors, c.amount_cents) for c in f.communes] == [
        ("56002", 1, 50000),
        ("75056", 1, 30000),
        ("56001", 1, 15000),
    ]
    assert indicators.figures([]).raised_cents == 0
    assert indicators.figures([]).local_share_amount == 0.0


def test_median_even_count_rounds_down():
    tickets = [indicators.Ticket(str(i), v, False) for i, v in enumerate([100, 201])]
    assert indicators.figures(tickets).median_ticket_cents == 150


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(1, 10**9), st.booleans()), max_size=60))
def test_figures_properties(rows):
    tickets = [indicators.Ticket(str(k), amount, False, f"0{k}") for k, amount, _ in rows]
    f = indicators.figures(tickets)
    assert f.raised_cents == sum(a for _, a, _ in rows)
    assert f.investors == len({k for k, _, _ in rows})
    assert sum(c.amount_cents for c in f.communes) == f.raised_cents
    if f.investors:
        per = {}
        for k, a, _ in rows:
            per[k] = per.get(k, 0) + a
        assert min(per.values()) <= f.median_ticket_cents <= max(per.values())


def test_local_part():
    assert indicators.local_part(50, 200) == 0.25
    assert indicators.local_part(50, 0) == 0.0
    assert indicators.local_part(500, 200) == 1.0
