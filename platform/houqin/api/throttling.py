"""Throttles that count across every host."""

from django.core.cache import caches
from rest_framework.throttling import ScopedRateThrottle


class SharedScopedRateThrottle(ScopedRateThrottle):
    """A scoped rate counted in the cache every host shares: the default cache's keys carry the
    schema, so a client would get the whole rate again on each school's host."""

    cache = caches["global"]
