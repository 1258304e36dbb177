"""Market views: candles (paged over the broker's range limits), depth, instrument search, option chains."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pluggy

from brokerplex.broker import Broker
from brokerplex.errors import InputError
from brokerplex.formats import IST
from brokerplex.instruments import trading_day
from brokerplex.models import Depth, Instrument, InstrumentType
from brokerplex.ops.chain import build_chain, chain_symbols, spot_symbol_for
from brokerplex.ops.models import INTERVALS, Candle, Interval, OptionChain
from brokerplex.ops.positions import PositionOperations
from brokerplex.ops.search import SearchIndex
from brokerplex.outcomes import only_ours
from brokerplex.symbols import canonical

MAX_CANDLE_PAGES = 200  # a range needing more requests than this is refused before the first


class MarketViews(PositionOperations):
    def __init__(self, home: Path | None = None, *, plugin_manager: pluggy.PluginManager | None = None,
                 database: str | None = None) -> None:
        super().__init__(home, plugin_manager=plugin_manager, database=database)
        self._search_indexes: dict[str, tuple[Broker, dt.date, SearchIndex]] = {}

    # -- candles -----------------------------------------------------------------------
    @only_ours
    async def candles(self, account: str, symbol: str, interval: Interval, start: dt.datetime,
                      end: dt.datetime) -> list[Candle]:
        """Candles from ``start`` to ``end`` (naive times are IST), oldest first; a range longer than the
        broker serves in one request is fetched in pages."""
        if interval not in INTERVALS:
            raise InputError(f"unknown candle interval {interval!r}; use one of {', '.join(INTERVALS)}")
        start, end = _aware(start), _aware(end)
        if end <= start:
            raise InputError("the end of a candle range must come after its start")
        symbol = canonical(symbol)
        broker = await self._native(account, "candles", None)
        page = broker.candle_ranges.get(interval)
        windows = _windows(start, end, page)
        if len(windows) > MAX_CANDLE_PAGES:
            raise InputError(f"{interval} candles from {start:%Y-%m-%d} to {end:%Y-%m-%d} would take "
                             f"{len(windows)} requests; ask for a shorter range or a wider interval")
        found: dict[dt.datetime, Candle] = {}
        for window_start, window_end in windows:
            for candle in await broker.candles(symbol, interval, window_start, window_end):
                found[candle.at] = candle  # pages meet at their edges: one candle per start time
        return [found[at] for at in sorted(found)]

    # -- depth ---------------------------------------------------------------------------
    @only_ours
    async def depth(self, account: str, symbol: str) -> Depth:
        """The order book's best levels on both sides (five on most brokers)."""
        symbol = canonical(symbol)
        return (await self.quotes(account, [symbol]))[symbol].depth

    # -- instruments -------------------------------------------------------------------------
    async def search_index(self, account: str) -> SearchIndex:
        """The account's instruments, indexed once per session and trading day."""
        broker, day = await self.session(account), trading_day()
        cached = self._search_indexes.get(account)
        if cached is None or cached[:2] != (broker, day):  # a new login or a new day's master: index again
            cached = self._search_indexes[account] = (broker, day, SearchIndex(await broker.instruments()))
        return cached[2]

    @only_ours
    async def search(self, account: str, query: str, *, exchange: str | None = None,
                     instrument_type: InstrumentType | None = None, limit: int = 20) -> list[Instrument]:
        """Instruments matching ``query`` on name and trading symbol, best first."""
        index = await self.search_index(account)
        return index.search(query, exchange=exchange, instrument_type=instrument_type, limit=limit)

    @only_ours
    async def expiries(self, account: str, underlying: str) -> list[dt.date]:
        found = (await self.search_index(account)).expiries(underlying.upper())
        if not found:
            raise InputError(f"no futures or options of {underlying!r} are listed (account {account})")
        return found

    @only_ours
    async def chain(self, account: str, underlying: str, *, expiry: dt.date | None = None,
                    strikes: int | None = 10, rate: float = 0.065) -> OptionChain:
        """The option chain of ``underlying`` for ``expiry`` (default: the nearest): the ``strikes`` strikes on
        each side of the spot, with last price, bid/ask, OI, IV and greeks; quotes in as few requests as
        the broker's batch size allows."""
        if strikes is not None and strikes < 1:
            raise InputError("give at least one strike on each side")
        underlying = underlying.upper()
        index = await self.search_index(account)
        now = dt.datetime.now(IST)
        # After the close (15:30 IST) the day's expiry is over: the nearest is the next one.
        trading = now.date() + dt.timedelta(days=1) if now.time() >= dt.time(15, 30) else now.date()
        expiry = expiry or index.nearest_expiry(underlying, trading)
        if expiry is None:
            raise InputError(f"no options of {underlying!r} are listed (account {account})")
        options = index.options(underlying, expiry)
        if not options:
            raise InputError(f"no {underlying} options expire on {expiry} (expiries: "
                             f"{', '.join(str(d) for d in index.expiries(underlying)) or 'none'})")
        spot_symbol = spot_symbol_for(underlying)
        batch = self._capabilities[account].quote_batch
        everything = [spot_symbol, *(option.symbol for option in options)]
        if len(everything) <= batch:  # one request: the spot and every contract, strikes chosen here
            quotes, calls = await self.quotes(account, everything), 1
        else:  # the spot first, to choose the strikes, then only those
            quotes, calls = await self.quotes(account, [spot_symbol]), 1
        spot = quotes[spot_symbol].last_price if spot_symbol in quotes else None
        missing = [symbol for symbol in chain_symbols(options, spot, strikes) if symbol not in quotes]
        for first in range(0, len(missing), batch):
            quotes |= await self.quotes(account, missing[first:first + batch])
            calls += 1
        return build_chain(underlying, expiry, options, quotes, spot, spot_symbol, now, strikes=strikes, rate=rate,
                           quote_calls=calls)

def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=IST) if moment.tzinfo is None else moment


def _windows(start: dt.datetime, end: dt.datetime, page: dt.timedelta | None) -> list[tuple[dt.datetime, dt.datetime]]:
    """``start``..``end`` cut into consecutive windows no longer than ``page`` (None: one window)."""
    if page is None:
        return [(start, end)]
    windows, cursor = [], start
    while cursor < end:
        windows.append((cursor, min(cursor + page, end)))
        cursor += page
    return windows

