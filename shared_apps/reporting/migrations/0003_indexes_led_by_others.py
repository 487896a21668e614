from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0002_school_upkeep'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "reporting_schoolassetcategory_school_id_a85a7074"', reverse_sql=migrations.RunSQL.noop),
    ]
