"""One door for writes: every service runs in a transaction whose audit context names its actor.

A service is a function of an app's `services` module that takes a keyword-only `actor`: the
signed-in user it acts for, or a `SystemActor` naming the job, command or rule that acts on no
person's behalf. `@service` opens the transaction (a savepoint when one is open) and puts the
actor in the context the database backend gives every transaction (`houqin.context`), so the
trail, the rows' `created_by` and the domain's event rows name the same actor, whether the
service was called from a request, a task, a command or a shell.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

from django.db import transaction

from houqin import context

P = ParamSpec("P")
R = TypeVar("R")

SERVICE_MARK = "__houqin_service__"


class Person(Protocol):
    """What the core needs of a signed-in user (the accounts app's User is one)."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """A job, command or rule acting on no person's behalf: the trail records no actor for it,
    and rows it creates have no `created_by`."""

    name: str

    pk = None
    is_authenticated = False

    def get_username(self) -> str:
        return ""


Actor = Person | SystemActor


def actor_id(actor: object) -> int | None:
    """The user id the trail records for `actor`; refuses anything that is not an actor."""
    if isinstance(actor, SystemActor):
        return None
    pk = getattr(actor, "pk", None)
    if getattr(actor, "is_authenticated", False) is True and isinstance(pk, int):
        return pk
    raise TypeError(f"a service acts for a signed-in user or a SystemActor, not {actor!r}")


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` as a service: in a transaction, with its `actor` keyword as the audit actor."""

    @functools.wraps(func)
    def door(*args: P.args, **kwargs: P.kwargs) -> R:
        if "actor" not in kwargs:
            raise TypeError(f"{func.__qualname__} needs its actor=")
        with context.acting_for(actor_id(kwargs["actor"])), transaction.atomic():
            return func(*args, **kwargs)

    setattr(door, SERVICE_MARK, True)
    return door


def is_service(func: Any) -> bool:
    return getattr(func, SERVICE_MARK, False) is True
