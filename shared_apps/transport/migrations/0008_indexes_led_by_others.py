import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0007_indexes_led_by_others'),
        ('transport', '0007_route_version_of'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='alarm',
                    name='vehicle',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='alarms', to='transport.vehicle'),
                ),
                migrations.AlterField(
                    model_name='fieldtrip',
                    name='school',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenants.school'),
                ),
                migrations.AlterField(
                    model_name='route',
                    name='version_of',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='later_versions', to='transport.route', verbose_name='version of'),
                ),
                migrations.AlterField(
                    model_name='seat',
                    name='run',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='seats', to='transport.run'),
                ),
                migrations.AlterField(
                    model_name='stop',
                    name='route',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='stops', to='transport.route'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "transport_alarm_vehicle_id_02e205ba"',
                    reverse_sql='CREATE INDEX "transport_alarm_vehicle_id_02e205ba" ON "transport_alarm" ("vehicle_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "transport_fieldtrip_school_id_bd6a3cd2"',
                    reverse_sql='CREATE INDEX "transport_fieldtrip_school_id_bd6a3cd2" ON "transport_fieldtrip" ("school_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "transport_route_version_of_id_a84ffc64"',
                    reverse_sql='CREATE INDEX "transport_route_version_of_id_a84ffc64" ON "transport_route" ("version_of_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "transport_seat_run_id_bd838c77"',
                    reverse_sql='CREATE INDEX "transport_seat_run_id_bd838c77" ON "transport_seat" ("run_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "transport_stop_route_id_8d2e294c"',
                    reverse_sql='CREATE INDEX "transport_stop_route_id_8d2e294c" ON "transport_stop" ("route_id")',
                ),
            ],
        ),
    ]
