from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OptimiserConfig(AppConfig):
    name = "shared_apps.optimiser"
    label = "optimiser"
    verbose_name = _("Meal-plan optimiser")
