"""SIRENE import, large-load path (secondary indexes and foreign keys dropped, then
rebuilt; rows inserted in key order): it must store exactly what the path without it
stores, leave full-text search working (SQLite FTS5, PostgreSQL GIN), and leave nothing
behind when the import fails midway (indexes, constraints and triggers included)."""

from __future__ import annotations

import pytest
from django.db import connection

from ptce.actors.directory import name_search
from ptce.actors.importers import sirene_write
from ptce.actors.importers.sirene import SireneImportError
from ptce.actors.models import Establishment, Organisation
from ptce.actors.services import create_organisation
from tests.actors import sirene_files as sf
from tests.actors.test_sirene_import import (
    ASSOCIATION,
    COMPANY,
    PERSON,
    establishments,
    legal_units,
    run,
)

NEWCOMER = sf.siren(4)


def contents() -> list[tuple]:
    """Every stored value of organisations and establishments, ids and times aside."""
    org_fields = [
        f.attname
        for f in Organisation._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at"}
    ]
    est_fields = [
        f.attname
        for f in Establishment._meta.concrete_fields
        if f.name not in {"id", "organisation", "updated_at"}
    ]
    return [
        *Organisation.objects.order_by("siren").values_list(*org_fields),
        *Establishment.objects.order_by("siret").values_list(*est_fields, "organisation__siren"),
    ]


def schema() -> dict[str, object]:
    """Indexes and constraints of the two tables, and their SQLite triggers."""
    with connection.cursor() as cursor:
        found: dict[str, object] = {
            table: connection.introspection.get_constraints(cursor, table)
            for table in (sirene_write.ORG, sirene_write.EST)
        }
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            )
            found["triggers"] = cursor.fetchall()
        else:  # a first load drops and rebuilds the foreign keys of other tables too
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
                "convalidated FROM pg_constraint WHERE confrelid IN (%s::regclass, "
                "%s::regclass) ORDER BY 1, 2",
                [sirene_write.ORG, sirene_write.EST],
            )
            found["referencing"] = cursor.fetchall()
    return found


def names_found(text: str) -> set[str]:
    return set(name_search(Organisation.objects.all(), text).values_list("siren", flat=True))


def fts_is_consistent() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # raises when the index and the table differ
            cursor.execute(
                "INSERT INTO actors_organisation_fts(actors_organisation_fts, rank) "
                "VALUES ('integrity-check', 1)"
            )


def import_twice(tmp_path, geolocation):
    """A first import (provisional organisations), then a newer one with legal units."""
    first = tmp_path / "first"
    first.mkdir(parents=True)
    rows = establishments()
    rows[0]["siret"], rows[0]["siren"] = sf.siret(NEWCOMER, 1), NEWCOMER
    run(first, rows)
    second = tmp_path / "second"
    second.mkdir()
    return run(second, units=legal_units(), geolocation=geolocation)


@pytest.fixture
def geolocation(tmp_path):
    path = tmp_path / "geo.csv"
    path.write_text(
        "siret;x_longitude;y_latitude;qualite_xy\n"
        f"{sf.siret(COMPANY, 1)};5.05;45.04;11\n"
        f"{sf.siret(PERSON, 1)};4.9;44.9;33\n",
        encoding="utf-8",
    )
    return path


def test_bulk_path_stores_what_the_row_by_row_path_stores(
    territory, tmp_path, monkeypatch, geolocation
):
    monkeypatch.setattr(sirene_write, "BULK_MIN_ROWS", 10**9)
    row_by_row = import_twice(tmp_path / "a", geolocation)
    expected = contents()
    assert len(expected) == 4 + 6  # 4 organisations, 6 establishments
    Organisation.objects.all().delete()

    monkeypatch.setattr(sirene_write, "BULK_MIN_ROWS", 1)
    bulk = import_twice(tmp_path / "b", geolocation)

    assert contents() == expected
    assert (bulk.inserted, bulk.updated, bulk.unchanged) == (
        row_by_row.inserted,
        row_by_row.updated,
        row_by_row.unchanged,
    )
    assert bulk.organisations == row_by_row.organisations
    fts_is_consistent()


def test_search_finds_what_a_bulk_load_wrote_and_what_comes_after(territory, tmp_path, monkeypatch):
    before = schema()
    monkeypatch.setattr(sirene_write, "BULK_MIN_ROWS", 1)

    run(tmp_path, units=legal_units())

    assert schema() == before  # indexes and foreign keys rebuilt, triggers kept
    assert names_found("jardins romans") == {ASSOCIATION}
    assert names_found("chaussures dauphiné") == {COMPANY}
    assert names_found("JDR") == {ASSOCIATION}  # the acronym
    created = create_organisation(None, name="Ressourcerie du Royans", siren=NEWCOMER)
    assert names_found("ressourcerie") == {created.siren}  # the index is still maintained
    fts_is_consistent()


