"""`GET /healthz`: is the database reachable and sound (the audit trail's checks), the broker?"""

import math
import time

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from houqin.celery import app
from houqin.startup import database_problems

# The database checks read every school's catalog (about half a second at a thousand schools):
# their answer is kept a minute, so that this public endpoint cannot be made to repeat them.
CHECKS_CACHE_KEY = "healthz:database-problems"
CHECKS_CACHE_SECONDS = 60
# Asking the broker opens a connection to it (about 10 ms, most of this endpoint's time): each
# process keeps its answer a few seconds, so that a probe every second costs a query.
BROKER_CHECK_SECONDS = 5.0
_broker_answer: tuple[float, str] = (-math.inf, "")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        checks["database"] = f"error: {type(exc).__name__}"
    if checks["database"] == "ok":
        # The details are for the operator (`manage.py check --deploy --database default`), not
        # for whoever asks this public endpoint.
        try:
            problems = cache.get_or_set(
                CHECKS_CACHE_KEY, lambda: len(database_problems()), CHECKS_CACHE_SECONDS
            )
        except Exception:  # noqa: BLE001 - the cache is Redis, whose failure the broker reports
            problems = len(database_problems())
        checks["database_checks"] = f"error: {problems} problems" if problems else "ok"
    checks["broker"] = _broker()
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _broker() -> str:
    """ "ok", or the error met reaching the broker: asked at most every BROKER_CHECK_SECONDS."""
    global _broker_answer
    asked, answer = _broker_answer
    now = time.monotonic()
    if now - asked < BROKER_CHECK_SECONDS:
        return answer
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        answer = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        answer = f"error: {type(exc).__name__}"
    _broker_answer = (now, answer)
    return answer
