"""Writing a SIRENE import: staging tables, then set-based upserts, on SQLite and PostgreSQL.

Rows are first staged in temporary tables (SQLite: `executemany`; PostgreSQL: `COPY` of
the CSV that pyarrow writes, one `COPY` per file kept open while it is read, so that the
server stores a batch while the next one is converted). The writes then run inside the
database, a few statements for millions of rows, in the caller's transaction:

* legal units -> organisations (`ORGANISATIONS`), the classification columns left alone
  when `actor_type_override` is set;
* kept SIRENs without a legal-units row -> provisional organisations (the head office's
  name, else "Unité légale <siren>"), inserted only: an organisation that exists is kept;
* establishments (`ESTABLISHMENT_UPSERT`), joined to their organisation by SIREN and to
  the geolocation rows by SIRET.

An `Upsert` is two statements: `INSERT ... SELECT` of the rows whose key is not stored
yet, then `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE SET ... WHERE <a column
differs>` of the stored rows that differ (PostgreSQL `IS DISTINCT FROM`, SQLite `IS NOT`).
Unchanged rows are neither rewritten nor locked, so a second run of the same file writes
nothing, and the row counts of the two statements are the inserted and updated counts.
New rows need no ON CONFLICT (whose speculative insertion costs a third of the time on
PostgreSQL) because nobody else writes these tables meanwhile: SQLite has one writer,
and on PostgreSQL `lock_targets` takes a lock that blocks writers, not readers.

A large load (inserting at least `BULK_MIN_ROWS` rows and a quarter of what the table
holds) drops the table's secondary indexes (and, on PostgreSQL, its foreign keys) first
and rebuilds them after: one sorted build instead of millions of random insertions. On
PostgreSQL a first load (an empty table) drops its primary and unique keys as well, and
the foreign keys of other tables that point to it: maintaining them row by row cost
three times their build (see `Database.drop_secondary_indexes`). A failure rolls the
transaction back, indexes and constraints included. New rows are inserted in key
order, which fills the unique index from its right edge (no sort when the file came in
SIRET order, as INSEE's does). On PostgreSQL dropping an index locks the table for
readers too until the import commits (a first load also locks the tables pointing to
organisations): this happens on a first, large load, not on monthly refreshes.
"""

# SQL here is assembled from this module's constants (table and column names); values
# are always bound as parameters.
# ruff: noqa: S608

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.copy import QueuedLibpqWriter

from ptce.actors.importers.sirene_read import PROVISIONAL_NAME
from ptce.actors.models import Establishment, Organisation
from ptce.territories.names import normalize

BULK_MIN_ROWS: Final = 50_000
# SQLite page cache while writing organisations: their full-text index (FTS5 triggers)
# writes much faster with it. Sorting index builds runs faster with the default cache.
SQLITE_ORGANISATION_CACHE_KIB: Final = 64 * 1024

ESTABLISHMENTS: Final = "sirene_stage_establishment"
CLASSES: Final = "sirene_stage_class"
LEGAL_UNITS: Final = "sirene_stage_legal_unit"
GEOLOCATION: Final = "sirene_stage_geolocation"

