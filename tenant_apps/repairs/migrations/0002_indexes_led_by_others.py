import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('repairs', '0001_initial'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='repairrequest',
                    name='team',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='repairs.team'),
                ),
                migrations.AlterField(
                    model_name='scorecard',
                    name='team',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='scorecards', to='repairs.team'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "repairs_repairrequest_team_id_678e0eed"',
                    reverse_sql='CREATE INDEX "repairs_repairrequest_team_id_678e0eed" ON "repairs_repairrequest" ("team_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "repairs_scorecard_team_id_3accbc4c"',
                    reverse_sql='CREATE INDEX "repairs_scorecard_team_id_3accbc4c" ON "repairs_scorecard" ("team_id")',
                ),
            ],
        ),
    ]
