"""The hub across processes, run here in one process: a hub server and bus consumers on a real
redis-server, over a paper account (its exchange is a file of the home, shared by every manager)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import pytest
from redis.asyncio import Redis

from brokerplex import BrokerManager
from brokerplex.errors import InputError, SymbolError, UnknownAccountError
from brokerplex.hub import Event, EventConsumer
from brokerplex.hub.bus import Bus, BusError
from brokerplex.hub.bus.codec import HUB, INTEREST, ORDERS, stream_id_key
from brokerplex.hub.bus.orders import ADD_SCRIPT, add_arguments
from brokerplex.hub.bus.server import HubServer
from brokerplex.manager import AsyncBrokerManager
from brokerplex.models import Order, OrderRequest, OrderStatus, Side, Tick
from brokerplex.streaming import FeedState
from hubevents import take
from servers import redis_server

ACCOUNT = "p1"
WAIT = 15.0  # seconds any awaited event may take under load


@asynccontextmanager
async def hub_process(home: Path, url: str, accounts: tuple[str, ...] = ()) -> AsyncIterator[AsyncBrokerManager]:
    """What `brokerplex hub` runs, in this process: its manager (no bus) is yielded, to look at its hub."""
    manager, bus = AsyncBrokerManager(home), Bus.from_url(url)
    server = HubServer(manager.hub, manager.stream_terms, bus, accounts)
    await server.start()
    stop = asyncio.Event()
    serving = asyncio.get_running_loop().create_task(server.serve(stop))
    try:
        yield manager
    finally:
        stop.set()
        await serving
        await server.close()
        await manager.close()
        await bus.close()


@asynccontextmanager
async def process(home: Path, url: str) -> AsyncIterator[AsyncBrokerManager]:
    """Another process's manager on the bus."""
    manager = AsyncBrokerManager(home, bus=url)
    try:
        yield manager
    finally:
        await manager.close()


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT):
        while not condition():
            await asyncio.sleep(0.05)


def tick_of(symbol: str) -> Callable[[Event], bool]:
    return lambda event: isinstance(event.data, Tick) and event.data.symbol == symbol


def order_of(order_id: str, status: OrderStatus | None = None) -> Callable[[Event], bool]:
    return lambda event: (isinstance(event.data, Order) and event.data.order_id == order_id
                          and status in (None, event.data.status))


def state(name: str) -> Callable[[Event], bool]:
    return lambda event: isinstance(event.data, FeedState) and event.data.state == name


BUY = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1)


@pytest.mark.parametrize("capacity", [1000, 0], ids=["buffered", "newest-only"])  # 0: ticks from the board
def test_a_bus_consumer_gets_ticks_feed_states_and_order_events_with_their_ids(
        paper: BrokerManager, bus_url: str, capacity: int) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url), process(paper.home, bus_url) as strategy:
            consumer = await strategy.subscribe([ACCOUNT], ["NSE:INFY"], "full", capacity=capacity)
            async with consumer:
                await take(consumer, state("live"))
                tick = (await take(consumer, tick_of("NSE:INFY")))[0].data
                assert isinstance(tick, Tick)
                assert tick.mode == "full"
                assert tick.bids
                assert tick.asks
                ack = await strategy.place_order(ACCOUNT, BUY)
                placed, *_, done = await take(consumer, order_of(ack.order_id), count=3)
                # The placing process announces it as sent, the hub's paper stream as the exchange takes it.
                assert [event.data.status for event in (placed, *_, done)] == [  # type: ignore[union-attr]
                    OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.COMPLETE]
                assert placed.id is not None
                assert done.id is not None
                assert placed.id < done.id
                assert done.record()["id"] == done.id
                assert done.record()["type"] == "order"

    asyncio.run(test())


