"""The cache backend production runs on (houqin.cache): Django's Redis cache with one redis-py
client a connection pool, kept across operations, forks and threads."""

import multiprocessing
import os
import threading
import uuid
from collections.abc import Iterator
from unittest import mock

import pytest
import redis

from houqin.cache import RedisCache
from houqin.settings import base


@pytest.fixture
def cache() -> Iterator[RedisCache]:
    prefix = f"test-cache-{uuid.uuid4().hex}"
    store = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": prefix})
    yield store
    store.clear()


def test_production_caches_are_this_backend():
    assert {cache["BACKEND"] for cache in base.CACHES.values()} == {"houqin.cache.RedisCache"}


def test_what_is_kept_is_read_back(cache):
    cache.set("host", {"school": 7}, 60)
    assert cache.get("host") == {"school": 7}
    assert cache.add("host", "other") is False
    assert cache.add("fresh", 1) is True
    assert cache.incr("fresh") == 2
    assert cache.get_many(["host", "fresh", "none"]) == {"host": {"school": 7}, "fresh": 2}
    cache.delete_many(["host", "fresh"])
    assert cache.get("host", "gone") == "gone"


def test_operations_share_one_redis_client(cache):
    made = mock.Mock(wraps=redis.Redis)
    cache._cache._client = made
    for n in range(20):
        cache.set(f"k{n}", n)
        cache.get(f"k{n}")
    cache.get_many([f"k{n}" for n in range(20)])
    assert made.call_count == 1


def _write_in_child(cache: RedisCache, key: str) -> None:
    cache.set(key, os.getpid())


def test_a_forked_process_and_threads_use_the_kept_client(cache):
    """A gunicorn worker is forked from its master: the client kept before the fork serves the
    child on connections of its own (redis-py's pool starts anew in a new process)."""
    cache.set("before", 1)
    child = multiprocessing.get_context("fork").Process(
        target=_write_in_child, args=(cache, "child")
    )
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert cache.get("child") == child.pid

    def write(n: int) -> None:
        for i in range(50):
            cache.set(f"t{n}-{i}", i)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get_many([f"t{n}-49" for n in range(4)]) == {f"t{n}-49": 49 for n in range(4)}
