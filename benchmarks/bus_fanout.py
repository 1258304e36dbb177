"""Bus fan-out: the ticks of ``hub_fanout`` (500 symbols from a synthetic broker stream) through a Redis
bus to 5 consumer processes, against bare redis-py publish/subscribe of the same encoded payloads.

Ours: this process is the hub process (``brokerplex.hub.bus.server.HubServer`` over an in-process hub
whose one stream is the synthetic feed); each consumer process reads a ``Bus(url).consumer`` subscribed
to every symbol. The baseline: this process publishes what it pushed in one go as one message of the
bus's codec (``ticks_message``: the batches the hub's publisher sends) on one channel per account, and
each consumer process holds a bare redis-py subscription and decodes every message into Ticks with the
same codec (``tick_from``): the same ticks, none of the bus (interest keys, the hub's merging, trimming
per mode, events, bounded buffers). The baseline uses an account of its own, so that neither side's
consumers hear the other's ticks. The benchmark starts its own redis-server on a unix socket (the tests'
``servers.redis_server``). Every process freezes what its start-up made, as ``brokerplex hub`` and
``brokerplex watch`` do (full collections need not walk it), the baseline's consumers too.

- throughput: ticks pushed as fast as the consumers read them, at most two frames of 500 in flight (each
  consumer says on its stdout when it read a frame); microseconds per tick fanned out to the 5, and the
  ratio (baseline / ours) is the bus's throughput over bare pub/sub's. Goal: ratio >= 0.7.
- latency at 20k ticks/s: from the push (``perf_counter`` in this process) to a consumer's read
  (``perf_counter`` there: one monotonic clock on Linux), over every read. Goal: p99 <= 10 ms.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _harness import Latencies, arguments, judge, report
from brokerplex.hub.bus import Bus
from brokerplex.hub.bus.codec import FEED, tick_from, ticks_message
from brokerplex.models import Tick
from hub_fanout import ACCOUNT, FRAME, SYMBOLS, Frames, HubSide, paced, terms, ticks

if TYPE_CHECKING:
    from redis.asyncio.client import PubSub

    from brokerplex.hub.bus.consumer import BusConsumer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import redis_server  # type: ignore[import-not-found]  # the tests' redis-server: one way to start it

CONSUMERS = 5
RATE, SECONDS, ROUNDS = 20_000, 3.0, 3  # the paced runs alternate between the sides in ROUNDS rounds
FRAMES = 60  # per throughput sample (long enough that filling and draining the pipeline is not the figure)
BARE = "bare"  # the baseline's account
LINE_LIMIT = 1 << 24  # a consumer's report of its read times is one long line
TIMEOUT = 240  # seconds: a run that hangs (a consumer that never hears its last tick) fails instead


# -- the consumer processes ----------------------------------------------------------------------------------
Handle = Callable[[Tick], bool]  # a consumer's bookkeeping of one tick: True for the last of the run


async def subscribed_consumer(url: str) -> BusConsumer:
    consumer = Bus(url).consumer(terms)
    await consumer.subscribe(ACCOUNT, SYMBOLS, "quote")
    return consumer


async def read_consumer(consumer: BusConsumer, handle: Handle) -> None:
    async for event in consumer:
        data = event.data
        if type(data) is Tick and handle(data):
            return


async def subscribed_pubsub(url: str) -> PubSub:
    from redis.asyncio import Redis

    pubsub = Redis.from_url(url, decode_responses=True).pubsub()
    await pubsub.subscribe(FEED + BARE)
    while (await pubsub.get_message(timeout=None) or {}).get("type") != "subscribe":
        pass
    return pubsub


async def read_pubsub(pubsub: PubSub, handle: Handle) -> None:
    while True:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
        if message is not None and message["type"] == "message":
            for fields in json.loads(message["data"])[1:]:
                if handle(tick_from(fields)):
                    return


def bookkeeping(count: int, frames: bool) -> tuple[Handle, list[float]]:
    """What a consumer does with each tick of a run of ``count``: say on stdout when it read a frame, or
    note when it read each tick (in the list)."""
    last, clock, read = count - 1, time.perf_counter, [0.0] * count

    def frame(tick: Tick) -> bool:
        seq: int = tick.exchange_time  # type: ignore[assignment]  # every tick is numbered
        if seq % FRAME == FRAME - 1:
            print("frame", seq // FRAME, flush=True)
        return seq == last

    def note(tick: Tick) -> bool:
        seq: int = tick.exchange_time  # type: ignore[assignment]
        read[seq] = clock()
        return seq == last

    return (frame if frames else note), read


async def consume(kind: str, url: str) -> None:
    """A consumer process: subscribe, then for each run asked on stdin (``count``, ``frames`` or ``times``)
    read up to the last tick; at the end say when each tick was read (nothing for ``frames``)."""
    source: Any = await (subscribed_consumer(url) if kind == "bus" else subscribed_pubsub(url))
    reader = read_consumer if kind == "bus" else read_pubsub
    gc.freeze()  # as `brokerplex watch` does before its long read (both sides alike)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while command := await loop.run_in_executor(None, sys.stdin.readline):
        count, what = command.split()
        handle, read = bookkeeping(int(count), what == "frames")
        print("go", flush=True)
        await reader(source, handle)
        print("done", json.dumps([] if what == "frames" else read), flush=True)
    await (source.close() if kind == "bus" else source.aclose())


class Consumers:
    """The consumer processes of one side."""

    def __init__(self, processes: list[asyncio.subprocess.Process]) -> None:
        self.processes = processes

    @classmethod
    async def start(cls, kind: str, url: str, spawned: list[Consumers]) -> Consumers:
        """``CONSUMERS`` processes of ``kind``, subscribed; listed in ``spawned`` from their start."""
        consumers = cls([])
        spawned.append(consumers)
        for _ in range(CONSUMERS):
            consumers.processes.append(await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--consumer", kind, url, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, limit=LINE_LIMIT))
        await asyncio.wait_for(consumers._expect("ready"), 60)
        return consumers

    async def _line(self, process: asyncio.subprocess.Process) -> list[str]:
        assert process.stdout is not None
        line = await process.stdout.readline()
        if not line:
            raise RuntimeError(f"a consumer process ended (exit status {await process.wait()})")
        return line.decode().split(" ", 1)

    async def _expect(self, word: str) -> None:
        for process in self.processes:
            said = await self._line(process)
            assert said[0].strip() == word, said

    async def run(self, count: int, frames: Frames | None) -> Callable[[], Any]:
        """Ask every consumer for a run of ``count`` ticks; once all are reading, the awaitable of what they
        read (per consumer: when each tick was read, 0 if never)."""
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(f"{count} {'frames' if frames else 'times'}\n".encode())
            await process.stdin.drain()
        await self._expect("go")

        async def report(process: asyncio.subprocess.Process) -> list[float]:
            while True:
                word, rest = await self._line(process)
                if word != "frame":
                    return list(json.loads(rest))
                assert frames is not None
                frames.finished(int(rest))

        return lambda: asyncio.gather(*(report(process) for process in self.processes))

    def kill(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.kill()

    async def stop(self) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.close()
        for process in self.processes:
            await asyncio.wait_for(process.wait(), 30)


# -- the two publishing sides --------------------------------------------------------------------------------
class BarePublisher:
    """The baseline's producer: what was pushed since the last message goes out as one message."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self.client = Redis.from_url(url, decode_responses=True)
        self.waiting: list[Tick] = []
        self.ready = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._publish())

    def put(self, tick: Tick) -> None:
        self.waiting.append(tick)
        self.ready.set()

    async def _publish(self) -> None:
        while True:
            await self.ready.wait()
            self.ready.clear()
            batch, self.waiting = self.waiting, []
            await self.client.publish(FEED + BARE, ticks_message(batch))

    async def close(self) -> None:
        self.task.cancel()
        await self.client.aclose()


