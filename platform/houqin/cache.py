"""The cache backend production runs on: Django's Redis cache, its redis-py client kept.

Django's `RedisCacheClient` makes a new `redis.Redis` for every operation, and redis-py copies
its 170 response callbacks into a new dict for each: about 60 µs of the web worker's CPU an
operation, five on a school's API request (its host, its token, its roles, each with the
generation of access). A redis-py client holds no connection of its own (it takes one from its
pool for each command, and its pool starts anew in a forked process), so one client a pool is
kept and shared. Django keeps one cache object per thread; so does this, then."""

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:  # noqa: ARG002 (Django's)
        # Django's client's own attributes (private, so not in its stubs).
        django_client: Any = self
        pool = django_client._get_connection_pool(write)
        # By the pool's identity: each pool lives as long as this object keeps it.
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = django_client._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
