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


@contextmanager
def acting_for(actor_id: int | None) -> Iterator[ActorContext]:
    """Name another actor, keeping the request id: a service acting for its `actor`."""
    with acting(request_id=_current.get().request_id, actor_id=actor_id) as ctx:
        yield ctx


def set_actor(actor_id: int | None) -> None:
    """Name the actor of the current request once authentication has identified them."""
    _current.set(ActorContext(request_id=_current.get().request_id, actor_id=actor_id))


# What the current transaction's settings hold, kept on the connection: both empty when a
# transaction starts (the settings are transaction-local), unknown after a rollback to a savepoint.
EMPTY: tuple[str, str] = ("", "")
UNKNOWN: tuple[str, str] = ("?", "?")

_SET_CONTEXT = (
    "SELECT set_config('houqin.actor_id', %s, true), set_config('houqin.request_id', %s, true)"
)


def _settings(ctx: ActorContext) -> tuple[str, str]:
    actor = "" if ctx.actor_id is None else str(int(ctx.actor_id))
    request_id = ctx.request_id if ctx.request_id and _SAFE_REQUEST_ID.match(ctx.request_id) else ""
    return actor, request_id


def audit_context_wrapper(
    execute: Any, sql: Any, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Give the transaction the actor and request id in force before its next statement, whatever
    the statement is (a CTE that writes, a function, a DO block): the audit triggers read them.

    The settings are set once per transaction and again only when the context changes inside
    it (a service acting for another actor), as bound parameters. Statements outside a
    transaction carry no context: every write goes through a service, which opens one.
    """
    connection = context["connection"]
    if not connection.get_autocommit():
        wanted = _settings(_current.get())
        if getattr(connection, "audit_context", EMPTY) != wanted:
            # On a cursor of its own: the statement's may be a named (server-side) cursor, as
            # `.iterator()` opens, which executes once only.
            with connection.connection.cursor() as cursor:
                cursor.execute(_SET_CONTEXT, wanted)
            connection.audit_context = wanted
    return execute(sql, params, many, context)
