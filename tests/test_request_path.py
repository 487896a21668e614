"""The request path through tenancy: one search_path per request, no ContentType cache flush; a
request body the view does not read is read to its end, one too large is refused unread; no
filterset built for a list asked no filter, a model serializer's fields built once per class, a
kept connection checked without a query."""

import io
import time
from importlib import import_module
from typing import Any
from unittest import mock

import django_filters
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django.http import QueryDict
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from houqin.db import tenant_db
from houqin.roles import Role
from tenant_apps.feedback.api.serializers import FeedbackSerializer
from tenant_apps.feedback.filters import FeedbackFilter
from tenant_apps.feedback.models import Feedback
from tenants.routing import school_host


def test_switching_schools_keeps_the_content_type_cache(school_a, school_b):
    ContentType.objects.get_for_model(Feedback)
    cached = dict(ContentType.objects._cache)  # type: ignore[attr-defined]
    tenant_db().set_tenant(school_a)
    tenant_db().set_tenant(school_b)
    tenant_db().set_schema_to_public()
    assert ContentType.objects._cache == cached  # type: ignore[attr-defined]


def test_a_school_request_sets_the_search_path_once(client_for, school_a):
    client = client_for(school_a, Role.PRINCIPAL)
    client.get("/api/v1/feedback/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/feedback/")
    assert response.status_code == 200
    sets = [q["sql"] for q in queries if q["sql"].startswith("SET search_path")]
    assert len(sets) == 1, sets


class _Body(io.BytesIO):
    """A request body that tells how much of it was read."""


def _post(client: Client, host: str, body: bytes) -> tuple[int, dict[str, Any], _Body]:
    stream = _Body(body)
    extra: dict[str, Any] = {"wsgi.input": stream, "CONTENT_LENGTH": str(len(body))}
    response = client.generic(
        "POST",
        "/api/v1/feedback/",
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST=host,
        **extra,
    )
    return response.status_code, response.json(), stream


def test_an_unread_body_is_read_to_its_end(school_a):
    body = b"note=" + b"a" * 500_000
    status, answer, stream = _post(Client(), school_host(school_a.code), body)
    assert (status, answer["error"]["code"]) == (401, "not_authenticated")
    assert stream.tell() == len(body)


@override_settings(MAX_REQUEST_BODY=1000)
def test_a_body_over_the_limit_is_refused_then_read_to_its_end(school_a):
    host = school_host(school_a.code)
    status, answer, stream = _post(Client(), host, b"a" * 2000)
    assert (status, answer["error"]["status"], answer["error"]["code"]) == (
        413,
        413,
        "request_too_large",
    )
    assert stream.tell() == 2000
    # Past twice the limit the body is not read: the connection closes on it.
    status, answer, stream = _post(Client(), host, b"a" * 2001)
    assert (status, stream.tell()) == (413, 0)


def _subclasses(cls: type) -> list[Any]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def _project_classes(base: type) -> list[Any]:
    import_module(settings.ROOT_URLCONF)
    import_module(settings.PUBLIC_SCHEMA_URLCONF)
    ours = ("houqin.", "tenants.", "shared_apps.", "tenant_apps.")
    return [cls for cls in _subclasses(base) if cls.__module__.startswith(ours)]


def test_a_list_asked_no_filter_is_its_queryset_unfiltered():
    """The filter backend skips the filterset when nothing but the page, ordering or format is
    asked: so every filterset must answer its queryset as it is when asked nothing."""
    filtersets = [f for f in _project_classes(django_filters.FilterSet) if f._meta.model]
    assert len(filtersets) > 10
    for filterset_class in filtersets:
        queryset = filterset_class._meta.model._default_manager.all()
        filterset = filterset_class(QueryDict(), queryset=queryset)
        assert filterset.is_valid(), (filterset_class, filterset.errors)
        assert str(filterset.qs.query) == str(queryset.query), filterset_class


def test_a_list_asked_no_filter_builds_no_filterset(client_for, school_a):
    client = client_for(school_a, Role.PRINCIPAL)
    build = FeedbackFilter.__init__
    with mock.patch.object(FeedbackFilter, "__init__", autospec=True, side_effect=build) as built:
        paged = client.get("/api/v1/feedback/", {"page_size": 5, "ordering": "id", "page": 1})
        assert (paged.status_code, built.call_count) == (200, 0)
        filtered = client.get("/api/v1/feedback/", {"status": "open"})
        assert (filtered.status_code, built.call_count) == (200, 1)
        unknown = client.get("/api/v1/feedback/", {"colour": "red"})
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "unknown_parameter")


def test_a_model_serializers_fields_are_built_once_and_each_instance_has_its_own():
    FeedbackSerializer().fields  # noqa: B018 (built, if no test built them before)
    with mock.patch.object(
        serializers.ModelSerializer, "build_field", side_effect=AssertionError
    ) as build:
        first, second = FeedbackSerializer().fields, FeedbackSerializer().fields
    assert build.call_count == 0
    names = FeedbackSerializer.Meta.fields
    assert list(first.keys()) == list(second.keys()) == names
    assert all(first[name] is not second[name] for name in names)
    assert all(first[name].parent is not second[name].parent for name in names)


def test_no_model_serializer_builds_its_fields_from_its_instance():
    """Fields are built once per class: a serializer that built them from its instance or
    context (overriding how ModelSerializer builds them) would get another's."""
    building = {
        name
        for name in vars(serializers.ModelSerializer)
        if name.startswith(("build_", "get_field", "get_extra_kwargs", "include_extra_kwargs"))
    }
    overriding = {
        (cls.__qualname__, name)
        for cls in _project_classes(serializers.ModelSerializer)
        for name in building & set(vars(cls))
    }
    assert len(building) > 5
    assert overriding == set()


def test_a_kept_connection_is_checked_without_a_query_until_the_server_closes_it(db):
    kept = connections.create_connection("default")
    try:
        kept.ensure_connection()
        # Django's own check is a round trip (SELECT 1).
        with mock.patch.object(PostgresWrapper, "is_usable", side_effect=AssertionError):
            assert kept.is_usable()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [kept.connection.get_backend_pid()])
        deadline = time.monotonic() + 5
        while kept.is_usable() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not kept.is_usable()
        # The next request's first query checks the connection, and connects anew.
        kept.health_check_done = False  # type: ignore[attr-defined]
        with kept.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        kept.close()
