"""The instrument store: canonical symbols ↔ a broker's native ids, from its master.

A plugin parses its broker's master (Kite's CSV, XTS's pipe text) into light rows,
tuples or slotted objects, and gives the store three small functions: the row's
canonical symbol, its native key (Kite: tradingsymbol and instrument_token; XTS:
exchangeSegment and exchangeInstrumentID) and how to build the full
:class:`~brokerplex.models.Instrument`. Building a pydantic model for each of 100k
rows would dominate loading, so instruments are built only when asked for.

:class:`DailyCache` keeps the raw master on disk per trading day. A refresh writes
the new copy beside the old one and replaces it only after the new text parsed, so
a failed or truncated download never destroys a good cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

from brokerplex.errors import ProtocolError, SymbolError
from brokerplex.formats import IST
from brokerplex.models import Instrument
from brokerplex.storage import write_private

MASTER_PUBLISHED = dt.time(8, 0)  # brokers publish the day's master before the pre-open

Row = TypeVar("Row")
Key = TypeVar("Key", bound=Hashable)
Parsed = TypeVar("Parsed")


def trading_day(now: dt.datetime | None = None) -> dt.date:
    """The IST day whose master is current: before 08:00 IST that is still yesterday's."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(IST)
    day = moment.date()
    return day - dt.timedelta(days=1) if moment.time() < MASTER_PUBLISHED else day


class InstrumentStore(Generic[Row, Key]):
    """Canonical symbol → row → native key, and back; instruments built on demand."""

    def __init__(
        self,
        rows: Iterable[Row],
        *,
        symbol: Callable[[Row], str],
        key: Callable[[Row], Key],
        build: Callable[[Row], Instrument],
    ) -> None:
        self._build = build
        self._by_symbol: dict[str, Row] = {}
        self._symbol_by_key: dict[Key, str] = {}
        for row in rows:
            name = symbol(row)
            self._by_symbol[name] = row
            self._symbol_by_key[key(row)] = name
        self._key = key
        self._built: dict[str, Instrument] = {}

    def __len__(self) -> int:
        return len(self._by_symbol)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._by_symbol

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_symbol)

    def row(self, symbol: str) -> Row | None:
        return self._by_symbol.get(symbol)

    def key(self, symbol: str) -> Key:
        """The native key of a listed symbol; SymbolError (before any request) if unlisted."""
        row = self._by_symbol.get(symbol)
        if row is None:
            raise SymbolError(f"{symbol} is not in the instrument master")
        return self._key(row)

    def symbol(self, key: Key) -> str | None:
        """The canonical symbol of a native key, or None for a key the master lacks."""
        return self._symbol_by_key.get(key)

    def instrument(self, symbol: str) -> Instrument | None:
        built = self._built.get(symbol)
        if built is None:
            row = self._by_symbol.get(symbol)
            if row is None:
                return None
            built = self._built[symbol] = self._build(row)
        return built

    def instruments(self) -> list[Instrument]:
        """Every instrument, built (slow for a full master: prefer :meth:`instrument`)."""
        return [instrument for symbol in self._by_symbol if (instrument := self.instrument(symbol))]


class DailyCache:
    """One raw master per trading day in a folder; older days are removed on refresh."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.name = name

    def path(self, day: dt.date) -> Path:
        return self.directory / f"{self.name}-{day.isoformat()}"

    def read(self, day: dt.date) -> bytes | None:
        try:
            return self.path(day).read_bytes()
        except FileNotFoundError:
            return None

    async def get(
        self, day: dt.date, fetch: Callable[[], Awaitable[bytes]], parse: Callable[[bytes], Parsed]
    ) -> Parsed:
        """The day's master parsed: from disk if there is a good copy, else fetched and stored."""
        cached = self.read(day)
        if cached is not None:
            try:
                return parse(cached)
            except ProtocolError:
                pass  # a damaged copy is replaced below, never trusted
        return self.write(day, await fetch(), parse)

    def write(self, day: dt.date, data: bytes, parse: Callable[[bytes], Parsed]) -> Parsed:
        """Parse ``data`` first (``parse`` raises ProtocolError if it is malformed); only then replace
        the day's copy, atomically."""
        parsed = parse(data)  # raises on a truncated or malformed master: the old copy stays
        write_private(self.path(day), data)
        self._forget_before(day)
        return parsed

    def _forget_before(self, day: dt.date) -> None:
        keep = self.path(day).name
        for old in self.directory.glob(f"{self.name}-*"):
            if old.name != keep and not old.name.startswith("."):
                with contextlib.suppress(FileNotFoundError):  # another process removed it first
                    os.unlink(old)


class DailyStore(Generic[Parsed]):
    """One broker instance's parsed master for the current trading day: from its
    :class:`DailyCache` or fetched, and loaded again when the trading day turns over."""

    def __init__(self, cache: DailyCache, fetch: Callable[[], Awaitable[bytes]],
                 parse: Callable[[bytes], Parsed]) -> None:
        self.cache, self.fetch, self.parse = cache, fetch, parse
        self._lock = asyncio.Lock()
        self._day: dt.date | None = None
        self._value: Parsed | None = None

    async def get(self) -> Parsed:
        day = trading_day()
        if self._value is None or self._day != day:
            async with self._lock:
                if self._value is None or self._day != day:
                    self._value = await self.cache.get(day, self.fetch, self.parse)
                    self._day = day
        return self._value
