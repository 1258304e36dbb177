"""The paper broker's stream: ticks from the exchange's own price path, its order updates and trades.

There is no connection to keep: every ``interval`` seconds the stream advances the subscribed
instruments on the exchange (:meth:`PaperExchange.step`, which also matches working orders),
and reads the account's order book and trade book. Like the simulators' tickers it sends news,
not repeats: a symbol gets a tick only when its data differs from the last tick it got (the
quote's own time left out). An order that changed since the last look is reported once for each
state it went through meanwhile (read from its history: a market order that was placed and
filled between two looks is reported open, then complete), and each new fill of the trade book
is a :class:`~brokerplex.models.Trade`, after its order's updates. The exchange is a SQLite file
shared across processes, so the orders another process places on the same home are reported
too. The books as they stand when the stream starts are not news.

The exchange calls block on SQLite (another process may hold its lock): they run in a thread,
and what they read is turned into events on the loop, against the subscriptions of that moment
(so nothing of a symbol arrives once ``unsubscribe`` returned).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal

from brokerplex.errors import InputError, SymbolError
from brokerplex.formats import money_places
from brokerplex.models import Order, PriceLevel, Quote, Tick, TickMode, Trade
from brokerplex.streaming import DEFAULT_CAPACITY, FeedState, Stream
from brokerplex.symbols import canonical
from brokerplex_paper.exchange import PaperExchange

log = logging.getLogger("brokerplex.paper.stream")

MODES: tuple[TickMode, ...] = ("ltp", "quote", "full")
BROKER = "paper"
Fingerprint = tuple[object, ...]


def _units(value: Decimal, units: int) -> int:
    return int(value * units)


def _epoch(quote: Quote, moment: str) -> int | None:
    at = getattr(quote, moment)
    return None if at is None else int(at.timestamp())


def tick_of(quote: Quote, mode: TickMode) -> Tick:
    """``quote`` as a tick in ``mode``: the last price alone (ltp), then prices and volume (quote), then depth
    (full). Prices are integers in units of the symbol's money places (paise; 1/10000 rupee on currencies)."""
    symbol = quote.symbol
    units = 10 ** money_places(symbol)
    last = _units(quote.last_price, units)
    if mode == "ltp":
        return Tick(symbol, "ltp", units, last)
    ohlc = None
    if quote.open is not None and quote.high is not None and quote.low is not None and quote.close is not None:
        ohlc = (_units(quote.open, units), _units(quote.high, units), _units(quote.low, units),
                _units(quote.close, units))
    bids: tuple[PriceLevel, ...] = ()
    asks: tuple[PriceLevel, ...] = ()
    if mode == "full":
        bids = tuple((_units(level.price, units), level.quantity, level.orders) for level in quote.depth.bids)
        asks = tuple((_units(level.price, units), level.quantity, level.orders) for level in quote.depth.asks)
    return Tick(
        symbol, mode, units, last, quote.last_quantity,
        None if quote.average_price is None else _units(quote.average_price, units), quote.volume,
        sum(level.quantity for level in quote.depth.bids), sum(level.quantity for level in quote.depth.asks),
        ohlc,
        quote.open_interest, _epoch(quote, "last_traded_at"), _epoch(quote, "timestamp"), bids, asks,
    )


def fingerprint(order: Order) -> Fingerprint:
    """What makes an order's state news when it changes."""
    return (order.status, order.filled_quantity, order.updated_at, order.price, order.quantity, order.trigger_price)


def changes(history: list[Order], last: Fingerprint | None) -> list[Order]:
    """The states of an order's ``history`` after the one last reported (``last``; None: none was), each
    differing from the one before it."""
    start = next((index + 1 for index in range(len(history) - 1, -1, -1)
                  if fingerprint(history[index]) == last), 0)
    news: list[Order] = []
    for state in history[start:]:
        if fingerprint(state) != (fingerprint(news[-1]) if news else last):
            news.append(state)
    return news


