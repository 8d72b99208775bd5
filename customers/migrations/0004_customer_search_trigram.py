"""Customer search at 100,000 customers (PostgreSQL only; a no-op on SQLite).

The customer list searches with `icontains` on name, external reference, e-mail and
phone, which Django writes as `UPPER(col) LIKE UPPER('%q%')`. A B-tree cannot serve a
leading wildcard; trigram GIN indexes on `UPPER(col)` can, so the four conditions become
one BitmapOr of index scans instead of a sequential scan. SQLite (the embedded default)
has no pg_trgm; there the search stays a scan, which is fine at its scale.
"""

from django.db import migrations

COLUMNS = ["name", "external_ref", "email", "phone"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        # Customer list search: icontains on this column.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm_idx ON customers_customer "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS customer_{column}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ('customers', '0003_crm'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