# Staged rows: column -> kind, in table order. A "code" (ASCII: SIREN, SIRET, NAF...) is
# in the "C" collation on PostgreSQL, as the columns it is joined with and written to
# (migration actors 0007): byte comparisons, and the targets' indexes serve the joins.
_CLASSIFIED: Final = {
    "actor_type": "text",
    "ess_family": "text",
    "size_class": "text",
    "reason": "text",
    "search": "text",
}
STAGES: Final[dict[str, dict[str, str]]] = {
    ESTABLISHMENTS: {
        "siret": "code",
        "siren": "code",
        "name": "text",
        "address": "text",
        "code_postal": "text",
        "code_commune": "code",
        "commune_id": "text",
        "departement": "code",
        "lat": "float",
        "lon": "float",
        "precision": "text",
        "naf": "code",
        "tranche": "code",
        "siege": "bool",
        "active": "bool",
        "date_creation": "date",
        "masked": "bool",
        "head": "bool",  # the SIREN's head office (one per SIREN)
        "search": "text",
    },
    CLASSES: {
        "naf": "code",
        "tranche": "code",
        "actor_type": "text",
        "ess_family": "text",
        "size_class": "text",
        "reason": "text",
    },
    LEGAL_UNITS: {
        "siren": "code",
        "name": "text",
        "acronym": "text",
        "categorie_juridique": "code",
        "ess": "bool",
        "societe_mission": "bool",
        "date_creation": "date",
        "active": "bool",
        "tranche": "code",
        "naf": "code",
        "rna": "text",
        "masked": "bool",
        **_CLASSIFIED,
    },
    GEOLOCATION: {"siret": "code", "lat": "float", "lon": "float", "precision": "text"},
}
_TYPES: Final = {
    "sqlite": {"text": "TEXT", "code": "TEXT", "float": "REAL", "bool": "INTEGER", "date": "TEXT"},
    "postgresql": {
        "text": "text",
        "code": 'text COLLATE "C"',
        "float": "double precision",
        "bool": "boolean",
        "date": "date",
    },
}
_INDEXED: Final = {
    ESTABLISHMENTS: ("siret", "siren"),
    CLASSES: ("naf, tranche",),
    LEGAL_UNITS: ("siren",),
    GEOLOCATION: ("siret",),
}


_ANALYZED: Final = {
    ESTABLISHMENTS: ("siret", "siren", "naf", "tranche", "head"),
    CLASSES: ("naf", "tranche"),
    LEGAL_UNITS: ("siren", "actor_type"),
    GEOLOCATION: ("siret",),
}


