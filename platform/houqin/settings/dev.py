"""Development and the demo (`make demo`): embedded PostgreSQL and Redis unless DATABASE_URL /
REDIS_URL are set (the embedded database is reached as the application's role, as in
production), and the demo's own keys. manage.py starts the embedded servers before it reads these
settings (houqin.devstack.ensure_services_for); importing them starts nothing."""

import os

# The demo's keys, unless the environment names others: public, here, so they protect nothing.
# The national-ID key is the one earlier demos derived from this SECRET_KEY, so that a demo
# database seeded before still reads.
os.environ.setdefault("SECRET_KEY", "houqin-development-only-secret-key-do-not-use-in-production")
os.environ.setdefault("STUDENT_ID_KEY", "6xFhxxQmxvyXeeUtNl4k7kjvO8cYYVsRtpMzvjpjwtc=")
os.environ.setdefault("PROCUREMENT_SIGNING_KEY", "5tbP/+/YODbcUIyvydzdZeIU/Tdqw07hgE6W7/120zw=")

from houqin.settings.base import *  # noqa: F403
from houqin.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
# The demo district's seeding and `manage.py demo` (web, worker and beat on the demo's servers).
SHARED_APPS = [*SHARED_APPS, "demo_district"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "demo_district"]  # noqa: F405
# Uploaded files (repair photos) beside the demo's database.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DEMO_STATE_DIR / "media"))  # noqa: F405
