"""The shared cache (Redis) as the pages use it: when Redis is down, pages carry on without it.

What the cache holds is never the only copy of anything: dashboard figures are rebuilt from the
database, a form's one-use token guards against a double submit, the API's throttle counts
requests. So an unreachable Redis is logged (once a minute at most) and each call behaves as a
miss: reads return the default, writes are dropped, and ``add`` claims the key (a double submit is
then possible, a lost form is not). Sessions are in the database and need no cache at all.
"""

from __future__ import annotations

import functools
import logging
import time

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# The errors of a Redis that is stopped, restarting or out of reach.
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError)
WARN_EVERY_SECONDS = 60

_last_warning = 0.0


def _warn(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("Redis is unavailable (%s: %s); the pages carry on without the cache.", operation, error)


def _degrading(fallback):
    """Run the cache call; when Redis is unreachable, log and return ``fallback(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                _warn(method.__name__, error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _claimed(*args, **kwargs):
    return True


def _not_there(*args, **kwargs):
    return False


def _no_keys(*args, **kwargs):
    return {}


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, degraded to a cache that misses while Redis is unreachable."""

    get = _degrading(_default)(RedisCache.get)
    set = _degrading(_nothing)(RedisCache.set)
    add = _degrading(_claimed)(RedisCache.add)
    touch = _degrading(_not_there)(RedisCache.touch)
    delete = _degrading(_not_there)(RedisCache.delete)
    get_many = _degrading(_no_keys)(RedisCache.get_many)
    set_many = _degrading(lambda *args, **kwargs: [])(RedisCache.set_many)
    delete_many = _degrading(_nothing)(RedisCache.delete_many)
    has_key = _degrading(_not_there)(RedisCache.has_key)
    incr = _degrading(lambda key, delta=1, *args, **kwargs: delta)(RedisCache.incr)
    clear = _degrading(_not_there)(RedisCache.clear)
