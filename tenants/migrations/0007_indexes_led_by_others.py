from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0006_school_rural'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "tenants_schoolmigration_school_id_3d0b10ee"', reverse_sql=migrations.RunSQL.noop),
    ]
