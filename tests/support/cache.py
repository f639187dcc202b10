"""The tests' cache: the project's Redis cache, whose ``clear()`` deletes only its own keys.

Django's RedisCache.clear() is FLUSHDB: with two xdist workers on one Redis database, one
worker's autouse ``cache.clear()`` would empty the other's cache (throttle counters, fragments)
in the middle of a test. Each worker has its own KEY_PREFIX (jingdezhen/test_settings.py), so
deleting the keys under that prefix clears exactly what this process could have written.
"""

from __future__ import annotations

from jingdezhen.core.cache import OUTAGE, ForgivingRedisCache, logger

BATCH = 500


class OwnKeysRedisCache(ForgivingRedisCache):
    def clear(self) -> bool:
        pattern = f"{self.key_prefix}:*"  # every version's keys (make_key: prefix:version:key)
        try:
            client = self._cache.get_client(write=True)
            keys = list(client.scan_iter(match=pattern, count=BATCH))
            for start in range(0, len(keys), BATCH):
                client.delete(*keys[start : start + BATCH])
        except OUTAGE as exc:  # as the project's cache: an outage is a miss, not an error
            logger.warning("cache unavailable, clear skipped: %s", exc)
            return False
        return True
