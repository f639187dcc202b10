"""No double booking, decided by PostgreSQL: exclusion constraints on time ranges (btree_gist).

A room never holds two active streams whose [planned_start, blocked_until) ranges overlap
(blocked_until includes the base's changeover buffer), and a host never hosts two active streams
whose [planned_start, planned_end) ranges overlap. Other databases (the SQLite first look) skip
this; the service's own check gives the clear message on every database.
"""

from django.db import migrations

ACTIVE = "status IN ('scheduled', 'live')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE livestreams_livestream ADD CONSTRAINT stream_room_no_overlap "
    "EXCLUDE USING gist (room_id WITH =, tstzrange(planned_start, blocked_until, '[)') WITH &&) "
    f"WHERE (room_id IS NOT NULL AND {ACTIVE})",
    "ALTER TABLE livestreams_livestream ADD CONSTRAINT stream_host_no_overlap "
    "EXCLUDE USING gist (host_id WITH =, tstzrange(planned_start, planned_end, '[)') WITH &&) "
    f"WHERE (host_id IS NOT NULL AND {ACTIVE})",
]
BACKWARD = [
    "ALTER TABLE livestreams_livestream DROP CONSTRAINT IF EXISTS stream_host_no_overlap",
    "ALTER TABLE livestreams_livestream DROP CONSTRAINT IF EXISTS stream_room_no_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("livestreams", "0004_blocked_until_required")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