def test_interests_of_two_consumers_merge_at_the_strongest_mode_and_the_last_leaving_unsubscribes(
        paper: BrokerManager, bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url) as hub, process(paper.home, bus_url) as one, \
                process(paper.home, bus_url) as other:
            quiet = await one.subscribe([ACCOUNT], ["NSE:INFY"], "ltp", capacity=0)  # reads the board
            busy = await other.subscribe([ACCOUNT], ["NSE:INFY", "NSE:TCS"], "full")
            await until(lambda: hub.hub.subscriptions(ACCOUNT) == {"NSE:INFY": "full", "NSE:TCS": "full"})
            assert len(hub.hub.streams(ACCOUNT)) == 1
            # Each consumer sees what it asked for: ltp of INFY alone, though the broker streams full ticks.
            seen = [event.data for event in await take(quiet, lambda event: event.type == "tick", count=3)]
            assert {(tick.symbol, tick.mode) for tick in seen} == {("NSE:INFY", "ltp")}  # type: ignore[union-attr]
            await take(busy, tick_of("NSE:TCS"))
            await busy.close()
            await until(lambda: hub.hub.subscriptions(ACCOUNT) == {"NSE:INFY": "ltp"})
            await quiet.unsubscribe(ACCOUNT, ["NSE:INFY"])
            await until(lambda: hub.hub.subscriptions(ACCOUNT) == {})
            await quiet.close()
            await until(lambda: not hub.hub.streams(ACCOUNT))  # nobody follows it: the feed closed

    asyncio.run(test())


def test_a_restarted_hub_reestablishes_what_live_consumers_want_and_they_see_it_go_and_come_back(
        paper: BrokerManager, bus_url: str) -> None:
    async def test() -> None:
        async with process(paper.home, bus_url) as strategy:
            consumer = await strategy.subscribe([ACCOUNT], ["NSE:INFY"], "quote")
            async with consumer:
                # No hub yet: the consumer says so, and waits.
                down = (await take(consumer, state("reconnecting")))[0].data
                assert isinstance(down, FeedState)
                assert down.reason == "the hub is not running"
                async with hub_process(paper.home, bus_url) as hub:
                    await take(consumer, state("live"))
                    await take(consumer, tick_of("NSE:INFY"))
                    assert hub.hub.subscriptions(ACCOUNT) == {"NSE:INFY": "quote"}
                async with Redis.from_url(bus_url) as client:
                    assert await client.get(HUB) is None  # a hub that stops says so at once
                await take(consumer, state("reconnecting"))
                async with hub_process(paper.home, bus_url) as hub:
                    await take(consumer, state("live"))
                    await take(consumer, tick_of("NSE:INFY"))
                    assert hub.hub.subscriptions(ACCOUNT) == {"NSE:INFY": "quote"}

    asyncio.run(test())


