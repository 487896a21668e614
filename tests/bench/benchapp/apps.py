from django.apps import AppConfig


class BenchAppConfig(AppConfig):
    """A school app that exists only in benchmarks: its second migration adds one column, the
    release that `migrate_add_column_all` measures."""

    name = "tests.bench.benchapp"
    label = "benchapp"
    default_auto_field = "django.db.models.BigAutoField"
