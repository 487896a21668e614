"""Celery: tasks carry their school, actor and request id; run in that school's schema and leave
the connection on the public schema; the periodic fan-out visits every active school, spread out;
and the app survives a killed worker. No broker: messages are captured at the producer."""

import importlib
import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from unittest import mock

import pytest
from celery import Celery, Task
from django.apps import apps as django_apps
from django.db import connection as _connection
from django_tenants.utils import schema_context

from houqin import context
from houqin.celery import app
from houqin.tasks import SchoolTask, spread_offset
from shared_apps.audit.models import Change
from tenant_apps.orders.tasks import spend_drain_task
from tenants.models import School
from tenants.selectors import active_school_schemas
from tenants.services import school_suspend
from tenants.tasks import for_every_school_task, school_check_task
from tests.factories import SETUP, user_with_role

pytestmark = pytest.mark.django_db

connection: Any = _connection  # django-tenants' connection: schema_name, set_tenant, ...

CHECK_TASK = "tenants.tasks.school_check_task"
PROJECT_PACKAGES = ("houqin", "tenants", "shared_apps.", "tenant_apps.")


@dataclass
class Published:
    name: str
    headers: dict[str, Any]


@pytest.fixture
def published() -> Iterator[list[Published]]:
    """Messages as they would go on the wire: the producer's publish is replaced, nothing else."""
    messages: list[Published] = []

    def capture(producer: Any, name: str, message: Any, **options: Any) -> None:
        headers = {**message.headers, **(options.get("headers") or {})}
        messages.append(Published(name, headers))

    with mock.patch.object(app.amqp, "send_task_message", side_effect=capture):
        yield messages


@pytest.fixture
def sent() -> Iterator[mock.MagicMock]:
    """Celery's own send_task, below tenant-schemas-celery's override that adds `_schema_name`."""
    with mock.patch.object(Celery, "send_task", autospec=True) as send:
        yield send


def school_row(school: School) -> School:
    return School.objects.get(pk=school.pk)


# 6. A task queued in a school carries that school, the actor and the request id.


def test_task_queued_in_a_school_carries_schema_actor_and_request_id(
    school_a: School, published: list[Published]
) -> None:
    with schema_context(school_a.schema_name), context.acting(request_id="req-6a", actor_id=42):
        school_check_task.delay()
    assert connection.schema_name == "public"
    [message] = published
    assert message.name == CHECK_TASK
    assert message.headers["_schema_name"] == school_a.schema_name == "s_100001"
    assert message.headers["_actor_id"] == 42
    assert message.headers["_request_id"] == "req-6a"


def test_task_queued_in_the_centre_carries_the_public_schema(
    published: list[Published],
) -> None:
    with context.acting(request_id="req-6b", actor_id=None):
        school_check_task.apply_async(countdown=5)
    [message] = published
    assert message.headers["_schema_name"] == "public"
    assert message.headers["_request_id"] == "req-6b"
    assert message.headers["_actor_id"] is None


def test_explicit_headers_win_over_the_context(
    school_a: School, school_b: School, published: list[Published]
) -> None:
    with schema_context(school_a.schema_name), context.acting(request_id="req-6c", actor_id=1):
        school_check_task.apply_async(
            headers={"_schema_name": school_b.schema_name, "_request_id": "given"}
        )
    [message] = published
    assert message.headers["_schema_name"] == school_b.schema_name
    assert message.headers["_request_id"] == "given"
    assert message.headers["_actor_id"] == 1


def test_task_queued_on_commit_carries_the_school_and_context_it_was_queued_in(
    school_a: School,
    published: list[Published],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # The documented way to queue: delay_on_commit() inside a transaction. The commit may come
    # after the schema and the actor context have changed; the task must still name the school
    # and actor that queued it.
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        schema_context(school_a.schema_name),
        context.acting(request_id="req-6d", actor_id=7),
    ):
        cast(SchoolTask, school_check_task).delay_on_commit()
    assert published == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit, back on the public schema with no actor
    [message] = published
    assert message.headers["_schema_name"] == school_a.schema_name
    assert message.headers["_actor_id"] == 7
    assert message.headers["_request_id"] == "req-6d"


# 7. The school check runs in the school named by the header and leaves the public schema on.


def test_school_check_records_a_clean_school(school_a: School, school_b: School) -> None:
    b_before = school_row(school_b).checked_at
    result = school_check_task.apply(headers={"_schema_name": school_a.schema_name}, throw=True)
    assert result.get() == []
    assert connection.schema_name == "public"
    a = school_row(school_a)
    assert a.checked_at is not None
    assert a.check_problems == []
    assert school_row(school_b).checked_at == b_before


def test_school_check_reports_a_missing_audit_trigger(school_a: School, school_b: School) -> None:
    with schema_context(school_a.schema_name), connection.cursor() as cursor:
        cursor.execute(
            f"DROP TRIGGER houqin_audit_update ON {school_a.schema_name}.feedback_feedback"
        )
    problem = "audit triggers missing on feedback_feedback"

    result = school_check_task.apply(headers={"_schema_name": school_a.schema_name}, throw=True)
    assert result.get() == [problem]
    assert connection.schema_name == "public"
    assert school_row(school_a).check_problems == [problem]

    # School B's triggers are its own: its check stays clean.
    result = school_check_task.apply(headers={"_schema_name": school_b.schema_name}, throw=True)
    assert result.get() == []
    assert school_row(school_b).check_problems == []
    assert connection.schema_name == "public"


