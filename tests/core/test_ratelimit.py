"""Rate limits reserve slots across threads and refuse, before sending, waits that are too long."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from brokerplex.errors import RateLimitedError
from brokerplex.ratelimit import SLACK_SECONDS, Limit, RateLimiter, shared_limiter


def test_calls_within_the_limit_do_not_wait() -> None:
    limiter = RateLimiter([Limit(3, 1.0)])
    assert [limiter.reserve(now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]


def test_the_next_call_waits_for_the_oldest_to_leave_the_window() -> None:
    limiter = RateLimiter([Limit(2, 1.0)])
    limiter.reserve(now=100.0)
    limiter.reserve(now=100.4)
    assert limiter.reserve(now=100.5) == pytest.approx(0.5 + SLACK_SECONDS)
    # the window now holds 100.4 and the reserved 101 s + slack: the next slot is 100.4 + 1 s + slack
    assert limiter.reserve(now=100.5) == pytest.approx(0.9 + SLACK_SECONDS)


def test_every_window_must_have_room() -> None:
    limiter = RateLimiter([Limit(10, 1.0), Limit(3, 60.0)], max_wait=120)
    for _ in range(3):
        assert limiter.reserve(now=0.0) == 0.0
    assert limiter.reserve(now=1.0) == pytest.approx(59.0 + SLACK_SECONDS)


def test_a_wait_beyond_max_wait_is_refused_and_reserves_nothing() -> None:
    limiter = RateLimiter([Limit(1, 86400.0)], name="orders/day", max_wait=5)
    limiter.reserve(now=0.0)
    with pytest.raises(RateLimitedError, match="orders/day") as caught:
        limiter.reserve(now=10.0)
    assert caught.value.retry_after == pytest.approx(86390.0 + SLACK_SECONDS)
    assert caught.value.nothing_happened
    assert len(limiter._recent[0]) == 1


def test_one_key_shares_one_limiter_across_threads_and_event_loops() -> None:
    limits = [Limit(5, 0.3)]
    key = ("test", "shared-key", time.monotonic())
    assert shared_limiter(key, limits) is shared_limiter(key, limits)
    assert shared_limiter(key, [Limit(6, 0.3)]) is not shared_limiter(key, limits)
    started = time.monotonic()
    stamps: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        asyncio.run(shared_limiter(key, limits).acquire())  # each thread its own event loop
        with lock:
            stamps.append(time.monotonic() - started)

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    # ten calls at five per 0.3 s: the second five cannot start before the window has moved on
    assert stamps[5] >= 0.3
    for earlier, later in zip(stamps, stamps[5:], strict=False):
        assert later - earlier >= 0.3 - 0.02


def test_acquire_sleeps_on_the_event_loop() -> None:
    limiter = RateLimiter([Limit(1, 0.2)])

    async def twice() -> float:
        started = time.monotonic()
        await limiter.acquire()
        await limiter.acquire()
        return time.monotonic() - started

    assert asyncio.run(twice()) >= 0.2


def test_a_limit_needs_a_positive_count_and_period() -> None:
    with pytest.raises(ValueError, match="positive"):
        Limit(0, 1.0)


def test_try_reserve_counts_what_fits_and_says_how_long_otherwise() -> None:
    limiter = RateLimiter([Limit(2, 1.0)])
    assert [limiter.try_reserve(now=100.0), limiter.try_reserve(now=100.4)] == [0.0, 0.0]
    assert limiter.try_reserve(now=100.5) == pytest.approx(0.5 - SLACK_SECONDS)
    # the refusal counted nothing: the slot opens when the oldest leaves the (slack-narrowed) window
    assert limiter.try_reserve(now=101.0 - SLACK_SECONDS) == 0.0
    assert limiter.try_reserve(now=101.0) == pytest.approx(0.4 - SLACK_SECONDS)


def test_try_reserve_needs_room_in_every_window() -> None:
    limiter = RateLimiter([Limit(10, 1.0), Limit(3, 60.0)])
    assert [limiter.try_reserve(now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.try_reserve(now=1.0) == pytest.approx(59.0 - SLACK_SECONDS)
