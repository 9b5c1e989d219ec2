"""PostgreSQL: the "C" collation on the indexed code columns of organisations and
establishments (SIREN, SIRET, commune and département codes, NAF, legal category, actor
type).

The databases use the C.UTF-8 locale, whose comparisons PostgreSQL 15 makes through
`strcoll`; "C" compares bytes (`memcmp`), which halves the cost of building and searching
these B-trees (a first SIRENE load rebuilds them all). The codes are ASCII, and C.UTF-8
orders ASCII by code point, as "C" does: no order seen by users changes. A plain B-tree in
"C" also serves `LIKE 'prefix%'` (the directory's NAF filter), which a C.UTF-8 one cannot.
Names and searched text keep the database's collation.

Model state is untouched (no `db_collation`: SQLite has no "C" collation). A later
`AlterField` of one of these columns writes `ALTER COLUMN ... TYPE` without COLLATE,
which puts the default collation back: repeat this migration's `collate` after it.
Changing a column's collation rebuilds its indexes, not the table, and drops the column's
statistics, gathered again here."""

from django.db import migrations

COLUMNS = {
    "actors_organisation": ("siren", "categorie_juridique", "naf", "actor_type", "ess_family"),
    "actors_establishment": ("siret", "code_commune", "departement"),
}


def _collate(collation):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        with connection.cursor() as cursor:
            for table, columns in COLUMNS.items():
                changes = []
                for column in columns:
                    cursor.execute(
                        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                        "WHERE attrelid = %s::regclass AND attname = %s AND NOT attisdropped",
                        [table, column],
                    )
                    (sql_type,) = cursor.fetchone()
                    changes.append(
                        f"ALTER COLUMN {quote(column)} TYPE {sql_type} COLLATE {quote(collation)}"
                    )
                # One statement per table: its indexes are rebuilt once.
                cursor.execute(f"ALTER TABLE {quote(table)} {', '.join(changes)}")
                # Changing a column's collation drops its statistics: without them the
                # planner guesses (e.g. a hash join where an index lookup was chosen).
                cursor.execute(f"ANALYZE {quote(table)} ({', '.join(quote(c) for c in columns)})")

    return run


class Migration(migrations.Migration):
    dependencies = [("actors", "0006_drop_pattern_indexes")]

    operations = [migrations.RunPython(_collate("C"), _collate("default"))]
