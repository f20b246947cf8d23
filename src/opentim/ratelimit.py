"""Per-API, per-app call-rate limits (60007), counted in one-second windows.

Two counters behind one interface:

- ``RateLimiter`` (the default) counts in this process's memory. With several processes each
  one counts only its own calls, so N processes together admit up to N times the limit.
- ``RedisRateLimiter`` (``OPENTIM_REDIS_URL``) counts in Redis, shared by every process that
  uses the same Redis: the limit holds for the whole deployment. Windows are wall-clock
  seconds, so the hosts' clocks must agree (NTP). If Redis cannot be reached within
  ``REDIS_TIMEOUT`` the call is counted by the in-process counter instead — limits degrade to
  per-process, requests are never refused or delayed because Redis is down.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from opentim.settings import Settings

log = logging.getLogger("opentim.ratelimit")

REDIS_TIMEOUT = 0.25
"""Seconds one Redis round trip may take before the in-process counter is used instead."""
REDIS_RETRY_AFTER = 5.0
"""After a Redis failure, seconds during which the in-process counter is used without trying."""


class Limiter(Protocol):
    async def allow(self, sdkappid: int, api: str, limit: int) -> bool:
        """Count one call; False when it is over ``limit`` calls in the current second."""

    async def close(self) -> None: ...


class RateLimiter:
    """The in-process counter."""

    def __init__(self) -> None:
        self._second = 0
        self._counts: dict[tuple[int, str], int] = {}

    def allow_now(self, sdkappid: int, api: str, limit: int) -> bool:
        if limit <= 0:
            return True
        second = int(time.monotonic())
        if second != self._second:
            self._second = second
            self._counts.clear()
        key = (sdkappid, api)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count <= limit

    async def allow(self, sdkappid: int, api: str, limit: int) -> bool:
        return self.allow_now(sdkappid, api, limit)

    async def close(self) -> None:
        pass


class RedisRateLimiter:
    """Counts in Redis (``INCR`` of a key per app, API and wall-clock second)."""

    def __init__(self, url: str) -> None:
        import redis.asyncio

        self._redis = redis.asyncio.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        self._local = RateLimiter()
        self._down_until = 0.0

    async def allow(self, sdkappid: int, api: str, limit: int) -> bool:
        if limit <= 0:
            return True
        if time.monotonic() < self._down_until:
            return self._local.allow_now(sdkappid, api, limit)
        second = int(time.time())
        key = f"opentim:rate:{sdkappid}:{api}:{second}"
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.incr(key)
                pipe.expire(key, 2)
                count, _ = await pipe.execute()
        except Exception as exc:  # any Redis or network failure: count locally for a while
            log.warning(
                "rate limits counted per process: Redis unavailable (%s)", type(exc).__name__
            )
            self._down_until = time.monotonic() + REDIS_RETRY_AFTER
            return self._local.allow_now(sdkappid, api, limit)
        return int(count) <= limit

    async def close(self) -> None:
        await self._redis.aclose()


def make_limiter(settings: Settings) -> Limiter:
    """Redis when ``settings.redis_url`` is set, else the in-process counter."""
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url)
    return RateLimiter()
