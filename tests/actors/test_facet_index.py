"""The in-memory facet index counts exactly what the SQL GROUP BY counts, and pages exactly
what SQL pages (same count, same ids in (name, id) order), for every filter it handles
(names included) and every kind of reader; the filters it cannot evaluate go to SQL."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptce.actors import directory, facet_index
from ptce.actors.models import ActorType, Affiliation, EssFamily, Establishment, Organisation
from ptce.core.choices import Visibility
from ptce.core.services import create_user
from tests.actors import factories
from tests.territories.builders import SEM, VRA

# (legal category, NAF) pairs over the actor types and ESS families; then stray NAF codes.
KINDS = [
    ("9220", "88.99B"),  # association
    ("5458", "13.20Z"),  # SCOP
    ("5499", "15.20Z"),  # SARL
    ("7210", "84.11Z"),  # commune
    ("8210", "65.12Z"),  # mutual
    ("9300", "94.99Z"),  # foundation
    ("5710", "62.01Z"),  # SAS
    ("5499", "99.00Z"),  # section U
    ("5499", ""),
]
BANDS = ["", "NN", "00", "01", "11", "12", "53"]
# Names as the register and members write them: accents, case, hyphens, apostrophes,
# ligatures, digits, repeated words, "St" for "Saint", and twins (same name, another id).
NAME_WORDS = [
    "Association", "ASSOCIATION", "Scop", "SCI", "Les", "Amis", "d'Écully", "D'ECULLY",
    "Saint-Étienne", "St-Etienne", "Boulangerie", "Café", "L'Œuvre", "Jean-Pierre",
    "2e", "Chance", "Ressourcerie", "Éco", "écolo", "ecole", "du", "Vercors", "Sci-Fi",
    "Jardins", "jardin", "Œufs", "Maïs", "ÉPICERIE", "épicerie", "solidaire", "la",
]  # fmt: skip
QUERIES = [
    "", " ", "!!", "a", "as", "ASSO", "association les", "sci", "SCI ", "saint", "st etienne",
    "St-Étienne", "ecu", "d'éc", "l oe", "œuv", "jean pierre", "2", "2e ch", "eco", "école",
    "jardin", "jardins", "mai", "épi sol", "solidaire epicerie", "la la", "zzz", "du ver",
    "fi", "sci-fi", "o",
]  # fmt: skip
SITES = [  # (commune, département)
    ("26281", "26"),
    ("26057", "26"),
    ("42218", "42"),
    ("75101", "75"),
]


@pytest.fixture
def population(territory):
    """40 organisations with mixed types, bands, activity, visibility and sites."""
    rnd = random.Random(20261204)
    organisations = []
    names = [" ".join(rnd.choices(NAME_WORDS, k=rnd.randint(1, 4))) for _ in range(36)]
    for n in range(40):
        category, naf = rnd.choice(KINDS)
        org = factories.organisation(
            names[n % 36] if n < 36 else names[n - 30],  # four twins
            categorie_juridique=category,
            naf=naf or "88.99B",
            commune=None,
            tranche_effectifs=rnd.choice(BANDS),
        )
        Organisation.objects.filter(pk=org.pk).update(
            naf={7: "A1", 8: "1."}.get(n, naf),  # stray codes: in no section, on both paths
            active=rnd.random() < 0.8,
            visibility=rnd.choice([Visibility.PUBLIC] * 3 + [Visibility.OWNER]),
        )
        for _ in range(rnd.choice([0, 1, 1, 2, 3])):
            commune, departement = rnd.choice(SITES)
            Establishment.objects.create(
                organisation=org,
                code_commune=commune,
                commune_id=commune if commune != "75101" else None,
                departement=departement,
                active=rnd.random() < 0.7,
                lat=45 + rnd.random(),
                lon=4 + rnd.random(),
            )
        organisations.append(org)
    member = create_user(None, email="membre@example.org", password="motdepasse-solide-42")
    hidden = Organisation.objects.exclude(visibility=Visibility.PUBLIC)[:2]
    for org in hidden:
        Affiliation.objects.create(user=member, organisation=org)
    staff = create_user(None, email="equipe@example.org", password="motdepasse-solide-42")
    staff.is_staff = True
    staff.save()
    return {"anonymous": AnonymousUser(), "member": member, "staff": staff}


def subsets(values):
    return st.lists(st.sampled_from(values), unique=True, max_size=3)


filters_strategy = st.builds(
    directory.DirectoryFilters,
    q=st.sampled_from(QUERIES),
    actor_types=subsets([*ActorType.values, "inconnu"]),  # unknown values: same answer too
    ess_families=subsets([*EssFamily.values, "inconnue"]),
    naf_sections=subsets(["C", "J", "K", "O", "Q", "S", "U", "Z"]),
    tranches=subsets([*BANDS[1:], "99"]),
    departements=subsets(["26", "42", "75", "13"]),
    epci=subsets([VRA, SEM, "999999999"]),
    active=st.sampled_from([True, False, None]),
    ess=st.sampled_from([None, True, False]),
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(filters=filters_strategy, reader=st.sampled_from(["anonymous", "member", "staff"]))
def test_index_counts_what_sql_counts(population, filters, reader):
    user = population[reader]
    assert facet_index.FacetIndex.handles(filters)
    from_index = directory.facets(filters, user)
    in_sql = directory.facet_counts(directory.search(filters, directory.visible(user)))
    assert from_index == in_sql


def test_the_index_is_used_for_broad_filters_and_sql_for_names(
    population, django_assert_num_queries
):
    user = population["anonymous"]
    facet_index.get()
    with django_assert_num_queries(1):  # the directory version: the index answers
        counted = directory.facets(directory.DirectoryFilters(actor_types=["ess"]), user)
    assert counted["actor_type"][0]["value"] == "ess"
    with django_assert_num_queries(1):
        counted = directory.facets(directory.DirectoryFilters(q="asso"), user)
    assert counted["actor_type"]
    for named in (
        directory.DirectoryFilters(q="asso", naf="88"),
        directory.DirectoryFilters(naf="88"),
        directory.DirectoryFilters(perimeter="drome"),
    ):
        assert not facet_index.FacetIndex.handles(named)
        assert directory.facets(named, user) == directory.facet_counts(
            directory.search(named, directory.visible(user))
        )


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    filters=filters_strategy,
    reader=st.sampled_from(["anonymous", "member", "staff"]),
    start=st.integers(0, 30),
    size=st.integers(0, 12),
)
def test_index_pages_what_sql_pages(population, filters, reader, start, size):
    user = population[reader]
    in_sql = directory.search(filters, directory.visible(user)).order_by("name", "id")
    expected = list(in_sql.values_list("id", flat=True)[start : start + size])
    results = directory.Results(filters, user)
    assert results._index is not None  # the index answers
    assert [o.pk for o in results[start : start + size]] == expected
    assert results.count() == in_sql.count()


def test_results_from_sql_when_the_index_cannot_answer(population):
    user = population["member"]
    filters = directory.DirectoryFilters(q="asso", naf="88", active=None)
    results = directory.Results(filters, user)
    assert results._index is None
    in_sql = directory.search(filters, directory.visible(user)).order_by("name", "id")
    assert [o.pk for o in results[0:5]] == list(in_sql.values_list("id", flat=True)[:5])
    assert results.count() == in_sql.count() > 0


def test_a_page_of_results_is_one_query(population, django_assert_num_queries):
    user = population["staff"]
    facet_index.get()
    results = directory.Results(directory.DirectoryFilters(q="asso", active=None), user)
    with django_assert_num_queries(1):  # the rows of the page, by id
        rows = results[0:10]
    with django_assert_num_queries(0):
        assert results.count() >= len(rows) > 0


def test_a_reader_sees_the_counts_of_what_they_may_see(population):
    anonymous, member, staff = (population[k] for k in ("anonymous", "member", "staff"))

    def total(user):
        return sum(
            x["count"] for x in directory.facets(directory.DirectoryFilters(), user)["actor_type"]
        )

    active = Organisation.objects.filter(active=True)
    public = active.filter(visibility=Visibility.PUBLIC).count()
    own = active.exclude(visibility=Visibility.PUBLIC).filter(affiliations__user=member).count()
    assert total(anonymous) == public
    assert total(member) == public + own
    assert total(staff) == active.count()
    assert total(staff) > total(anonymous)


def test_the_index_is_rebuilt_when_the_directory_changes(population):
    user = population["staff"]
    before = directory.facets(directory.DirectoryFilters(), user)
    factories.scop("Scop nouvelle (fictive)")
    # In this process, a commit forgets the index (signals); here, the test transaction
    # never commits, so the reset is what `transaction.on_commit` would run.
    from ptce.actors.signals import reset_indexes

    reset_indexes()
    after = directory.facets(directory.DirectoryFilters(), user)
    count = {x["value"]: x["count"] for x in after["ess_family"]}
    count_before = {x["value"]: x["count"] for x in before["ess_family"]}
    assert count["scop"] == count_before.get("scop", 0) + 1


def test_a_write_through_another_process_shows_at_once(population):
    """Another process's write raises the directory version in its transaction: this process
    rebuilds at its next use, without waiting for the stamp check."""
    from ptce.actors.models import DirectoryVersion

    user = population["staff"]
    filters = directory.DirectoryFilters(q="zanzibar")
    assert directory.Results(filters, user).count() == 0
    # What the other process wrote, without this process's signals.
    Organisation.objects.bulk_create([Organisation(name="Zanzibar", search_text="zanzibar")])
    assert directory.Results(filters, user).count() == 0  # stamp not checked yet
    DirectoryVersion.bump()
    assert directory.Results(filters, user).count() == 1


def test_the_map_filters_names_as_sql(population):
    """The map takes a name's organisations from the facet index's words: the same as SQL's
    full-text search, for every query (and SQL still for a name with a NAF prefix)."""
    from ptce.actors import map_index

    index = map_index.get()
    on_map = set(index.organisation_ids.tolist())
    for q in QUERIES:
        for naf in ("", "88"):
            filters = directory.DirectoryFilters(q=q, naf=naf, active=None)
            shown = set(index.organisation_ids[index.mask(filters)].tolist())
            in_sql = directory.name_search(Organisation.objects.filter(naf__startswith=naf), q)
            assert shown == on_map & set(in_sql.values_list("id", flat=True)), (q, naf)


def test_the_version_is_raised_once_per_transaction_at_its_commit(population):
    """Raised after the commit (a row lock taken inside the writer's transaction could
    deadlock two writers), once however many rows the transaction wrote (the fixture's
    and these); this process sees its own writes before (the indexes expire at once)."""
    from django.db import connection

    from ptce.actors.models import DirectoryVersion
    from ptce.actors.signals import _bump

    user = population["staff"]
    before = DirectoryVersion.current()
    filters = directory.DirectoryFilters(q="zanzibar")
    assert directory.Results(filters, user).count() == 0
    for n in range(3):
        factories.organisation(f"Zanzibar {n}")
    assert directory.Results(filters, user).count() == 3  # its own writes
    assert DirectoryVersion.current() == before  # not yet: at the commit
    pending = [item[1] for item in connection.run_on_commit if item[1] is _bump]
    assert len(pending) == 1  # one raise for 40 organisations, their sites, and these
    pending[0]()
    assert DirectoryVersion.current() == before + 1
