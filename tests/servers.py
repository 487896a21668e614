"""The tests' pytest plugin (`-p tests.servers`, pyproject.toml): the embedded PostgreSQL and
Redis the tests' settings run on, started before pytest-django reads the settings. Importing the
settings starts nothing (houqin.devstack)."""

import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # pytest-django reads the settings in this hook too: this one runs first, and names the
    # settings module as it will (--ds, then the environment, then the ini file) before anything
    # of houqin is imported: its Celery app would name production's.
    settings_module = (
        early_config.known_args_namespace.ds
        or os.environ.get("DJANGO_SETTINGS_MODULE")
        or str(early_config.getini("DJANGO_SETTINGS_MODULE"))
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    from houqin import devstack

    devstack.ensure_services_for(settings_module)
