from django.db import migrations

from shared_apps.audit.triggers import AUDIT_FUNCTION_SQL


class Migration(migrations.Migration):
    """The trail's functions run as their owner (SECURITY DEFINER) with a fixed search_path: the
    application's role may no longer insert trail rows itself. A new migration also brings every
    school to a new fingerprint, so the next release re-wires every school's triggers with the
    redaction of every binary column."""

    dependencies = [("audit", "0003_sealed_item_read")]

    operations = [migrations.RunSQL(AUDIT_FUNCTION_SQL, reverse_sql=migrations.RunSQL.noop)]
