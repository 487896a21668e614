from django.apps import AppConfig


class HouqinConfig(AppConfig):
    name = "houqin"
    verbose_name = "Houqin"
