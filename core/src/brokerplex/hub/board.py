"""The newest tick of each symbol of one account, read by every consumer that keeps nothing older.

A consumer of ``capacity=0`` (the service's sockets: a client wants the market as it is, at the pace it
reads) is not handed each tick: with a hundred of them, putting each tick into each one's queue was 40%
of a server's work. The feed posts a tick once, on its account's board; a consumer reads what changed
since it last looked, when it can send again. A post costs the same for one consumer or a thousand, and
wakes only the consumers waiting for a tick; the events of a tick are made once per mode, for all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from brokerplex.hub.events import MODE_RANK, Event, trimmed
from brokerplex.models import Tick, TickMode


class _Posted:
    """A symbol's newest tick on a board: as it came (parsed on the first read), and its event per mode."""

    __slots__ = ("events", "mode", "posts", "seq", "source", "symbol", "tick")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.seq = self.posts = 0
        self.source: Any = None
        self.mode: TickMode = "ltp"
        self.tick: Tick | None = None
        self.events: dict[TickMode, Event] = {}


class Board:
    """One account's newest ticks (:meth:`post`) and the consumers waiting for the next one."""

    def __init__(self, account: str, parse: Callable[[Any], Tick] | None = None) -> None:
        self.account = account
        self.seq = 0  # of the last post
        self._parse = parse  # a source as posted -> its Tick (None: posted as Ticks)
        self._posted: dict[str, _Posted] = {}  # symbol -> its newest; oldest post first
        self._waiting: set[asyncio.Event] = set()

    def post(self, symbol: str, mode: TickMode, source: Any) -> None:
        """The newest tick of ``symbol``: a Tick, or what ``parse`` makes one of."""
        self.seq += 1
        posted = self._posted.pop(symbol, None) or _Posted(symbol)
        posted.seq, posted.mode, posted.source, posted.tick = self.seq, mode, source, None
        posted.posts += 1
        if posted.events:
            posted.events = {}
        self._posted[symbol] = posted  # last in order: the newest
        if self._waiting:
            for ready in self._waiting:
                ready.set()
            self._waiting.clear()

    def wake(self, ready: asyncio.Event) -> None:
        """Set ``ready`` at the next post."""
        self._waiting.add(ready)

    def read(self, view: BoardView) -> list[Event]:
        """The events ``view`` wants that were posted since it last read, oldest first; ``view`` moves on."""
        found: list[Event] = []
        modes, posts, seen = view.modes, view.posts, view.seen
        for posted in reversed(self._posted.values()):
            if posted.seq <= seen:
                break
            mode = modes.get(posted.symbol)
            if mode is None:
                continue
            found.append(posted.events.get(mode) or self._event(posted, mode))
            last = posts.get(posted.symbol)
            if last is not None:
                view.dropped += posted.posts - last - 1
            posts[posted.symbol] = posted.posts
        view.seen = self.seq
        found.reverse()
        return found

    def _event(self, posted: _Posted, mode: TickMode) -> Event:
        """The event of ``posted`` for a reader of ``mode``, made once (kept under the mode asked for)."""
        # A tick weaker than the reader asked for (in flight as the mode went up) is passed on as it is.
        shown = mode if MODE_RANK[mode] < MODE_RANK[posted.mode] else posted.mode
        event = posted.events.get(shown)
        if event is None:
            tick = posted.tick
            if tick is None:
                tick = posted.tick = posted.source if self._parse is None else self._parse(posted.source)
            event = posted.events[shown] = Event(self.account, tick if shown == posted.mode else trimmed(tick, shown))
        posted.events[mode] = event
        return event


class BoardView:
    """Where one consumer stands on one board: what it wants of each symbol (its own live mapping), the
    last post it read, and each symbol's post count when last read (for the ticks it never saw)."""

    __slots__ = ("dropped", "modes", "posts", "seen")

    def __init__(self, board: Board, modes: dict[str, TickMode]) -> None:
        self.modes = modes
        self.seen = board.seq
        self.posts: dict[str, int] = {}
        self.dropped = 0
