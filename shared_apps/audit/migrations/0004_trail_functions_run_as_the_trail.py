from django.db import migrations

from shared_apps.audit.triggers import AUDIT_FUNCTION_SQL


class Migration(migrations.Migration):
    """The trail's functions run as their owner (SECURITY DEFINER) with a fixed search_path: the
    application's role may no longer insert trail rows itself. (Every school's triggers are
    re-wired with the new redaction by the same release: the wiring is in the fingerprint.)"""

    dependencies = [("audit", "0003_sealed_item_read")]

    operations = [migrations.RunSQL(AUDIT_FUNCTION_SQL, reverse_sql=migrations.RunSQL.noop)]
