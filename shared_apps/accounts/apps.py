from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shared_apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth import signals

        from houqin import duties, permissions
        from shared_apps.accounts import backups, invalidation, selectors, signin
        from shared_apps.audit import readable
        from tenants.backups import DistrictRows, keep_in_backups

        # The core's permission checks and separation of duties read the memberships here.
        permissions.role_names_from(selectors.role_names_for)
        # Tokens and roles are cached between requests until one of them changes.
        invalidation.connect_invalidation()
        duties.delegations_from(selectors.holds_through)
        # The audit trail names the people it records.
        readable.people_from(named=selectors.people_named, matching=selectors.people_matching)
        # A school's backup keeps its memberships.
        keep_in_backups(
            "memberships",
            DistrictRows(dump=backups.school_memberships, load=backups.school_memberships_restore),
        )
        signals.user_login_failed.connect(signin.on_signin_failed, dispatch_uid="signin_failed")
        signals.user_logged_in.connect(signin.on_signed_in, dispatch_uid="signin_known_device")
