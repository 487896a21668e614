from django.apps import AppConfig


class HouqinConfig(AppConfig):
    name = "houqin"
    verbose_name = "Houqin"

    def ready(self) -> None:
        from houqin.api.fields import build_model_fields_once

        build_model_fields_once()
