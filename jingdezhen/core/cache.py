"""A Redis cache that a Redis outage cannot turn into server errors.

The cache only ever saves work (throttle counters, computed fragments): when Redis does not
answer, reads miss and writes are dropped, a warning is logged, and the page is served from the
database. Django's own RedisCache would raise ConnectionError into the request instead.
"""

from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError)


def _forgiving(method, fallback):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except OUTAGE as exc:
            logger.warning("cache unavailable, %s skipped: %s", method.__name__, exc)
            if fallback is KeyError:  # get(key, default): answer the caller's default
                return args[1] if len(args) > 1 else kwargs.get("default")
            if isinstance(fallback, type) and issubclass(fallback, Exception):
                raise fallback(str(exc)) from exc
            return fallback() if callable(fallback) else fallback

    return call


class ForgivingRedisCacheClient(RedisCacheClient):
    get = _forgiving(RedisCacheClient.get, KeyError)
    add = _forgiving(RedisCacheClient.add, False)
    set = _forgiving(RedisCacheClient.set, None)
    touch = _forgiving(RedisCacheClient.touch, False)
    delete = _forgiving(RedisCacheClient.delete, False)
    get_many = _forgiving(RedisCacheClient.get_many, dict)
    has_key = _forgiving(RedisCacheClient.has_key, False)
    incr = _forgiving(RedisCacheClient.incr, ValueError)  # as for a key that is not there
    set_many = _forgiving(RedisCacheClient.set_many, list)
    delete_many = _forgiving(RedisCacheClient.delete_many, None)
    clear = _forgiving(RedisCacheClient.clear, False)


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
