from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "tenant_apps.assets"
    label = "assets"
    verbose_name = _("Property and fixed assets")