def test_a_killed_consumers_interest_expires_and_the_hub_lets_go_of_what_only_it_wanted(
        paper: BrokerManager, bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url) as hub, process(paper.home, bus_url) as strategy:
            consumer = await strategy.subscribe([ACCOUNT], ["NSE:INFY"], "ltp")
            watch = subprocess.Popen(
                [str(Path(sys.executable).parent / "brokerplex"), "watch", ACCOUNT, "NSE:INFY", "NSE:TCS", "--mode",
                 "full", "--bus", bus_url], env={**os.environ, "BROKERPLEX_HOME": str(paper.home)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                await until(lambda: hub.hub.subscriptions(ACCOUNT) == {"NSE:INFY": "full", "NSE:TCS": "full"})
            finally:
                watch.kill()
                watch.wait()
            # Its interest key expires (6 s): the broker is told what the live consumer wants, no more.
            await until(lambda: hub.hub.subscriptions(ACCOUNT) == {"NSE:INFY": "ltp"})
            await consumer.close()

    asyncio.run(test())


def test_a_consumer_resumes_after_an_id_and_misses_no_order_event(paper: BrokerManager, bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url, (ACCOUNT,)), process(paper.home, bus_url) as strategy:
            first = await strategy.subscribe([ACCOUNT])
            async with first:
                ack = await strategy.place_order(ACCOUNT, BUY)
                last = (await take(first, order_of(ack.order_id, OrderStatus.COMPLETE)))[0].id
            missed = [(await strategy.place_order(ACCOUNT, BUY)).order_id for _ in range(2)]
            async with Redis.from_url(bus_url, decode_responses=True) as client:
                async with asyncio.timeout(WAIT):  # both reached the stream while nobody was reading
                    while len([e for e in await client.xrange(ORDERS, min=f"({last}") if '"COMPLETE"' in str(e)]) < 2:
                        await asyncio.sleep(0.05)
            again = await strategy.subscribe([ACCOUNT], after=last)
            async with again:
                done = await take(again, lambda event: event.type == "order" and event.data.status  # type: ignore[union-attr]
                                  is OrderStatus.COMPLETE, count=2)
                assert [event.data.order_id for event in done] == missed  # type: ignore[union-attr]
                assert all(event.id is not None and event.id > (last or "") for event in done)

    asyncio.run(test())


def test_the_same_state_of_an_order_reaches_the_stream_once_whoever_adds_it(paper: BrokerManager,
                                                                           bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url, (ACCOUNT,)), process(paper.home, bus_url) as strategy:
            consumer = await strategy.subscribe([ACCOUNT])
            async with consumer:
                ack = await strategy.place_order(ACCOUNT, BUY)
                done = (await take(consumer, order_of(ack.order_id, OrderStatus.COMPLETE)))[0]
            async with Redis.from_url(bus_url, decode_responses=True) as client:
                entries = await client.xrange(ORDERS)
                add = client.register_script(ADD_SCRIPT)
                assert await add(*add_arguments(done)) is None  # the hub added this state already
                assert await add(*add_arguments(Event(ACCOUNT, done.data), only_new=True)) is None
                assert await client.xrange(ORDERS) == entries
                statuses = [json.loads(fields["data"])["status"] for _, fields in entries if fields["type"] == "order"]
                assert statuses == ["PENDING", "OPEN", "COMPLETE"]  # each state once, announced or streamed

    asyncio.run(test())


def test_bad_input_is_refused_in_the_consumers_process_before_anything_is_sent(paper: BrokerManager,
                                                                              bus_url: str) -> None:
    async def test() -> None:
        async with process(paper.home, bus_url) as strategy:
            with pytest.raises(UnknownAccountError):
                await strategy.subscribe(["nobody"], ["NSE:INFY"])
            with pytest.raises(SymbolError):
                await strategy.subscribe([ACCOUNT], ["INFY"])
            with pytest.raises(InputError, match="--after takes an event id"):
                await strategy.subscribe([ACCOUNT], after="yesterday")
        async with Redis.from_url(bus_url) as client:
            assert await client.keys("*") == []  # nothing was sent

    asyncio.run(test())


def test_an_id_whose_successors_were_trimmed_is_an_error_not_a_gap(paper: BrokerManager, bus_url: str) -> None:
    async def test() -> None:
        async with Redis.from_url(bus_url, decode_responses=True) as client:
            ids = [await client.xadd(ORDERS, {"account": "elsewhere", "type": "order", "data": "{}"}) for _ in range(3)]
            await client.xtrim(ORDERS, minid=ids[2], approximate=False)
        async with process(paper.home, bus_url) as strategy:
            with pytest.raises(BusError, match=f"the order events after {ids[1]} may have been trimmed"):
                await strategy.subscribe([ACCOUNT], after=ids[1])
            consumer = await strategy.subscribe([ACCOUNT], after=ids[2])  # still kept: no gap
            await consumer.close()

    asyncio.run(test())


def test_a_subscription_the_hub_cannot_make_ends_that_consumer_with_the_brokers_reason(
        paper: BrokerManager, bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url) as hub, process(paper.home, bus_url) as strategy:
            good = await strategy.subscribe([ACCOUNT], ["NSE:INFY"], "ltp")
            bad = await strategy.subscribe([ACCOUNT], ["NSE:NOSUCHTHING"], "quote")
            with pytest.raises(InputError, match="NSE:NOSUCHTHING is not listed"):
                await take(bad, lambda event: False)
            await take(good, tick_of("NSE:INFY"))  # the other consumer goes on
            assert hub.hub.subscriptions(ACCOUNT) == {"NSE:INFY": "ltp"}
            await good.close()

    asyncio.run(test())


def test_a_consumer_that_loses_redis_says_the_bus_is_unreachable(paper: BrokerManager, tmp_path: Path) -> None:
    async def test(stop_redis: Callable[[], None], url: str) -> None:
        async with process(paper.home, url) as strategy:
            consumer = await strategy.subscribe([ACCOUNT])
            async with consumer:
                await take(consumer, state("reconnecting"))  # no hub
                stop_redis()
                lost = (await take(consumer, lambda event: "unreachable" in str(event.data)))[0].data
                assert isinstance(lost, FeedState)
                assert lost.state == "reconnecting"
                assert lost.reason is not None
                assert lost.reason.startswith("the bus is unreachable")

    with ExitStack() as redis_running:
        url = redis_running.enter_context(redis_server(tmp_path))
        asyncio.run(test(redis_running.close, url))


def test_a_bus_that_is_not_redis_is_refused_with_one_line() -> None:
    for url, said in [(None, "no bus named"), ("http://localhost:6379", "must be a redis://")]:
        with pytest.raises(InputError, match=said):
            Bus.from_url(url)
    assert "s3cret" not in repr(Bus.from_url("redis://user:s3cret@localhost:6379/0"))
    assert json.dumps(repr(Bus.from_url("redis://:s3cret@host/0"))) == '"<Bus redis://:****@host/0>"'


def test_a_reader_behind_on_order_events_is_held_back_not_ended_and_misses_none(paper: BrokerManager,
                                                                                  bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url, (ACCOUNT,)), process(paper.home, bus_url) as strategy:
            slow = strategy.consumer(limit=6)  # at most three order events wait in it: the rest in the stream
            async with slow:
                await slow.follow(ACCOUNT)
                placed = [(await strategy.place_order(ACCOUNT, BUY)).order_id for _ in range(4)]
                async with Redis.from_url(bus_url, decode_responses=True) as client:
                    async with asyncio.timeout(WAIT):  # every fill reached the stream while nobody read
                        while sum('"COMPLETE"' in str(e) for e in await client.xrange(ORDERS)) < 4:
                            await asyncio.sleep(0.05)
                assert slow.pending <= 6  # type: ignore[attr-defined]
                done = await take(slow, lambda event: event.type == "order" and event.data.status  # type: ignore[union-attr]
                                  is OrderStatus.COMPLETE, count=4)
                assert [event.data.order_id for event in done] == placed  # type: ignore[union-attr]

    asyncio.run(test())


async def orders_up_to(consumer: EventConsumer, order_id: str) -> list[Event]:
    """The consumer's order events up to the one completing ``order_id``."""
    seen: list[Event] = []

    def last(event: Event) -> bool:
        if event.type == "order":
            seen.append(event)
        return order_of(order_id, OrderStatus.COMPLETE)(event)

    await take(consumer, last)
    return seen


def test_a_process_reads_the_order_stream_once_for_all_its_consumers(paper: BrokerManager, bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url, (ACCOUNT,)), process(paper.home, bus_url) as strategy:
            consumers = [await strategy.subscribe([ACCOUNT]) for _ in range(3)]
            for consumer in consumers:  # reading: each joins the process's order reader
                await take(consumer, lambda event: event.type == "state")
            await until(lambda: strategy.bus.order_reader().served == 3)
            ack = await strategy.place_order(ACCOUNT, BUY)
            done = [(await take(consumer, order_of(ack.order_id, OrderStatus.COMPLETE)))[0] for consumer in consumers]
            assert done[0] is done[1] is done[2]  # parsed once, the same event for each
            async with Redis.from_url(bus_url, decode_responses=True) as client:
                assert [c["cmd"] for c in await client.client_list()].count("xread") == 1
            for consumer in consumers:
                await consumer.close()

    asyncio.run(test())


def test_a_process_refreshes_the_interest_of_all_its_consumers_in_one_round_trip(paper: BrokerManager,
                                                                               bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url, (ACCOUNT,)), process(paper.home, bus_url) as strategy:
            consumers = [await strategy.subscribe([ACCOUNT]) for _ in range(5)]
            async with Redis.from_url(bus_url, decode_responses=True) as client, client.monitor() as monitor:
                rounds: list[list[str]] = []  # the interest keys written before each read of the hub's key
                written: list[str] = []
                async with asyncio.timeout(WAIT):
                    while len(rounds) < 3:
                        command = (await monitor.next_command())["command"].split()
                        if command[:2] == ["GET", HUB]:
                            rounds.append(written)
                            written = []
                        elif command[0] == "SET" and command[1].startswith(INTEREST):
                            written.append(command[1])
            keys = sorted(INTEREST + consumer.id for consumer in consumers)  # type: ignore[attr-defined]
            assert [sorted(keys_written) for keys_written in rounds[1:]] == [keys, keys]  # each round: all, once
            for consumer in consumers:
                await consumer.close()

    asyncio.run(test())


def test_a_consumer_resuming_after_an_id_catches_up_then_reads_live_with_the_others(paper: BrokerManager,
                                                                                    bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url, (ACCOUNT,)), process(paper.home, bus_url) as strategy:
            early = await strategy.subscribe([ACCOUNT])
            async with early:
                first = (await strategy.place_order(ACCOUNT, BUY)).order_id
                mark = (await orders_up_to(early, first))[-1].id
                second = (await strategy.place_order(ACCOUNT, BUY)).order_id
                await orders_up_to(early, second)  # the process's reader has read past the mark
                late = await strategy.subscribe([ACCOUNT], after=mark)
                async with late:
                    await take(late, lambda event: event.type == "state")
                    await until(lambda: strategy.bus.order_reader().served == 2)  # caught up: served live
                    third = (await strategy.place_order(ACCOUNT, BUY)).order_id
                    heard_late, heard_early = await orders_up_to(late, third), await orders_up_to(early, third)
        states = [OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.COMPLETE]
        assert [(e.data.order_id, e.data.status) for e in heard_late] == [  # type: ignore[union-attr]
            (order_id, status) for order_id in (second, third) for status in states]
        assert heard_early == heard_late[3:]  # the live ones, once each
        ids = [stream_id_key(event.id or "") for event in heard_late]
        assert ids == sorted(set(ids))
        assert ids[0] > stream_id_key(mark or "")

    asyncio.run(test())


def test_a_consumer_left_behind_holds_up_no_other_and_misses_nothing(paper: BrokerManager, bus_url: str) -> None:
    async def test() -> None:
        async with hub_process(paper.home, bus_url, (ACCOUNT,)), process(paper.home, bus_url) as strategy:
            slow, fast = strategy.consumer(limit=6), strategy.consumer()  # slow: three order events may wait
            async with slow, fast:
                for consumer in (slow, fast):
                    await consumer.follow(ACCOUNT)
                    await take(consumer, lambda event: event.type == "state")
                await until(lambda: strategy.bus.order_reader().served == 2)
                placed = [(await strategy.place_order(ACCOUNT, BUY)).order_id for _ in range(4)]
                done = await take(fast, lambda event: event.type == "order" and event.data.status
                                  is OrderStatus.COMPLETE, count=4)
                assert [event.data.order_id for event in done] == placed
                assert strategy.bus.order_reader().served == 1  # slow, unread, was left behind
                assert slow.pending <= 6  # type: ignore[attr-defined]
                done = await take(slow, lambda event: event.type == "order" and event.data.status
                                  is OrderStatus.COMPLETE, count=4)
                assert [event.data.order_id for event in done] == placed

    asyncio.run(test())
