"""Kite's per-API-key rate limits, enforced over sliding windows.

Each window is a little shorter than its period (``SLACK``), so a client that paces itself at
exactly the limit is not refused for a few milliseconds of network jitter.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

SLACK = 0.1  # seconds taken off every window
# Requests per period (seconds) for each class of endpoint (Kite's documented limits).
LIMITS: dict[str, tuple[tuple[int, float], ...]] = {
    "quote": ((1, 1.0),),
    "historical": ((3, 1.0),),
    "orders": ((10, 1.0), (200, 60.0)),
    "other": ((10, 1.0),),
}


class RateLimits:
    def __init__(self, limits: dict[str, tuple[tuple[int, float], ...]] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = LIMITS if limits is None else limits
        self._clock = clock
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, api_key: str, kind: str) -> bool:
        """Count one request of ``kind`` by ``api_key``; False if it is over a limit."""
        limits = self._limits.get(kind, ())
        if not limits:
            return True
        longest = max(period for _, period in limits)
        with self._lock:
            now = self._clock()
            seen = self._seen.setdefault((api_key, kind), deque())
            while seen and seen[0] <= now - longest:
                seen.popleft()
            for count, period in limits:
                window_start = now - (period - SLACK)
                if sum(1 for at in seen if at > window_start) >= count:
                    return False
            seen.append(now)
            return True
