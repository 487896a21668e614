"""WSGI entry point for gunicorn (and runserver). A process that cannot vouch for the database
(the audit trail's triggers and functions among it) fails to load and serves nothing."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings.prod")

application = get_wsgi_application()

from houqin.startup import refuse_unless_database_is_sound  # noqa: E402 - needs Django set up

refuse_unless_database_is_sound()
