# The stored notifications move to merchants (merchants.Notification), kept as a kind and its
# parameters instead of a sentence in one language: each row is carried over with the stream's
# title, start, room and platform, then the old table goes.

from django.db import migrations

COPY = """
INSERT INTO merchants_notification
    (recipient_id, base_id, merchant_id, kind, params, subject_id, created_at, read_at)
SELECT n.recipient_id, m.base_id, n.merchant_id,
       CASE n.kind WHEN 'late' THEN 'stream_late' ELSE 'stream_reminder' END,
       jsonb_build_object(
           'title', s.title,
           'start', to_char(s.planned_start AT TIME ZONE 'UTC',
                            'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
           'place', COALESCE(r.name, ''),
           'platform', s.platform
       ),
       s.id, n.created_at, n.read_at
FROM livestreams_notification n
JOIN livestreams_livestream s ON s.id = n.stream_id
JOIN merchants_merchant m ON m.id = n.merchant_id
LEFT JOIN livestreams_liveroom r ON r.id = s.room_id
ON CONFLICT DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [
        ("livestreams", "0007_crew_bookings_and_one_live"),
        ("merchants", "0005_notification_kinds_and_params"),
    ]

    operations = [
        migrations.RunSQL(COPY, reverse_sql=migrations.RunSQL.noop),
        migrations.DeleteModel(name="Notification"),
    ]
