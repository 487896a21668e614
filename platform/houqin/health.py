"""`GET /healthz`: is the database reachable and sound (the audit trail's checks), the broker?"""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from houqin.celery import app
from houqin.startup import database_problems


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
        problems = database_problems()
        checks["database_checks"] = f"error: {len(problems)} problems" if problems else "ok"
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
