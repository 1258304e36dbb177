"""The hub against the simulators over real sockets: drops, silence and expired sessions reach every
consumer in band, and one consumer follows two brokers at once. (Consumers sharing one connection and one
subscription per symbol: tests/zerodha/test_hub_sharing.py and tests/xts_client/test_hub_sharing.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from brokerplex.aiomanager import AsyncBrokerManager
from brokerplex.cli import ClickLoginIO
from brokerplex.hub import Event, EventConsumer
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderStatus, OrderType, Side
from brokerplex.streaming import FeedState

sim = pytest.importorskip("brokerplex_zerodha.sim")
xts = pytest.importorskip("brokerplex_xts_client.sim")
WAIT = 20.0  # seconds any awaited event may take on a loaded machine


@pytest.fixture
def kite_sim(tmp_path: Path) -> Iterator[Any]:
    simulator = sim.KiteSimulator(state_dir=tmp_path / "kite", tick_interval=0.1).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def home(tmp_path: Path, kite_sim: Any) -> Path:
    """A home whose account ``z1`` is logged in to the Kite simulator (silence noticed after 1 s)."""
    folder = tmp_path / "home"
    with BrokerManager(folder) as manager:
        manager.activate("zerodha", "z1", {"api_key": kite_sim.api_key, "api_secret": "kite_sim_secret",
                                           "root": kite_sim.rest, "ws_root": kite_sim.ws, "login_url": kite_sim.login,
                                           "ticker_silence": "1"})
        manager.login("z1", {"request_token": kite_sim.request_token()}, ClickLoginIO())
    return folder


def run(home: Path, scenario: Callable[[AsyncBrokerManager], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        manager = AsyncBrokerManager(home)
        try:
            await scenario(manager)
        finally:
            await manager.close()

    asyncio.run(main())


async def next_event(consumer: EventConsumer, wanted: Callable[[Event], bool], seen: list[Event] | None = None,
                     timeout: float = WAIT) -> Event:
    """The next event ``wanted`` picks; the ones passed over are kept in ``seen``."""
    async with asyncio.timeout(timeout):
        async for event in consumer:
            if wanted(event):
                return event
            if seen is not None:
                seen.append(event)
    raise AssertionError("the consumer ended")


def tick(symbol: str, mode: str = "ltp") -> Callable[[Event], bool]:
    return lambda e: e.type == "tick" and (e.data.symbol, e.data.mode) == (symbol, mode)  # type: ignore[union-attr]


def state(name: str) -> Callable[[Event], bool]:
    return lambda e: e.type == "state" and e.data.state == name  # type: ignore[union-attr]


async def eventually(check: Callable[[], bool], timeout: float = WAIT) -> None:
    async with asyncio.timeout(timeout):
        while not await asyncio.to_thread(check):
            await asyncio.sleep(0.05)


def test_twenty_drops_each_come_back_subscribed_for_every_consumer_with_states_in_order(
        home: Path, kite_sim: Any) -> None:
    async def scenario(manager: AsyncBrokerManager) -> None:
        consumers = [await manager.subscribe(["z1"], ["NSE:INFY"], "ltp"),
                     await manager.subscribe(["z1"], ["NSE:INFY", "NSE:TCS"], "quote")]
        for consumer in consumers:
            await next_event(consumer, tick("NSE:INFY", "ltp" if consumer is consumers[0] else "quote"))
        for _ in range(20):
            await asyncio.to_thread(kite_sim.drop_streams)
            for consumer in consumers:
                seen: list[Event] = []
                await next_event(consumer, state("reconnecting"), seen)
                await next_event(consumer, state("live"), seen)
                states = [e.data.state for e in seen if e.type == "state"]  # type: ignore[union-attr]
                assert "reconnecting" not in states
                assert "closed" not in states
                # Subscribed again: ticks of every symbol flow after the drop.
                await next_event(consumer, tick("NSE:INFY", "ltp" if consumer is consumers[0] else "quote"))
            assert kite_sim.stream_connections == 1
        await next_event(consumers[1], tick("NSE:TCS", "quote"))
        assert len(manager.hub.streams("z1")) == 1
        for consumer in consumers:
            await consumer.close()

    run(home, scenario)


def test_an_expired_session_is_login_needed_for_every_consumer_without_retries_until_a_new_login(
        home: Path, kite_sim: Any) -> None:
    async def scenario(manager: AsyncBrokerManager) -> None:
        first = await manager.subscribe(["z1"], ["NSE:INFY"], "ltp")
        second = await manager.subscribe(["z1"], [], "ltp")  # follows the feed: states and orders
        await next_event(first, tick("NSE:INFY"))
        await asyncio.to_thread(kite_sim.expire_sessions)
        for consumer in (first, second):
            needed = await next_event(consumer, state("login_needed"))
            assert "brokerplex login z1" in (needed.data.reason or "")  # type: ignore[union-attr]
        (stream,) = manager.hub.streams("z1")
        attempts = stream.connections  # type: ignore[attr-defined]
        await asyncio.sleep(3)  # a storm would show within seconds; nothing to wait for otherwise
        assert stream.connections == attempts  # type: ignore[attr-defined]  # the dead token is not retried
        assert kite_sim.stream_connections == 0

        def login_again() -> None:  # from another process's manager, as `brokerplex login` would
            with BrokerManager(home) as other:
                other.login("z1", {"request_token": kite_sim.request_token()}, ClickLoginIO())

        await asyncio.to_thread(login_again)
        for consumer in (first, second):
            await next_event(consumer, state("live"))
        await next_event(first, tick("NSE:INFY"))
        for consumer in (first, second):
            await consumer.close()

    run(home, scenario)


def test_a_silent_feed_is_stale_for_its_consumers_then_reconnects(home: Path, kite_sim: Any) -> None:
    async def scenario(manager: AsyncBrokerManager) -> None:
        consumer = await manager.subscribe(["z1"], ["NSE:INFY"], "ltp")
        await next_event(consumer, tick("NSE:INFY"))
        await asyncio.to_thread(kite_sim.silence_streams, True)
        seen: list[Event] = []
        down = await next_event(consumer, lambda e: e.type == "state" and not e.data.up, seen)  # type: ignore[union-attr]
        assert [e.data.state for e in seen if e.type == "state"] == ["stale"]  # type: ignore[union-attr]
        assert down.data.state == "reconnecting"  # type: ignore[union-attr]
        await asyncio.to_thread(kite_sim.silence_streams, False)
        await next_event(consumer, state("live"))
        await next_event(consumer, tick("NSE:INFY"))
        await consumer.close()

    run(home, scenario)


def test_one_consumer_takes_ticks_from_zerodha_and_order_updates_from_an_xts_dealer(
        home: Path, kite_sim: Any, tmp_path: Path) -> None:
    with xts.XtsSimulator(state_dir=tmp_path / "xts", seed=1) as xts_sim:
        code = xts_sim.account("dealer")["client_codes"][0]
        with BrokerManager(home) as manager:
            manager.activate("xts_pro", "d1", xts_sim.settings("dealer", client_code=code))
            manager.login("d1", {}, ClickLoginIO())

        async def scenario(manager: AsyncBrokerManager) -> None:
            consumer = manager.consumer()
            await consumer.subscribe("z1", ["NSE:INFY"], "quote")
            await consumer.follow("d1")
            await next_event(consumer, lambda e: e.account == "d1" and e.type == "state" and e.data.up)  # type: ignore[union-attr]
            market = await next_event(consumer, tick("NSE:INFY", "quote"))
            assert market.account == "z1"
            request = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1, order_type=OrderType.LIMIT,
                                   price=market.data.last_price)  # type: ignore[union-attr]
            ack = await manager.place_order("d1", request, client=code)
            update = await next_event(consumer, lambda e: e.type == "order" and e.data.order_id == ack.order_id)  # type: ignore[union-attr]
            assert update.account == "d1"
            assert update.data.client_code == code  # type: ignore[union-attr]
            assert update.data.status in (OrderStatus.OPEN, OrderStatus.COMPLETE, OrderStatus.PENDING)  # type: ignore[union-attr]
            await consumer.close()

        run(home, scenario)


def test_a_consumer_left_unread_cannot_stall_the_hub_or_another_consumer(home: Path, kite_sim: Any) -> None:
    async def scenario(manager: AsyncBrokerManager) -> None:
        idle = manager.consumer(capacity=10)
        await idle.subscribe("z1", ["NSE:INFY", "NSE:TCS", "NSE:SBIN"], "full")
        reader = await manager.subscribe(["z1"], ["NSE:INFY", "NSE:TCS", "NSE:SBIN"], "full")
        for _ in range(60):  # ten ticks a second: six seconds of the market
            await next_event(reader, tick("NSE:INFY", "full"))
        assert idle.pending <= 10 + 3 + 2  # capacity, the latest tick of each symbol, the feed's states
        assert idle.dropped > 0
        await idle.close()
        await reader.close()

    run(home, scenario)


def test_feed_states_name_their_account() -> None:
    assert Event("z1", FeedState("reconnecting", 2, 1.5, "dropped")).record() == {
        "type": "state", "account": "z1", "state": "reconnecting", "attempt": 2, "delay": 1.5, "reason": "dropped"}
