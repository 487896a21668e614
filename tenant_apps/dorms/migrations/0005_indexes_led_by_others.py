from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dorms', '0004_door_events_time_index'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "dorms_bed_room_id_c4cd914d"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "dorms_doorevent_student_id_10d492fe"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "dorms_feecharge_student_id_b6014be3"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "dorms_floor_building_id_24ac471e"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "dorms_inspection_room_id_ec0f7bce"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "dorms_rollcallentry_roll_call_id_41e2a566"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "dorms_room_floor_id_24bf5a48"', reverse_sql=migrations.RunSQL.noop),
    ]