class Side(Latencies):
    def __init__(self, consumers: Consumers, put: Callable[[Tick], None]) -> None:
        self.consumers, self.put = consumers, put
        self.latencies: list[float] = []

    async def throughput(self, feed: list[Tick]) -> float:
        """Microseconds per tick fanned out to every consumer, pushed as fast as they read."""
        frames = Frames(CONSUMERS)
        reports = await self.consumers.run(len(feed), frames)
        start = time.perf_counter()
        await asyncio.gather(frames.flood(feed, self.put), reports())
        return (time.perf_counter() - start) / len(feed) * 1e6

    async def paced(self, feed: list[Tick]) -> None:
        sent = [0.0] * len(feed)
        reports = await self.consumers.run(len(feed), None)
        _, read = await asyncio.gather(paced(feed, RATE, self.put, sent), reports())
        self.latencies += [at - sent[seq] for times in read for seq, at in enumerate(times) if at]



async def measure(url: str, runs: int) -> tuple[float, float, Side, Side]:
    """The figures of both sides; the consumer processes are killed if anything fails."""
    spawned: list[Consumers] = []
    try:
        return await asyncio.wait_for(measured(url, runs, spawned), TIMEOUT)
    finally:
        for consumers in spawned:
            consumers.kill()


async def measured(url: str, runs: int, spawned: list[Consumers]) -> tuple[float, float, Side, Side]:
    from brokerplex.hub.bus.server import HubServer

    feed = ticks(max(FRAMES * FRAME, int(RATE * SECONDS)))
    hub_side, bus = HubSide(), Bus(url)
    server, stop = HubServer(hub_side.hub, terms, bus, [ACCOUNT]), asyncio.Event()
    await server.start()
    gc.freeze()  # as `brokerplex hub` does once serving (the baseline's publisher shares this process)
    serving = asyncio.get_running_loop().create_task(server.serve(stop))
    (stream,) = hub_side.streams
    ours = Side(await Consumers.start("bus", url, spawned), stream.push)
    while len(stream.subscribed) < len(SYMBOLS):  # the hub merged what the consumers want
        await asyncio.sleep(0.01)
    publisher = BarePublisher(url)
    bare = Side(await Consumers.start("bare", url, spawned), publisher.put)

    flood = feed[:FRAMES * FRAME]
    await ours.throughput(flood)  # warm both
    await bare.throughput(flood)
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(await ours.throughput(flood))
        theirs.append(await bare.throughput(flood))
    share = int(RATE * SECONDS) // ROUNDS
    for _ in range(ROUNDS):
        await ours.paced(feed[:share])
        await bare.paced(feed[:share])

    await ours.consumers.stop()
    await bare.consumers.stop()
    await publisher.close()
    stop.set()
    await serving
    await server.close()
    await hub_side.hub.close()
    await bus.close()
    return statistics.median(mine), statistics.median(theirs), ours, bare


