"""Per-API, per-app call-rate limits (60007), counted in one-second windows in this process.

With several processes each one counts its own calls; see docs/decisions.md.
"""

from __future__ import annotations

import time


class RateLimiter:
    def __init__(self) -> None:
        self._second = 0
        self._counts: dict[tuple[int, str], int] = {}

    def allow(self, sdkappid: int, api: str, limit: int) -> bool:
        """Count one call; False when it is over ``limit`` calls in the current second."""
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
