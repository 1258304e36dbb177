"""The paper broker streams: ticks from its own price path that agree with its quotes, and an order update
for every change of the account's orders, another process's included.

The paper market moves once a second and the stream looks every half second, so every wait here is for
an event, bounded by a deadline; none is a fixed sleep.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from brokerplex import BrokerManager
from brokerplex.errors import BrokerError, SymbolError
from brokerplex.hub import Event
from brokerplex.manager import AsyncBrokerManager
from brokerplex.models import Order, OrderModify, OrderRequest, OrderStatus, OrderType, Side, Tick, TickMode, Trade
from brokerplex.streaming import FeedState, Stream, StreamEvent
from brokerplex_paper import broker as paper_broker
from brokerplex_paper.stream import PaperStream
from cli_results import ok

if TYPE_CHECKING:
    from tests.conftest import Cli

ACCOUNT = "p1"
WAIT = 15.0  # seconds any awaited event may take under load


@pytest.fixture
def manager(home: Path) -> Iterator[BrokerManager]:
    with BrokerManager(home) as manager:
        manager.activate("paper", ACCOUNT)
        yield manager


def first(events: Iterator[Event], wanted: Callable[[StreamEvent], bool], seconds: float = WAIT) -> StreamEvent:
    """The data of the first event that is ``wanted``, within ``seconds`` (watch's idle_timeout bounds each
    wait); every event names the account."""
    deadline = time.monotonic() + seconds
    for event in events:
        assert event.account == ACCOUNT
        if wanted(event.data):
            return event.data
        assert time.monotonic() < deadline, f"nothing wanted within {seconds} s"
    raise AssertionError("the stream ended")


def tick_of(symbol: str) -> Callable[[StreamEvent], bool]:
    return lambda event: isinstance(event, Tick) and event.symbol == symbol


@pytest.mark.parametrize("mode", ["ltp", "quote", "full"])
def test_ticks_in_each_mode_agree_with_the_quotes_of_their_moment(manager: BrokerManager, mode: TickMode) -> None:
    events = manager.watch(ACCOUNT, ["NSE:INFY"], mode, idle_timeout=WAIT)
    try:
        agreed = 0
        deadline = time.monotonic() + 3 * WAIT
        while agreed < 2:
            assert time.monotonic() < deadline, "no tick agreed with the quote read right after it"
            tick = first(events, tick_of("NSE:INFY"))
            assert isinstance(tick, Tick)
            quote = manager.quotes(ACCOUNT, ["NSE:INFY"])["NSE:INFY"]
            assert tick.mode == mode
            if mode == "ltp":
                assert (tick.volume, tick.ohlc, tick.bids, tick.asks) == (None, None, (), ())
                agreed += tick.last_price == quote.last_price
                continue
            assert quote.last_traded_at is not None
            if tick.last_traded != int(quote.last_traded_at.timestamp()):
                continue  # the market moved on between the tick and the quote
            assert (tick.last_price, tick.volume, tick.last_quantity) == (quote.last_price, quote.volume,
                                                                         quote.last_quantity)
            assert (tick.open, tick.high, tick.low, tick.close) == (quote.open, quote.high, quote.low, quote.close)
            assert tick.average_price == quote.average_price
            if mode == "full":
                assert tick.depth == quote.depth
                assert tick.depth is not None
                assert tick.depth.bids
                assert tick.depth.asks
            else:
                assert (tick.bids, tick.asks, tick.depth) == ((), (), None)
            agreed += 1
    finally:
        events.close()


def test_no_two_consecutive_ticks_of_a_symbol_are_the_same(manager: BrokerManager) -> None:
    last: dict[str, Tick] = {}
    seen = 0
    events = manager.watch(ACCOUNT, ["NSE:INFY", "NSE:TCS", "NSE:NIFTY 50"], "full", idle_timeout=WAIT)
    try:
        while seen < 12:
            tick = first(events, lambda event: isinstance(event, Tick))
            assert isinstance(tick, Tick)
            news = dataclasses.replace(tick, exchange_time=None)  # a quote's own time is not news
            assert last.get(tick.symbol) != news, f"{tick.symbol} ticked twice with the same data"
            last[tick.symbol] = news
            seen += 1
    finally:
        events.close()
    assert set(last) == {"NSE:INFY", "NSE:TCS", "NSE:NIFTY 50"}


def test_orders_of_another_process_arrive_as_every_state_and_trade(
    manager: BrokerManager, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = manager.watch(ACCOUNT, [], "quote", idle_timeout=WAIT)
    try:
        assert next(events).data == FeedState("connecting")  # the stream is open: what comes now is news
        monkeypatch.setattr(paper_broker, "_exchanges", {})  # the other "process" opens the file afresh
        with BrokerManager(home) as other:
            last = other.quotes(ACCOUNT, ["NSE:INFY"])["NSE:INFY"].last_price
            below = (last * Decimal("0.95") / Decimal("0.05")).quantize(Decimal(1)) * Decimal("0.05")
            resting = other.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=2,
                                                              order_type=OrderType.LIMIT, price=below))

            def updates_of(order_id: str, until: OrderStatus) -> list[Order]:
                """The order's updates up to the first of status ``until``; no trade of it comes before."""
                updates: list[Order] = []
                while not updates or updates[-1].status is not until:
                    event = first(events, lambda e: isinstance(e, Order | Trade) and e.order_id == order_id)
                    assert isinstance(event, Order)
                    updates.append(event)
                return updates

            placed = updates_of(resting.order_id, OrderStatus.OPEN)  # each state it went through
            assert [update.status for update in placed] == [OrderStatus.PENDING, OrderStatus.OPEN]
            assert (placed[-1].price, placed[-1].quantity) == (below, 2)
            other.modify_order(ACCOUNT, resting.order_id, OrderModify(quantity=3))
            assert [update.quantity for update in updates_of(resting.order_id, OrderStatus.OPEN)] == [3]
            other.cancel_order(ACCOUNT, resting.order_id)
            assert len(updates_of(resting.order_id, OrderStatus.CANCELLED)) == 1
            market = other.place_order(ACCOUNT, OrderRequest(symbol="NSE:TCS", side=Side.BUY, quantity=4))
            filled = updates_of(market.order_id, OrderStatus.COMPLETE)
            assert (filled[0].status, filled[-1].filled_quantity) == (OrderStatus.PENDING, 4)
            traded: list[Trade] = []
            while sum(trade.quantity for trade in traded) < 4:  # then its fills, as the trade book has them
                trade = first(events, lambda e: isinstance(e, Trade))
                assert isinstance(trade, Trade)
                traded.append(trade)
            assert traded == other.trades(ACCOUNT)
            assert {trade.order_id for trade in traded} == {market.order_id}
    finally:
        events.close()


