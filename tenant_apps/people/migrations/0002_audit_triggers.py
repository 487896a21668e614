from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("people", "0001_initial"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "people_staffmember": ["id"],
                "people_student": ["id", "national_id_ciphertext", "national_id_hash"],
                "people_subsidyeligibility": ["id"],
            },
        ),
    ]
