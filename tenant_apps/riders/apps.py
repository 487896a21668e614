from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RidersConfig(AppConfig):
    name = "tenant_apps.riders"
    label = "riders"
    verbose_name = _("Bus riders")