def test_the_book_as_it_stood_at_the_start_is_not_news(manager: BrokerManager) -> None:
    placed = manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1))
    events = manager.watch(ACCOUNT, ["NSE:INFY"], "ltp", idle_timeout=WAIT)
    try:
        assert next(events).data == FeedState("connecting")  # the stream is open (watch opens it when first read)
        later = manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:TCS", side=Side.BUY, quantity=1))
        news: list[Order | Trade] = []
        while not news or not (isinstance(news[-1], Trade) and news[-1].order_id == later.order_id):
            event = first(events, lambda e: isinstance(e, Order | Trade))
            assert isinstance(event, Order | Trade)
            news.append(event)
        assert placed.order_id not in {event.order_id for event in news}  # neither its states nor its fill
    finally:
        events.close()


async def _next(stream: Stream, wanted: Callable[[StreamEvent], bool]) -> StreamEvent:
    async with asyncio.timeout(WAIT):
        async for event in stream:
            if wanted(event):
                return event
    raise AssertionError("the stream ended")


def test_unsubscribe_stops_a_symbols_ticks_and_close_ends_the_stream(home: Path) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(home)
        manager.activate("paper", ACCOUNT)
        try:
            stream = await manager.stream(ACCOUNT, ["NSE:INFY", "NSE:TCS"], "quote")
            await _next(stream, tick_of("NSE:INFY"))
            await _next(stream, tick_of("NSE:TCS"))
            await stream.unsubscribe(["NSE:INFY"])
            waiting = stream.pending  # put before the unsubscribe: they may still name INFY
            for _ in range(waiting):
                await _next(stream, lambda event: True)
            after = [await _next(stream, lambda event: isinstance(event, Tick)) for _ in range(3)]
            assert {tick.symbol for tick in after if isinstance(tick, Tick)} == {"NSE:TCS"}
            await stream.close()
            rest = [event async for event in stream]
            assert rest[-1] == FeedState("closed") == stream.state
        finally:
            await manager.close()

    asyncio.run(scenario())


def test_an_unlisted_symbol_is_refused_before_anything(home: Path) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(home)
        manager.activate("paper", ACCOUNT)
        try:
            with pytest.raises(SymbolError, match="NSE:NOSUCH"):
                await manager.stream(ACCOUNT, ["NSE:NOSUCH"], "ltp")
            stream = await manager.stream(ACCOUNT, [], "ltp")
            with pytest.raises(SymbolError, match="NSE:NOSUCH"):
                await stream.subscribe(["NSE:INFY", "NSE:NOSUCH"], "ltp")
            assert isinstance(stream, PaperStream)
            assert stream.subscriptions == {}
            await stream.close()
        finally:
            await manager.close()

    asyncio.run(scenario())


def test_a_failure_while_polling_ends_the_stream_with_an_error(home: Path) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(home)
        manager.activate("paper", ACCOUNT)
        looks = 0

        def broken() -> None:
            nonlocal looks
            looks += 1
            if looks > 1:  # the first look is the baseline, when the stream starts
                raise OSError("disk gone")

        try:
            broker = await manager.session(ACCOUNT)
            stream = PaperStream(broker.exchange, ACCOUNT, before_poll=broken)  # type: ignore[attr-defined]
            await stream.start()
            seen: list[StreamEvent] = []

            async def read_all() -> None:
                async with asyncio.timeout(WAIT):
                    async for event in stream:
                        seen.append(event)

            with pytest.raises(BrokerError, match="disk gone"):
                await read_all()
            assert [type(e).__name__ if not isinstance(e, FeedState) else e.state for e in seen] == [
                "connecting", "live", "closed"]
            assert "disk gone" in (stream.state.reason or "")
        finally:
            await manager.close()

    asyncio.run(scenario())


def test_cli_watch_prints_paper_ticks(demo: Cli) -> None:
    lines = ok(demo("watch", "demo", "NSE:INFY", "--mode", "full", "--count", "3", "--json")).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    states = [r["state"] for r in records if r["type"] == "state"]
    assert states[:2] == ["connecting", "live"]
    records = [r for r in records if r["type"] == "tick"]
    assert len(records) == 3
    assert {(r["account"], r["symbol"], r["mode"]) for r in records} == {("demo", "NSE:INFY", "full")}
    assert all(Decimal(r["last_price"]) > 0 and r["depth"]["bids"] for r in records)
