"""Who is acting, for which request: carried in context variables through web requests, tasks and
commands, written into every database write so that the audit triggers can record it."""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


@dataclass(frozen=True)
class ActorContext:
    request_id: str | None = None
    actor_id: int | None = None


# The default is a frozen dataclass: immutable, so sharing it between contexts is safe.
_current: ContextVar[ActorContext] = ContextVar(
    "houqin_actor_context",
    default=ActorContext(),  # noqa: B039
)


def current() -> ActorContext:
    return _current.get()


def clean_request_id(candidate: str | None) -> str:
    """Return the caller's request id when it is safe to log and store, otherwise a new one."""
    if candidate and _SAFE_REQUEST_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex


@contextmanager
def acting(*, request_id: str | None, actor_id: int | None = None) -> Iterator[ActorContext]:
    token = _current.set(ActorContext(request_id=request_id, actor_id=actor_id))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_actor(actor_id: int | None) -> None:
    """Name the actor of the current request once authentication has identified them."""
    _current.set(ActorContext(request_id=_current.get().request_id, actor_id=actor_id))


_WRITES = ("INSERT", "UPDATE", "DELETE")


def audit_context_wrapper(
    execute: Any, sql: Any, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Prefix every write with the actor and request id, scoped to its transaction. Inside a
    transaction a write made with no context clears them, so that it is never credited to an
    actor whose context has ended.

    The values are inlined, not bound: the request id is checked against a safe pattern and the
    actor id is an integer, and the prefix holds no `%`, so statements with or without parameters
    reach the driver unchanged apart from it.
    """
    ctx = _current.get()
    if not isinstance(sql, str) or sql.lstrip()[:6].upper() not in _WRITES:
        return execute(sql, params, many, context)
    if (
        ctx.actor_id is None
        and ctx.request_id is None
        and not context["connection"].in_atomic_block
    ):
        # Outside a transaction the settings of an earlier write are already gone.
        return execute(sql, params, many, context)
    actor = "" if ctx.actor_id is None else str(int(ctx.actor_id))
    request_id = ctx.request_id if ctx.request_id and _SAFE_REQUEST_ID.match(ctx.request_id) else ""
    prefix = (
        f"SELECT set_config('houqin.actor_id', '{actor}', true), "
        f"set_config('houqin.request_id', '{request_id}', true); "
    )
    return execute(prefix + sql, params, many, context)
