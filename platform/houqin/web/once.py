"""Irreversible acts (publish, submit, approve, pay, award) happen once, however often the button
is pressed: every such form carries a key made when the form was shown (`{% once_key %}`), and
the first submission with it runs while the others wait for it and then go where it went. The
same records and rules as the API's Idempotency-Key (houqin.api.idempotency)."""

import hashlib
import json
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from houqin.api.idempotency import check_key, claim

FIELD = "once"


def new_key() -> str:
    return secrets.token_urlsafe(24)


def _fingerprint(request: HttpRequest) -> str:
    fields = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
    body = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def once(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page's `post`: the first submission with its key runs; a repeat is sent where the
    first went. A submission that was refused (no redirect) keeps no record and may be sent
    again."""

    @wraps(handler)
    def wrapper(view: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.POST.get(FIELD, "")
        if not key:
            return handler(view, request, *args, **kwargs)
        check_key(key)
        with transaction.atomic():
            record, first = claim(
                key=key,
                user_id=request.user.pk,
                method="POST",
                path=request.path,
                fingerprint=_fingerprint(request),
            )
            if not first:
                return HttpResponseRedirect(json.loads(record.body)["location"])
            response = handler(view, request, *args, **kwargs)
            if isinstance(response, HttpResponseRedirect):
                record.status_code = response.status_code
                record.body = json.dumps({"location": response.url})
                record.save(update_fields=["status_code", "body"])
            else:
                transaction.set_rollback(True)
        return response

    return wrapper
