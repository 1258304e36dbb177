"""The native ticker client against the simulator's ticker: ticks, reconnects, silence, order updates."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.errors import SymbolError
from brokerplex.manager import BrokerManager
from brokerplex.models import Order, OrderRequest, OrderStatus, Side, Tick
from brokerplex.streaming import FeedState, StreamEvent
from brokerplex_zerodha.broker import ZerodhaBroker
from brokerplex_zerodha.sim import KiteSimulator
from brokerplex_zerodha.ticker import LOGIN_POLL, KiteTickerStream, decode_text
from stored import session_of


@pytest.fixture
def home(tmp_path: Path, kite_sim: KiteSimulator) -> Path:
    folder = tmp_path / "home"
    with BrokerManager(folder) as manager:
        manager.activate("zerodha", "z1", {"api_key": kite_sim.api_key, "api_secret": "kite_sim_secret",
                                           "root": kite_sim.rest, "ws_root": kite_sim.ws, "login_url": kite_sim.login,
                                           "ticker_silence": "2"})
        manager.login("z1", {"request_token": kite_sim.request_token()}, ClickLoginIO())
    return folder


async def next_event(events: AsyncIterator[StreamEvent], wanted: Callable[[StreamEvent], bool],
                     timeout: float = 10.0) -> StreamEvent:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        event = await asyncio.wait_for(anext(events), left)
        if wanted(event):
            return event
    raise AssertionError("no such event in time")




def is_tick(symbol: str, mode: str = "full") -> Callable[[StreamEvent], bool]:
    return lambda event: isinstance(event, Tick) and event.symbol == symbol and event.mode == mode


def test_full_ticks_with_depth_and_index_ticks(home: Path, kite_stream: Callable[..., None]) -> None:
    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await stream.subscribe(["NSE:INFY", "NSE:NIFTY 50"], "full")
        tick = await next_event(events, is_tick("NSE:INFY"))
        assert isinstance(tick, Tick)
        depth = tick.depth
        assert depth is not None
        assert depth.bids
        assert depth.asks
        assert depth.bids[0].price <= depth.asks[0].price
        assert tick.last_price > 0
        assert tick.exchange_timestamp is not None
        index = await next_event(events, is_tick("NSE:NIFTY 50"))
        assert isinstance(index, Tick)
        assert index.close is not None
        await stream.subscribe(["NSE:RELIANCE"], "ltp")
        ltp = await next_event(events, is_tick("NSE:RELIANCE", "ltp"))
        assert isinstance(ltp, Tick)
        assert ltp.ohlc is None
        with pytest.raises(SymbolError):
            await stream.subscribe(["NSE:NOSUCHSCRIP"], "full")
        with pytest.raises(SymbolError):
            await stream.subscribe(["INFY"], "full")
        await stream.unsubscribe(["NSE:INFY", "NSE:NIFTY 50"])
        assert stream.subscriptions == {"NSE:RELIANCE": "ltp"}
        settled = time.monotonic() + 1.2  # frames already on the way may still carry INFY
        await next_event(events, lambda event: time.monotonic() > settled)
        later = [await anext(events) for _ in range(3)]
        assert {event.symbol for event in later if isinstance(event, Tick)} == {"NSE:RELIANCE"}

    kite_stream(home, scenario)


def test_a_dropped_connection_is_reopened_and_resubscribed(
    home: Path, kite_sim: KiteSimulator, kite_stream: Callable[..., None],
) -> None:
    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await stream.subscribe(["NSE:INFY"], "full")
        await next_event(events, is_tick("NSE:INFY"))
        assert stream.connections == 1
        await asyncio.to_thread(kite_sim.drop_streams)
        dropped = await next_event(events, lambda event: isinstance(event, FeedState))
        assert isinstance(dropped, FeedState)
        assert (dropped.state, dropped.attempt) == ("reconnecting", 1)
        assert dropped.delay is not None
        assert 0 < dropped.delay <= 0.2
        assert dropped.reason == "the ticker closed the connection (1011)"
        assert await next_event(events, lambda event: isinstance(event, FeedState)) == FeedState("live")
        await next_event(events, lambda event: stream.connections == 2 and is_tick("NSE:INFY")(event))
        assert stream.subscriptions == {"NSE:INFY": "full"}

    kite_stream(home, scenario)


def test_a_silent_connection_is_closed_and_reopened(
    home: Path, kite_sim: KiteSimulator, kite_stream: Callable[..., None],
) -> None:
    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await stream.subscribe(["NSE:INFY"], "quote")
        await next_event(events, is_tick("NSE:INFY", "quote"))
        kite_sim.silence_streams(True)
        try:
            stale = await next_event(events, lambda event: isinstance(event, FeedState), timeout=8)
            assert stale == FeedState("stale", reason="no data from the ticker for 2 s")
            assert stream.silent_closes == 1
            again = await next_event(events, lambda event: isinstance(event, FeedState))
            assert isinstance(again, FeedState)
            assert (again.state, again.attempt, again.reason) == (
                "reconnecting", 1, "no data from the ticker for 2 s")
        finally:
            kite_sim.silence_streams(False)
        await next_event(events, lambda event: stream.connections >= 2 and is_tick("NSE:INFY", "quote")(event))

    kite_stream(home, scenario)


def test_order_updates_arrive_as_orders(home: Path, kite_stream: Callable[..., None]) -> None:
    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await stream.subscribe(["NSE:INFY"], "ltp")
        await next_event(events, is_tick("NSE:INFY", "ltp"))  # connected
        request = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=3, client_order_id="stream1")
        ack = await broker.place_order(request)
        update = await next_event(events, lambda event: isinstance(event, Order) and event.status.is_final)
        assert isinstance(update, Order)
        assert (update.order_id, update.client_order_id, update.status) == (
            ack.order_id, "stream1", OrderStatus.COMPLETE)
        assert update.filled_quantity == 3

    kite_stream(home, scenario)


def test_an_expired_session_waits_for_a_new_login_without_retrying_the_dead_token(
        home: Path, kite_sim: KiteSimulator, kite_stream: Callable[..., None]) -> None:
    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await stream.subscribe(["NSE:INFY"], "ltp")
        await next_event(events, is_tick("NSE:INFY", "ltp"))
        kite_sim.expire_sessions()
        await asyncio.to_thread(kite_sim.drop_streams)
        needed = await next_event(events, lambda event: isinstance(event, FeedState) and event.state == "login_needed",
                                  timeout=15)
        assert isinstance(needed, FeedState)
        assert needed.reason is not None
        assert "brokerplex login z1" in needed.reason
        assert stream.state == needed
        # The refused token is never sent again: the stream waits, it does not reconnect.
        waited = time.monotonic() + 3 * LOGIN_POLL
        while time.monotonic() < waited:
            assert stream.state.state == "login_needed"
            assert stream.pending == 0  # no reconnecting state, no tick
            await asyncio.sleep(0.1)
        assert stream.connections == 1

        def login_again() -> None:
            with BrokerManager(home) as other:
                other.login("z1", {"request_token": kite_sim.request_token()}, ClickLoginIO())

        await asyncio.to_thread(login_again)
        live = await next_event(events, lambda event: isinstance(event, FeedState), timeout=15)
        assert live == FeedState("live")
        await next_event(events, is_tick("NSE:INFY", "ltp"))
        assert stream.connections == 2

    kite_stream(home, scenario)


def test_debug_logs_never_show_the_access_token(
    home: Path, caplog: pytest.LogCaptureFixture, kite_stream: Callable[..., None],
) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await stream.subscribe(["NSE:INFY"], "quote")
        await next_event(events, is_tick("NSE:INFY", "quote"))
        await broker.orders()

    kite_stream(home, scenario)
    token = session_of(home, "z1")["access_token"]
    assert caplog.records  # the libraries did log at DEBUG
    assert token not in caplog.text


def test_a_reconnect_uses_the_token_of_a_newer_login(
    home: Path, kite_sim: KiteSimulator, kite_stream: Callable[..., None],
) -> None:
    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await stream.subscribe(["NSE:INFY"], "ltp")
        await next_event(events, is_tick("NSE:INFY", "ltp"))
        kite_sim.expire_sessions()  # Kite's daily flush; the user logs in again from another process

        def login_again() -> None:
            with BrokerManager(home) as other:
                other.login("z1", {"request_token": kite_sim.request_token()}, ClickLoginIO())

        await asyncio.to_thread(login_again)
        await asyncio.to_thread(kite_sim.drop_streams)
        await next_event(events, lambda event: stream.connections == 2 and is_tick("NSE:INFY", "ltp")(event))

    kite_stream(home, scenario)


def test_an_unreadable_text_frame_is_skipped_not_fatal() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    assert decode_text(nested) is None
    assert decode_text('{"type": "order", "data": ' + nested + "}") is None
