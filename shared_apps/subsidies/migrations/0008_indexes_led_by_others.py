from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('subsidies', '0007_allowance_stage'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "subsidies_budget_programme_id_3a51d900"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "subsidies_claim_school_id_12e5a2f1"', reverse_sql=migrations.RunSQL.noop),
    ]
