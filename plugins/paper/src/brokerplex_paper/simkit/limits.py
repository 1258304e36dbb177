"""``ServerLimits``: a simulator's rate limits, per caller and bucket, on the core's RateLimiter.

A broker counts requests per caller (an API key, a session) in buckets (orders, quotes, the
rest); each pair gets its own :class:`~brokerplex.ratelimit.RateLimiter`, checked with
``try_reserve`` so that a refused request is answered at once (429) and not counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence

from brokerplex.ratelimit import Limit, RateLimiter


class ServerLimits:
    def __init__(self, limits: Mapping[str, Sequence[Limit]], *, enabled: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """``limits``: each bucket's windows, e.g. ``{"orders": [Limit(10, 1.0)], "other": [Limit(20, 1.0)]}``;
        ``enabled`` False lets everything through (tests that are not about rate limits)."""
        self.limits = {bucket: tuple(windows) for bucket, windows in limits.items()}
        self.enabled = enabled
        self._clock = clock
        self._limiters: dict[tuple[str, str], RateLimiter] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<ServerLimits {', '.join(self.limits)}{'' if self.enabled else ' (off)'}>"

    def check(self, who: str, bucket: str) -> float:
        """0.0 if ``who`` may make one more ``bucket`` request now (it is counted); otherwise the
        seconds until it may (nothing is counted). An unknown bucket is a KeyError: a route's typo."""
        windows = self.limits[bucket]
        if not self.enabled:
            return 0.0
        with self._lock:
            limiter = self._limiters.get((who, bucket))
            if limiter is None:
                limiter = self._limiters[(who, bucket)] = RateLimiter(windows, name=bucket)
        return limiter.try_reserve(self._clock())
