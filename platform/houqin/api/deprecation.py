"""Older forms of parameters the API still reads for one release: a request that used one is
answered with a `Deprecation` header (and a `Link` to the grammar it should follow), so that a
client sees what to change before the form stops working (docs/api.md)."""

from contextvars import ContextVar
from typing import TypeVar

import django_filters
from rest_framework.response import Response

# The grammar is docs/api.md in the repository; the served API docs link to the schema.
GRAMMAR = "/api/docs/"
_used: ContextVar[tuple[str, ...]] = ContextVar("houqin_deprecated_forms", default=())


def forget() -> None:
    """At the start of a request: nothing deprecated used yet."""
    _used.set(())


def used(what: str) -> None:
    """The request used the older form of `what` (a parameter's name)."""
    if what not in _used.get():
        _used.set((*_used.get(), what))


def mark(response: Response) -> Response:
    """The response, with `Deprecation` naming the older forms the request used."""
    names = _used.get()
    if names:
        response["Deprecation"] = "true"
        response["Link"] = f'<{GRAMMAR}>; rel="deprecation"'
        response["X-Deprecated-Parameters"] = ", ".join(names)
    forget()
    return response


# Marks a filter as the older form of a parameter (`older`).
_OLDER = "houqin_older_form"
AnyFilter = TypeVar("AnyFilter", bound=django_filters.Filter)


def older(made: AnyFilter) -> AnyFilter:
    """`made`, the older form of a parameter that the grammar (docs/api.md) now writes another way
    (a single day for a range, `since`/`until` for `<stem>_from`/`<stem>_to`): read for one more
    release, a request that uses it is answered with a `Deprecation` header, and the schema marks
    it deprecated."""
    setattr(made, _OLDER, True)
    return made


def is_older(made: django_filters.Filter | None) -> bool:
    return getattr(made, _OLDER, False)
