from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on the tables of this app, and on those of the apps that do not
    wire their own: Django's, the libraries' and the platform's (each where its app is
    installed: guardian's in the centre and in every school)."""

    dependencies = [
        ("audit", "0005_token_revoked"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("axes", "0010_accessattemptexpiration"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("houqin", "0001_idempotency"),
    ]

    operations = [
        AuditTriggers(
            {
                "audit_finding": ["id"],
            },
        ),
        AuditTriggers(
            {
                "django_content_type": ["id"],
            },
            app_label="contenttypes",
        ),
        AuditTriggers(
            {
                "auth_group": ["id"],
                "auth_group_permissions": ["id"],
                "auth_permission": ["id"],
            },
            app_label="auth",
        ),
        AuditTriggers(
            {
                "django_admin_log": ["id"],
            },
            app_label="admin",
        ),
        AuditTriggers(
            {
                "axes_accessattempt": ["id"],
                "axes_accessattemptexpiration": ["access_attempt_id"],
                "axes_accessfailurelog": ["id"],
                "axes_accesslog": ["id"],
            },
            app_label="axes",
        ),
        AuditTriggers(
            {
                "guardian_groupobjectpermission": ["id"],
                "guardian_userobjectpermission": ["id"],
            },
            app_label="guardian",
        ),
        AuditTriggers(
            {
                "houqin_idempotencyrecord": ["id"],
            },
            app_label="houqin",
        ),
    ]
