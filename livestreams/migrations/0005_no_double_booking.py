"""No double booking, decided by PostgreSQL: exclusion constraints on time ranges (btree_gist).

A room never holds two active streams whose [planned_start, blocked_until) ranges overlap
(blocked_until includes the base's changeover buffer), and a host never hosts two active streams
whose [planned_start, planned_end) ranges overlap. The service's own check gives the clear
message; these stop two racing requests that both passed it.

Written as raw SQL at first; 0006 replaces them with the model's ExclusionConstraints (same
names), so this migration stays as it ran on existing databases.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

ACTIVE = "status IN ('scheduled', 'live')"

FORWARD = [
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


class Migration(migrations.Migration):
    dependencies = [("livestreams", "0004_blocked_until_required")]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS: a no-op where the raw version of this migration ran.
        BtreeGistExtension(),
        migrations.RunSQL(FORWARD, BACKWARD, elidable=False),
    ]
