"""`GET /healthz`: is the database reachable and sound (the audit trail's checks), the broker?"""

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
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
