"""Broker rate limits shared by every worker (and every server) on one Redis.

Brokers count requests per API key, whatever process sends them; several ``serve`` workers each keeping
their own windows would together send N times the limit. With a bus, the server makes every shared
limiter (:func:`brokerplex.ratelimit.use_limiters`) a :class:`RedisLimiter`: the same windows (the plugin's
``Limit`` list, per key such as ``kite/<api key>/orders``), kept in Redis by the ``limits`` library's
moving window (a Lua script that checks and records a request atomically), so that all processes draw
from one count.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from brokerplex.errors import RateLimitedError, UnreachableError
from brokerplex.hub.bus.codec import shown
from brokerplex.ratelimit import Limit, RateLimiter, use_limiters

if TYPE_CHECKING:
    from redis.asyncio import ConnectionPool

KEY_PREFIX = "brokerplex:limits"
#: A slot is taken when a request is ready to go, and the broker counts it when it arrives; between the two,
#: a worker's event loop serves its other requests. A caller that waited for a slot waits this much longer,
#: so that a burst taken at once, reaching the broker over a spread of time, still fits its window there.
#: (The process-local limiter's 0.05 s is for network jitter alone.)
SPREAD_SECONDS = 0.25
#: The ``limits`` storage scheme of each bus URL scheme.
SCHEMES = {"redis": "async+redis", "rediss": "async+rediss", "unix": "async+redis+unix"}


class RedisLimiter(RateLimiter):
    """A limiter whose windows live in Redis: ``acquire`` waits until every window has room across all
    processes, or refuses at once (RateLimitedError, nothing recorded) a wait beyond ``max_wait``.
    (``reserve``/``try_reserve`` keep counting in this process: only simulators use them.)"""

    def __init__(self, limits: Sequence[Limit], *, name: str, max_wait: float,
                 strategy: MovingWindowRateLimiter, where: str) -> None:
        super().__init__(limits, name=name, max_wait=max_wait)
        self._strategy, self._where = strategy, where
        # Whole seconds (limits' finest unit); a fraction is rounded up, which only makes the window stricter.
        self._items = [RateLimitItemPerSecond(limit.count, math.ceil(limit.period), namespace="brokerplex")
                       for limit in self.limits]

    def __repr__(self) -> str:
        return super().__repr__().replace("<RateLimiter", "<RedisLimiter", 1)

    async def acquire(self) -> None:
        from redis.exceptions import RedisError

        try:
            await self._acquire()
        except (RedisError, OSError) as error:  # no count to draw from: send nothing rather than risk a ban
            raise UnreachableError(f"the shared rate limits on {self._where} cannot be used ({error}): "
                                   "nothing was sent") from None

    async def _acquire(self) -> None:
        while True:
            wait = max(await asyncio.gather(*(self._room_in(item) for item in self._items)))
            if wait <= 0:
                taken = await asyncio.gather(*(self._strategy.hit(item, self.name) for item in self._items))
                if all(taken):
                    return
                continue  # another process took the last slot meanwhile (what this one took is spent)
            if wait > self.max_wait:
                error = RateLimitedError(f"rate limit {self!r} reached; try again in {wait:.0f} s")
                error.retry_after = wait
                raise error
            await asyncio.sleep(wait + SPREAD_SECONDS)

    async def _room_in(self, item: RateLimitItemPerSecond) -> float:
        """Seconds until ``item``'s window has room (0: now)."""
        stats = await self._strategy.get_window_stats(item, self.name)
        return 0.0 if stats.remaining > 0 else stats.reset_time - time.time()


class SharedLimits:
    """The Redis-backed limiters of one server process: installed for every broker made from now on."""

    def __init__(self, bus_url: str) -> None:
        from redis.asyncio import ConnectionPool

        scheme = urlsplit(bus_url).scheme
        self._where = shown(bus_url)
        self._pool: ConnectionPool = ConnectionPool.from_url(bus_url)
        storage = RedisStorage(SCHEMES[scheme] + bus_url[len(scheme):], implementation="redispy",
                               key_prefix=KEY_PREFIX,
                               connection_pool=self._pool)  # type: ignore[arg-type]  # documented; typed narrowly
        self._strategy = MovingWindowRateLimiter(storage)

    def limiter(self, name: str, limits: tuple[Limit, ...], max_wait: float) -> RateLimiter:
        return RedisLimiter(limits, name=name, max_wait=max_wait, strategy=self._strategy, where=self._where)

    def install(self) -> None:
        use_limiters(self.limiter)

    async def close(self) -> None:
        use_limiters(None)
        await self._pool.disconnect()
