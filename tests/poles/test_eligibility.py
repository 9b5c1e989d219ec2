"""eligibility: the décret n° 2015-431 conditions and the Labo de l'ESS checklist (no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptce.actors.classification import ACTOR_TYPES
from ptce.poles.eligibility import (
    CARRIER_LEGAL_FORMS,
    CONDITION_CODES,
    DECRET,
    LABO,
    MET,
    NOT_MET,
    PRIVATE_LAW_FORMS,
    STATUSES,
    UNKNOWN,
    Condition,
    HubFacts,
    MemberFacts,
    decret_eligible,
    evaluate,
)

SETTINGS = settings(max_examples=200, deadline=None)

M = MemberFacts
ESS = M("ess", True)
SME = M("enterprise", True)
TOWN = M("local_authority", True)
CITIZEN = M("person", False)
ELIGIBLE = (ESS, SME, TOWN)


def hub(
    *members: MemberFacts,
    form: str | None = "association",
    private_law: bool | None = None,
    strategy: bool | None = True,
    long_term: bool | None = True,
    pooling: bool | None = True,
) -> HubFacts:
    return HubFacts(
        carrier_legal_form=form,
        carrier_private_law=private_law,
        members=members,
        common_strategy_formalised=strategy,
        long_term_commitment=long_term,
        pooled_resources=pooling,
    )


def condition(facts: HubFacts, code: str) -> Condition:
    found = [c for c in evaluate(facts) if c.code == code]
    assert len(found) == 1
    return found[0]


# ------------------------------------------------------------------------------- tables

CASES = [
    # (id, facts, code, status, fragments of the message)
    # 1. private-law legal person
    *(
        (
            f"carrier-{form}",
            hub(*ELIGIBLE, form=form),
            "decret_private_law_person",
            MET,
            [CARRIER_LEGAL_FORMS[form], "personne morale de droit privé"],
        )
        for form in sorted(PRIVATE_LAW_FORMS)
    ),
    (
        "carrier-other-private",
        hub(*ELIGIBLE, form="other", private_law=True),
        "decret_private_law_person",
        MET,
        ["autre forme, déclarée personne morale de droit privé"],
    ),
    (
        "carrier-informal",
        hub(*ELIGIBLE, form="none"),
        "decret_private_law_person",
        NOT_MET,
        ["groupement informel", "créez une structure porteuse", "association déclarée, SCIC"],
    ),
    (
        "carrier-other-public",
        hub(*ELIGIBLE, form="other", private_law=False),
        "decret_private_law_person",
        NOT_MET,
        ["n'est pas une personne morale de droit privé", "confiez le portage"],
    ),
    (
        "carrier-form-unknown",
        hub(*ELIGIBLE, form=None),
        "decret_private_law_person",
        UNKNOWN,
        ["Forme juridique de la structure porteuse non renseignée : indiquez-la"],
    ),
    (
        "carrier-other-unknown",
        hub(*ELIGIBLE, form="other", private_law=None),
        "decret_private_law_person",
        UNKNOWN,
        ["autre forme : indiquez s'il s'agit d'une personne morale de droit privé"],
    ),
    # 2. three legal persons
    (
        "legal-three",
        hub(*ELIGIBLE, CITIZEN),
        "decret_three_legal_persons",
        MET,
        ["3 personnes morales parmi les membres (au moins 3 requises)."],
    ),
    (
        "legal-two-and-people",
        # a citizen declared "legal person" and an informal group do not count
        hub(ESS, SME, M("person", True), M("other", False), CITIZEN),
        "decret_three_legal_persons",
        NOT_MET,
        [
            "2 personnes morales parmi les membres ; il en faut au moins 3.",
            "Ajoutez 1 personne morale",
            "ne comptent pas",
        ],
    ),
    (
        "legal-none",
        hub(),
        "decret_three_legal_persons",
        NOT_MET,
        ["0 personne morale parmi les membres ; il en faut au moins 3.", "Ajoutez 3 personnes"],
    ),
    (
        "legal-unknown-one",
        hub(ESS, SME, M("local_authority", None)),
        "decret_three_legal_persons",
        UNKNOWN,
        [
            "2 personnes morales parmi les membres, et 1 membre dont la personnalité morale "
            "n'est pas renseignée ; il en faut au moins 3",
            "indiquez pour ce membre",
        ],
    ),
    (
        "legal-unknown-many",
        hub(ESS, M("enterprise", None), M("other", None), M("research", None)),
        "decret_three_legal_persons",
        UNKNOWN,
        ["1 personne morale parmi les membres, et 3 membres dont", "pour ces membres"],
    ),
    (
        "legal-unknown-too-few",
        hub(ESS, M("enterprise", None)),
        "decret_three_legal_persons",
        NOT_MET,
        ["1 personne morale parmi les membres ; il en faut au moins 3.", "Ajoutez 2"],
    ),
    # 3. ESS enterprise
    (
        "ess-two",
        hub(ESS, M("ess", True), SME, TOWN),
        "decret_ess_enterprise",
        MET,
        ["2 entreprises de l'ESS dotées de la personnalité morale parmi les membres"],
    ),
    (
        "ess-company-typed-enterprise",
        hub(M("enterprise", True, ess=True), TOWN),
        "decret_ess_enterprise",
        MET,
        ["1 entreprise de l'ESS dotée de la personnalité morale parmi les membres"],
    ),
    (
        "ess-training-association",
        hub(M("training", True, ess=True), SME),
        "decret_ess_enterprise",
        MET,
        ["1 entreprise de l'ESS"],
    ),
    (
        "ess-none",
        # public bodies and citizens are never ESS enterprises, even flagged
        hub(SME, M("local_authority", True, ess=True), M("person", False, ess=True)),
        "decret_ess_enterprise",
        NOT_MET,
        [
            "Aucune entreprise de l'ESS dotée de la personnalité morale parmi les membres ; "
            "il en faut au moins 1 : association déclarée, coopérative",
        ],
    ),
    (
        "ess-undeclared-association",
        hub(M("ess", False), M("ess", False), SME),
        "decret_ess_enterprise",
        NOT_MET,
        ["(2 membres de l'ESS sans personnalité morale ne comptent pas.)"],
    ),
    (
        "ess-personality-unknown",
        hub(M("ess", None), SME, TOWN),
        "decret_ess_enterprise",
        UNKNOWN,
        ["n'est certaine parmi les membres ; 1 membre pourrait compter : indiquez sa"],
    ),
    (
        "ess-status-unknown",
        hub(M("other", True, ess=None), M("other", None, ess=True), SME),
        "decret_ess_enterprise",
        UNKNOWN,
        ["2 membres pourraient compter", "leur appartenance à l'ESS"],
    ),
    (
        "ess-other-not-ess",
        hub(M("other", True, ess=False), SME, TOWN),
        "decret_ess_enterprise",
        NOT_MET,
        ["Aucune entreprise de l'ESS"],
    ),
    # 4. enterprise outside the ESS
    (
        "outside-enterprise",
        hub(ESS, SME, M("enterprise", True), TOWN),
        "decret_enterprise_outside_ess",
        MET,
        ["2 entreprises hors ESS (ou groupements majoritairement hors ESS) dotées"],
    ),
    (
        "outside-business-club",
        hub(ESS, M("ess", True, outside_ess_grouping=True), TOWN),
        "decret_enterprise_outside_ess",
        MET,
        ["1 entreprise hors ESS (ou groupement majoritairement hors ESS) dotée"],
    ),
    (
        "outside-sole-trader",
        hub(ESS, M("enterprise", False), TOWN),
        "decret_enterprise_outside_ess",
        NOT_MET,
        [
            "Aucune entreprise hors ESS dotée de la personnalité morale parmi les membres ; "
            "il en faut au moins 1 : une entreprise dont les statuts ne relèvent pas de l'ESS",
            "(1 entreprise sans personnalité morale (entrepreneur individuel…) ne compte pas.)",
        ],
    ),
    (
        "outside-ess-company",
        hub(ESS, M("enterprise", True, ess=True), TOWN),
        "decret_enterprise_outside_ess",
        NOT_MET,
        ["Aucune entreprise hors ESS"],
    ),
    (
        "outside-unknown",
        hub(ESS, M("enterprise", None), TOWN),
        "decret_enterprise_outside_ess",
        UNKNOWN,
        ["Aucune entreprise hors ESS dotée de la personnalité morale n'est certaine", "1 membre"],
    ),
    # 5. another person named in article 9
    *(
        (
            f"article9-{actor_type}",
            hub(ESS, SME, M(actor_type, True)),
            "decret_article9_other",
            MET,
            ["1 autre personne morale de l'article 9 parmi les membres", "lecture prudente"],
        )
        for actor_type in ("local_authority", "research", "training", "public_body")
    ),
    (
        "article9-none",
        hub(ESS, SME, M("other", True), M("ess", True), M("person", False)),
        "decret_article9_other",
        NOT_MET,
        [
            "Aucune autre personne morale de l'article 9 parmi les membres ; il en faut au "
            "moins 1 : collectivité territoriale ou groupement, centre de recherche",
            "« toute autre personne physique ou morale », que la plateforme ne retient pas",
        ],
    ),
    (
        "article9-laboratory",
        hub(ESS, SME, M("research", False)),
        "decret_article9_other",
        NOT_MET,
        ["(1 organisme sans personnalité morale (laboratoire, service…) ne compte pas.)"],
    ),
    (
        "article9-unknown",
        hub(ESS, SME, M("research", None), M("training", None)),
        "decret_article9_other",
        UNKNOWN,
        ["2 membres pourraient compter : indiquez leur personnalité morale (SIREN ou statuts)."],
    ),
    # 6. three distinct members
    (
        "distinct-met",
        hub(*ELIGIBLE),
        "decret_distinct_members",
        MET,
        ["peuvent être tenus par trois personnes morales distinctes"],
    ),
    (
        "distinct-club-holds-two-roles",
        hub(M("ess", True, outside_ess_grouping=True), TOWN, M("research", True)),
        "decret_distinct_members",
        NOT_MET,
        [
            "Les rôles « entreprise de l'ESS » et « entreprise hors ESS » ne peuvent être "
            "tenus que par 1 membre à eux deux",
            "ajoutez une personne morale pour l'un de ces rôles",
        ],
    ),
    (
        "distinct-club-with-second-ess",
        hub(M("ess", True, outside_ess_grouping=True), ESS, TOWN),
        "decret_distinct_members",
        MET,
        [],
    ),
    (
        "distinct-three-roles-two-members",
        # each pair of roles has two holders, the three roles only two
        hub(M("ess", True, outside_ess_grouping=True), M("training", True, ess=True)),
        "decret_distinct_members",
        NOT_MET,
        [
            "Les rôles « entreprise de l'ESS », « entreprise hors ESS » et « autre personne de "
            "l'article 9 » ne peuvent être tenus que par 2 membres à eux trois"
        ],
    ),
    (
        "distinct-role-missing",
        hub(ESS, ESS, TOWN),
        "decret_distinct_members",
        NOT_MET,
        ["Aucun membre ne peut tenir le rôle « entreprise hors ESS »"],
    ),
    (
        "distinct-unknown",
        hub(M("ess", True, outside_ess_grouping=True), M("ess", None), TOWN),
        "decret_distinct_members",
        UNKNOWN,
        ["qu'en comptant des membres dont la personnalité morale"],
    ),
    # 7. five organisations (Labo de l'ESS); no fact can be unknown here
    (
        "labo-five",
        hub(ESS, SME, TOWN, M("other", False), M("enterprise", False)),
        "labo_five_organisations",
        MET,
        ["5 organisations membres (au moins 5 selon les critères du Labo de l'ESS"],
    ),
    (
        "labo-four-and-citizens",
        hub(ESS, SME, TOWN, M("other", False), CITIZEN, CITIZEN, CITIZEN),
        "labo_five_organisations",
        NOT_MET,
        ["4 organisations membres ; il en faut au moins 5", "ajoutez-en 1", "personnes physiques"],
    ),
    # 8. types of organisations; no fact can be unknown here
    (
        "labo-three-types",
        hub(SME, TOWN, ESS, ESS),
        "labo_diverse_types",
        MET,
        [
            "3 types d'acteurs distincts parmi les organisations membres (entreprise de "
            "l'ESS, autre entreprise, collectivité ou groupement) ; au moins 3 requis",
        ],
    ),
    (
        "labo-two-types-and-citizens",
        hub(ESS, ESS, TOWN, CITIZEN, CITIZEN),
        "labo_diverse_types",
        NOT_MET,
        [
            "2 types d'acteurs distincts parmi les organisations membres (entreprise de "
            "l'ESS, collectivité ou groupement) ; il en faut au moins 3",
            "il manque 1 type",
            "par exemple : autre entreprise, recherche",
        ],
    ),
    # 9-11. declarations
    ("strategy-met", hub(strategy=True), "labo_common_strategy", MET, ["est formalisée"]),
    ("strategy-not", hub(strategy=False), "labo_common_strategy", NOT_MET, ["rédigez"]),
    ("strategy-unknown", hub(strategy=None), "labo_common_strategy", UNKNOWN, ["indiquez si"]),
    ("long-term-met", hub(long_term=True), "labo_long_term", MET, ["engagés dans la durée"]),
    ("long-term-not", hub(long_term=False), "labo_long_term", NOT_MET, ["formalisez-le"]),
    ("long-term-unknown", hub(long_term=None), "labo_long_term", UNKNOWN, ["indiquez si"]),
    ("pooling-met", hub(pooling=True), "labo_pooling", MET, ["sont mutualisées"]),
    ("pooling-not", hub(pooling=False), "labo_pooling", NOT_MET, ["enregistrez une première"]),
    ("pooling-unknown", hub(pooling=None), "labo_pooling", UNKNOWN, ["indiquez si"]),
]


@pytest.mark.parametrize(
    ("facts", "code", "status", "fragments"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_condition_table(facts, code, status, fragments):
    found = condition(facts, code)
    assert found.status == status, found.message
    for fragment in fragments:
        assert fragment in found.message
    assert found.checklist == (DECRET if code.startswith("decret_") else LABO)


def test_every_condition_is_covered_in_every_status_it_can_take():
    seen = {(case[2], case[3]) for case in CASES}
    for code in CONDITION_CODES:
        possible = (
            {MET, NOT_MET}
            if code in {"labo_five_organisations", "labo_diverse_types"}
            else set(STATUSES)
        )
        assert {status for c, status in seen if c == code} == possible, code


def test_the_example_hub_is_eligible_with_exact_messages():
    conditions = evaluate(hub(*ELIGIBLE, form="scic_sas"))
    assert [c.code for c in conditions] == list(CONDITION_CODES)
    assert [c.checklist for c in conditions] == [DECRET] * 6 + [LABO] * 5
    assert decret_eligible(conditions) == MET
    assert conditions[0].message == (
        "Structure porteuse : SCIC sous forme de SAS, personne morale de droit privé."
    )
    assert conditions[1].message == "3 personnes morales parmi les membres (au moins 3 requises)."
    assert conditions[6].status == NOT_MET  # 3 organisations only
    assert conditions[6].message == (
        "3 organisations membres ; il en faut au moins 5 selon les critères du Labo de "
        "l'ESS : ajoutez-en 2 (les personnes physiques ne comptent pas)."
    )


def test_an_informal_grouping_of_people_fails_with_a_reason_each():
    conditions = evaluate(hub(CITIZEN, CITIZEN, form="none"))
    assert decret_eligible(conditions) == NOT_MET
    assert {c.code for c in conditions if c.status == NOT_MET} == set(CONDITION_CODES) - {
        "labo_common_strategy",
        "labo_long_term",
        "labo_pooling",
    }


def test_unknown_values_are_rejected():
    with pytest.raises(ValueError, match="actor type"):
        evaluate(hub(M("citizen", False)))
    with pytest.raises(ValueError, match="legal form"):
        evaluate(hub(*ELIGIBLE, form="sarl"))


# ------------------------------------------------------------------------ decret_eligible


def cond(code: str, status: str, checklist: str = DECRET) -> Condition:
    return Condition(code, checklist, status, "")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([MET, MET, MET], MET),
        ([MET, UNKNOWN, MET], UNKNOWN),
        ([MET, UNKNOWN, NOT_MET], NOT_MET),
        ([NOT_MET], NOT_MET),
    ],
)
def test_decret_eligible(statuses, expected):
    conditions = [cond(f"c{i}", s) for i, s in enumerate(statuses)]
    # the Labo checklist never changes the décret's answer
    labo = [cond("labo_pooling", NOT_MET, LABO), cond("labo_long_term", UNKNOWN, LABO)]
    assert decret_eligible(conditions + labo) == expected


def test_decret_eligible_needs_decret_conditions():
    with pytest.raises(ValueError):
        decret_eligible([cond("labo_pooling", MET, LABO)])
    with pytest.raises(ValueError):
        decret_eligible([])


# ----------------------------------------------------------------------------- properties

tri = st.sampled_from([True, False, None])
members_st = st.builds(
    MemberFacts,
    actor_type=st.sampled_from(ACTOR_TYPES),
    legal_person=tri,
    ess=tri,
    outside_ess_grouping=st.booleans(),
)
hubs_st = st.builds(
    HubFacts,
    carrier_legal_form=st.sampled_from([None, *CARRIER_LEGAL_FORMS]),
    carrier_private_law=tri,
    members=st.lists(members_st, max_size=7).map(tuple),
    common_strategy_formalised=tri,
    long_term_commitment=tri,
    pooled_resources=tri,
)
RANK = {NOT_MET: 0, UNKNOWN: 1, MET: 2}


@SETTINGS
@given(hubs_st, st.builds(MemberFacts, st.just("ess"), tri, tri, st.booleans()), st.data())
def test_adding_an_ess_enterprise_never_unmeets_a_condition(facts, newcomer, data):
    position = data.draw(st.integers(0, len(facts.members)))
    members = list(facts.members)
    members.insert(position, newcomer)
    before = evaluate(facts)
    after = evaluate(replace(facts, members=tuple(members)))
    for old, new in zip(before, after, strict=True):
        assert old.code == new.code
        assert not (old.status == MET and new.status == NOT_MET), (old, new)
        if newcomer.legal_person is True:  # a certain ESS legal person only helps
            assert RANK[new.status] >= RANK[old.status], (old, new)


@SETTINGS
@given(hubs_st)
def test_decret_eligible_is_met_iff_every_decret_condition_is_met(facts):
    conditions = evaluate(facts)
    decret = [c.status for c in conditions if c.checklist == DECRET]
    verdict = decret_eligible(conditions)
    assert (verdict == MET) == all(s == MET for s in decret)
    assert (verdict == NOT_MET) == (NOT_MET in decret)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(STATUSES), st.sampled_from([DECRET, LABO])), min_size=1))
def test_decret_eligible_on_any_conditions(pairs):
    conditions = [cond(f"c{i}", status, checklist) for i, (status, checklist) in enumerate(pairs)]
    decret = [s for s, checklist in pairs if checklist == DECRET]
    if not decret:
        with pytest.raises(ValueError):
            decret_eligible(conditions)
        return
    verdict = decret_eligible(conditions)
    assert (verdict == MET) == all(s == MET for s in decret)
    assert (verdict == NOT_MET) == (NOT_MET in decret)


@SETTINGS
@given(hubs_st, st.randoms(use_true_random=False))
def test_member_order_does_not_matter(facts, random):
    members = list(facts.members)
    random.shuffle(members)
    assert evaluate(replace(facts, members=tuple(members))) == evaluate(facts)


@SETTINGS
@given(hubs_st)
def test_shape_of_the_answer(facts):
    conditions = evaluate(facts)
    assert [c.code for c in conditions] == list(CONDITION_CODES)
    for c in conditions:
        assert c.status in STATUSES
        assert c.message.strip() and c.message.endswith((".", ")"))


ROLE_CODES = ("decret_ess_enterprise", "decret_enterprise_outside_ess", "decret_article9_other")


@SETTINGS
@given(hubs_st)
def test_distinct_members_agrees_with_a_brute_force_over_triples(facts):
    """The roles each member can hold alone (single-member hubs, checked by the tables
    above), then every triple of distinct members: the condition is met iff one triple
    holds the three roles for sure, not met iff no triple could."""
    alone = [
        [condition(replace(facts, members=(m,)), code).status for code in ROLE_CODES]
        for m in facts.members
    ]
    n = len(alone)
    triples = [(i, j, k) for i in range(n) for j in range(n) for k in range(n)]
    triples = [t for t in triples if len(set(t)) == 3]
    sure = any(all(alone[m][r] == MET for r, m in enumerate(t)) for t in triples)
    could = any(all(alone[m][r] != NOT_MET for r, m in enumerate(t)) for t in triples)
    expected = MET if sure else (UNKNOWN if could else NOT_MET)
    assert condition(facts, "decret_distinct_members").status == expected
