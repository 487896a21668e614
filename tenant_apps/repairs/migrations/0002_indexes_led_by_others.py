from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('repairs', '0001_initial'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "repairs_repairrequest_team_id_678e0eed"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "repairs_scorecard_team_id_3accbc4c"', reverse_sql=migrations.RunSQL.noop),
    ]
