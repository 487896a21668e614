import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('subsidies', '0007_allowance_stage'),
        ('tenants', '0007_indexes_led_by_others'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='budget',
                    name='programme',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='budgets', to='subsidies.programme'),
                ),
                migrations.AlterField(
                    model_name='claim',
                    name='school',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='subsidy_claims', to='tenants.school'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "subsidies_budget_programme_id_3a51d900"',
                    reverse_sql='CREATE INDEX "subsidies_budget_programme_id_3a51d900" ON "subsidies_budget" ("programme_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "subsidies_claim_school_id_12e5a2f1"',
                    reverse_sql='CREATE INDEX "subsidies_claim_school_id_12e5a2f1" ON "subsidies_claim" ("school_id")',
                ),
            ],
        ),
    ]
