"""Declarations for the generated isolation and role matrix of the pages (tests/test_pages.py).

Each module of this package declares, by URL name, the pages of one area on a school's host
(`SCHOOL_PAGES`) and on the district host (`DISTRICT_PAGES`): who may open each page, and how to
build what its URL names (made fresh in the scene's school, `tests.matrix.Scene`). A page added
without a declaration fails `test_every_page_is_declared`.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from houqin.roles import Role
from tests.matrix import Scene


def _nothing(scene: Scene) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Declared:
    """Who may open a page, and the URL's arguments for one scene."""

    # Who gets the page (200).
    roles: frozenset[Role]
    build: Callable[[Scene], dict[str, Any]] = field(default=_nothing)
    # Who is let through but sent on elsewhere (302).
    sent_on: frozenset[Role] = frozenset()


Pages = dict[str, Declared]


def _merged(attribute: str) -> Pages:
    merged: Pages = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared: Pages = getattr(module, attribute, {})
        clash = set(merged) & set(declared)
        assert not clash, f"declared twice: {clash}"
        merged.update(declared)
    return merged


SCHOOL_PAGES = _merged("SCHOOL_PAGES")
DISTRICT_PAGES = _merged("DISTRICT_PAGES")
