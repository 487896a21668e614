"""The home page's panels: each app that has work waiting for someone hands the home page a
function (request -> Panel or None); the host's routes list them. A panel shows only what the
caller may act on, counted and linked."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.functional import Promise


@dataclass(frozen=True)
class Waiting:
    """One kind of thing waiting: how many, and the page that lists them."""

    label: Promise | str
    count: int
    path: str
    warn: bool = False


@dataclass(frozen=True)
class Panel:
    title: Promise | str
    items: list[Waiting] = field(default_factory=list)


HomePanel = Callable[[HttpRequest], Panel | None]
