from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("riders", "0001_initial"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "riders_trip": ["id"],
                "riders_rider": ["id"],
            },
        ),
    ]
