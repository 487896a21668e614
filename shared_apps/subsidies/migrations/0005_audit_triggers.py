from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("subsidies", "0004_supplement_approval"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "subsidies_budget": ["id"],
                "subsidies_budgetsupplement": ["id"],
                "subsidies_claim": ["id"],
                "subsidies_claimevent": ["id"],
                "subsidies_disbursement": ["id"],
                "subsidies_programme": ["id"],
            },
        ),
    ]
