"""The name search must use the full-text index of the database (PostgreSQL GIN, SQLite
FTS5): on PostgreSQL it once silently did not, scanning every row."""

import pytest
from django.db import connection

from ptce.actors import directory
from ptce.actors.models import Organisation


@pytest.mark.django_db
def test_name_search_uses_the_full_text_index():
    qs = directory.name_search(Organisation.objects.all(), "jardins partages")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")  # an empty table would be scanned anyway
            plan = qs.explain()
            cursor.execute("SET enable_seqscan = on")
        assert "actors_organisation_search_gin" in plan
    else:
        plan = qs.explain()
        assert "actors_organisation_fts" in plan and "VIRTUAL TABLE" in plan


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL collations")
def test_naf_prefix_filter_uses_the_naf_index():
    """The NAF column is in the "C" collation (migration 0007): its plain B-tree serves
    `LIKE '88.9%'`, which a C.UTF-8 one could not without a pattern index."""
    qs = Organisation.objects.filter(naf__startswith="88.9")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = qs.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "actors_orga_naf_" in plan and "Index Cond" in plan
