from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "shared_apps.procurement"
    label = "procurement"
    verbose_name = _("Unified procurement")

    def ready(self) -> None:
        # Registers the tenders' signal rules in signals.py's registry.
        # Registers the supply rules (orders outside contracts, prices above the reference)
        # in the auditors' signal registry.
        from shared_apps.procurement import (
            supply_rules,  # noqa: F401
            tender_rules,  # noqa: F401
        )
