"""The throughput baseline: the same school API with tenancy taken out of the request path.

The connection is pointed at one school's schema once, when the process starts, and stays
there, as in a single-tenant deployment: no host resolution, no schema switch, no search_path
per request."""

import os
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import set_urlconf

from houqin.db import tenant_db
from tenants.models import School


class FixedSchoolMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.school = School.objects.get(code=os.environ["BENCH_SCHOOL"])
        tenant_db().set_tenant(self.school)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.school = self.school  # type: ignore[attr-defined]
        request.tenant = self.school  # type: ignore[attr-defined]
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(settings.ROOT_URLCONF)
        return self.get_response(request)
