from django.db import migrations

# PostgreSQL only (SQLite has neither pg_trgm nor NULLS FIRST in an index; there this does nothing):
# - the search box's icontains on name/email/company (UPPER(col) LIKE UPPER('%term%')) scans every
#   person without a trigram index;
# - "Last touch" sorts ASC NULLS FIRST / DESC NULLS LAST, which only an index declared that way serves.
CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS my_people_search_trgm ON contacts_contact
    USING gin (UPPER(name) gin_trgm_ops, UPPER(email) gin_trgm_ops, UPPER(company) gin_trgm_ops)
    WHERE archived_at IS NULL AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS my_people_by_last_touch ON contacts_contact (workspace_id, last_touch_at ASC NULLS FIRST, id)
    WHERE archived_at IS NULL AND deleted_at IS NULL;
"""
DROP = "DROP INDEX IF EXISTS my_people_search_trgm; DROP INDEX IF EXISTS my_people_by_last_touch;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0004_list_sort_and_count_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
