"""Hand-written, keep when regenerating migrations: a database-level guard that makes
check-ins append-only. UPDATE is refused on every database; DELETE is refused on
PostgreSQL (on SQLite, test teardown empties tables with DELETE, so only UPDATE there;
PostgreSQL's flush uses TRUNCATE, which row triggers do not see)."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION objectives_checkin_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Check-ins are append-only: record a new check-in instead.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER objectives_checkin_no_update BEFORE UPDATE OR DELETE ON objectives_checkin
    FOR EACH ROW EXECUTE FUNCTION objectives_checkin_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS objectives_checkin_no_update ON objectives_checkin;
DROP FUNCTION IF EXISTS objectives_checkin_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER objectives_checkin_no_update BEFORE UPDATE ON objectives_checkin
BEGIN
    SELECT RAISE(ABORT, 'Check-ins are append-only: record a new check-in instead.');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS objectives_checkin_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("objectives", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
