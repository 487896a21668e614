"""Production: every secret and address comes from the environment; HTTPS only."""

from houqin.settings.base import *  # noqa: F403
from houqin.settings.base import env

SECRET_KEY = env.str("SECRET_KEY")
# Encrypts national ID numbers; required, so a deployment never falls back to a derived key.
STUDENT_ID_KEY = env.str("STUDENT_ID_KEY")
# Signs tender keys' fingerprints; required (bidders pin its public half).
PROCUREMENT_SIGNING_KEY = env.str("PROCUREMENT_SIGNING_KEY")
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
