"""The in-process hub over scripted broker streams: merging, reference counting, limits, slow consumers,
consumers that keep nothing older (their ticks read from the account's board), feed states in band, and
reading with time bounds."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from brokerplex.capabilities import Capabilities
from brokerplex.errors import InputError, SymbolError, TokenExpiredError, UnreachableError
from brokerplex.hub import ConsumerFellBehindError, Event, Hub, StreamLimitError, WatchedEvents
from brokerplex.hub.board import Board, BoardView
from brokerplex.hub.buffer import ConsumerBuffer
from brokerplex.models import Order, OrderStatus, OrderType, Product, Side, Tick, Trade
from brokerplex.streaming import FeedState
from hubevents import take
from scripted import ScriptedStream

PLACED = dt.datetime(2026, 12, 1, 9, 15, tzinfo=dt.UTC)
STREAMING = Capabilities(streaming=("ltp", "quote", "full"))


class Broker:
    """Opens scripted streams for the hub and keeps them, so that a test can play the broker."""

    def __init__(self, capabilities: Capabilities = STREAMING) -> None:
        self.capabilities = capabilities
        self.streams: list[ScriptedStream] = []

    async def open(self, account: str) -> ScriptedStream:
        stream = ScriptedStream()
        stream.go(FeedState("live"))
        self.streams.append(stream)
        return stream

    def terms(self, account: str) -> tuple[str, Capabilities]:
        return "scripted", self.capabilities

    def hub(self) -> Hub:
        return Hub(self.open, self.terms)

    @property
    def open_streams(self) -> list[ScriptedStream]:
        return [stream for stream in self.streams if not stream.closed]


def full(symbol: str, last: int) -> Tick:
    return Tick(symbol=symbol, mode="full", units=100, last=last, volume=last, bids=((last - 5, 10, 1),),
                asks=((last + 5, 10, 1),), open_interest=7)


def order(order_id: str, status: OrderStatus = OrderStatus.OPEN) -> Order:
    return Order(order_id=order_id, symbol="NSE:INFY", side=Side.BUY, quantity=1, order_type=OrderType.MARKET,
                 product=Product.CNC, status=status, placed_at=PLACED, updated_at=PLACED)


def ticks_of(symbol: str) -> Callable[[Event], bool]:
    return lambda event: event.type == "tick" and event.data.symbol == symbol  # type: ignore[union-attr]


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test())


def test_two_consumers_share_one_stream_at_the_strongest_mode_which_follows_them_down() -> None:
    async def test() -> None:
        broker = Broker()
        hub = broker.hub()
        ltp, full_reader = hub.consumer(), hub.consumer()
        await ltp.subscribe("a", ["nse:infy"], "ltp")
        await full_reader.subscribe("a", ["NSE:INFY", "NSE:TCS"], "full")
        (stream,) = broker.streams
        assert hub.subscriptions("a") == stream.modes == {"NSE:INFY": "full", "NSE:TCS": "full"}
        stream.tick(full("NSE:INFY", 150_000))
        (seen_ltp,) = await take(ltp, ticks_of("NSE:INFY"))
        (seen_full,) = await take(full_reader, ticks_of("NSE:INFY"))
        assert seen_ltp.data == Tick("NSE:INFY", "ltp", 100, 150_000)  # never more than it asked for
        assert seen_full.data == full("NSE:INFY", 150_000)
        assert (seen_ltp.account, seen_ltp.type) == ("a", "tick")

        await full_reader.close()
        assert stream.modes == {"NSE:INFY": "ltp"}  # down to what is still wanted; TCS unsubscribed
        assert stream.calls[-2:] == [("unsubscribe", ("NSE:TCS",), None), ("subscribe", ("NSE:INFY",), "ltp")]
        await ltp.close()
        assert stream.modes == {}
        assert stream.closed
        assert hub.streams("a") == []

    run(test)


def test_a_symbol_the_broker_refuses_changes_nothing() -> None:
    class Refusing(Broker):
        async def open(self, account: str) -> ScriptedStream:
            stream = await super().open(account)

            async def refuse(symbols: object, mode: object = "quote") -> None:
                raise SymbolError("NSE:NOPE is not listed")

            stream.subscribe = refuse  # type: ignore[method-assign]
            return stream

    async def test() -> None:
        broker = Refusing()
        hub = broker.hub()
        consumer = hub.consumer()
        with pytest.raises(SymbolError):
            await consumer.subscribe("a", ["NSE:NOPE"], "quote")
        assert hub.subscriptions("a") == {}
        await consumer.close()

    run(test)


def test_symbols_spread_over_connections_within_the_limits_and_past_them_are_refused_naming_the_limit() -> None:
    async def test() -> None:
        broker = Broker(Capabilities(streaming=("quote",), stream_connections=2, stream_instruments=2))
        hub = broker.hub()
        first, second = hub.consumer(), hub.consumer()
        await first.subscribe("a", ["NSE:A", "NSE:B", "NSE:C"])
        await second.subscribe("a", ["NSE:C", "NSE:D"])  # C is shared: one subscription
        assert [stream.modes for stream in broker.streams] == [
            {"NSE:A": "quote", "NSE:B": "quote"}, {"NSE:C": "quote", "NSE:D": "quote"}]
        with pytest.raises(StreamLimitError, match=r"scripted allows 2 streaming connections of 2 instruments "
                                                   r"each \(4 in all\): 4 are subscribed on a and 1 more"):
            await second.subscribe("a", ["NSE:E"])
        assert len(hub.subscriptions("a")) == 4
        assert len(broker.streams) == 2
        await first.unsubscribe("a", ["NSE:A"])
        await second.subscribe("a", ["NSE:E"])  # room again, on the connection that has it
        assert broker.streams[0].modes == {"NSE:B": "quote", "NSE:E": "quote"}
        for consumer in (first, second):
            await consumer.close()
        assert not broker.open_streams

        per_login = Broker(Capabilities(streaming=("quote",), stream_subscriptions=2))
        consumer = per_login.hub().consumer()
        with pytest.raises(StreamLimitError, match="allows 2 subscribed instruments per login"):
            await consumer.subscribe("a", ["NSE:A", "NSE:B", "NSE:C"])
        await consumer.close()

    run(test)


def test_order_updates_trades_and_states_reach_every_follower_once_in_order() -> None:
    async def test() -> None:
        broker = Broker(Capabilities(streaming=("quote",), stream_instruments=1, stream_connections=2))
        hub = broker.hub()
        watcher, follower = hub.consumer(), hub.consumer()
        await watcher.subscribe("a", ["NSE:A", "NSE:B"])  # two connections: both hear of the login's orders
        await follower.follow("a")
        trade = Trade(trade_id="t1", order_id="1", symbol="NSE:INFY", side=Side.BUY, product=Product.CNC,
                      quantity=1, price=1500, filled_at=PLACED)
        for stream in broker.streams:
            stream.order(order("1"))
            stream.trade(trade)
        broker.streams[0].go(FeedState("reconnecting", 1, 0.5, "dropped"))
        broker.streams[0].order(order("1", OrderStatus.COMPLETE))
        def done(event: Event) -> bool:
            return event.type == "order" and event.data.status is OrderStatus.COMPLETE  # type: ignore[union-attr]

        for consumer in (watcher, follower):
            events: list[Event] = []
            while not events or not done(events[-1]):
                events += await take(consumer, lambda event: event.type != "tick")
            said = [(e.type, getattr(e.data, "status", None) or getattr(e.data, "state", None))
                    for e in events if e.type != "state" or e.data.state == "reconnecting"]  # type: ignore[union-attr]
            assert said == [("order", OrderStatus.OPEN), ("trade", None), ("state", "reconnecting"),
                            ("order", OrderStatus.COMPLETE)]
            assert events[-2].data.reason == "connection 1: dropped"  # type: ignore[union-attr]
        await watcher.close()
        await follower.close()

    run(test)


def test_a_late_joiner_learns_where_the_feed_stands() -> None:
    async def test() -> None:
        broker = Broker()
        hub = broker.hub()
        first = hub.consumer()
        await first.subscribe("a", ["NSE:INFY"])
        assert [e.data for e in await take(first, lambda e: e.type == "state", 2)] == [
            FeedState("connecting"), FeedState("live")]
        late = hub.consumer()
        await late.follow("a")
        assert (await take(late, lambda e: True))[0].data == FeedState("live")
        await first.close()
        await late.close()

    run(test)


def test_a_consumer_that_never_reads_stays_bounded_and_the_others_get_everything() -> None:
    async def test() -> None:
        broker = Broker()
        hub = broker.hub()
        idle, reader = hub.consumer(capacity=50, limit=100), hub.consumer()
        symbols = [f"NSE:S{n}" for n in range(20)]
        await idle.subscribe("a", symbols)
        await reader.subscribe("a", symbols)
        (stream,) = broker.streams
        got: list[Event] = []

        async def read() -> None:
            async for event in reader:
                got.append(event)
                if event.type == "order" and event.data.order_id == "99":  # type: ignore[union-attr]
                    return

        reading = asyncio.create_task(read())
        for n in range(20_000):
            stream.tick(Tick(symbols[n % 20], "quote", 100, n))
            if n % 200 == 0:
                stream.order(order(str(n // 200)))
                await asyncio.sleep(0)  # let the pump and the reader run
            assert idle.pending <= 50 + 20 + 100 + 2
        await asyncio.wait_for(reading, 10)
        assert [e.data.order_id for e in got if e.type == "order"] == [str(n) for n in range(100)]  # type: ignore[union-attr]
        assert idle.dropped > 10_000
        assert hub.subscriptions("a") == dict.fromkeys(symbols, "quote")  # the idle one was ended: still wanted
        # The one that stayed behind past its bound of order updates was ended with a clear error.
        with pytest.raises(ConsumerFellBehindError, match="fell behind: 100 order updates"):
            async for _ in idle:
                pass
        await reader.close()

    run(test)


def test_a_stream_that_fails_ends_its_consumers_with_the_error_and_closes_the_feed() -> None:
    async def test() -> None:
        broker = Broker(Capabilities(streaming=("quote",), stream_instruments=1, stream_connections=2))
        hub = broker.hub()
        consumer = hub.consumer()
        await consumer.subscribe("a", ["NSE:INFY", "NSE:TCS"])  # two connections
        broker.streams[0].fail(TokenExpiredError("refused"))
        with pytest.raises(TokenExpiredError, match="refused"):
            async for _ in consumer:
                pass
        await consumer.close()
        assert broker.open_streams == []  # the other connection too: nobody can read the feed any more
        again = hub.consumer()  # the next consumer opens the feed afresh
        await again.subscribe("a", ["NSE:INFY"])
        assert len(broker.streams) == 3
        assert hub.subscriptions("a") == {"NSE:INFY": "quote"}
        await again.close()

    run(test)


# -- reading with time bounds --------------------------------------------------------------------------
def test_a_watch_gives_up_on_a_feed_that_stays_down() -> None:
    async def test() -> float:
        broker = Broker()
        hub = broker.hub()
        consumer = hub.consumer()
        await consumer.subscribe("z1", ["NSE:INFY"])
        broker.streams[0].go(FeedState("reconnecting", 1, 5.0, "connection refused"))
        events = WatchedEvents(aiter(consumer), ["z1"], give_up=0.3)
        assert [(await anext(events)).data.state for _ in range(3)] == [  # type: ignore[union-attr]
            "connecting", "live", "reconnecting"]
        started = time.monotonic()
        with pytest.raises(UnreachableError, match=r"z1 could not be reached for 0\.3 s .*connection refused"):
            await anext(events)
        await consumer.close()
        return time.monotonic() - started

    assert asyncio.run(test()) < 2


def test_a_watch_does_not_give_up_on_a_live_feed_but_an_idle_timeout_counts_only_data() -> None:
    async def test() -> None:
        broker = Broker()
        hub = broker.hub()
        consumer = hub.consumer()
        await consumer.subscribe("z1", ["NSE:INFY"])
        events = WatchedEvents(aiter(consumer), ["z1"], give_up=0.1, idle_timeout=0.5)
        assert [(await anext(events)).data for _ in range(2)] == [FeedState("connecting"), FeedState("live")]
        await asyncio.sleep(0.2)  # up: give_up does not run
        broker.streams[0].tick(Tick("NSE:INFY", "quote", 100, 1))
        assert (await anext(events)).data == Tick("NSE:INFY", "quote", 100, 1)
        broker.streams[0].go(FeedState("stale", reason="quiet"))
        assert (await anext(events)).data == FeedState("stale", reason="quiet")
        with pytest.raises(TimeoutError, match=r"no tick or order update from z1 in 0\.5 s"):
            await anext(events)
        await consumer.close()

    run(test)


def test_a_consumer_buffer_conflates_only_while_behind_and_each_time_it_falls_behind_again() -> None:
    async def test() -> None:
        buffer = ConsumerBuffer(capacity=4)
        for lap in range(3):
            for n in range(40):  # ten symbols, four rounds: far past the capacity
                symbol = f"NSE:S{n % 10}"
                buffer.put_tick(Event("a", Tick(symbol, "quote", 100, lap * 100 + n)), ("a", symbol))
            buffer.put(Event("a", order(str(lap))))
            read = [await buffer.get() for _ in range(len(buffer))]
            ticks = [e.data for e in read if e is not None and type(e.data) is Tick]
            assert len(ticks) <= 4 + 10
            newest = {t.symbol: t.last for t in ticks}
            assert newest == {f"NSE:S{s}": lap * 100 + 30 + s for s in range(10)}  # every symbol's latest
            assert read[-1] is not None
            assert read[-1].data == order(str(lap))
            buffer.put_tick(Event("a", Tick("NSE:S0", "quote", 100, 1)), ("a", "NSE:S0"))  # caught up: kept
            buffer.put_tick(Event("a", Tick("NSE:S0", "quote", 100, 2)), ("a", "NSE:S0"))
            assert [(await buffer.get()).data.last for _ in range(2)] == [1, 2]  # type: ignore[union-attr]
        assert buffer.dropped == 3 * (40 - 14)

    run(test)


def test_a_mode_the_broker_does_not_stream_is_refused_before_anything_opens() -> None:
    async def test() -> None:
        broker = Broker(Capabilities(streaming=("ltp", "quote")))
        hub = broker.hub()
        consumer = hub.consumer()
        with pytest.raises(InputError, match=r"^scripted streams only ltp/quote ticks, not 'full'$"):
            await consumer.subscribe("a", ["NSE:INFY"], "full")
        assert broker.streams == []
        silent = Broker(Capabilities())
        with pytest.raises(InputError, match=r"^scripted streams no market data, not 'ltp'$"):
            await silent.hub().consumer().subscribe("a", ["NSE:INFY"], "ltp")
        await consumer.close()

    run(test)


SYMBOLS = ("NSE:A", "NSE:B", "NSE:C")


def shown(events: list[Event]) -> list[tuple[str, int, str]]:
    return [(e.data.symbol, e.data.last, e.data.mode) for e in events if type(e.data) is Tick]


def test_a_board_gives_each_reader_what_changed_since_it_looked_newest_last() -> None:
    board = Board("a")
    first, second = BoardView(board, {"NSE:A": "full", "NSE:B": "ltp"}), BoardView(board, {"NSE:B": "ltp"})
    for last in (1, 2, 3):
        board.post("NSE:B", "full", full("NSE:B", last))
    board.post("NSE:A", "full", full("NSE:A", 1))
    board.post("NSE:C", "full", full("NSE:C", 1))  # nobody wants it
    mine, theirs = board.read(first), board.read(second)
    assert shown(mine) == [("NSE:B", 3, "ltp"), ("NSE:A", 1, "full")]
    assert shown(theirs) == [("NSE:B", 3, "ltp")]
    assert theirs[0] is mine[0]  # one event per tick and mode: its JSON is made once
    assert (first.dropped, second.dropped) == (0, 0)  # ticks before a symbol's first read are not counted
    assert board.read(first) == []
    board.post("NSE:B", "full", full("NSE:B", 4))
    board.post("NSE:B", "full", full("NSE:B", 5))
    assert shown(board.read(first)) == [("NSE:B", 5, "ltp")]
    assert first.dropped == 1  # the 4 it never saw
    first.modes["NSE:C"] = "quote"  # the caller's live mapping: a symbol subscribed since
    board.post("NSE:C", "ltp", Tick("NSE:C", "ltp", 100, 2))
    assert shown(board.read(first)) == [("NSE:C", 2, "ltp")]  # weaker than asked (in flight): as it came


def test_a_consumer_that_keeps_nothing_older_gets_the_newest_of_each_symbol_and_every_order() -> None:
    async def test() -> None:
        broker = Broker()
        hub = broker.hub()
        latest, twin, every = hub.consumer(capacity=0), hub.consumer(capacity=0), hub.consumer()
        await latest.subscribe("a", SYMBOLS[:2], "ltp")
        await twin.subscribe("a", SYMBOLS[1:2], "ltp")
        await every.subscribe("a", SYMBOLS, "full")
        assert hub.subscriptions("a") == dict.fromkeys(SYMBOLS, "full")
        (stream,) = broker.streams
        for last in range(1, 101):
            for symbol in SYMBOLS:
                stream.tick(full(symbol, last))
        stream.order(order("1"))
        await take(every, lambda event: event.type == "order")  # the pump passed every tick on
        events = latest.take_waiting()
        assert shown(events) == [("NSE:A", 100, "ltp"), ("NSE:B", 100, "ltp")]
        assert [e.data.order_id for e in events if e.type == "order"] == ["1"]  # type: ignore[union-attr]
        assert latest.dropped == 0  # its first look at each symbol
        (b_tick,) = [e for e in twin.take_waiting() if type(e.data) is Tick]
        assert b_tick is next(e for e in events if type(e.data) is Tick and e.data.symbol == "NSE:B")  # made once

        waiting = asyncio.create_task(take(latest, ticks_of("NSE:B")))
        await asyncio.sleep(0)
        stream.tick(full("NSE:C", 101))  # wakes it, but it wants none: it waits on
        stream.tick(full("NSE:B", 101))
        stream.tick(full("NSE:B", 102))
        (tick,) = await asyncio.wait_for(waiting, 10)
        assert tick.data.last in (101, 102)  # type: ignore[union-attr]

        await latest.unsubscribe("a", ["NSE:B"])
        stream.tick(full("NSE:B", 103))
        stream.tick(full("NSE:A", 103))
        (tick,) = await take(latest, lambda event: event.type == "tick")
        assert (tick.data.symbol, tick.data.last) == ("NSE:A", 103)  # type: ignore[union-attr]
        for consumer in (latest, twin, every):
            await consumer.close()
        assert broker.open_streams == []

    run(test)
