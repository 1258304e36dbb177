"""Reading a consumer's events with time bounds, for readers that must not wait forever."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from brokerplex.errors import UnreachableError
from brokerplex.hub.events import Event
from brokerplex.streaming import FeedState


class WatchedEvents:
    """A consumer's events with two time bounds.

    ``give_up``: once a followed account's feed has not been up (live or stale) for that many seconds,
    from the start or since it was last up, UnreachableError naming it. ``idle_timeout``: no tick, order
    update or trade for that many seconds (feed states do not count), TimeoutError.
    """

    def __init__(self, events: AsyncIterator[Event], accounts: list[str], *, give_up: float | None = None,
                 idle_timeout: float | None = None) -> None:
        self._events = events
        self._accounts = accounts
        self._give_up, self._idle_timeout = give_up, idle_timeout
        self._last: dict[str, FeedState] = {}
        self._down_since: dict[str, float] = {}
        self._active_at: float | None = None

    def __aiter__(self) -> WatchedEvents:
        return self

    async def __anext__(self) -> Event:
        now = asyncio.get_running_loop().time()
        if self._active_at is None:
            self._active_at = now
            self._down_since = dict.fromkeys(self._accounts, now)
        down = min(self._down_since, key=self._down_since.__getitem__, default=None)
        give_up_at = None if self._give_up is None or down is None else self._down_since[down] + self._give_up
        idle_at = None if self._idle_timeout is None else self._active_at + self._idle_timeout
        deadline = min((at for at in (give_up_at, idle_at) if at is not None), default=None)
        try:
            async with asyncio.timeout_at(deadline):
                event = await anext(self._events)
        except TimeoutError:
            if idle_at is not None and idle_at == deadline:
                raise TimeoutError(f"no tick or order update from {', '.join(self._accounts)} in "
                                   f"{self._idle_timeout:g} s") from None
            last = self._last.get(down or "")
            raise UnreachableError(f"{down} could not be reached for {self._give_up:g} s "
                                   f"({(last.reason or last) if last else 'connecting'})") from None
        if isinstance(state := event.data, FeedState):
            self._last[event.account] = state
            if state.up:
                self._down_since.pop(event.account, None)
            else:
                self._down_since.setdefault(event.account, asyncio.get_running_loop().time())
        else:
            self._active_at = asyncio.get_running_loop().time()
        return event
