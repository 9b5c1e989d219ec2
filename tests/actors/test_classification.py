"""classification: every legal category DOMAIN.md names, the range boundaries, the NAF and
ESS-flag rules, headcount bands, and properties over any input (no database)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptce.actors.classification import (
    ACTOR_TYPES,
    ESS_FAMILIES,
    REASON_MESSAGES,
    RULES,
    SIZE_CLASSES,
    Classification,
    classify,
    classify_many,
    headcount_range,
    size_from_tranche,
)

SETTINGS = settings(max_examples=200, deadline=None)
FLAGS = (True, False, None)
ANY_NAF = (None, "", "62.01Z", "72.19Z", "85.42Z", "85.59A", "85.32Z")
TRANCHES = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51")
TRANCHES += ("52", "53")


def span(first: int, last: int) -> list[str]:
    return [str(code) for code in range(first, last + 1)]


# The legal categories of DOMAIN.md, written out again from the text.
ASSOCIATIONS = ["9210", "9220", "9221", "9222", "9223", "9224", "9230", "9240", "9260"]
MUTUALS = ["8210", "8250", "8290", "6411"]
SCOPS = ["5458", "5558", "5658"]
COOPERATIVE_BANKS = [*span(5191, 5196), "6595", "6596"]
NOT_COOPERATIVES = ["5546", "5548", "5646", "5648", "6544"]  # SA d'HLM, crédit immobilier, SCI-APP
COOPERATIVES = [
    code
    for code in [
        "5203",
        "5307",
        "5309",
        *span(5443, 5460),
        *span(5543, 5560),
        *span(5643, 5660),
        *span(6316, 6318),
        *span(6543, 6560),
    ]
    if code not in SCOPS and code not in NOT_COOPERATIVES
]
ESS_BY_CATEGORY = {
    **dict.fromkeys(ASSOCIATIONS, ("association", "legal_category_association")),
    "9300": ("foundation", "legal_category_foundation"),
    **dict.fromkeys(MUTUALS, ("mutual", "legal_category_mutual")),
    **dict.fromkeys(SCOPS, ("scop", "legal_category_scop")),
    **dict.fromkeys(COOPERATIVE_BANKS, ("cooperative", "legal_category_cooperative_bank")),
    **dict.fromkeys(COOPERATIVES, ("cooperative", "legal_category_cooperative")),
}
# Just outside each range, and the non-cooperatives inside them: plain companies.
COMPANIES_NEAR_RANGES = [
    "5190",
    "5197",
    "5202",
    "5204",
    "5306",
    "5308",
    "5310",
    "5442",
    "5461",
    "5542",
    "5561",
    "5642",
    "5661",
    "6315",
    "6319",
    "6410",
    "6412",
    "6542",
    "6561",
    "6594",
    "6597",
    *NOT_COOPERATIVES,
]
COMPANIES = ["5710", "5720", "5499", "5485", "5599", "5699", "5800", "6100", "6210", "6220"]
COMPANIES += ["6533", "6540", "6589", "6599", "6901", "3120", "3220"]
TERRITORIAL = ["7210", "7220", "7225", "7229", "7230", "7312", "7313", "7314", "7340", "7343"]
TERRITORIAL += ["7344", "7345", "7346", "7347", "7348", "7349", "7353", "7354", "7355", "7357"]
LOCAL_PUBLIC = ["7321", "7322", "7323", "7331", "7361", "7362", "7364", "7366", "7371", "7372"]
LOCAL_PUBLIC += ["7373", "7378", "7379"]
NATIONAL_PUBLIC = ["7381", "7382", "7384", "7385", "7389"]
PUBLIC = [*NATIONAL_PUBLIC, "7111", "7113", "7120", "7160", "7172", "7179", "7190", "7410"]
PUBLIC += ["7430", "7450", "7470", "7490", "4110", "4120", "4130", "4140", "4150", "4160"]
OTHER = ["0000", "2110", "2120", "2210", "2220", "2310", "2320", "2385", "2400", "2700", "2900"]
OTHER += ["3110", "3205", "3210", "3290", "8110", "8120", "8130", "8140", "8150", "8160"]
OTHER += ["8170", "8190", "8310", "8311", "8410", "8420", "8450", "8470", "8490", "8510"]
OTHER += ["8520", "9110", "9150", "9900", "9970"]


def outcome(result: Classification) -> tuple[str, str, str, str]:
    return result.actor_type, result.ess_family, result.size_class, result.reason


# ------------------------------------------------------------------ ESS by legal category


@pytest.mark.parametrize("code", sorted(ESS_BY_CATEGORY))
def test_ess_legal_categories_whatever_the_flag_naf_and_headcount(code):
    family, reason = ESS_BY_CATEGORY[code]
    for flag in FLAGS:
        for naf in ANY_NAF:
            for tranche in ("NN", "12", "53", None):
                result = classify(code, flag, naf, tranche)
                assert outcome(result) == ("ess", family, "unknown", reason), (flag, naf)
                assert result.params == {"categorie_juridique": code}


def test_the_examples_of_domain_md():
    assert outcome(classify("9223", None, None, None))[:2] == ("ess", "association")
    assert outcome(classify("7210", None, None, None))[0] == "local_authority"
    assert outcome(classify("7346", None, None, None))[0] == "local_authority"
    assert outcome(classify("7348", None, None, None))[0] == "local_authority"
    assert outcome(classify("7344", None, None, None))[0] == "local_authority"
    assert outcome(classify("7383", None, None, None))[0] == "research"
    assert outcome(classify("6220", False, None, "12")) == (
        "enterprise",
        "",
        "sme",
        "legal_category_company",
    )
    assert outcome(classify("6220", True, None, "12"))[:2] == ("ess", "ess_company")
    assert outcome(classify("5710", True, None, "03"))[:3] == ("ess", "ess_company", "micro")


def test_every_code_of_the_cooperative_ranges_and_only_them_is_a_cooperative():
    found = {
        f"{code:04d}"
        for code in range(10_000)
        if classify(f"{code:04d}", False, None, None).ess_family == "cooperative"
    }
    assert found == set(COOPERATIVES) | set(COOPERATIVE_BANKS)
    assert {"5442", "5461", "5542", "5561", "5642", "5661"}.isdisjoint(found)
    assert {"5443", "5460", "5543", "5560", "5643", "5660", "6316", "6318"} <= found


def test_every_ess_category_and_only_them_is_ess_without_the_flag():
    found = {
        f"{code:04d}": classify(f"{code:04d}", False, None, None)
        for code in range(10_000)
        if classify(f"{code:04d}", False, None, None).actor_type == "ess"
    }
    assert set(found) == set(ESS_BY_CATEGORY)


@pytest.mark.parametrize("code", COMPANIES_NEAR_RANGES + COMPANIES)
def test_companies_are_enterprises_or_ess_companies_by_the_flag(code):
    for tranche in TRANCHES:
        expected_size = size_from_tranche(tranche)
        assert outcome(classify(code, False, None, tranche)) == (
            "enterprise",
            "",
            expected_size,
            "legal_category_company",
        )
        assert outcome(classify(code, None, "62.01Z", tranche)) == (
            "enterprise",
            "",
            expected_size,
            "legal_category_company",
        )
        assert outcome(classify(code, True, None, tranche)) == (
            "ess",
            "ess_company",
            expected_size,
            "ess_flag_company",
        )


# ------------------------------------------------------------------------ public bodies


@pytest.mark.parametrize("code", TERRITORIAL)
def test_local_authorities_and_their_groupings_are_never_reclassified(code):
    for flag in FLAGS:
        for naf in ANY_NAF:
            assert outcome(classify(code, flag, naf, "32")) == (
                "local_authority",
                "",
                "unknown",
                "legal_category_local_authority",
            )


@pytest.mark.parametrize("code", LOCAL_PUBLIC)
def test_local_public_establishments_count_with_local_authorities(code):
    for flag in FLAGS:
        assert outcome(classify(code, flag, "84.11Z", "12")) == (
            "local_authority",
            "",
            "unknown",
            "legal_category_local_public_body",
        )
        assert classify(code, flag, "85.32Z", None).actor_type == "training"
        assert classify(code, flag, "72.19Z", None).actor_type == "research"


def test_universities_are_research_whatever_else():
    for flag in FLAGS:
        for naf in ANY_NAF:
            assert outcome(classify("7383", flag, naf, "42")) == (
                "research",
                "",
                "unknown",
                "legal_category_university",
            )


@pytest.mark.parametrize("code", PUBLIC)
def test_other_public_bodies(code):
    for flag in FLAGS:
        assert outcome(classify(code, flag, "84.11Z", "22")) == (
            "public_body",
            "",
            "unknown",
            "legal_category_public_body",
        )


@pytest.mark.parametrize("code", [*PUBLIC, *LOCAL_PUBLIC])
@pytest.mark.parametrize("naf", ["72.19Z", "72.20Z", "7211Z", "85.42Z"])
def test_public_bodies_doing_research_or_higher_education_are_research(code, naf):
    for flag in FLAGS:
        result = classify(code, flag, naf, None)
        assert outcome(result) == ("research", "", "unknown", "naf_research")
        assert result.params == {"categorie_juridique": code, "naf": naf[:2] + "." + naf[-3:]}


@pytest.mark.parametrize("naf", ["85.59A", "85.59B", "85.32Z", "85.41Z"])
def test_training_bodies_by_naf_on_non_ess_categories(naf):
    for code in ["5710", "5499", "6220", "9900", "8490", "2900", "7389", "7331", "4140"]:
        assert outcome(classify(code, False, naf, "12")) == (
            "training",
            "",
            "unknown",
            "naf_training",
        )
        assert classify(code, None, naf, "12").actor_type == "training"
    # The ESS wins: by category, or by the flag on a private category.
    assert outcome(classify("9220", False, naf, None))[:2] == ("ess", "association")
    assert outcome(classify("5458", False, naf, None))[:2] == ("ess", "scop")
    assert outcome(classify("5710", True, naf, "12"))[:3] == ("ess", "ess_company", "sme")
    assert outcome(classify("9900", True, naf, None)) == ("ess", "", "unknown", "ess_flag")
    # Public bodies cannot be ESS: the flag does not stop them being training bodies.
    assert classify("7389", True, naf, None).actor_type == "training"
    # A sole trader stays a sole trader; territorial authorities stay themselves.
    assert classify("1000", None, naf, None).size_class == "sole_trader"
    assert classify("7210", None, naf, None).actor_type == "local_authority"


def test_naf_codes_are_read_with_or_without_dot_and_in_any_case():
    for naf in ["85.59A", "8559A", "85.59a", " 85.59A ", "8559a"]:
        result = classify("5710", False, naf, None)
        assert result.actor_type == "training", naf
        assert result.params["naf"] == "85.59A"
    assert classify("5710", False, "85.59", None).actor_type == "enterprise"
    assert classify("5710", False, "85.5", None).actor_type == "enterprise"
    assert classify("7389", False, "71.12B", None).actor_type == "public_body"


def test_research_naf_does_not_make_companies_or_ess_bodies_research():
    assert classify("5710", False, "72.19Z", "12").actor_type == "enterprise"
    assert classify("5710", False, "85.42Z", "12").actor_type == "enterprise"
    assert classify("9220", False, "72.19Z", None).actor_type == "ess"
    assert classify("9300", None, "85.42Z", None).ess_family == "foundation"
    # Non-ESS private non-profit bodies (an industrial technical centre) can be research.
    assert outcome(classify("8470", False, "72.19Z", None)) == (
        "research",
        "",
        "unknown",
        "naf_research",
    )
    assert outcome(classify("8470", True, "72.19Z", None))[:2] == ("ess", "")


# ------------------------------------------------------------------ the rest of the table


def test_sole_traders_whatever_the_flag_naf_and_headcount():
    for flag in FLAGS:
        for naf in ANY_NAF:
            for tranche in (*TRANCHES, None):
                assert outcome(classify("1000", flag, naf, tranche)) == (
                    "enterprise",
                    "",
                    "sole_trader",
                    "legal_category_sole_trader",
                )


@pytest.mark.parametrize("code", OTHER)
def test_other_private_bodies_are_other_unless_flagged_ess(code):
    assert outcome(classify(code, False, "94.11Z", "12")) == (
        "other",
        "",
        "unknown",
        "legal_category_other",
    )
    assert outcome(classify(code, None, None, None))[3] == "legal_category_other"
    assert outcome(classify(code, True, "94.11Z", "12")) == ("ess", "", "unknown", "ess_flag")


def test_no_register_data():
    for category in (None, "", "   "):
        assert outcome(classify(category, None, None, None, has_siren=False)) == (
            "other",
            "",
            "unknown",
            "no_register_data",
        )
        assert outcome(classify(category, True, "85.59A", "12")) == (
            "other",
            "",
            "unknown",
            "missing_legal_category",
        )
        assert classify(category, None, None, None).params == {}
    # A declared category is used even without a SIREN (an undeclared association).
    assert classify("9210", None, None, None, has_siren=False).ess_family == "association"
    assert classify("1000", None, None, None, has_siren=False).size_class == "sole_trader"


@pytest.mark.parametrize("category", ["922", "92200", "ABCD", "9 20", "92.2", "+922", "٩٢٢٠"])
def test_malformed_categories(category):
    result = classify(category, True, "85.59A", "12")
    assert outcome(result) == ("other", "", "unknown", "unknown_legal_category")
    assert result.params == {"categorie_juridique": category}


def test_categories_are_stripped():
    result = classify(" 9220 ", None, None, None)
    assert result.ess_family == "association"
    assert result.params == {"categorie_juridique": "9220"}


def test_the_flag_unknown_is_the_flag_false():
    for code in range(0, 10_000, 7):
        for naf in ("62.01Z", "85.59A"):
            category = f"{code:04d}"
            assert classify(category, None, naf, "12") == classify(category, False, naf, "12")


# ------------------------------------------------------------------------------ headcount

BANDS = {
    "00": (0, 0),
    "01": (1, 2),
    "02": (3, 5),
    "03": (6, 9),
    "11": (10, 19),
    "12": (20, 49),
    "21": (50, 99),
    "22": (100, 199),
    "31": (200, 249),
    "32": (250, 499),
    "41": (500, 999),
    "42": (1000, 1999),
    "51": (2000, 4999),
    "52": (5000, 9999),
    "53": (10000, None),
}
SIZES = {
    **dict.fromkeys(["00", "01", "02", "03"], "micro"),
    **dict.fromkeys(["11", "12", "21", "22", "31"], "sme"),
    **dict.fromkeys(["32", "41", "42", "51"], "mid"),
    **dict.fromkeys(["52", "53"], "large"),
}


@pytest.mark.parametrize("tranche", sorted(BANDS))
def test_headcount_bands(tranche):
    assert headcount_range(tranche) == BANDS[tranche]
    assert headcount_range(f" {tranche} ") == BANDS[tranche]
    assert size_from_tranche(tranche) == SIZES[tranche]


@pytest.mark.parametrize("tranche", ["NN", "", None, "99", "1", "5", "AB", "012"])
def test_unknown_headcount(tranche):
    assert headcount_range(tranche) is None
    assert size_from_tranche(tranche) == "unknown"
    assert classify("5710", False, None, tranche).size_class == "unknown"


def test_size_classes_follow_the_bands():
    for tranche, (low, high) in BANDS.items():
        size = size_from_tranche(tranche)
        top = high if high is not None else 10**9
        if top < 10:
            assert size == "micro"
        elif top < 250:
            assert low >= 10 and size == "sme"
        elif top < 5000:
            assert low >= 250 and size == "mid"
        else:
            assert low >= 5000 and size == "large"


# ------------------------------------------------------------------------------ messages


def test_the_association_message():
    result = classify("9220", None, None, None)
    assert REASON_MESSAGES[result.reason] % result.params == (
        "Catégorie juridique 9220 : association, entreprise de l'ESS par la loi du 31 juillet 2014."
    )


def test_every_rule_has_a_message_and_every_message_a_rule():
    assert {rule.reason for rule in RULES} == set(REASON_MESSAGES)


def test_every_reason_is_reached_by_some_input():
    reasons = {
        classify(f"{code:04d}", flag, naf, "12").reason
        for code in range(10_000)
        for flag in (True, False)
        for naf in ("62.01Z", "72.19Z", "85.59A")
    }
    reasons |= {classify(c, None, None, None).reason for c in (None, "x")}
    reasons.add(classify(None, None, None, None, has_siren=False).reason)
    assert reasons == set(REASON_MESSAGES)


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def check_invariants(result: Classification, category: str | None) -> None:
    assert result.actor_type in ACTOR_TYPES
    assert result.actor_type != "person"  # only declared
    assert result.ess_family in (*ESS_FAMILIES, "")
    assert result.size_class in SIZE_CLASSES
    # An ESS family iff ESS, except an ESS enterprise known by the flag alone.
    assert (result.ess_family != "") == (result.actor_type == "ess" and result.reason != "ess_flag")
    if result.actor_type != "ess":
        assert result.ess_family == ""
    # Sizes only for enterprises and ESS companies.
    if result.size_class != "unknown":
        assert result.actor_type == "enterprise" or result.ess_family == "ess_company"
    assert (result.size_class == "sole_trader") == (
        (category or "").strip() == "1000" and result.actor_type == "enterprise"
    )
    message = REASON_MESSAGES[result.reason]
    assert set(PLACEHOLDER.findall(message)) == set(result.params)
    expected = PLACEHOLDER.sub(lambda m: result.params[m.group(1)], message).replace("%%", "%")
    assert message % result.params == expected
    assert all(isinstance(v, str) for v in result.params.values())


def test_invariants_over_every_four_digit_category():
    for code in range(10_000):
        category = f"{code:04d}"
        for flag in FLAGS:
            for naf in ("85.59A", "72.19Z", None):
                result = classify(category, flag, naf, "21")
                assert result.reason not in {"unknown_legal_category", "missing_legal_category"}
                check_invariants(result, category)


# ---------------------------------------------------------------------------- properties

interesting = sorted(
    {*ESS_BY_CATEGORY, *COMPANIES, *COMPANIES_NEAR_RANGES, *TERRITORIAL, *LOCAL_PUBLIC}
    | {*PUBLIC, *OTHER, "1000", "7383"}
)
categories = st.one_of(
    st.sampled_from(interesting),
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    st.text(max_size=6),
    st.none(),
)
flags = st.sampled_from(FLAGS)
nafs = st.one_of(st.sampled_from(ANY_NAF), st.text(max_size=7))
tranches = st.one_of(st.sampled_from((*TRANCHES, "", None)), st.text(max_size=3))


@SETTINGS
@given(categories, flags, nafs, tranches, st.booleans())
def test_any_input_gives_a_consistent_classification(category, flag, naf, tranche, has_siren):
    check_invariants(classify(category, flag, naf, tranche, has_siren=has_siren), category)


@SETTINGS
@given(st.lists(st.tuples(categories, flags, nafs, tranches), max_size=60))
def test_classify_many_is_classify_per_row(rows):
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[], [], [], []]
    assert classify_many(*columns) == [classify(*row) for row in rows]


@SETTINGS
@given(st.integers(0, 9999), flags, nafs, tranches)
def test_ess_by_law_does_not_depend_on_the_flag(code, flag, naf, tranche):
    category = f"{code:04d}"
    result = classify(category, flag, naf, tranche)
    if category in ESS_BY_CATEGORY:
        assert result == classify(category, not flag, naf, tranche)
        assert result.actor_type == "ess"
    if 4000 <= code <= 4999 or 7000 <= code <= 7999 or code == 1000:
        assert result.actor_type != "ess"
        assert result == classify(category, not flag, naf, tranche)


def test_classify_many_repeats_and_checks_lengths():
    rows = classify_many(["9220", "5710", "9220"], [None, True, None], [None] * 3, ["12"] * 3)
    assert [r.actor_type for r in rows] == ["ess", "ess", "ess"]
    assert rows[0] == rows[2] == classify("9220", None, None, "12")
    assert rows[1].ess_family == "ess_company"
    with pytest.raises(ValueError, match="same length"):
        classify_many(["9220"], [None, None], [None], [None])
