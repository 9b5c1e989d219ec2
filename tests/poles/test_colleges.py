"""colleges: validation of SCIC-style voting colleges and the weighted result (no database)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ptce.poles.colleges import (
    CollegeError,
    CollegeInput,
    format_percent,
    normalise_name,
    validate_colleges,
    weighted_result,
    weighted_share,
)

SETTINGS = settings(max_examples=200, deadline=None)
D = Decimal


def colleges(*pairs: tuple[str, str]) -> list[CollegeInput]:
    return [CollegeInput(name, D(weight)) for name, weight in pairs]


def codes(errors: list[CollegeError]) -> list[tuple[str, int | None, str]]:
    return [(e.field, e.index, e.code) for e in errors]


# ------------------------------------------------------------------------------ valid


@pytest.mark.parametrize(
    "given_colleges",
    [
        [],
        colleges(("Salariés", "33.33"), ("Usagers", "33.33"), ("Collectivités", "33.34")),
        colleges(("Salariés", "33.33"), ("Usagers", "33.33"), ("Collectivités", "33.33")),
        colleges(("Salariés", "50"), ("Usagers", "40"), ("Partenaires", "10")),
        colleges(*((f"Collège {i}", "10") for i in range(10))),
        colleges(("Salariés", "50"), ("Usagers", "25"), ("Partenaires", "25.01")),  # 100.01
    ],
    ids=["none", "thirds", "thirds-99.99", "bounds", "ten", "tolerance-edge"],
)
def test_valid_colleges(given_colleges):
    assert validate_colleges(given_colleges) == []


# --------------------------------------------------------------------------- each rule


def test_too_few_colleges():
    errors = validate_colleges(colleges(("Salariés", "50"), ("Usagers", "50")))
    assert codes(errors) == [("colleges", None, "too_few")]
    assert errors[0].message.startswith("2 collèges ; il en faut au moins 3")


def test_one_college_is_too_few_and_too_heavy():
    errors = validate_colleges(colleges(("Tous", "100")))
    assert codes(errors) == [("colleges", None, "too_few"), ("weight", 0, "weight_above_max")]
    assert errors[0].message.startswith("1 collège ; il en faut au moins 3")


def test_name_required():
    errors = validate_colleges(colleges(("Salariés", "40"), ("  ", "30"), ("Usagers", "30")))
    assert codes(errors) == [("name", 1, "name_required")]
    assert errors[0].message == "Collège n° 2 (sans nom) : le nom du collège est obligatoire."


def test_duplicate_names_ignore_case_accents_and_spaces_and_are_reported_on_each():
    errors = validate_colleges(
        colleges(("Salariés", "30"), ("Usagers", "30"), (" SALARIES ", "20"), ("salariés", "20"))
    )
    assert codes(errors) == [
        ("name", 0, "name_duplicate"),
        ("name", 2, "name_duplicate"),
        ("name", 3, "name_duplicate"),
    ]
    assert errors[0].message == (
        "Collège n° 1 « Salariés » : même nom que les collèges n° 3 et 4 ; chaque collège "
        "doit avoir un nom distinct (majuscules, accents et espaces ne comptent pas)."
    )
    assert "Collège n° 3 « SALARIES » : même nom que les collèges n° 1 et 4" in errors[1].message


def test_weight_not_positive_is_not_also_below_the_minimum():
    errors = validate_colleges(
        colleges(("Salariés", "50"), ("Usagers", "50"), ("Partenaires", "0"), ("Amis", "-5"))
    )
    assert codes(errors) == [
        ("weight", 2, "weight_not_positive"),
        ("weight", 3, "weight_not_positive"),
        ("colleges", None, "sum_not_100"),
    ]
    assert errors[0].message == (
        "Collège n° 3 « Partenaires » : poids de 0 % ; il doit être supérieur à 0 %."
    )
    assert "La somme des poids des collèges est de 95 %" in errors[2].message


def test_weight_above_the_maximum():
    errors = validate_colleges(colleges(("Salariés", "50.01"), ("Usagers", "39.99"), ("P", "10")))
    assert codes(errors) == [("weight", 0, "weight_above_max")]
    assert errors[0].message == (
        "Collège n° 1 « Salariés » : 50,01 % des voix ; un collège ne peut pas détenir plus "
        "de 50 % des voix."
    )


def test_weight_below_the_minimum_and_its_switch():
    given_colleges = colleges(("Salariés", "50"), ("Usagers", "45.5"), ("Partenaires", "4.5"))
    errors = validate_colleges(given_colleges)
    assert codes(errors) == [("weight", 2, "weight_below_min")]
    assert errors[0].message == (
        "Collège n° 3 « Partenaires » : 4,5 % des voix ; un collège ne peut pas détenir moins "
        "de 10 % des voix."
    )
    assert validate_colleges(given_colleges, min_share_rule=False) == []
    assert codes(validate_colleges(given_colleges, min_share=D("5"))) == [
        ("weight", 2, "weight_below_min")
    ]
    assert validate_colleges(given_colleges, min_share=D("4.5")) == []


@pytest.mark.parametrize(
    ("weights", "shown"),
    [(("40", "40", "30"), "110"), (("33", "33", "33"), "99"), (("50", "25", "25.02"), "100,02")],
)
def test_sum_must_be_100_within_tolerance(weights, shown):
    errors = validate_colleges(colleges(*zip(("A", "B", "C"), weights, strict=True)))
    assert codes(errors) == [("colleges", None, "sum_not_100")]
    assert errors[0].message == (
        f"La somme des poids des collèges est de {shown} % ; elle doit être de 100 % (à 0,01 près)."
    )


def test_tolerance_is_a_parameter():
    thirds = colleges(("A", "33.33"), ("B", "33.33"), ("C", "33.33"))
    assert codes(validate_colleges(thirds, tolerance=D("0"))) == [("colleges", None, "sum_not_100")]


def test_a_weight_that_is_no_number_skips_the_sum():
    errors = validate_colleges(colleges(("A", "NaN"), ("B", "50"), ("C", "Infinity")))
    assert codes(errors) == [("weight", 0, "weight_invalid"), ("weight", 2, "weight_invalid")]


def test_every_broken_rule_is_reported():
    errors = validate_colleges(colleges(("Salariés", "70"), ("salaries", "5")))
    assert codes(errors) == [
        ("colleges", None, "too_few"),
        ("name", 0, "name_duplicate"),
        ("weight", 0, "weight_above_max"),
        ("name", 1, "name_duplicate"),
        ("weight", 1, "weight_below_min"),
        ("colleges", None, "sum_not_100"),
    ]
    assert "75 %" in errors[-1].message


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_share": D("0")},
        {"max_share": D("101")},
        {"min_share": D("60")},
        {"min_share": D("-1")},
        {"tolerance": D("-0.01")},
        {"tolerance": D("NaN")},
    ],
)
def test_inconsistent_parameters_are_refused(kwargs):
    with pytest.raises(ValueError):
        validate_colleges([], **kwargs)


def test_helpers():
    assert normalise_name("  Collectivités   Locales ") == "collectivites locales"
    assert format_percent(D("33.330")) == "33,33"
    assert format_percent(D("1E+2")) == "100"
    assert format_percent(D("0.01")) == "0,01"


# ----------------------------------------------------------------------- weighted result

WEIGHTS = {"Salariés": D("50"), "Usagers": D("30"), "Collectivités": D("20")}


def test_weighted_result_example():
    # 50 × 3/4 + 30 × 1/2 + 20 × 0/5 = 37.5 + 15 + 0
    votes = {"Salariés": (3, 4), "Usagers": (1, 2), "Collectivités": (0, 5)}
    assert weighted_result(votes, WEIGHTS) == D("52.50")
    assert str(weighted_result(votes, WEIGHTS)) == "52.50"
    assert weighted_share(votes, WEIGHTS) == Fraction(21, 40)


def test_a_college_without_votes_cast_contributes_nothing():
    votes = {"Salariés": (4, 4), "Usagers": (3, 3), "Collectivités": (0, 0)}
    assert weighted_result(votes, WEIGHTS) == D("80.00")
    assert weighted_result({"Salariés": (4, 4), "Usagers": (3, 3)}, WEIGHTS) == D("80.00")
    assert weighted_result({}, WEIGHTS) == D("0.00")


def test_weights_are_shares_so_thirds_give_100_when_unanimous():
    thirds = {"A": D("33.33"), "B": D("33.33"), "C": D("33.33")}
    assert weighted_result({"A": (2, 2), "B": (1, 1), "C": (5, 5)}, thirds) == D("100.00")
    assert weighted_share({"A": (2, 3), "B": (2, 3), "C": (4, 6)}, thirds) == Fraction(2, 3)


def test_rounding_is_half_up_to_the_hundredth():
    assert weighted_result({"Salariés": (1, 16)}, WEIGHTS) == D("3.13")  # 3.125
    assert weighted_result({"Salariés": (1, 3)}, WEIGHTS) == D("16.67")  # 16.666…
    assert weighted_result({"Usagers": (1, 3)}, WEIGHTS) == D("10.00")


@pytest.mark.parametrize(
    ("votes", "weights"),
    [
        ({"Inconnus": (1, 1)}, WEIGHTS),
        ({"Salariés": (5, 4)}, WEIGHTS),
        ({"Salariés": (-1, 4)}, WEIGHTS),
        ({}, {}),
        ({}, {"A": D("0"), "B": D("100")}),
        ({}, {"A": D("NaN"), "B": D("100")}),
    ],
)
def test_weighted_result_rejects_bad_input(votes, weights):
    with pytest.raises(ValueError):
        weighted_result(votes, weights)


# ---------------------------------------------------------------------------- properties


@st.composite
def partitions_of_100(draw, min_parts=3, max_parts=10):
    """k weights in hundredths of a percent, each within [10, 50] %, adding up to 100 %."""
    k = draw(st.integers(min_parts, max_parts))
    low, high = 1000, 5000
    parts = [low] * k
    left = 10_000 - low * k
    for i in range(k):
        extra = draw(st.integers(0, min(high - low, left)))
        parts[i] += extra
        left -= extra
    for i in range(k):  # what is left goes where there is room
        extra = min(high - parts[i], left)
        parts[i] += extra
        left -= extra
    assert left == 0
    draw(st.randoms(use_true_random=False)).shuffle(parts)
    return [D(p).scaleb(-2) for p in parts]


names = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(
    lambda n: normalise_name(n) != ""
)


@st.composite
def valid_colleges(draw):
    weights = draw(partitions_of_100())
    labels = draw(
        st.lists(names, min_size=len(weights), max_size=len(weights), unique_by=normalise_name)
    )
    return [CollegeInput(name, weight) for name, weight in zip(labels, weights, strict=True)]


@SETTINGS
@given(valid_colleges())
def test_a_valid_partition_of_100_validates(given_colleges):
    assert sum(c.weight for c in given_colleges) == 100
    assert validate_colleges(given_colleges) == []


@SETTINGS
@given(valid_colleges(), st.data())
def test_breaking_one_weight_is_reported(given_colleges, data):
    index = data.draw(st.integers(0, len(given_colleges) - 1))
    weight = data.draw(st.sampled_from([D("50.01"), D("9.99"), D("0"), D("-10")]))
    broken = list(given_colleges)
    broken[index] = CollegeInput(broken[index].name, weight)
    assume(broken[index].weight != given_colleges[index].weight)
    found = codes(validate_colleges(broken))
    expected = {
        D("50.01"): "weight_above_max",
        D("9.99"): "weight_below_min",
        D("0"): "weight_not_positive",
        D("-10"): "weight_not_positive",
    }[weight]
    sum_broken = abs(sum(c.weight for c in broken) - 100) > D("0.01")
    assert found == [("weight", index, expected)] + (
        [("colleges", None, "sum_not_100")] if sum_broken else []
    )


any_college = st.builds(
    CollegeInput,
    name=st.sampled_from(["Salariés", "salaries", "Usagers", "USAGERS", " ", "Collectivités"]),
    weight=st.decimals(min_value=-20, max_value=80, places=2, allow_nan=False),
)


@SETTINGS
@given(st.lists(any_college, max_size=12), st.randoms(use_true_random=False))
def test_any_permutation_gives_the_same_errors(given_colleges, random):
    order = list(range(len(given_colleges)))
    random.shuffle(order)
    permuted = [given_colleges[i] for i in order]

    def signature(cols: list[CollegeInput]) -> Counter[tuple[str, str, object]]:
        return Counter(
            (e.field, e.code, cols[e.index] if e.index is not None else e.message)
            for e in validate_colleges(cols)
        )

    assert signature(permuted) == signature(given_colleges)


votes_st = st.integers(0, 50).flatmap(lambda cast: st.tuples(st.integers(0, cast), st.just(cast)))


@SETTINGS
@given(st.data())
def test_weighted_result_is_a_percentage_and_100_when_all_vote_for(data):
    weights_list = data.draw(partitions_of_100())
    weights = {f"C{i}": w for i, w in enumerate(weights_list)}
    votes = {name: data.draw(votes_st) for name in weights if data.draw(st.booleans())}
    result = weighted_result(votes, weights)
    assert D(0) <= result <= D(100)
    assert result.as_tuple().exponent == -2
    # DOMAIN.md's formula, weights in percent adding up to 100
    direct = sum((weights[n] * D(f) / D(c) for n, (f, c) in votes.items() if c), D(0))
    assert abs(result - direct) <= D("0.005")
    unanimous = {
        name: (cast, cast) for name, cast in ((n, data.draw(st.integers(1, 50))) for n in weights)
    }
    assert weighted_result(unanimous, weights) == D("100.00")
    assert weighted_result({n: (0, c) for n, (_, c) in unanimous.items()}, weights) == D("0.00")
