import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptce.pooling import allocation
from ptce.pooling.booking_rules import Rules, Timeline, check, conflicts_naive, overlaps

NOW = dt.datetime(2026, 3, 1, 12, 0)
MONDAY = dt.datetime(2026, 3, 2)
WEEKDAYS_8_19 = {d: [(dt.time(8), dt.time(19))] for d in range(5)}


def codes(start, end, rules, now=NOW):
    return [v.code for v in check(start, end, rules, now=now)]


def test_each_rule_named():
    rules = Rules(
        opening=WEEKDAYS_8_19,
        closed_days=frozenset({dt.date(2026, 3, 3)}),
        max_minutes=120,
        min_notice_minutes=60 * 24,
    )
    nine = MONDAY.replace(hour=9)
    assert codes(nine.replace(day=4), nine.replace(day=4, hour=10), rules) == []
    assert codes(nine, nine.replace(hour=10), rules) == ["notice"]
    assert codes(nine.replace(day=3), nine.replace(day=3, hour=10), rules) == ["closed_day"]
    assert codes(nine.replace(day=4), nine.replace(day=4, hour=12), rules) == ["too_long"]
    assert codes(nine.replace(day=4, hour=18), nine.replace(day=4, hour=20), rules) == [
        "opening_hours"
    ]
    assert codes(nine.replace(day=7), nine.replace(day=7, hour=10), rules) == ["opening_hours"]
    assert codes(nine.replace(day=4), nine.replace(day=4), rules) == ["order"]
    message = check(nine.replace(day=4, hour=7), nine.replace(day=4, hour=8), rules, now=NOW)[
        0
    ].message
    assert (
        message
        == "Hors des heures d’ouverture : le mercredi, la ressource est ouverte 08h00–19h00."
    )
    assert codes(nine.replace(day=1, hour=13), nine.replace(day=1, hour=23), Rules(), now=NOW) == []
    assert codes(NOW - dt.timedelta(hours=1), NOW, Rules()) == ["notice"]


intervals = st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 300)), max_size=60)


@given(intervals, st.integers(-100, 10_500), st.integers(1, 400))
@settings(max_examples=200, deadline=None)
def test_timeline_matches_naive_scan(raw, start, length):
    # keep a non-overlapping subset, as the database does
    kept: list[tuple[int, int]] = []
    for s, d in sorted(raw):
        if all(not overlaps(s, s + d, a, b) for a, b in kept):
            kept.append((s, s + d))
    timeline = Timeline(kept)
    expected = conflicts_naive(kept, start, start + length)
    assert list(timeline.conflicts(start, start + length)) == expected
    assert timeline.is_free(start, start + length) == (not expected)


def test_timeline_refuses_overlapping_input():
    with pytest.raises(ValueError):
        Timeline([(0, 10), (5, 15)])


@given(
    st.integers(0, 10**9),
    st.lists(st.integers(0, 1000), min_size=1, max_size=8),
    st.integers(0, 7),
    st.integers(1, 50),
)
@settings(max_examples=200, deadline=None)
def test_by_usage_properties(total, usage, who, more):
    names = [f"m{i}" for i in range(len(usage))]
    keys = dict(zip(names, usage, strict=True))
    shares = allocation.by_usage(total, names, keys)
    assert sum(shares.values()) == total
    if sum(usage):
        for name in names:
            if keys[name] == 0:
                assert shares[name] == 0  # who uses nothing pays nothing
    for a in names:
        for b in names:
            if keys[a] == keys[b]:
                assert abs(shares[a] - shares[b]) <= 1  # equal members pay equally (to a cent)
    target = names[who % len(names)]
    bumped = dict(keys, **{target: keys[target] + more})
    assert allocation.by_usage(total, names, bumped)[target] >= shares[target]


@given(
    st.integers(0, 10**7), st.integers(0, 10), st.lists(st.integers(0, 100), min_size=2, max_size=6)
)
@settings(max_examples=150, deadline=None)
def test_fixed_plus_usage_usage_part(total, tenths, usage):
    names = [f"m{i}" for i in range(len(usage))]
    fixed = Decimal(tenths) / 10
    shares = allocation.fixed_plus_usage(total, fixed, names, dict(zip(names, usage, strict=True)))
    assert sum(shares.values()) == total
    if sum(usage):
        equal_part = total * fixed / len(names)
        for name, used in zip(names, usage, strict=True):
            if used == 0:  # pays only (within a cent) its part of the fixed share
                assert abs(shares[name] - equal_part) < 1


@given(
    st.integers(0, 6),
    st.integers(6 * 60, 20 * 60),
    st.integers(1, 6 * 60),
    st.integers(0, 48 * 60),
)
@settings(max_examples=300, deadline=None)
def test_check_is_exactly_the_rules(weekday, start_minute, length, notice):
    rules = Rules(opening=WEEKDAYS_8_19, max_minutes=180, min_notice_minutes=notice)
    day = MONDAY + dt.timedelta(days=weekday)
    start = day + dt.timedelta(minutes=start_minute)
    end = start + dt.timedelta(minutes=length)
    found = set(codes(start, end, rules, now=NOW))
    inside = weekday < 5 and start.time() >= dt.time(8) and end <= day.replace(hour=19)
    assert ("opening_hours" in found) == (not inside)
    assert ("too_long" in found) == (length > 180)
    assert ("notice" in found) == (start < NOW + dt.timedelta(minutes=notice))
