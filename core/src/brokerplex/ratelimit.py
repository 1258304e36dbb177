"""Client-side rate limits, shared by every call with one key in the process.

Brokers publish limits per API key (Kite: quotes 1/s, historical 3/s, other calls
10/s, orders per minute and per day); every account, thread and event loop that
uses the key draws from one :class:`RateLimiter`, obtained with :func:`shared_limiter`.
A call reserves the earliest moment at which every window still has room and sleeps
until then; a wait longer than ``max_wait`` (a per-day limit, say) is refused at
once with RateLimitedError, before anything is sent.

A process that shares its limits with others (the server's workers, through Redis) installs a factory
with :func:`use_limiters`: every shared limiter then comes from it.

A simulator enforces the same limits from the other side with :meth:`RateLimiter.try_reserve`,
which never waits: it counts a request that fits, or says how long until one would.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from brokerplex.errors import RateLimitedError

# Reservations are spaced a little wider than the published window, so that network
# jitter between two requests cannot make the broker count one too many; a server checks
# windows as much narrower, so that a client pacing at exactly the limit is not refused.
# At 0.05 s a side, a loaded test machine (three workers) once had a quote refused.
SLACK_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class Limit:
    count: int
    period: float  # seconds

    def __post_init__(self) -> None:
        if self.count < 1 or self.period <= 0:
            raise ValueError(f"a rate limit needs a positive count and period, not {self.count}/{self.period}s")


class RateLimiter:
    """Sliding windows over the last ``count`` reservations of each limit."""

    def __init__(self, limits: Sequence[Limit], *, name: str = "", max_wait: float = 10.0) -> None:
        self.limits = tuple(limits)
        self.name = name
        self.max_wait = max_wait
        self._recent = [deque[float](maxlen=limit.count) for limit in self.limits]
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        windows = ", ".join(f"{limit.count}/{limit.period:g}s" for limit in self.limits)
        return f"<RateLimiter {self.name} {windows}>"

    def reserve(self, now: float | None = None) -> float:
        """Take the next free slot; return how long to wait for it (seconds).

        Raises RateLimitedError, reserving nothing, if the wait would exceed ``max_wait``.
        """
        with self._lock:
            moment = time.monotonic() if now is None else now
            start = self._room_at(moment, SLACK_SECONDS)
            wait = start - moment
            if wait > self.max_wait:
                error = RateLimitedError(f"rate limit {self!r} reached; try again in {wait:.0f} s")
                error.retry_after = wait
                raise error
            self._take(start)
            return wait

    def try_reserve(self, now: float | None = None) -> float:
        """The server's check: 0.0 if the request fits every window now (it is counted), else the
        seconds until it would fit (nothing is counted: a refused request is not a request)."""
        with self._lock:
            moment = time.monotonic() if now is None else now
            wait = self._room_at(moment, -SLACK_SECONDS) - moment
            if wait <= 0:
                self._take(moment)
            return max(wait, 0.0)

    def _room_at(self, moment: float, slack: float) -> float:
        """The earliest time from ``moment`` at which every window, ``slack`` wider, has room."""
        return max([moment] + [recent[0] + limit.period + slack
                               for limit, recent in zip(self.limits, self._recent, strict=True)
                               if len(recent) == limit.count])

    def _take(self, moment: float) -> None:
        for recent in self._recent:
            recent.append(moment)

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)


#: Makes the limiter of one key: (its name, its windows, max_wait) -> a RateLimiter (or a subclass whose
#: ``acquire`` draws from windows kept elsewhere).
LimiterFactory = Callable[[str, tuple[Limit, ...], float], RateLimiter]

_shared: dict[Hashable, RateLimiter] = {}
_shared_lock = threading.Lock()
_factory: LimiterFactory | None = None


def use_limiters(factory: LimiterFactory | None) -> None:
    """Make every shared limiter from now on with ``factory`` (None: this process's own windows again).
    Install it before the brokers are made: a limiter already handed out keeps its windows."""
    global _factory
    with _shared_lock:
        _factory = factory
        _shared.clear()


def shared_limiter(key: Hashable, limits: Sequence[Limit], *, max_wait: float = 10.0) -> RateLimiter:
    """The process-wide limiter for ``key`` (e.g. ``("kite", api_key, "orders")``).

    The same key with different limits gets a separate limiter: configuration wins.
    Put no secret in the key: it shows in the limiter's name.
    """
    with _shared_lock:
        full_key = (key, tuple(limits), max_wait)
        limiter = _shared.get(full_key)
        if limiter is None:
            label = "/".join(str(part) for part in key) if isinstance(key, tuple) else str(key)
            if _factory is None:
                limiter = RateLimiter(limits, name=label, max_wait=max_wait)
            else:
                limiter = _factory(label, tuple(limits), max_wait)
            _shared[full_key] = limiter
        return limiter