def main() -> None:
    if sys.argv[1:2] == ["--consumer"]:
        asyncio.run(consume(sys.argv[2], sys.argv[3]))
        return
    args = arguments(__doc__ or "", runs=9)
    with tempfile.TemporaryDirectory() as folder, redis_server(Path(folder)) as url:
        mine, theirs, ours, bare = asyncio.run(measure(url, args.runs))
    if not args.json:
        print(f"bus_fanout: {len(SYMBOLS)} symbols, {CONSUMERS} consumer processes, at {RATE // 1000}k ticks/s for "
              f"{SECONDS:.0f} s each: push-to-read p50/p99 bus {ours.p50_ms:.2f}/{ours.p99_ms:.2f} ms, bare pub/sub "
              f"{bare.p50_ms:.2f}/{bare.p99_ms:.2f} ms")
    report("bus_fanout", mine, theirs, f"us/tick to {CONSUMERS} processes", args.json,
           f"goal: ratio >= 0.7; p99 {ours.p99_ms:.2f} ms, goal <= 10 ms")
    ratio, missed = theirs / mine, []
    if ratio < 0.7:
        missed.append(f"throughput ratio {ratio:.2f} < 0.7")
    if ours.p99_ms > 10:
        missed.append(f"p99 {ours.p99_ms:.2f} ms > 10 ms (bare pub/sub's: {bare.p99_ms:.2f} ms)")
    judge("bus_fanout", missed, args.json)


if __name__ == "__main__":
    main()
