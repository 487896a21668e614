"""What every request reads to know who calls and what they may do (their API token, their
roles), kept in the shared cache between requests and processes.

Each entry carries the generation of access in force when it was read from the database. Any
change to who may do what (a token issued or revoked, an account changed, a membership granted or
revoked) moves the generation on, at once and again when the change commits; an entry of an
earlier generation is never answered again, so a revocation takes effect at the next request, on
every process. Moving it on when the change commits covers a request that read the database
between the change and its commit: what it kept carries the generation moved on at once, which
the commit moves on again.

A missing generation (a cache emptied or evicted) starts again at a value no entry carries.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import transaction

T = TypeVar("T")

# Keys every host shares: a token and an account's district roles hold on every host.
CACHE = "global"
GENERATION_KEY = "houqin:access:generation"
ENTRY_SECONDS = 300


def _fresh_generation() -> int:
    return time.time_ns()


def _generation(found: int | None) -> int:
    if found is not None:
        return found
    store = caches[CACHE]
    fresh = _fresh_generation()
    if store.add(GENERATION_KEY, fresh, None):
        return fresh
    current: int = store.get(GENERATION_KEY, fresh)
    return current


def remembered(key: str, read: Callable[[], T | None]) -> T | None:
    """The value kept under `key` if it was read in the generation in force; else `read()`,
    kept (when it is not None: a key that names nothing is not kept, so that guesses cannot
    fill the cache) with the generation in force before it was read."""
    store = caches[CACHE]
    found = store.get_many([GENERATION_KEY, key])
    generation = _generation(found.get(GENERATION_KEY))
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        value: T = entry[1]
        return value
    value_read = read()
    if value_read is not None:
        store.set(key, (generation, value_read), ENTRY_SECONDS)
    return value_read


def forget(key: str) -> None:
    """Drop the entry under `key` (a change that does not alter who may do what)."""
    caches[CACHE].delete(key)


def _move_on() -> None:
    store = caches[CACHE]
    try:
        store.incr(GENERATION_KEY)
    except ValueError:  # no generation kept: any fresh one is newer than every entry
        store.add(GENERATION_KEY, _fresh_generation(), None)


def access_changed() -> None:
    """Who may do what has changed: no entry read before this is answered again."""
    _move_on()
    transaction.on_commit(_move_on)
