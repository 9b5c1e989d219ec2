"""PostgreSQL: index exactly the expression Django's SearchVector writes
(`to_tsvector('simple'::regconfig, COALESCE(search_text, ''))`), so that the GIN index is
used (the first index, without COALESCE, never was: a sequential scan of every row)."""

from django.db import migrations

UP = [
    "DROP INDEX IF EXISTS actors_organisation_search_gin",
    "CREATE INDEX actors_organisation_search_gin ON actors_organisation "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, ''::text)))",
]
DOWN = [
    "DROP INDEX IF EXISTS actors_organisation_search_gin",
    "CREATE INDEX actors_organisation_search_gin ON actors_organisation "
    "USING gin (to_tsvector('simple', search_text))",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("actors", "0003_establishment_departement_index")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