def test_a_failure_after_the_bulk_load_leaves_nothing_behind(territory, tmp_path, monkeypatch):
    first = tmp_path / "first"
    first.mkdir()
    run(first, establishments()[:1], units=legal_units()[:1])
    stored, before = contents(), schema()
    monkeypatch.setattr(sirene_write, "BULK_MIN_ROWS", 1)

    def broken(db, now, **options):
        raise SireneImportError("panne simulée")

    monkeypatch.setattr(sirene_write, "upsert_establishments", broken)
    with pytest.raises(SireneImportError, match="panne simulée"):
        run(tmp_path, units=legal_units())

    assert contents() == stored
    assert schema() == before
    assert names_found("jardins") == {ASSOCIATION}
    assert names_found("chaussures") == set()
    fts_is_consistent()


def test_a_failure_during_a_first_load_leaves_the_schema_whole(territory, tmp_path, monkeypatch):
    """Into empty tables, PostgreSQL drops primary and unique keys and the foreign keys
    pointing to them as well: a failure must bring them all back."""
    before = schema()
    monkeypatch.setattr(sirene_write, "BULK_MIN_ROWS", 1)
    upsert = sirene_write.upsert_establishments

    def broken(db, now, **options):
        upsert(db, now, **options)  # the establishments' keys dropped, rows inserted
        raise SireneImportError("panne simulée")

    monkeypatch.setattr(sirene_write, "upsert_establishments", broken)
    with pytest.raises(SireneImportError, match="panne simulée"):
        run(tmp_path, units=legal_units())

    assert contents() == []
    assert schema() == before
    monkeypatch.setattr(sirene_write, "upsert_establishments", upsert)
    run(tmp_path, units=legal_units())
    assert schema() == before
    assert names_found("jardins romans") == {ASSOCIATION}


def test_a_first_load_keeps_the_keys_unique(territory, tmp_path, monkeypatch):
    """The keys dropped for a first load are checked when rebuilt: a SIRET already
    stored by a concurrent writer could not slip in twice (simulated: the stage
    holds a SIRET twice)."""
    monkeypatch.setattr(sirene_write, "BULK_MIN_ROWS", 1)
    before = schema()
    upsert = sirene_write.upsert_establishments

    def doubled(db, now, **options):
        db.execute(
            f"INSERT INTO {sirene_write.ESTABLISHMENTS} SELECT * FROM "
            f"{sirene_write.ESTABLISHMENTS} WHERE siret = %s",
            [sf.siret(COMPANY, 1)],
        )
        return upsert(db, now, **options)

    monkeypatch.setattr(sirene_write, "upsert_establishments", doubled)
    with pytest.raises(Exception):  # noqa: B017 - the database's unique violation
        run(tmp_path, units=legal_units())
    assert contents() == []
    assert schema() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_no_pattern_index_is_left_on_identifiers(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN (%s, %s) "
            "AND indexdef LIKE '%%pattern_ops%%'",
            [sirene_write.ORG, sirene_write.EST],
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
            [sirene_write.EST, "%code_commune%"],
        )
        assert cursor.fetchone() == (1,)


CODE_COLUMNS = {
    sirene_write.ORG: {"siren", "categorie_juridique", "naf", "actor_type", "ess_family"},
    sirene_write.EST: {"siret", "code_commune", "departement"},
}


def c_collated() -> dict[str, set[str]]:
    """PostgreSQL: the columns of organisations and establishments in the "C" collation,
    and those of their indexes (an index takes its column's collation when built)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c "
            "ON c.oid = a.attrelid JOIN pg_collation k ON k.oid = a.attcollation "
            "WHERE c.relname IN (%s, %s) AND k.collname = 'C' AND NOT a.attisdropped",
            [sirene_write.ORG, sirene_write.EST],
        )
        found: dict[str, set[str]] = {}
        for table, column in cursor.fetchall():
            found.setdefault(table, set()).add(column)
        cursor.execute(
            "SELECT t.relname, a.attname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "CROSS JOIN LATERAL unnest(i.indkey, i.indcollation) AS k(attnum, coll) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "JOIN pg_collation k2 ON k2.oid = k.coll "
            "WHERE t.relname IN (%s, %s) AND k2.collname = 'C'",
            [sirene_write.ORG, sirene_write.EST],
        )
        for table, column in cursor.fetchall():
            found.setdefault(f"{table} index", set()).add(column)
    return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL collations")
def test_code_columns_and_their_indexes_keep_the_c_collation_through_a_first_load(
    territory, tmp_path, monkeypatch
):
    """Migration 0007: the indexed codes compare bytes ("C"), names keep the database's
    collation; a first load drops and rebuilds the keys and indexes in the same collation."""
    expected = {
        **CODE_COLUMNS,
        f"{sirene_write.ORG} index": CODE_COLUMNS[sirene_write.ORG],
        f"{sirene_write.EST} index": CODE_COLUMNS[sirene_write.EST],
    }
    assert c_collated() == expected
    monkeypatch.setattr(sirene_write, "BULK_MIN_ROWS", 1)

    run(tmp_path, units=legal_units())

    assert Establishment.objects.count() and c_collated() == expected
    # The order users see is the byte order of ASCII codes, as before.
    sirets = list(Establishment.objects.order_by("siret").values_list("siret", flat=True))
    assert sirets == sorted(sirets)
