"""Full-text search on organisation names: SQLite FTS5 or a PostgreSQL GIN index.

Both index `search_text`, the accent-free normalised name kept by services and importers.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE actors_organisation_fts USING fts5("
    "search_text, content='actors_organisation', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER actors_organisation_fts_ai AFTER INSERT ON actors_organisation BEGIN "
    "INSERT INTO actors_organisation_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER actors_organisation_fts_ad AFTER DELETE ON actors_organisation BEGIN "
    "INSERT INTO actors_organisation_fts(actors_organisation_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER actors_organisation_fts_au AFTER UPDATE OF search_text ON actors_organisation "
    "BEGIN INSERT INTO actors_organisation_fts(actors_organisation_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO actors_organisation_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO actors_organisation_fts(actors_organisation_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS actors_organisation_fts_ai",
    "DROP TRIGGER IF EXISTS actors_organisation_fts_ad",
    "DROP TRIGGER IF EXISTS actors_organisation_fts_au",
    "DROP TABLE IF EXISTS actors_organisation_fts",
]
POSTGRES_UP = [
    "CREATE INDEX actors_organisation_search_gin ON actors_organisation "
    "USING gin (to_tsvector('simple', search_text))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS actors_organisation_search_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("actors", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
