"""`Idempotency-Key` for POSTs that create or move something: the first request with a key runs
and its response is stored in the same transaction; a retry with the same key (concurrent or
later) gets that response back and changes nothing. The unique index on the key is what makes
concurrent retries wait for the first one and then replay it. A key reused for a different request
is a 422. A request that fails leaves no record, so it can be retried."""

import hashlib
import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from houqin.db import tenant_db
from houqin.exceptions import ServiceError
from houqin.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
# For extend_schema(parameters=[...]) on every idempotent operation.
IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Retries with the same key replay the first response instead of repeating it.",
)


class KeyReused(ServiceError):
    status = 422
    code = "idempotency_key_reused"


def _fingerprint(request: Request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except TypeError:
        body = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def check_key(key: str) -> None:
    if not _KEY.match(key):
        raise ServiceError(
            _("An Idempotency-Key is 1 to 100 letters, digits or ._:- characters."),
            code="invalid_idempotency_key",
        )


def claim(
    *, key: str, user_id: int | None, method: str, path: str, fingerprint: str
) -> tuple[IdempotencyRecord, bool]:
    """Inside an atomic block: the new record and True for the first request with `key`; the
    earlier record and False for a retry of it (which waited for the first to commit); KeyReused
    when the key served a different request. The pages' submits use it too (houqin.web.once)."""
    identity = {"schema_name": tenant_db().schema_name, "user_id": user_id, "key": key}
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                **identity, method=method, path=path, request_hash=fingerprint
            )
    except IntegrityError:
        # Another request holds the key: the insert waited for it to commit.
        earlier = IdempotencyRecord.objects.here().get(**identity)
        if earlier.request_hash != fingerprint:
            raise KeyReused(_("This Idempotency-Key was used for a different request.")) from None
        return earlier, False
    return record, True


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        check_key(key)
        with transaction.atomic():
            record, first = claim(
                key=key,
                user_id=request.user.pk,
                method=request.method or "",
                path=request.path,
                fingerprint=_fingerprint(request),
            )
            if not first:
                return Response(json.loads(record.body), status=record.status_code)
            response = handler(view, request, *args, **kwargs)
            record.status_code = response.status_code
            record.body = json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
            record.save(update_fields=["status_code", "body"])
        return response

    return wrapper
