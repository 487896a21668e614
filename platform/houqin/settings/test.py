"""Tests: embedded servers unless DATABASE_URL / REDIS_URL are set, fast hashing, local cache.
The harness connects as the superuser, and sets its database up as production does
(tests/conftest.py); the tests of the trail's roles connect as the application's role. The
tests' pytest plugin (tests/servers.py) and manage.py start the embedded servers before they
read these settings (houqin.devstack.ensure_services_for); importing them starts nothing, so
mypy's Django plugin, which imports them, boots no database."""

import os
from typing import Any, cast

# The tests' own keys, whatever the environment says: public, here, so they protect nothing.
os.environ["SECRET_KEY"] = "houqin-test-secret-key-not-for-any-real-use-0123456789"
os.environ["STUDENT_ID_KEY"] = "C3SjCTTH7G64embhOl5T3cBZJvu/TMfGQkEvav9T3N4="
os.environ["PROCUREMENT_SIGNING_KEY"] = "JISZINaVhifvjvjGCNQHZ589L5CZYlyetd8VOsT9Vds="

from houqin.settings.base import *  # noqa: F403
from houqin.settings.base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
    },
    "global": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "global"},
}
SCHOOL_POOL_SIZE = 0
# Processes started by tests (a worker, an import of the WSGI app) may reach a database the harness
# did not set up; tests/test_trail_roles.py turns the check on where it tests it.
DATABASE_CHECKS_AT_START = env.bool("DATABASE_CHECKS_AT_START", default=False)
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Runs that share a server (several checkouts, several engineers) each name their own database.
DATABASES["default"]["TEST"] = {"NAME": env.str("HOUQIN_TEST_DB", default="test_houqin")}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"login": "1000/min"}  # noqa: F405
# Sealing keys strong enough to test the behaviour, fast enough to make hundreds of them.
PROCUREMENT_SEALING_RSA_BITS = 1024
PROCUREMENT_SEALING_SCRYPT_COST = 2**10
# Uploaded files (repair photos) under the tests' own folder.
MEDIA_ROOT = ROOT_DIR / ".test" / "media"  # noqa: F405
# Axes's banner at start-up: pytest-xdist's controller, which collects no test, would print it
# below the run's summary.
cast(dict[str, Any], LOGGING["loggers"])["axes.apps"] = {"level": "WARNING"}  # noqa: F405
# Static files found when asked for, not scanned when the middleware starts: each test client
# builds its own middleware chain, and a scan of every app's static folder per client took
# 40 ms, close to half of what a cell of the role matrix costs.
WHITENOISE_AUTOREFRESH = True
