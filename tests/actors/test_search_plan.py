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
