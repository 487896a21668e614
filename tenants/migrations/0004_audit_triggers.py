from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("tenants", "0003_schema_functions"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "tenants_domain": ["id"],
                "tenants_poolschema": ["id"],
                "tenants_schematemplate": ["id", "script"],
                "tenants_school": ["id"],
                "tenants_schoolmigration": ["id"],
            },
        ),
    ]
