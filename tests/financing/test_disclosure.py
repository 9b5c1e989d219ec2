"""Statistical disclosure of the per-commune figures (secret statistique): pure, hypothesis."""

from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from ptce.financing import indicators
from ptce.financing.indicators import DISCLOSURE_THRESHOLD as K
from ptce.financing.indicators import CommuneFigure, disclose


def cell(code: str, investors: int, amount: int, local: bool = False) -> CommuneFigure:
    return CommuneFigure(code, investors, amount, local)


def shown(d):
    return [(c.commune, c.investors, c.amount_cents) for c in d.shown]


def others(d):
    return [(b.departement, b.investors, b.amount_cents, b.communes) for b in d.others]


def test_threshold_is_three():
    assert K == 3


def test_communes_from_the_threshold_are_shown_as_they_are():
    d = disclose([cell("26281", 5, 5000), cell("26057", 3, 3000)])
    assert shown(d) == [("26281", 5, 5000), ("26057", 3, 3000)]
    assert d.others == []


def test_a_lone_investor_is_merged_with_the_next_smallest_commune():
    # Hiding 07001 alone would leave total - shown = its exact amount.
    d = disclose([cell("26281", 10, 90000), cell("26057", 4, 8000), cell("07001", 1, 77700)])
    assert shown(d) == [("26281", 10, 90000)]
    assert others(d) == [("", 5, 85700, ("07001", "26057"))]


def test_small_communes_of_a_departement_make_its_bucket():
    d = disclose(
        [
            cell("26281", 5, 5000),
            cell("26057", 2, 2000, True),
            cell("26001", 1, 100),
            cell("75056", 4, 4000),
        ]
    )
    assert shown(d) == [("26281", 5, 5000), ("75056", 4, 4000)]
    assert others(d) == [("26", 3, 2100, ("26001", "26057"))]
    assert d.others[0].is_local


def test_a_small_remainder_folds_the_departement_buckets_into_one_national_bucket():
    d = disclose([cell("26057", 2, 2000), cell("26001", 1, 100), cell("07001", 1, 50)])
    assert others(d) == [("", 4, 2150, ("07001", "26001", "26057"))]


def test_unknown_communes_go_to_the_national_bucket():
    d = disclose([cell("", 4, 400), cell("26001", 3, 300)])
    assert shown(d) == [("26001", 3, 300)]
    assert others(d) == [("", 4, 400, ("",))]
    # With the reference's départements, a code it does not know counts as unknown.
    d = disclose([cell("99999", 3, 300), cell("26001", 3, 300)], departements={"26001": "26"})
    assert shown(d) == [("26001", 3, 300)] and others(d)[0][0] == ""


def test_a_campaign_below_the_threshold_is_one_bucket():
    d = disclose([cell("26281", 1, 100), cell("26057", 1, 200)])
    assert d.shown == [] and others(d) == [("", 2, 300, ("26057", "26281"))]
    assert disclose([]).shown == [] and disclose([]).others == []


def test_departement_of():
    assert indicators.departement_of("26281") == "26"
    assert indicators.departement_of("2A004") == "2A"
    assert indicators.departement_of("97411") == "974"
    assert indicators.departement_of("") == ""


CODES = ["26281", "26057", "26001", "07001", "07002", "38001", "2A004", "97411", "75056", ""]

communes_st = st.lists(
    st.tuples(st.integers(1, 6), st.integers(1, 10**9), st.booleans()),
    min_size=0,
    max_size=len(CODES),
).map(lambda rows: [cell(CODES[i], *row) for i, row in enumerate(rows)])


@given(communes_st, st.integers(1, 5))
def test_disclosure_properties(cells, threshold):
    d = disclose(cells, threshold=threshold)
    total_investors = sum(c.investors for c in cells)
    total_amount = sum(c.amount_cents for c in cells)
    published = [(c.investors, c.amount_cents) for c in d.shown] + [
        (b.investors, b.amount_cents) for b in d.others
    ]
    # Totals preserved.
    assert sum(n for n, _ in published) == total_investors
    assert sum(a for _, a in published) == total_amount
    # A partition of the communes: each in exactly one published cell.
    members = [c.commune for c in d.shown] + [m for b in d.others for m in b.communes]
    assert sorted(members) == sorted(c.commune for c in cells)
    # Every shown commune reaches the threshold; buckets keep to their département.
    assert all(c.investors >= threshold for c in d.shown)
    for b in d.others:
        if b.departement:
            assert {indicators.departement_of(m) for m in b.communes} == {b.departement}
    if total_investors < threshold:
        assert d.shown == [] and len(d.others) <= 1
        return
    # Every published cell reaches the threshold...
    assert all(n >= threshold for n, _ in published)
    # ...and nothing below it can be derived by subtracting published cells from the total:
    # what is left after any subset is the union of the other cells.
    for r in range(len(published) + 1):
        for subset in combinations(range(len(published)), r):
            left = total_investors - sum(published[i][0] for i in subset)
            assert left == 0 or left >= threshold
    # No commune under the threshold stands alone in a cell.
    for b in d.others:
        if len(b.communes) == 1:
            assert b.investors >= threshold


@given(communes_st)
def test_disclosure_shows_every_commune_when_none_is_small(cells):
    big = [cell(c.commune, c.investors + K, c.amount_cents) for c in cells if c.commune]
    d = disclose(big)
    assert sorted(shown(d)) == sorted((c.commune, c.investors, c.amount_cents) for c in big)
    assert d.others == []
