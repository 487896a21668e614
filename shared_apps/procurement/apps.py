from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def signing_key_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """The district's key that signs tender keys is there and well formed, at start rather than
    at the first publication."""
    from shared_apps.procurement.tender_keys import district_signing_key

    try:
        district_signing_key()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="procurement.E001")]
    return []


class ProcurementConfig(AppConfig):
    name = "shared_apps.procurement"
    label = "procurement"
    verbose_name = _("Unified procurement")

    def ready(self) -> None:
        from shared_apps.audit.sealed import seal_trail

        # Registers the tenders' signal rules in signals.py's registry.
        # Registers the supply rules (orders outside contracts, prices above the reference)
        # in the auditors' signal registry.
        from shared_apps.procurement import (
            supply_rules,  # noqa: F401
            tender_rules,  # noqa: F401
        )
        from shared_apps.procurement.models import Bid
        from shared_apps.procurement.selectors.tenders import unopened_bid_list

        # Who bid, and how many did, stays out of the auditors' trail until the opening too.
        seal_trail(Bid, unopened_bid_list)
        checks.register(signing_key_check)
