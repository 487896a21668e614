from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "shared_apps.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals

        from shared_apps.audit import capture
        from shared_apps.audit.checks import trail_check

        auth_signals.user_logged_in.connect(capture.on_login, dispatch_uid="audit_login")
        auth_signals.user_login_failed.connect(capture.on_login_failed, dispatch_uid="audit_fail")
        auth_signals.user_logged_out.connect(capture.on_logout, dispatch_uid="audit_logout")
        # A deployment check: `migrate` runs the database checks, and must run before the trail
        # exists; the web and worker processes run the deployment ones too (houqin.startup).
        checks.register(trail_check, checks.Tags.database, deploy=True)