@dataclass
class Counts:
    """What an upsert did to a table."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class Database:
    """The raw DB-API connection behind Django's, with the few dialect differences."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        if connection.vendor not in _TYPES:
            raise NotImplementedError(f"SIRENE import: unsupported database {connection.vendor}")
        connection.ensure_connection()
        self.vendor: str = connection.vendor
        self.raw: Any = connection.connection
        self.ops = connection.ops

    @property
    def sqlite(self) -> bool:
        return self.vendor == "sqlite"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql.replace("%s", "?") if self.sqlite else sql, params)
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql.replace("%s", "?") if self.sqlite else sql, params)
            row = cursor.fetchone()
            return row[0] if row else None
        finally:
            cursor.close()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql.replace("%s", "?") if self.sqlite else sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def distinct(self, left: str, right: str) -> str:
        """Null-safe "differs" (SQLite's IS NOT predates its IS DISTINCT FROM)."""
        return f"{left} IS NOT {right}" if self.sqlite else f"{left} IS DISTINCT FROM {right}"

    def any_true(self, expression: str) -> str:
        return f"MAX({expression})" if self.sqlite else f"bool_or({expression})"

    def datetime(self, value: Any) -> Any:
        return self.ops.adapt_datetimefield_value(value)

    # -- session settings for a large import

    def tune(self) -> None:
        """Session settings for a large import (PostgreSQL: memory for sorts and index
        builds, for this transaction only)."""
        if not self.sqlite:
            self.execute("SET LOCAL maintenance_work_mem = '512MB'")
            self.execute("SET LOCAL work_mem = '256MB'")

    @contextmanager
    def unmapped(self) -> Iterator[None]:
        """SQLite: no memory-mapped reads during the block (the settings map the file for
        the pages' reads; an import that writes most of the file was measured 12 % slower
        with it, 2 M establishments)."""
        saved = self.value("PRAGMA mmap_size") if self.sqlite else None
        if not saved:  # PostgreSQL, an in-memory database, or not mapped already
            yield
            return
        self.execute("PRAGMA mmap_size = 0")
        try:
            yield
        finally:
            self.execute(f"PRAGMA mmap_size = {int(saved)}")

    @contextmanager
    def page_cache(self, kib: int) -> Iterator[None]:
        """A larger SQLite page cache for the duration of the block."""
        if not self.sqlite:
            yield
            return
        saved = int(self.value("PRAGMA cache_size"))
        self.execute(f"PRAGMA cache_size = -{int(kib)}")
        try:
            yield
        finally:
            self.execute(f"PRAGMA cache_size = {saved}")

    # -- staging

    def create_stages(self) -> None:
        types = _TYPES[self.vendor]
        for name, columns in STAGES.items():
            self.execute(f"DROP TABLE IF EXISTS {name}")
            body = ", ".join(f"{column} {types[kind]}" for column, kind in columns.items())
            suffix = "" if self.sqlite else " ON COMMIT DROP"
            self.execute(f"CREATE TEMPORARY TABLE {name} ({body}){suffix}")

    def drop_stages(self) -> None:
        for name in STAGES:
            self.execute(f"DROP TABLE IF EXISTS {name}")

    def stage(self, name: str, table: pa.Table) -> None:
        """Append rows (a pyarrow table holding at least the stage's columns)."""
        with self.stager(name) as write:
            write(table)

    @contextmanager
    def stager(self, name: str) -> Iterator[Callable[[pa.Table], None]]:
        """A function appending rows to a stage, batch after batch. On PostgreSQL one
        `COPY` stays open for the whole block: the server stores a batch while the next
        one is read and converted here (a `COPY` per batch waits for each to be stored),
        and a queue lets the data go out while this thread works. Nothing else may run
        on the connection meanwhile."""
        columns = list(STAGES[name])
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})"
            cursor = self.raw.cursor()

            def insert(table: pa.Table) -> None:
                values = [table.column(c).to_pylist() for c in columns]
                cursor.executemany(sql, zip(*values, strict=True))

            try:
                yield insert
            finally:
                cursor.close()
            return
        options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        with self.raw.cursor() as cursor:
            copy_sql = f"COPY {name} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
            with cursor.copy(copy_sql, writer=QueuedLibpqWriter(cursor)) as copy:

                def send(table: pa.Table) -> None:
                    buffer = io.BytesIO()
                    pacsv.write_csv(table.select(columns), buffer, options)
                    copy.write(buffer.getbuffer())

                yield send

    def index_stages(self) -> None:
        for name, columns in _INDEXED.items():
            for number, column in enumerate(columns):
                self.execute(f"CREATE INDEX {name}_{number} ON {name} ({column})")
            if not self.sqlite:
                # Statistics of the columns joined or filtered on: enough for the plans.
                self.execute(f"ANALYZE {name} ({', '.join(_ANALYZED[name])})")

    def count(self, name: str) -> int:
        return int(self.value(f"SELECT COUNT(*) FROM {name}"))

    # -- secondary indexes of a target table

    def table_size(self, table: str) -> int:
        if not self.sqlite:
            estimate = self.value(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table]
            )
            if estimate is not None and estimate >= 0:
                return int(estimate)
        return int(self.value(f"SELECT COUNT(*) FROM {table}"))

    def drop_secondary_indexes(self, table: str, *, everything: bool = False) -> list[str]:
        """Drop the non-unique indexes of `table` (and, on PostgreSQL, its foreign keys:
        checking them row by row costs more than validating them once); the statements
        that rebuild them, in order.

        `everything` (PostgreSQL, for an empty table): its primary key and unique
        constraints too, and the foreign keys of other tables that point to it (they hold
        no reference to an empty table, so putting them back only checks their nulls).
        Keeping a B-tree up to date row by row costs about three times building it once
        at the end (1 M establishments: 3.5 s for the primary key, 3.8 s for the SIRET,
        against 0.8 s and 1.7 s to build them); uniqueness is checked by the rebuild, and
        a duplicate fails the import as a whole."""
        if self.sqlite:
            found = self.rows(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND upper(sql) NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
            for name, _ in found:
                self.execute(f'DROP INDEX "{name}"')
            return [sql for _, sql in found]
        indexes = self.rows(
            "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            + ("" if everything else "AND NOT i.indisunique AND NOT i.indisprimary ")
            + "ORDER BY c.relname",
            [table],
        )
        kinds = "('p', 'u')" if everything else "('-')"
        keys = self.rows(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
            f"CASE WHEN contype IN {kinds} THEN 0 WHEN conrelid = %s::regclass THEN 1 "
            "ELSE 2 END AS step FROM pg_constraint "
            f"WHERE (conrelid = %s::regclass AND (contype = 'f' OR contype IN {kinds})) "
            + ("OR (confrelid = %s::regclass AND contype = 'f') " if everything else "")
            + "ORDER BY step, conname",
            [table, table, table] if everything else [table, table],
        )
        # Pending checks of deferred foreign keys (rows written earlier in the transaction)
        # forbid altering the tables: run them now, then go back to Django's mode.
        self.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for owner, name, _, _ in sorted(keys, key=lambda k: -k[3]):  # referencing FKs first
            self.execute(f'ALTER TABLE {owner} DROP CONSTRAINT "{name}"')
        self.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _ in indexes:
            self.execute(f'DROP INDEX "{name}"')
        rebuild = [
            f'ALTER TABLE {owner} ADD CONSTRAINT "{name}" {definition}'
            for owner, name, definition, step in keys
            if step == 0
        ]
        rebuild += [sql for _, sql in indexes]
        return rebuild + [
            f'ALTER TABLE {owner} ADD CONSTRAINT "{name}" {definition}'
            for owner, name, definition, step in keys
            if step > 0
        ]

    def rebuild_indexes(self, statements: Sequence[str]) -> None:
        if not statements:
            return
        if not self.sqlite:
            # PostgreSQL refuses to build an index while deferred foreign-key checks are
            # pending (rows written earlier in the transaction): run them now, then go
            # back to Django's mode (its foreign keys are INITIALLY DEFERRED).
            self.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            self.execute(sql)
        if not self.sqlite:
            self.execute("SET CONSTRAINTS ALL DEFERRED")


def _bulk(db: Database, table: str, inserting: int) -> bool:
    return inserting >= BULK_MIN_ROWS and inserting * 4 >= db.table_size(table)


@contextmanager
def _bulk_mode(db: Database, table: str, inserting: int) -> Iterator[None]:
    """Secondary indexes dropped during the block and rebuilt after, for a large load.

    SQLite's FTS5 index of organisations stays fed by its trigger: feeding it in one
    statement after the load was measured slower at 2 M establishments (4.2 s more for
    the organisations, and the establishments 3.5 s slower: re-reading the new rows
    doubles what the transaction pushes through the WAL, whose page lookups slow down)."""
    rebuild: list[str] = []
    if _bulk(db, table, inserting):
        everything = not db.sqlite and _empty(db, table)
        rebuild = db.drop_secondary_indexes(table, everything=everything)
    yield
    db.rebuild_indexes(rebuild)
    if not db.sqlite and rebuild:  # the next statements join this table: fresh statistics
        db.execute(f"ANALYZE {table}")


ORG: Final = Organisation._meta.db_table
EST: Final = Establishment._meta.db_table


def lock_targets(db: Database) -> None:
    """PostgreSQL: no other transaction writes organisations or establishments until this
    one ends (readers go on), so new rows can be inserted without ON CONFLICT's
    speculative insertion and what is counted as new stays new. SQLite has one writer."""
    if not db.sqlite:
        db.execute(f'LOCK TABLE "{ORG}", "{EST}" IN SHARE ROW EXCLUSIVE MODE')


@dataclass(frozen=True)
class Upsert:
    """The two statements that bring `table` in line with a staged source: insert the new
    rows, then `INSERT ... ON CONFLICT DO UPDATE` the rows that differ. Columns of
    `guarded` keep their value when the stored row's `guard` column is true."""

    table: str
    key: str  # the unique column, and its expression in the source
    key_source: str
    source: str  # FROM ... [JOIN ...], without WHERE
    values: tuple[tuple[str, str], ...]
    guarded: tuple[tuple[str, str], ...] = ()
    guard: str = ""
    insert_only: tuple[tuple[str, str], ...] = ()
    # Rows inserted in key order fill the unique index's B-tree from its right edge (both
    # databases): in join order, once the index outgrows the cache, each insertion reads
    # and dirties a random page (PostgreSQL, 1 M establishments: 5.3 s instead of 10.9 s).
    order: str = ""

    def _columns(self) -> list[tuple[str, str]]:
        return [(self.key, self.key_source), *self.values, *self.guarded, *self.insert_only]

    def insert_new(self, db: Database, *, in_order: bool = False, first: bool = False) -> str:
        """`in_order`: the source comes in key order already (no sort needed); `first`: the
        table is empty, so no "already there" test (PostgreSQL's planner, seeing an empty
        table without its keys, would re-scan for every row the rows the statement itself
        inserts: quadratic, a 2 M-row first load never ended)."""
        columns = self._columns()
        exists = (
            "TRUE"
            if first
            else f"NOT EXISTS (SELECT 1 FROM {self.table} cur WHERE cur.{self.key} = {self.key_source})"
        )
        return (
            f"INSERT INTO {self.table} ({', '.join(c for c, _ in columns)}) "
            f"SELECT {', '.join(e for _, e in columns)} {self.source} "
            f"WHERE {exists} {'' if in_order else self.order}"
        )

    def update_changed(self, db: Database) -> str:
        columns = self._columns()

        def changed(stored: str, new: dict[str, str]) -> str:
            plain = [db.distinct(f"{stored}.{c}", new[c]) for c, _ in self.values]
            guarded = [
                f"(NOT {stored}.{self.guard} AND {db.distinct(f'{stored}.{c}', new[c])})"
                for c, _ in self.guarded
            ]
            return " OR ".join(plain + guarded)

        staged = dict(columns)
        excluded = {c: f"excluded.{c}" for c, _ in columns}
        assignments = [f"{c} = excluded.{c}" for c, _ in self.values] + [
            f"{c} = CASE WHEN t.{self.guard} THEN t.{c} ELSE excluded.{c} END"
            for c, _ in self.guarded
        ]
        return (
            f"INSERT INTO {self.table} AS t ({', '.join(c for c, _ in columns)}) "
            f"SELECT {', '.join(e for _, e in columns)} {self.source} "
            f"JOIN {self.table} cur ON cur.{self.key} = {self.key_source} "
            f"WHERE {changed('cur', staged)} "
            f"ON CONFLICT ({self.key}) DO UPDATE SET {', '.join(assignments)}, "
            f"updated_at = excluded.updated_at WHERE {changed('t', excluded)}"
        )

    def run(
        self, db: Database, now: Any, staged: int, inserting: int, *, in_order: bool = False
    ) -> Counts:
        """Insert the `inserting` new rows, update the changed ones among the others."""
        stamp = db.datetime(now)
        first = inserting == staged and _empty(db, self.table)
        insert = self.insert_new(db, in_order=in_order, first=first)
        update = self.update_changed(db)
        with _bulk_mode(db, self.table, inserting):
            inserted = db.execute(insert, [stamp] * insert.count("%s")) if inserting else 0
        updated = 0
        if staged > inserting:
            updated = db.execute(update, [stamp] * update.count("%s"))
        return Counts(inserted=inserted, updated=updated, unchanged=staged - inserted - updated)


def _empty(db: Database, table: str) -> bool:
    return db.value(f"SELECT 1 FROM {table} LIMIT 1") is None


def _new_rows(db: Database, stage: str, table: str, key: str) -> int:
    if _empty(db, table):  # a first load: every staged row is new
        return db.count(stage)
    return int(
        db.value(
            f"SELECT COUNT(*) FROM {stage} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} cur WHERE cur.{key} = s.{key})"
        )
    )


# --------------------------------------------------------------------------- organisations

_NOW: Final = "%s"  # every parameter of the upserts is the import's timestamp
_ORG_INSERT_ONLY: Final = (
    ("website", "''"),
    ("actor_type_override", "false"),
    ("source", "'sirene'"),
    ("visibility", "'public'"),
    ("created_at", _NOW),
    ("updated_at", _NOW),
)
ORGANISATIONS: Final = Upsert(
    table=ORG,
    key="siren",
    key_source="u.siren",
    source=(f"FROM {LEGAL_UNITS} u LEFT JOIN {ESTABLISHMENTS} h ON h.siren = u.siren AND h.head"),
    values=(
        ("name", "u.name"),
        ("acronym", "u.acronym"),
        ("categorie_juridique", "u.categorie_juridique"),
        ("ess", "u.ess"),
        ("societe_mission", "u.societe_mission"),
        ("date_creation", "u.date_creation"),
        ("active", "u.active"),
        ("tranche_effectifs", "u.tranche"),
        ("naf", "u.naf"),
        ("rna", "u.rna"),
        ("partially_diffusible", "u.masked"),
        (
            "search_text",
            "CASE WHEN h.search IS NULL OR h.search = '' OR h.search = u.search THEN u.search "
            "WHEN u.search = '' THEN h.search ELSE u.search || ' ' || h.search END",
        ),
    ),
    guarded=(
        ("actor_type", "u.actor_type"),
        ("ess_family", "u.ess_family"),
        ("size_class", "u.size_class"),
        ("classification_reason", "u.reason"),
    ),
    guard="actor_type_override",
    insert_only=_ORG_INSERT_ONLY,
    order="ORDER BY u.siren",
)


def upsert_organisations(db: Database, now: Any) -> Counts:
    """Organisations from the legal units stage."""
    return ORGANISATIONS.run(
        db, now, db.count(LEGAL_UNITS), _new_rows(db, LEGAL_UNITS, ORG, "siren")
    )


def _provisional(
    name: str,
    search: str,
    classified: str,
    where: str,
    source: str,
    order: str,
    *,
    existing: bool = True,
) -> str:
    """`existing=False`: the organisations table is empty, so no "already there" test (on
    PostgreSQL its planner, seeing an empty table, would re-scan the rows the statement itself
    inserts for every row: quadratic on a first load)."""
    exists = f"NOT EXISTS (SELECT 1 FROM {ORG} o WHERE o.siren = s.siren)" if existing else "TRUE"
    return (
        f"INSERT INTO {ORG} (siren, name, acronym, categorie_juridique, ess, societe_mission, "
        "date_creation, active, tranche_effectifs, naf, rna, partially_diffusible, actor_type, "
        "ess_family, size_class, classification_reason, search_text, website, "
        "actor_type_override, source, visibility, created_at, updated_at) "
        f"SELECT s.siren, {name}, '', '', NULL, NULL, NULL, {classified}, {search}, "
        f"'', false, 'sirene', 'public', %s, %s {source} WHERE {exists} {where} {order}"
    )


def insert_provisional_organisations(
    db: Database, now: Any, generic: Any, *, in_order: bool = False
) -> int:
    """Organisations for kept SIRENs without a legal unit: the head office's name, else
    "Unité légale <siren>" (classified as `generic`). Existing organisations are kept as
    they are. Returns how many were created. `in_order`: the establishments were staged
    in SIRET order (so in SIREN order too): the head offices need no sort."""
    missing = (
        f"SELECT COUNT(*) FROM (SELECT DISTINCT siren FROM {ESTABLISHMENTS} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {ORG} o WHERE o.siren = s.siren)) missing"
    )
    first = _empty(db, ORG)
    if first:  # a first load: the staged SIRENs are all missing
        missing = f"SELECT COUNT(DISTINCT siren) FROM {ESTABLISHMENTS}"
    inserting = int(db.value(missing))
    if inserting == 0:
        return 0
    stamp = db.datetime(now)
    heads = _provisional(
        name="CASE WHEN s.name = '' THEN %s || s.siren ELSE s.name END",
        search="CASE WHEN s.search = '' THEN %s || s.siren ELSE s.search END",
        classified=(
            "s.active, s.tranche, s.naf, '', s.masked, c.actor_type, c.ess_family, "
            "c.size_class, c.reason"
        ),
        source=(
            f"FROM {ESTABLISHMENTS} s JOIN {CLASSES} c ON c.naf = s.naf AND c.tranche = s.tranche"
        ),
        where=f"AND s.head AND NOT EXISTS (SELECT 1 FROM {LEGAL_UNITS} u WHERE u.siren = s.siren)",
        order="" if in_order else "ORDER BY s.siren",
        existing=not first,
    )
    others = _provisional(
        name="%s || s.siren",
        search="%s || s.siren",
        classified=(
            f"{db.any_true('s.active')}, '', '', '', {db.any_true('s.masked')}, %s, %s, %s, %s"
        ),
        source=f"FROM {ESTABLISHMENTS} s",
        where="GROUP BY s.siren",
        order="ORDER BY s.siren",
    )
    name, key = f"{PROVISIONAL_NAME} ", f"{normalize(PROVISIONAL_NAME)} "
    labels = [generic.actor_type, generic.ess_family, generic.size_class, generic.reason]
    with _bulk_mode(db, ORG, inserting):
        created = db.execute(heads, [name, key, stamp, stamp])
        if not db.sqlite:  # the planner must know the head offices are there (hash anti-join)
            db.execute(f"ANALYZE {ORG} (siren)")
        created += db.execute(others, [name, *labels, key, stamp, stamp])
    return created


# -------------------------------------------------------------------------- establishments

ESTABLISHMENT_UPSERT: Final = Upsert(
    table=EST,
    key="siret",
    key_source="s.siret",
    source=(
        f"FROM {ESTABLISHMENTS} s JOIN {ORG} o ON o.siren = s.siren "
        f"LEFT JOIN {GEOLOCATION} g ON g.siret = s.siret"
    ),
    values=(
        ("organisation_id", "o.id"),
        ("name", "s.name"),
        ("address", "s.address"),
        ("code_postal", "s.code_postal"),
        ("code_commune", "s.code_commune"),
        ("commune_id", "s.commune_id"),
        ("departement", "s.departement"),
        ("lat", "COALESCE(g.lat, s.lat)"),
        ("lon", "COALESCE(g.lon, s.lon)"),
        ("precision", "COALESCE(g.precision, s.precision)"),
        ("naf", "s.naf"),
        ("tranche_effectifs", "s.tranche"),
        ("siege", "s.siege"),
        ("active", "s.active"),
        ("date_creation", "s.date_creation"),
    ),
    insert_only=(("source", "'sirene'"), ("updated_at", _NOW)),
    order="ORDER BY s.siret",
)


def upsert_establishments(db: Database, now: Any, *, in_order: bool = False) -> Counts:
    """Establishments from their stage; `in_order`: staged in SIRET order already."""
    return ESTABLISHMENT_UPSERT.run(
        db,
        now,
        db.count(ESTABLISHMENTS),
        _new_rows(db, ESTABLISHMENTS, EST, "siret"),
        in_order=in_order,
    )


# ----------------------------------------------------------------------------- filters


def keep_ess_only(db: Database) -> None:
    """Keep the establishments of ESS legal units only (per the classification)."""
    db.execute(f"DELETE FROM {LEGAL_UNITS} WHERE actor_type <> 'ess'")
    db.execute(
        f"DELETE FROM {ESTABLISHMENTS} WHERE NOT EXISTS "
        f"(SELECT 1 FROM {LEGAL_UNITS} u WHERE u.siren = {ESTABLISHMENTS}.siren)"
    )
