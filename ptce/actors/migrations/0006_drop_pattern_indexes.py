"""PostgreSQL: drop the `varchar_pattern_ops` indexes Django adds next to the indexes of
`Organisation.siren`, `Establishment.siret` and `Establishment.code_commune`. They serve
only `LIKE 'prefix%'` lookups, which nothing makes on these columns (equality uses the
plain indexes), and each costs a sort of the table on every large SIRENE import (about
2 s per million establishments, measured)."""

from django.db import migrations

COLUMNS = (
    ("actors_organisation", "siren"),
    ("actors_establishment", "siret"),
    ("actors_establishment", "code_commune"),
)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_opclass o ON o.oid = i.indclass[0] "
                "WHERE i.indrelid = %s::regclass AND i.indnatts = 1 "
                "AND o.opcname IN ('varchar_pattern_ops', 'text_pattern_ops') "
                "AND pg_get_indexdef(i.indexrelid, 1, true) = %s",
                [table, column],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in COLUMNS:
            name = schema_editor._create_index_name(table, [column], suffix="_like")
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):
    dependencies = [("actors", "0005_fewer_establishment_indexes")]

    operations = [migrations.RunPython(drop, restore)]
