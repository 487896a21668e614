from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "tenant_apps.disclosure"
    label = "disclosure"
    verbose_name = _("Public disclosure")
