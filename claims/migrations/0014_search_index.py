"""The full-text index: PostgreSQL tsvector columns with GIN indexes and an unaccent
configuration per language, or SQLite FTS5 tables; triggers keep both up to date.

What it creates is described in ``claims/search_schema.py``, which also puts it back
after any later migration that rebuilt a table (SQLite drops a table's triggers then).
"""

from django.db import migrations


def create(apps, schema_editor):
    from claims import search_schema

    search_schema.ensure(schema_editor.connection)


def drop(apps, schema_editor):
    from claims import search_schema

    search_schema.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("claims", "0013_notes_notifications")]

    operations = [migrations.RunPython(create, drop)]
