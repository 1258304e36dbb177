"""The XTS stream under faults: forced drops, a slow reader, an absurd login reply while reconnecting,
frozen and quiet sockets, refused keys (issue 10, items 7 to 10)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

from brokerplex.cli import ClickLoginIO
from brokerplex.manager import AsyncBrokerManager
from brokerplex.models import Order, OrderRequest, OrderStatus, Side, Tick, TickMode, Trade
from brokerplex.streaming import FeedState
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_client.streaming import LOGIN_POLL, XtsStream

if TYPE_CHECKING:
    from tests.xts_client.conftest import Streaming

SUBSCRIBED: dict[str, TickMode] = {"NSE:INFY": "full", "NSE:RELIANCE": "quote", "NSE:TCS": "quote",
                                   "NSE:NIFTY 50": "ltp"}
NESTED = "[" * 100_000 + "]" * 100_000  # a reply json.loads cannot read without RecursionError


async def subscribe_all(stream: XtsStream) -> None:
    for mode in ("ltp", "quote", "full"):
        await stream.subscribe([symbol for symbol, wanted in SUBSCRIBED.items() if wanted == mode], mode)


async def next_state(stream: XtsStream, timeout: float = 20.0) -> FeedState:
    async with asyncio.timeout(timeout):
        async for event in stream:
            if isinstance(event, FeedState):
                return event
    raise AssertionError("the stream ended")


async def states_until_live(stream: XtsStream, reopened: int, timeout: float = 30.0) -> list[FeedState]:
    """The states read until the stream is live with ``reopened`` sockets reopened so far."""
    seen: list[FeedState] = []
    async with asyncio.timeout(timeout):
        while not (seen and seen[-1] == FeedState("live") and stream.reconnects >= reopened):
            seen.append(await next_state(stream, timeout))
    return seen


async def ticks_of_every_symbol(stream: XtsStream, timeout: float = 15.0) -> None:
    """Read until each subscribed symbol ticked in its mode; a state change on the way fails."""
    missing = set(SUBSCRIBED.items())
    async with asyncio.timeout(timeout):
        async for event in stream:
            assert not isinstance(event, FeedState), f"{event} before every symbol ticked again; missing {missing}"
            if isinstance(event, Tick):
                missing.discard((event.symbol, event.mode))
            if not missing:
                return


def test_twenty_forced_drops_each_come_back_live_and_resubscribed(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    async def run() -> None:
        async with xts_streaming(tmp_path, xts_sim, live=True) as (_, stream):
            await subscribe_all(stream)
            await ticks_of_every_symbol(stream)
            resubscribed = 0
            for drop in range(20):
                await asyncio.to_thread(xts_sim.drop_streams)
                states = await states_until_live(stream, reopened=2 * (drop + 1))
                assert states[0].state == "reconnecting", states
                assert {state.state for state in states} == {"reconnecting", "live"}, states
                await ticks_of_every_symbol(stream)
                resubscribed += 1
            assert resubscribed == 20
            assert stream.reconnects == 40  # both sockets, every time
            assert stream.dropped == 0  # this reader kept up

    asyncio.run(run())


def test_a_slow_reader_stays_bounded_and_gets_every_order_update(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    symbols = ["NSE:INFY", "NSE:RELIANCE", "NSE:TCS", "NSE:SBIN", "NSE:ITC", "NSE:HDFCBANK", "NSE:ICICIBANK",
               "NSE:LT", "NSE:AXISBANK", "NSE:WIPRO"]

    async def run() -> None:
        async with xts_streaming(tmp_path, xts_sim, live=True) as (broker, stream):
            stream.capacity = 20
            await stream.subscribe(symbols, "quote")
            await asyncio.to_thread(xts_sim.set_tick_rate, 20)  # 200 ticks a second; this reader reads none
            placed = [await broker.place_order(OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1,
                                                            client_order_id=f"slow{n}")) for n in range(5)]
            largest, dropped_seen = 0, [stream.dropped]
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                largest = max(largest, stream.pending)
                dropped_seen.append(stream.dropped)
                await asyncio.sleep(0.02)
            events = [await anext(aiter(stream)) for _ in range(stream.pending)]
            updates = [event for event in events if isinstance(event, Order)]
            trades = [event for event in events if isinstance(event, Trade)]
            assert largest <= stream.capacity + len(symbols) + len(updates) + len(trades)
            assert dropped_seen == sorted(dropped_seen)
            assert dropped_seen[-1] > dropped_seen[len(dropped_seen) // 2] > 0  # it kept growing
            assert dropped_seen[-1] > 300  # of ~600 ticks in 3 s, at most 30 could wait
            assert {event.symbol for event in events if isinstance(event, Tick)} == set(symbols)
            done = {update.order_id for update in updates if update.status is OrderStatus.COMPLETE}
            assert done == {ack.order_id for ack in placed}

    asyncio.run(run())


def test_an_unreadable_login_reply_while_reconnecting_is_retried_not_silent(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    async def run() -> None:
        async with xts_streaming(tmp_path, xts_sim, live=True) as (_, stream):
            await subscribe_all(stream)
            await ticks_of_every_symbol(stream)
            nested = xts_sim.faults.answer("login", NESTED, times=2)
            await asyncio.to_thread(xts_sim.drop_streams)
            states = await states_until_live(stream, reopened=2)
            assert nested.applied == 2
            failed = [state for state in states if state.state == "reconnecting" and state.attempt > 1]
            assert [state.attempt for state in failed] == [2, 3]  # the market-data socket, after each bad reply
            assert all(state.reason and state.reason.startswith("market-data socket:") for state in failed)
            await ticks_of_every_symbol(stream)

    asyncio.run(run())


def test_a_frozen_socket_is_noticed_within_seconds_and_reopened(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    async def run() -> None:
        async with xts_streaming(tmp_path, xts_sim, live=True) as (_, stream):
            stream.silence, stream.probe_timeout = 1.0, 2.0
            await subscribe_all(stream)
            await ticks_of_every_symbol(stream)
            await asyncio.to_thread(xts_sim.freeze_streams, True)
            frozen_at = time.monotonic()
            try:
                lost = await next_state(stream)
                assert lost.state == "reconnecting"
                assert lost.reason is not None
                assert "no Engine.IO pong within 2 s" in lost.reason
                assert time.monotonic() - frozen_at < stream.silence + stream.probe_timeout + 2  # not 77 s
                await states_until_live(stream, reopened=2)  # new sockets work while the old ones are frozen
                assert stream.silent_closes == 2
                await ticks_of_every_symbol(stream)
                await asyncio.to_thread(xts_sim.freeze_streams, True)  # freeze the new ones too, then close
                closing = time.monotonic()
                await stream.close()
                assert time.monotonic() - closing < 4
                assert stream.state == FeedState("closed")
            finally:
                await asyncio.to_thread(xts_sim.freeze_streams, False)

    asyncio.run(run())


def test_a_quiet_market_is_stale_but_kept_while_the_socket_answers_pings(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    async def run() -> None:
        async with xts_streaming(tmp_path, xts_sim, live=True) as (_, stream):
            stream.silence, stream.probe_timeout = 1.0, 3.0
            await subscribe_all(stream)
            await ticks_of_every_symbol(stream)
            await asyncio.to_thread(xts_sim.set_tick_rate, 0)
            stale = await next_state(stream, timeout=10)
            assert stale.state == "stale"
            assert stale.reason is not None
            assert stale.reason == "market-data socket: no market data for over 1 s; the socket answers pings"
            quiet_until = time.monotonic() + 3 * stream.silence
            while time.monotonic() < quiet_until:  # pinged and answered: no reconnect
                assert stream.state.state == "stale"
                await asyncio.sleep(0.1)
            assert (stream.reconnects, stream.silent_closes) == (0, 0)
            await asyncio.to_thread(xts_sim.set_tick_rate, 2)
            assert await next_state(stream) == FeedState("live")
            await ticks_of_every_symbol(stream)

    asyncio.run(run())


def test_refused_keys_wait_for_a_new_login_without_trying_them_again(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    async def run() -> None:
        async with xts_streaming(tmp_path, xts_sim, live=True) as (_, stream):
            await subscribe_all(stream)
            await ticks_of_every_symbol(stream)
            logins = xts_sim.faults.delay("login", 0, times=None)  # passes every login through, counting them
            xts_sim.refuse_keys(True)
            await asyncio.to_thread(xts_sim.expire_sessions)
            needed = await states_until_login_needed(stream)
            assert {name: feed.state for name, feed in stream.feeds.items()} == {
                "marketdata": "login_needed", "interactive": "login_needed"}
            assert needed.reason is not None
            assert "brokerplex login s1" in needed.reason
            tried = logins.applied
            assert tried == 2  # each socket tried the keys once
            waited = time.monotonic() + 3 * LOGIN_POLL
            while time.monotonic() < waited:  # the refused keys are not tried again
                assert stream.state.state == "login_needed"
                await asyncio.sleep(0.1)
            assert logins.applied == tried
            xts_sim.refuse_keys(False)
            other = AsyncBrokerManager(tmp_path)
            try:
                await other.login("s1", {}, ClickLoginIO())  # the user logs in again
            finally:
                await other.close()
            assert logins.applied == tried + 2  # that login's two; the stream takes its stored session
            await states_until_live(stream, reopened=2)
            await ticks_of_every_symbol(stream)
            assert logins.applied == tried + 2

    asyncio.run(run())


async def states_until_login_needed(stream: XtsStream, timeout: float = 20.0) -> FeedState:
    """The login_needed state, once both sockets are waiting for a login."""
    async with asyncio.timeout(timeout):
        while (needed := await next_state(stream)).state != "login_needed":
            pass
        while any(feed.state != "login_needed" for feed in stream.feeds.values()):
            await asyncio.sleep(0.05)
    return needed
