from django.db import migrations

from shared_apps.audit.triggers import AUDIT_FUNCTION_SQL, GUARD_SQL


class Migration(migrations.Migration):
    """The trigger functions that write the trail, and the guards that keep it append-only. The
    trail is handed to its own role by deploy/postgres/trail_ownership.sql, run by a superuser."""

    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunSQL(
            AUDIT_FUNCTION_SQL
            + GUARD_SQL.format(table="audit_change")
            + GUARD_SQL.format(table="audit_securityevent"),
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
