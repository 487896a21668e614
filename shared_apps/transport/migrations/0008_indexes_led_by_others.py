from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('transport', '0007_route_version_of'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "transport_alarm_vehicle_id_02e205ba"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "transport_fieldtrip_school_id_bd6a3cd2"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "transport_route_version_of_id_a84ffc64"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "transport_seat_run_id_bd838c77"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "transport_stop_route_id_8d2e294c"', reverse_sql=migrations.RunSQL.noop),
    ]
