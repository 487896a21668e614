from django.apps import AppConfig


class DemoDistrictConfig(AppConfig):
    name = "demo_district"
    verbose_name = "The demo district"
