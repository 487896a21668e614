from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("accounts", "0004_token_expiry_and_revocation"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "accounts_apitoken": ["id", "key_hash"],
                "accounts_membership": ["id"],
                "accounts_user": ["id", "password"],
                "accounts_user_groups": ["id"],
                "accounts_user_user_permissions": ["id"],
            },
        ),
    ]
