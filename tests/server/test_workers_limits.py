"""Broker rate limits drawn from Redis: two servers' limiters (separate clients, as separate workers have)
share one count per key, and a wait beyond max_wait is refused before anything is sent."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from redis.asyncio import Redis

from brokerplex.errors import RateLimitedError, UnreachableError
from brokerplex.ratelimit import Limit, RateLimiter, shared_limiter
from brokerplex_server.ratelimits import KEY_PREFIX, RedisLimiter, SharedLimits


def test_two_servers_limiters_on_one_redis_draw_from_one_count(redis_url: str) -> None:
    name = f"kite/key-{secrets.token_hex(4)}/orders"
    minute = (Limit(3, 60.0),)

    async def main() -> None:
        first, second = SharedLimits(redis_url), SharedLimits(redis_url)
        try:
            mine, theirs = first.limiter(name, minute, 5.0), second.limiter(name, minute, 5.0)
            await asyncio.gather(mine.acquire(), theirs.acquire(), mine.acquire())
            for limiter in (mine, theirs):  # the window is full for both: the next slot is a minute away
                with pytest.raises(RateLimitedError) as refused:
                    await limiter.acquire()
                assert refused.value.retry_after is not None
                assert refused.value.retry_after > 5
            other_key = second.limiter(name.replace("orders", "quote"), minute, 5.0)
            await other_key.acquire()  # each key has its own count
            client = Redis.from_url(redis_url, decode_responses=True)
            try:
                assert len(await client.keys(f"{KEY_PREFIX}:*{name}*")) == 1
            finally:
                await client.aclose()
        finally:
            await first.close()
            await second.close()

    asyncio.run(main())


def test_a_wait_past_max_wait_is_refused_at_once_and_the_factory_makes_every_shared_limiter(redis_url: str) -> None:
    name = f"kite-{secrets.token_hex(4)}"

    async def main() -> None:
        limits, elsewhere = SharedLimits(redis_url), SharedLimits(redis_url)
        limits.install()
        try:
            limiter = shared_limiter(("kite", name, "day"), [Limit(1, 86_400.0)], max_wait=5)
            assert isinstance(limiter, RedisLimiter)
            await limiter.acquire()
            again = elsewhere.limiter(f"kite/{name}/day", (Limit(1, 86_400.0),), 5)
            with pytest.raises(RateLimitedError, match="reached") as refused:
                await again.acquire()
            assert refused.value.retry_after is not None
            assert refused.value.retry_after > 86_000
        finally:
            await limits.close()
            await elsewhere.close()
        assert type(shared_limiter(("kite", name, "day"), [Limit(1, 86_400.0)], max_wait=5)) is RateLimiter

    asyncio.run(main())


def test_without_redis_nothing_is_sent_and_the_password_is_not_said() -> None:
    async def main() -> None:
        limits = SharedLimits("redis://:hunter2@127.0.0.1:1/0")  # nothing listens on port 1
        try:
            with pytest.raises(UnreachableError, match="nothing was sent") as refused:
                await limits.limiter("kite/key/orders", (Limit(10, 1.0),), 5.0).acquire()
            assert "hunter2" not in str(refused.value)
        finally:
            await limits.close()

    asyncio.run(main())
