import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('optimiser', '0001_initial'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='proposalentry',
                    name='proposal',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='optimiser.proposal'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "optimiser_proposalentry_proposal_id_703b1f5f"',
                    reverse_sql='CREATE INDEX "optimiser_proposalentry_proposal_id_703b1f5f" ON "optimiser_proposalentry" ("proposal_id")',
                ),
            ],
        ),
    ]
