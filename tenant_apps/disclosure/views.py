"""The school's public disclosure page (公示): server-rendered HTML for parents on a phone, or the
same figures as JSON (`?format=json`). No sign-in, no session, no CSRF token, no script.

The rendered page is kept in Django's cache for five minutes per school (the cache's key function
prefixes every key with the schema in force), per language, per format and per day: a parent's
refresh costs no query, and a new record shows within five minutes.
"""

import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from houqin.errors import error_response
from tenant_apps.disclosure.selectors import disclosure_for

CACHE_SECONDS = 300
FORMATS = {
    "html": "text/html; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def _cache_key(fmt: str) -> str:
    # The schema is added by the cache's key function (django_tenants.cache.make_key).
    return f"disclosure:page:{fmt}:{get_language()}:{timezone.localdate().isoformat()}"


def _render(fmt: str) -> str:
    disclosure = disclosure_for(today=timezone.localdate())
    if fmt == "json":
        return json.dumps(disclosure.as_dict(), cls=DjangoJSONEncoder, ensure_ascii=False)
    # No request: nothing in the page depends on the visitor (no CSRF token, no session).
    return render_to_string("disclosure/school.html", {"d": disclosure})


def school_disclosure(request: HttpRequest) -> HttpResponse:
    """This school's disclosure: the week's menu and nutrients, meal costs, the month's servings
    and the accompanied-meal log."""
    if request.method != "GET":
        response = error_response(
            request, 405, "method_not_allowed", _("Only GET is allowed here.")
        )
        response["Allow"] = "GET"
        return response
    fmt = request.GET.get("format") or "html"
    if fmt not in FORMATS:
        return error_response(
            request,
            400,
            "bad_format",
            _("Unknown format: use html or json."),
            fields={"format": [_("One of html, json.")]},
        )
    key = _cache_key(fmt)
    body = cache.get(key)
    if body is None:
        body = _render(fmt)
        cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response
