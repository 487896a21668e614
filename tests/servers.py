"""The tests' pytest plugin (`-p tests.servers`, pyproject.toml): the embedded PostgreSQL and
Redis the tests' settings run on, started before pytest-django reads the settings. Importing the
settings starts nothing (houqin.devstack).

Run in parallel (`pytest -n 2`, as `make pytest` does), the controller starts the servers and the
workers it spawns inherit their addresses: one PostgreSQL server, where each worker sets up a
test database of its own (pytest-django names it after the worker: `test_houqin_gw0`, ...), and
one Redis server, where each worker uses a database of its own (the configured one for `gw0`,
the next for `gw1`, ...), so that a Celery worker one test starts never takes a task another
worker's test queued. The same holds on real servers (DATABASE_URL / REDIS_URL set)."""

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    offset = int(worker.removeprefix("gw")) if worker.startswith("gw") else 0
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if offset and os.environ.get(name):
            os.environ[name] = redis_database_moved(os.environ[name], offset)


def redis_database_moved(url: str, offset: int) -> str:
    """`url` naming the Redis database `offset` places after the one it names (0 when it names
    none); any other broker's URL unchanged. Redis names its database in the path
    (redis://host:6379/2), redis-py's Unix socket URLs in `db=` (unix:///run/redis.sock?db=2),
    Celery's in `virtual_host=` (redis+socket:///run/redis.sock?virtual_host=2)."""
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        database = int(parts.path.strip("/") or 0) + offset
        return urlunsplit(parts._replace(path=f"/{database}"))
    key = {"unix": "db", "redis+socket": "virtual_host"}.get(parts.scheme)
    if key is None:
        return url
    query = dict(parse_qsl(parts.query))
    query[key] = str(int(query.get(key, 0)) + offset)
    # Not urlunsplit's: with no host it writes "unix:/run/redis.sock", which Celery misreads.
    return f"{url.partition('?')[0]}?{urlencode(query)}"
