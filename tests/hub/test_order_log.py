"""Order events resume from an id in one process too: the hub writes each order update and trade into the
store's order events, and a consumer made ``after`` an id is first given the account's later ones."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from brokerplex.aiomanager import AsyncBrokerManager
from brokerplex.errors import InputError
from brokerplex.hub import Event, EventConsumer
from brokerplex.models import Order, OrderRequest, OrderStatus, Side, Trade
from brokerplex.store.tables import order_events
from hubevents import take


def is_order_news(event: Event) -> bool:
    return isinstance(event.data, Order | Trade)


async def until_complete(consumer: EventConsumer) -> list[Event]:
    """The order updates and trades ``consumer`` reads up to the order's COMPLETE."""
    seen: list[Event] = []
    async with asyncio.timeout(20):
        async for event in consumer:
            if is_order_news(event):
                seen.append(event)
                if isinstance(event.data, Order) and event.data.status is OrderStatus.COMPLETE:
                    return seen
    raise AssertionError(f"no COMPLETE after {seen}")


def test_a_consumer_after_an_id_is_given_what_came_after_it_then_the_live_events(tmp_path: Path) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(tmp_path)
        try:
            manager.activate("paper", "p1", {"tick_interval": "0.05"})
            watcher = await manager.subscribe(["p1"])
            await manager.place_order("p1", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1))
            history = await until_complete(watcher)
            await watcher.close()
            ids = [int(event.id or 0) for event in history]
            assert all(ids)
            assert ids == sorted(ids)
            assert len(history) >= 2
            resumed = await manager.subscribe(["p1"], after=history[0].id)
            again = await take(resumed, is_order_news, count=len(history) - 1)
            assert [(event.id, event.data) for event in again] == [(event.id, event.data) for event in history[1:]]
            await manager.place_order("p1", OrderRequest(symbol="NSE:INFY", side=Side.SELL, quantity=1))
            (live,) = await take(resumed, lambda e: isinstance(e.data, Order) and e.data.side is Side.SELL)
            assert int(live.id or 0) > ids[-1]
            await resumed.close()
        finally:
            await manager.close()

    asyncio.run(scenario())


def test_an_id_that_is_not_the_stores_is_refused_before_anything_is_followed(tmp_path: Path) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(tmp_path)
        try:
            with pytest.raises(InputError, match="'1764581400000-0' is not an order event id of this store"):
                manager.consumer(after="1764581400000-0")
        finally:
            await manager.close()

    asyncio.run(scenario())


def test_two_processes_following_one_account_write_each_order_event_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        first, second = AsyncBrokerManager(tmp_path), AsyncBrokerManager(tmp_path)  # as two processes would be
        try:
            first.activate("paper", "p1", {"tick_interval": "0.05"})
            watchers = [await first.subscribe(["p1"]), await second.subscribe(["p1"])]
            await first.place_order("p1", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1))
            seen = await asyncio.gather(*(until_complete(watcher) for watcher in watchers))
            for watcher in watchers:
                await watcher.close()
            orders = [[event.id for event in events if isinstance(event.data, Order)] for events in seen]
            assert orders[0] == orders[1]  # the same rows: written by one process, found by the other
            with first.store.engine.connect() as connection:
                written = connection.execute(sa.select(order_events.c.event)).scalars().all()
            assert len(written) == len(set(written))
            assert len(written) >= len(orders[0])
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())
