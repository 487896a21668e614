"""Refuse to serve on a database the code cannot vouch for. The web (WSGI) and worker processes
run the database checks, deployment ones included (the audit trail's: every trigger in place and
enabled, the trail's functions as the code installs them, owned by the trail's role), before they
take a request or a task; `/healthz` runs them too."""

from django.conf import settings
from django.core import checks
from django.core.management.base import SystemCheckError
from django.db import DEFAULT_DB_ALIAS


def database_problems() -> list[checks.CheckMessage]:
    """The serious messages of every database check, deployment checks included."""
    messages = checks.run_checks(
        tags=[checks.Tags.database],
        include_deployment_checks=True,
        databases=[DEFAULT_DB_ALIAS],
    )
    return [message for message in messages if message.is_serious()]


def refuse_unless_database_is_sound() -> None:
    if not settings.DATABASE_CHECKS_AT_START:
        return
    problems = database_problems()
    if problems:
        raise SystemCheckError(
            "refusing to start: the database checks failed\n"
            + "\n".join(f"  {message}" for message in problems)
        )
