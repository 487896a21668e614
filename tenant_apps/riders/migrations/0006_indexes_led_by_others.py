from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('riders', '0005_escort_swap_terminals'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "riders_alarm_trip_id_1fff799d"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "riders_checkitem_trip_id_d8d2fec6"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "riders_escort_trip_id_6b53407c"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "riders_passage_trip_id_ead329ab"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "riders_rider_trip_id_b97bb77d"', reverse_sql=migrations.RunSQL.noop),
    ]
