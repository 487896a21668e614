"""Host -> school resolution, cached, and the middleware that points each request at its schema.

The district centre answers on `DISTRICT_DOMAIN` (the public schema); school `C` on
`C.DISTRICT_DOMAIN` (its own schema). Any other host is a 404, never the public schema.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse
from django.urls import set_urlconf
from django.utils.translation import gettext as _

from houqin.db import tenant_db
from houqin.errors import error_response
from tenants.models import Domain, School


def school_host(code: str) -> str:
    """The host school `code` answers on."""
    return f"{code}.{settings.DISTRICT_DOMAIN}"


HOST_CACHE_SECONDS = 300
_UNKNOWN = "unknown"


def _host_key(hostname: str) -> str:
    return f"houqin:host:{hostname}"


def resolve_school(hostname: str) -> School | None:
    """The school serving `hostname`, or None. A known host costs no database query."""
    key = _host_key(hostname)
    cached = cache.get(key)
    if cached is not None:
        return None if cached == _UNKNOWN else cached
    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    school = domain.tenant if domain else None
    cache.set(key, school if school is not None else _UNKNOWN, HOST_CACHE_SECONDS)
    return school


def forget_hosts(*hostnames: str) -> None:
    keys = [_host_key(h) for h in hostnames]
    cache.delete_many(keys)
    # Again once the change is committed: a request that resolved the host in between cached
    # the state from before it.
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_school(school: School) -> None:
    forget_hosts(*Domain.objects.filter(tenant=school).values_list("domain", flat=True))


def _forget_school_on_change(sender: Any, instance: School, **kwargs: Any) -> None:
    forget_school(instance)


def _remember_old_domain(sender: Any, instance: Domain, **kwargs: Any) -> None:
    if instance.pk:
        instance._old_domain = (
            Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
        )


def _forget_domain_on_change(sender: Any, instance: Domain, **kwargs: Any) -> None:
    forget_hosts(instance.domain, *filter(None, [getattr(instance, "_old_domain", None)]))


def connect_invalidation() -> None:
    post_save.connect(_forget_school_on_change, sender=School, dispatch_uid="school_forget_saved")
    post_delete.connect(_forget_school_on_change, sender=School, dispatch_uid="school_forget_del")
    pre_save.connect(_remember_old_domain, sender=Domain, dispatch_uid="domain_remember_old")
    post_save.connect(_forget_domain_on_change, sender=Domain, dispatch_uid="domain_forget_saved")
    post_delete.connect(_forget_domain_on_change, sender=Domain, dispatch_uid="domain_forget_del")


def hostname_of(request: HttpRequest) -> str:
    # get_host() validates against ALLOWED_HOSTS; a malformed or foreign host raises
    # DisallowedHost, which Django answers with a 400 in the one error shape.
    return request.get_host().rsplit(":", 1)[0].lower().rstrip(".")


class SchoolRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant_db().set_schema_to_public()
        hostname = hostname_of(request)
        if hostname == settings.DISTRICT_DOMAIN:
            request.school = None  # type: ignore[attr-defined]
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        else:
            school = resolve_school(hostname)
            if school is None:
                return error_response(
                    request, 404, "unknown_host", _("No school is served at this address.")
                )
            if school.status == School.Status.SUSPENDED:
                return error_response(
                    request,
                    403,
                    "school_suspended",
                    _("This school is suspended by the district centre. Reason: %(reason)s")
                    % {"reason": school.status_reason or _("none given")},
                )
            if school.status == School.Status.ARCHIVED:
                return error_response(
                    request, 403, "school_archived", _("This school has been archived.")
                )
            request.school = school  # type: ignore[attr-defined]
            request.urlconf = settings.ROOT_URLCONF
            tenant_db().set_tenant(school)
        # The School, or django-tenants' stand-in for the public schema (its admin reads it).
        request.tenant = tenant_db().tenant  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)
        try:
            return self.get_response(request)
        finally:
            tenant_db().set_schema_to_public()
            set_urlconf(None)
