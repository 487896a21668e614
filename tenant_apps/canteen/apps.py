from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanteenConfig(AppConfig):
    name = "tenant_apps.canteen"
    label = "canteen"
    verbose_name = _("Canteen and food safety")