def test_task_runs_with_the_actor_and_request_id_from_its_headers(school_a: School) -> None:
    actor = user_with_role(None)
    headers = {
        "_schema_name": school_a.schema_name,
        "_actor_id": actor.pk,
        "_request_id": "req-7-from-web",
    }
    school_check_task.apply(headers=headers, throw=True).get()
    # The task's UPDATE of the school row is in the trail under the queuing request and actor.
    change = (
        Change.objects.across_schools()
        .filter(table_name="tenants_school", operation="UPDATE", request_id="req-7-from-web")
        .get()
    )
    assert change.actor_id == actor.pk
    assert change.row_id == str(school_a.pk)
    assert context.current() == context.ActorContext()  # nothing leaks out of the task


def test_task_without_a_safe_request_id_gets_a_fresh_one(school_a: School) -> None:
    headers = {"_schema_name": school_a.schema_name, "_request_id": "bad id; DROP TABLE x"}
    result = school_check_task.apply(headers=headers, throw=True)
    result.get()
    change = (
        Change.objects.across_schools()
        .filter(table_name="tenants_school", row_id=str(school_a.pk))
        .first()
    )
    assert change is not None
    assert change.request_id not in (None, "bad id; DROP TABLE x")


# 8. The fan-out: one task per active school, spread over the window.


def test_fan_out_queues_one_check_per_active_school_spread_out(
    school_a: School, school_b: School, sent: mock.MagicMock
) -> None:
    school_suspend(actor=SETUP, school=school_b, reason="测试：暂停")
    expected = active_school_schemas()
    assert school_a.schema_name in expected
    assert school_b.schema_name not in expected

    with context.acting(request_id="req-8", actor_id=None):
        result = for_every_school_task.apply(
            args=(CHECK_TASK,), kwargs={"spread_seconds": 600}, throw=True
        )
    assert result.get() == len(expected)
    assert connection.schema_name == "public"

    assert sent.call_count == len(expected)
    by_schema: dict[str, Any] = {}
    for call in sent.call_args_list:
        assert call.args[1] == CHECK_TASK
        schema = call.kwargs["headers"]["_schema_name"]
        assert schema not in by_schema, f"{schema} queued twice"
        by_schema[schema] = call.kwargs
    assert set(by_schema) == set(expected)
    assert school_b.schema_name not in by_schema
    for schema, options in by_schema.items():
        countdown = options["countdown"]
        assert 0 <= countdown < 600
        assert countdown == spread_offset(schema, 600)


def test_fan_out_uses_the_configured_spread(
    school_a: School, sent: mock.MagicMock, settings: Any
) -> None:
    settings.SCHOOL_JOB_SPREAD_SECONDS = 7
    for_every_school_task.apply(args=(CHECK_TASK,), throw=True).get()
    countdowns = {
        c.kwargs["headers"]["_schema_name"]: c.kwargs["countdown"] for c in sent.call_args_list
    }
    assert school_a.schema_name in countdowns
    for schema, countdown in countdowns.items():
        assert countdown == spread_offset(schema, 7)
        assert 0 <= countdown < 7


def test_spread_offset_is_stable_and_spreads() -> None:
    schemas = [f"s_{100000 + n}" for n in range(200)]
    offsets = [spread_offset(s, 600) for s in schemas]
    assert offsets == [spread_offset(s, 600) for s in schemas]
    assert all(0 <= o < 600 for o in offsets)
    assert len(set(offsets)) > 150  # not a thundering herd
    assert spread_offset("s_100001", 0) == 0


def test_fan_out_tasks_carry_the_fan_outs_request_id(
    school_a: School, published: list[Published]
) -> None:
    with context.acting(request_id="req-8-beat", actor_id=None):
        for_every_school_task.apply(args=(CHECK_TASK,), kwargs={"spread_seconds": 60}, throw=True)
    mine = [m for m in published if m.headers["_schema_name"] == school_a.schema_name]
    assert len(mine) == 1
    assert mine[0].name == CHECK_TASK
    # The fan-out ran under its own request id (its task id when eager); the per-school tasks
    # name it, so one beat tick's work can be followed across schools.
    assert mine[0].headers.get("_request_id")
    assert {m.headers.get("_request_id") for m in published} == {mine[0].headers["_request_id"]}


def test_beat_runs_the_school_check_through_the_fan_out() -> None:
    entries = [
        e for e in app.conf.beat_schedule.values() if e["task"] == for_every_school_task.name
    ]
    assert any(e["args"][0] == CHECK_TASK for e in entries)


def test_beat_sweeps_every_schools_spend_outbox_through_the_fan_out() -> None:
    entries = [
        e for e in app.conf.beat_schedule.values() if e["task"] == for_every_school_task.name
    ]
    assert any(e["args"][0] == spend_drain_task.name for e in entries)


# 9. Surviving a killed worker, and one task class for the whole project.


def test_celery_acknowledges_late_and_requeues_on_worker_loss() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_always_eager is False


def project_task_modules() -> list[Any]:
    modules = []
    for config in django_apps.get_app_configs():
        if not config.name.startswith(PROJECT_PACKAGES):
            continue
        if importlib.util.find_spec(f"{config.name}.tasks") is not None:
            modules.append(importlib.import_module(f"{config.name}.tasks"))
    return modules


def test_every_project_task_is_a_school_task() -> None:
    declared = {
        obj.name
        for module in project_task_modules()
        for obj in vars(module).values()
        if isinstance(obj, Task) and getattr(obj, "name", None)
    }
    assert {CHECK_TASK, for_every_school_task.name} <= declared
    app.loader.import_default_modules()
    registered = {name for name in app.tasks if not name.startswith("celery.")}
    assert declared <= registered, "declared tasks that autodiscovery does not register"
    for name in registered:
        task = app.tasks[name]
        assert isinstance(task, SchoolTask), name
        assert task.acks_late is True, name
        assert task.reject_on_worker_lost is True, name
