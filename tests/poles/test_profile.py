"""profile: a hub's profile from its member list (no database)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptce.actors.classification import ACTOR_TYPES, ESS_FAMILIES
from ptce.poles.profile import HubProfile, MemberProfileFacts, compute_profile, jobs_label

SETTINGS = settings(max_examples=200, deadline=None)
TODAY = date(2025, 3, 1)
NNBSP = "\u202f"


def member(
    actor_type: str = "ess",
    ess_family: str = "",
    tranche: str | None = None,
    in_perimeter: bool | None = None,
) -> MemberProfileFacts:
    return MemberProfileFacts(actor_type, ess_family, tranche, in_perimeter)


def profile(*members: MemberProfileFacts, created: date | None = None) -> HubProfile:
    return compute_profile(members, created=created, today=TODAY)


def test_no_member():
    found = profile()
    assert found == HubProfile(
        member_count=0,
        counts_by_type={},
        ess_share=0.0,
        diversity=0.0,
        anchoring=None,
        jobs_low=0,
        jobs_high=0,
        jobs_unknown=0,
        age_years=None,
    )
    assert jobs_label(found) == "aucun membre : pas d'emplois directs à estimer"


def test_a_small_hub():
    found = profile(
        member("person", in_perimeter=True),
        member("local_authority", tranche="22", in_perimeter=True),  # 100-199
        member("enterprise", tranche="12", in_perimeter=False),  # 20-49
        member("ess", "association", tranche="03", in_perimeter=True),  # 6-9
        member("ess", "scop", tranche="NN"),
        member("research", "association", tranche=None, in_perimeter=True),
        created=date(2014, 3, 2),
    )
    assert found.member_count == 6
    # every type present, in the order of ACTOR_TYPES, whatever the order of the members
    assert list(found.counts_by_type.items()) == [
        ("ess", 2),
        ("enterprise", 1),
        ("local_authority", 1),
        ("research", 1),
        ("person", 1),
    ]
    # the research association is an ESS enterprise too
    assert found.ess_share == pytest.approx(3 / 6)
    assert found.anchoring == pytest.approx(4 / 5)
    assert (found.jobs_low, found.jobs_high, found.jobs_unknown) == (126, 257, 2)
    assert found.age_years == 10  # one day short of 11 years
    p = [2 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6]
    assert found.diversity == pytest.approx(-sum(x * math.log(x) for x in p) / math.log(8))
    assert jobs_label(found) == (
        "entre 126 et 257 emplois directs (estimation d'après les tranches d'effectifs ; "
        "2 membres sans tranche connue)"
    )


@pytest.mark.parametrize(
    ("tranches", "low", "high", "unknown"),
    [
        (["00", "01", "02"], 4, 7, 0),
        (["11", "12", "21"], 80, 167, 0),
        (["53", "01"], 10_001, None, 0),
        (["NN", "", None, "99", " 12 "], 20, 49, 4),
    ],
)
def test_jobs_from_headcount_bands(tranches, low, high, unknown):
    found = profile(*(member("enterprise", tranche=t) for t in tranches))
    assert (found.jobs_low, found.jobs_high, found.jobs_unknown) == (low, high, unknown)


def test_a_citizen_without_a_band_is_no_unknown_employer():
    found = profile(member("person"), member("person", tranche="NN"), member("ess", tranche=None))
    assert found.jobs_unknown == 1


@pytest.mark.parametrize(
    ("tranches", "label"),
    [
        (
            ["12", "11", "01"],
            "entre 31 et 70 emplois directs (estimation d'après les tranches d'effectifs)",
        ),
        (
            ["53", "41", None],
            f"au moins 10{NNBSP}500 emplois directs (estimation d'après les tranches "
            "d'effectifs ; 1 membre sans tranche connue)",
        ),
        (
            ["42", "42"],
            f"entre 2{NNBSP}000 et 3{NNBSP}998 emplois directs (estimation d'après les "
            "tranches d'effectifs)",
        ),
        (["00", "00"], "aucun emploi direct (estimation d'après les tranches d'effectifs)"),
        ([None, "NN", "00"], "emplois directs inconnus (2 membres sans tranche connue)"),
    ],
)
def test_jobs_label(tranches, label):
    assert jobs_label(profile(*(member("ess", tranche=t) for t in tranches))) == label


@pytest.mark.parametrize(
    ("created", "age"),
    [
        (None, None),
        (TODAY, 0),
        (date(2024, 3, 1), 1),
        (date(2024, 3, 2), 0),
        (date(2000, 2, 29), 25),  # 1 March 2025 is past the 29 February anniversary
        (date(2000, 3, 1), 25),
    ],
)
def test_age_in_whole_years(created, age):
    assert profile(created=created).age_years == age


def test_a_creation_date_in_the_future_is_refused():
    with pytest.raises(ValueError, match="after today"):
        profile(created=date(2025, 3, 2))


def test_unknown_values_are_refused():
    with pytest.raises(ValueError, match="actor type"):
        profile(member("citizen"))
    with pytest.raises(ValueError, match="ESS family"):
        profile(member("ess", "cooperative_bank"))


@pytest.mark.parametrize(
    ("types", "diversity"),
    [
        (["ess"], 0.0),
        (["ess", "ess", "ess"], 0.0),
        (["ess", "enterprise"], 1 / 3),  # ln 2 / ln 8
        (["ess", "enterprise", "local_authority", "research"], 2 / 3),  # ln 4 / ln 8
        (list(ACTOR_TYPES), 1.0),
    ],
)
def test_diversity(types, diversity):
    assert profile(*(member(t) for t in types)).diversity == pytest.approx(diversity)


def test_anchoring_unknown_everywhere():
    assert profile(member(in_perimeter=None), member(in_perimeter=None)).anchoring is None
    assert profile(member(in_perimeter=False), member(in_perimeter=None)).anchoring == 0.0


# ---------------------------------------------------------------------------- properties

BANDS = ["00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52"]
members_st = st.builds(
    MemberProfileFacts,
    actor_type=st.sampled_from(ACTOR_TYPES),
    ess_family=st.sampled_from(["", *ESS_FAMILIES]),
    tranche_effectifs=st.sampled_from([None, "", "NN", "53", *BANDS]),
    in_perimeter=st.sampled_from([True, False, None]),
)


@SETTINGS
@given(st.lists(members_st, max_size=40), st.randoms(use_true_random=False))
def test_profile_invariants(members, random):
    found = compute_profile(members, created=None, today=TODAY)
    assert sum(found.counts_by_type.values()) == found.member_count == len(members)
    assert all(found.counts_by_type.values())
    assert list(found.counts_by_type) == [t for t in ACTOR_TYPES if t in found.counts_by_type]
    assert 0.0 <= found.diversity <= 1.0
    assert 0.0 <= found.ess_share <= 1.0
    assert found.anchoring is None or 0.0 <= found.anchoring <= 1.0
    assert 0 <= found.jobs_unknown <= found.member_count
    if found.jobs_high is not None:
        assert found.jobs_low <= found.jobs_high
    if len(found.counts_by_type) <= 1:
        assert found.diversity == 0.0
    else:
        assert found.diversity > 0.0
    # the order of the members changes nothing
    random.shuffle(members)
    assert compute_profile(members, created=None, today=TODAY) == found


@SETTINGS
@given(st.lists(st.sampled_from(BANDS), min_size=1, max_size=30))
def test_bounded_bands_give_a_closed_range(tranches):
    found = profile(*(member("enterprise", tranche=t) for t in tranches))
    assert found.jobs_high is not None
    assert found.jobs_low <= found.jobs_high
    assert found.jobs_unknown == 0
    adding_open_band = profile(*(member("enterprise", tranche=t) for t in [*tranches, "53"]))
    assert adding_open_band.jobs_high is None
    assert adding_open_band.jobs_low == found.jobs_low + 10_000


@SETTINGS
@given(st.integers(1, 20), st.randoms(use_true_random=False))
def test_diversity_is_1_when_every_type_is_present_equally(times, random):
    members = [member(t) for t in ACTOR_TYPES for _ in range(times)]
    random.shuffle(members)
    found = profile(*members)
    assert found.diversity == pytest.approx(1.0, abs=1e-12)
    assert found.counts_by_type == dict.fromkeys(ACTOR_TYPES, times)


@SETTINGS
@given(st.lists(members_st, min_size=1, max_size=40))
def test_jobs_label_is_never_a_single_figure(members):
    label = jobs_label(compute_profile(members, created=None, today=TODAY))
    assert label.startswith(
        ("entre ", "au moins ", "aucun emploi direct", "emplois directs inconnus")
    )