class PaperStream(Stream):
    """Ticks, order updates and trades of one paper account; see the module docstring."""

    def __init__(
        self,
        exchange: PaperExchange,
        account: str,
        *,
        interval: float = 0.5,
        before_poll: Callable[[], object] = lambda: None,
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        super().__init__(capacity=capacity)
        self._exchange = exchange
        self._account = account
        self._interval = interval
        self._before_poll = before_poll  # the broker's GTT check: a trigger firing is an order update too
        self._modes: dict[str, TickMode] = {}
        self._told: dict[str, Tick] = {}  # symbol -> its last tick sent, its exchange time left out
        self._seen: dict[str, Fingerprint] = {}  # order id -> its state last reported (or at the start)
        self._looked = 0  # the exchange's newest order change at the last look
        self._traded: set[str] = set()  # trade ids reported (or there at the start)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"<PaperStream account={self._account!r} subscribed={len(self._modes)} state={self.state.state}>"

    async def start(self) -> None:
        """Take the order book as it stands (not news), go live and start polling."""
        if self._task is not None:
            return
        (orders, self._looked), trades = await asyncio.to_thread(
            lambda: (self._read_orders(None), self._exchange.trades(self._account)))
        self._seen = {order.order_id: fingerprint(order) for order in orders}
        self._traded = {trade.trade_id for trade in trades}
        self._set_state(FeedState("live"))
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"paper-stream-{self._account}")

    # -- subscriptions ---------------------------------------------------------------
    def _listed(self, symbols: Sequence[str]) -> list[str]:
        resolved = [canonical(text) for text in symbols]
        for symbol in resolved:
            if self._exchange.listing(symbol) is None:
                raise SymbolError(f"{symbol} is not listed on the paper exchange")
        return resolved

    async def subscribe(self, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        if mode not in MODES:
            raise InputError(f"unknown tick mode {mode!r}; use one of {', '.join(MODES)}")
        for symbol in self._listed(symbols):
            self._modes[symbol] = mode
            self._told.pop(symbol, None)  # (re)subscribed: its next tick is news
        self._wake.set()  # tick now rather than an interval later

    async def unsubscribe(self, symbols: Sequence[str]) -> None:
        for symbol in self._listed(symbols):
            self._modes.pop(symbol, None)
            self._told.pop(symbol, None)

    @property
    def subscriptions(self) -> dict[str, TickMode]:
        return dict(self._modes)

    # -- polling ---------------------------------------------------------------------
    def _read_orders(self, change: int | None) -> tuple[list[Order], int]:
        """The orders changed after ``change`` (None: all), and the newest change."""
        self._before_poll()
        return self._exchange.orders_since(self._account, change)

    def _read(self, symbols: list[str]) -> tuple[dict[str, Quote], list[Order], list[Trade]]:
        """The quotes of ``symbols`` after a step, every state of each order since its last report, and the
        new trades (the polling task alone reads and writes what was reported)."""
        quotes = self._exchange.step(symbols)
        # The trades before the orders: a fill between the two reads is then reported as its order's update
        # now and as a trade at the next look, never as a trade before its order is seen filled.
        trades = [trade for trade in self._exchange.trades(self._account) if trade.trade_id not in self._traded]
        updates = []
        changed, self._looked = self._read_orders(self._looked)
        for order in changed:  # not the whole book, which grows all day
            if self._seen.get(order.order_id) != fingerprint(order):
                history = self._exchange.order_history(self._account, order.order_id)
                updates += changes(history, self._seen.get(order.order_id)) or [order]
        return quotes, updates, trades

    async def _run(self) -> None:
        try:
            while not self._closed:
                self._wake.clear()
                quotes, updates, trades = await asyncio.to_thread(self._read, list(self._modes))
                self._publish(quotes, updates, trades)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._interval):
                        await self._wake.wait()
        except Exception as exc:  # a failure reaches the reader, never ends in a silent task
            log.exception("the paper stream of %s failed", self._account)
            self._fail(exc, broker=BROKER)

    def _publish(self, quotes: dict[str, Quote], updates: list[Order], trades: list[Trade]) -> None:
        for symbol, mode in list(self._modes.items()):  # the subscriptions of now, not of the read
            quote = quotes.get(symbol)
            if quote is None:
                continue
            tick = tick_of(quote, mode)
            news = dataclasses.replace(tick, exchange_time=None)
            if self._told.get(symbol) != news:
                self._told[symbol] = news
                self._put_tick(tick)
        for order in updates:
            self._seen[order.order_id] = fingerprint(order)
            self._put_order(order)
        for trade in trades:
            self._traded.add(trade.trade_id)
            self._put_trade(trade)

    # -- ending ----------------------------------------------------------------------
    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        task = self._task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._finish()
