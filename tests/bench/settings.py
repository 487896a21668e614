"""Benchmark settings: a database of its own, the bench-only school app at the stage that
BENCH_STAGE names, and (BENCH_NO_TENANCY=1) the same API served without tenancy, for the
throughput baseline. `tests.bench.run` starts the servers (embedded under .bench/ unless
DATABASE_URL / REDIS_URL are set) before its steps read these settings."""

import os

# The benchmarks' own keys: public, here, so they protect nothing.
os.environ["SECRET_KEY"] = "houqin-benchmark-secret-key-not-for-any-real-use-0123456789"
os.environ["STUDENT_ID_KEY"] = "Z8ZMcxKz1vZ8m3dQ0XJ3dF7Jc3m0wD0T9XbQk6m7u1E="
os.environ["PROCUREMENT_SIGNING_KEY"] = "uHIx1Nm4ESGXdNqS4CJ7o0hN3W1W0qsXyLJ3yb8pGQU="

from houqin.settings.base import *  # noqa: F403
from houqin.settings.base import CACHES as SHARED_CACHES
from houqin.settings.base import MIDDLEWARE, TENANT_APPS, env

DEBUG = False
DATABASES["default"]["NAME"] = env.str("BENCH_DATABASE", default="houqin_bench")  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# BENCH_CACHE_PREFIX: the caches production keeps (Redis at REDIS_URL, shared by every process),
# their keys under that prefix, as the load benchmark serves Houqin (tests/bench/load.py): a
# cache in each process, of LocMemCache's 300 entries, would be culled again and again by a
# thousand schools' hosts and roles. The other steps keep one in each process.
if prefix := os.environ.get("BENCH_CACHE_PREFIX"):
    CACHES = {
        alias: {**cache, "KEY_PREFIX": ":".join(filter(None, [prefix, cache.get("KEY_PREFIX")]))}
        for alias, cache in SHARED_CACHES.items()
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        },
        "global": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "global",
        },
    }
SCHOOL_POOL_SIZE = 0
TENANT_APPS = [*TENANT_APPS, "tests.bench.benchapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.bench.benchapp"]  # noqa: F405
MIGRATION_MODULES = {
    "benchapp": f"tests.bench.benchapp.migrations_stage{os.environ.get('BENCH_STAGE', '1')}"
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
if os.environ.get("BENCH_NO_TENANCY") == "1":
    MIDDLEWARE = [
        "tests.bench.no_tenancy.FixedSchoolMiddleware"
        if m.endswith("SchoolRoutingMiddleware")
        else m
        for m in MIDDLEWARE
    ]
# The bench connects as the database's superuser, which owns every table (the trail's checks
# refuse that connection, as they should a production one): the load benchmark's gunicorn starts.
DATABASE_CHECKS_AT_START = False
