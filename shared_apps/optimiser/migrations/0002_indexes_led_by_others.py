from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('optimiser', '0001_initial'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "optimiser_proposalentry_proposal_id_703b1f5f"', reverse_sql=migrations.RunSQL.noop),
    ]
