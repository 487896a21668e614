"""The request path through tenancy: one search_path per request, no ContentType cache flush."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin.db import tenant_db
from houqin.roles import Role
from tenant_apps.feedback.models import Feedback


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
