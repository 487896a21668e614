from django.db import migrations

from tenants.provisioning import SCHEMA_FUNCTIONS_SQL


class Migration(migrations.Migration):
    """The functions through which a role that may not create schemas makes a school's schema
    (from the stored template, or by renaming a pool schema), run as the owner of the school
    schemas; only that owner may write the stored template."""

    dependencies = [("tenants", "0002_provisioning")]

    operations = [migrations.RunSQL(SCHEMA_FUNCTIONS_SQL, reverse_sql=migrations.RunSQL.noop)]
