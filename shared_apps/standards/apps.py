from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "shared_apps.standards"
    label = "standards"
    verbose_name = _("Nutrition standards and meal plans")
