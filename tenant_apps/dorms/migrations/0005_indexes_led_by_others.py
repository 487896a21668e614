import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dorms', '0004_door_events_time_index'),
        ('people', '0005_district_references'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='bed',
                    name='room',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='beds', to='dorms.room'),
                ),
                migrations.AlterField(
                    model_name='doorevent',
                    name='student',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.student'),
                ),
                migrations.AlterField(
                    model_name='feecharge',
                    name='student',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.student'),
                ),
                migrations.AlterField(
                    model_name='floor',
                    name='building',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='floors', to='dorms.building'),
                ),
                migrations.AlterField(
                    model_name='inspection',
                    name='room',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='inspections', to='dorms.room'),
                ),
                migrations.AlterField(
                    model_name='rollcallentry',
                    name='roll_call',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='dorms.rollcall'),
                ),
                migrations.AlterField(
                    model_name='room',
                    name='floor',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='rooms', to='dorms.floor'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "dorms_bed_room_id_c4cd914d"',
                    reverse_sql='CREATE INDEX "dorms_bed_room_id_c4cd914d" ON "dorms_bed" ("room_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "dorms_doorevent_student_id_10d492fe"',
                    reverse_sql='CREATE INDEX "dorms_doorevent_student_id_10d492fe" ON "dorms_doorevent" ("student_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "dorms_feecharge_student_id_b6014be3"',
                    reverse_sql='CREATE INDEX "dorms_feecharge_student_id_b6014be3" ON "dorms_feecharge" ("student_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "dorms_floor_building_id_24ac471e"',
                    reverse_sql='CREATE INDEX "dorms_floor_building_id_24ac471e" ON "dorms_floor" ("building_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "dorms_inspection_room_id_ec0f7bce"',
                    reverse_sql='CREATE INDEX "dorms_inspection_room_id_ec0f7bce" ON "dorms_inspection" ("room_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "dorms_rollcallentry_roll_call_id_41e2a566"',
                    reverse_sql='CREATE INDEX "dorms_rollcallentry_roll_call_id_41e2a566" ON "dorms_rollcallentry" ("roll_call_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "dorms_room_floor_id_24bf5a48"',
                    reverse_sql='CREATE INDEX "dorms_room_floor_id_24bf5a48" ON "dorms_room" ("floor_id")',
                ),
            ],
        ),
    ]
