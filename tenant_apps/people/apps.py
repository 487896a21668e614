from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "tenant_apps.people"
    label = "people"
    verbose_name = _("Students and staff")
