"""The schema in force never leaks: not across requests, threads or tasks; and every cache key
carries the school it was written in."""

import threading
from typing import Any

from celery.signals import task_postrun
from django.core.cache import cache
from django_tenants.utils import tenant_context

from houqin.db import tenant_db
from houqin.roles import Role
from tenants.models import School
from tenants.tasks import school_check_task


def test_requests_to_two_schools_in_turn_each_see_their_own(
    client_for: Any, school_a: School, school_b: School
) -> None:
    a = client_for(school_a, Role.STAFF)
    b = client_for(school_b, Role.STAFF)
    a.post("/api/v1/feedback/", {"category": "praise", "subject": "甲", "body": "x"}, format="json")
    for _turn in range(3):
        assert [f["subject"] for f in a.get("/api/v1/feedback/").json()["results"]] == ["甲"]
        assert b.get("/api/v1/feedback/").json()["results"] == []
        assert tenant_db().schema_name == "public"


def test_a_thread_starts_on_the_public_schema(school_a: School) -> None:
    seen: list[str] = []
    with tenant_context(school_a):
        thread = threading.Thread(target=lambda: seen.append(tenant_db().schema_name))
        thread.start()
        thread.join()
    assert seen == ["public"]


def test_a_task_leaves_the_public_schema_behind(school_a: School) -> None:
    after: list[str] = []

    def record(**kwargs: Any) -> None:
        after.append(tenant_db().schema_name)

    task_postrun.connect(record, weak=False)
    try:
        school_check_task.apply(headers={"_schema_name": school_a.schema_name})
    finally:
        task_postrun.disconnect(record)
    assert tenant_db().schema_name == "public"
    assert after  # the signal ran; the schema is restored by the handler connected before it


def test_cache_keys_carry_the_school(school_a: School, school_b: School) -> None:
    with tenant_context(school_a):
        cache.set("menu", "甲校菜单")
    with tenant_context(school_b):
        assert cache.get("menu") is None
        cache.set("menu", "乙校菜单")
    with tenant_context(school_a):
        assert cache.get("menu") == "甲校菜单"
    assert cache.get("menu") is None
