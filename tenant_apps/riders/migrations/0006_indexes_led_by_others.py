import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('riders', '0005_escort_swap_terminals'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='alarm',
                    name='trip',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='alarms', to='riders.trip'),
                ),
                migrations.AlterField(
                    model_name='checkitem',
                    name='trip',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='riders.trip'),
                ),
                migrations.AlterField(
                    model_name='escort',
                    name='trip',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='escorts', to='riders.trip'),
                ),
                migrations.AlterField(
                    model_name='passage',
                    name='trip',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='passages', to='riders.trip'),
                ),
                migrations.AlterField(
                    model_name='rider',
                    name='trip',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='riders', to='riders.trip'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "riders_alarm_trip_id_1fff799d"',
                    reverse_sql='CREATE INDEX "riders_alarm_trip_id_1fff799d" ON "riders_alarm" ("trip_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "riders_checkitem_trip_id_d8d2fec6"',
                    reverse_sql='CREATE INDEX "riders_checkitem_trip_id_d8d2fec6" ON "riders_checkitem" ("trip_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "riders_escort_trip_id_6b53407c"',
                    reverse_sql='CREATE INDEX "riders_escort_trip_id_6b53407c" ON "riders_escort" ("trip_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "riders_passage_trip_id_ead329ab"',
                    reverse_sql='CREATE INDEX "riders_passage_trip_id_ead329ab" ON "riders_passage" ("trip_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "riders_rider_trip_id_b97bb77d"',
                    reverse_sql='CREATE INDEX "riders_rider_trip_id_b97bb77d" ON "riders_rider" ("trip_id")',
                ),
            ],
        ),
    ]
