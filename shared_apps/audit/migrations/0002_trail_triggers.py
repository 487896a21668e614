from django.db import migrations

from shared_apps.audit.triggers import AUDIT_FUNCTION_SQL, GUARD_SQL, OWNERSHIP_SQL


class Migration(migrations.Migration):
    """The trigger functions that write the trail, and the guards that keep it append-only."""

    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunSQL(
            AUDIT_FUNCTION_SQL
            + GUARD_SQL.format(table="audit_change")
            + GUARD_SQL.format(table="audit_securityevent")
            + OWNERSHIP_SQL,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
