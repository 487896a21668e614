"""The base task class every task runs as, and the headers and spread a job run for every school
carries (`tenants.tasks.for_every_school_task` fans it out).

Tasks carry the school (tenant-schemas-celery's `_schema_name` header), the actor and the request
id that queued them; they acknowledge late and are re-queued when a worker dies mid-task, so every
task must be idempotent. Queue them with `delay_on_commit()` from inside a transaction.
"""

import zlib
from typing import Any

from celery import current_app
from django.db import transaction
from tenant_schemas_celery.task import TenantTask, headers_with_schema

from houqin import context


def _header(request: Any, name: str) -> Any:
    headers = request.headers or {}
    return headers.get(name, getattr(request, name, None))


def queue_headers(headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """`headers` plus the school (schema), actor and request id in force now; given values win."""
    ctx = context.current()
    headers = dict(headers_with_schema(dict(headers or {})))
    headers.setdefault("_actor_id", ctx.actor_id)
    headers.setdefault("_request_id", ctx.request_id)
    return headers


def queue_on_commit(name: str, *args: Any, task_id: str | None = None) -> None:
    """Queue the task called `name` once the transaction in force commits, with the school, actor
    and request id in force now: for a service whose task calls back into the module that
    queues it (the task's module could not be imported there without an import cycle)."""
    headers = queue_headers()
    transaction.on_commit(
        lambda: current_app.send_task(name, args=args, task_id=task_id, headers=headers)
    )


class SchoolTask(TenantTask):
    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        options["headers"] = queue_headers(options.get("headers"))
        return super().apply_async(args, kwargs, **options)

    # Queued on commit, the message is built when the transaction commits, by which time the
    # schema and the actor context may be other ones: fix them when the task is queued.
    def apply_async_on_commit(self, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        options["headers"] = queue_headers(options.get("headers"))
        super().apply_async_on_commit(args, kwargs, **options)

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        self.apply_async_on_commit(args, kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        request_id = _header(self.request, "_request_id") or self.request.id
        with context.acting(
            request_id=context.clean_request_id(request_id),
            actor_id=_header(self.request, "_actor_id"),
        ):
            return super().__call__(*args, **kwargs)


def spread_offset(schema_name: str, spread_seconds: int) -> int:
    """A stable delay in [0, spread) per school, so a job run for every school starts spread out
    over the window instead of all at once."""
    return zlib.crc32(schema_name.encode()) % max(spread_seconds, 1)
