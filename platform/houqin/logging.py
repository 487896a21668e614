"""Structured logs: one JSON object per line, carrying the request id and the school."""

import json
import logging
from datetime import UTC, datetime

from django.db import connection

from houqin import context


class ContextFilter(logging.Filter):
    """Adds request id, actor and school (schema name) to every record. Django's request log is
    written after the response has left the middleware, so its own request is asked first."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = context.current()
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or ctx.request_id
        record.actor_id = ctx.actor_id
        if request is not None and hasattr(request, "school"):
            record.school = request.school.schema_name if request.school else "public"
        else:
            record.school = getattr(connection, "schema_name", None)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "actor_id": getattr(record, "actor_id", None),
            "school": getattr(record, "school", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
