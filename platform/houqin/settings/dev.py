"""Development: embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set; the
embedded database is reached as the application's role, as in production."""

from houqin.devstack import ensure_services

ensure_services(".demo")

from houqin.settings.base import *  # noqa: E402,F403
from houqin.settings.base import env  # noqa: E402

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "houqin-development-only-secret-key-do-not-use-in-production"  # noqa: F405
DEMO_DIR = ROOT_DIR / ".demo"  # noqa: F405
# The demo district's key for signing tender keys; a deployment sets its own (prod requires it).
PROCUREMENT_SIGNING_KEY = (
    PROCUREMENT_SIGNING_KEY  # noqa: F405
    or "5tbP/+/YODbcUIyvydzdZeIU/Tdqw07hgE6W7/120zw="
)
