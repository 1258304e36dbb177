"""Hub fan-out: 500 symbols from a synthetic broker stream into an in-process ``brokerplex.hub.Hub``, 20
consumers each subscribed to all 500 symbols and reading as fast as they can; against a bare asyncio
broadcast of the same ticks (one ``asyncio.Queue`` per consumer, the producer putting each tick into each,
the same 20 readers). Every tick carries its sequence number in ``exchange_time``; a side table holds the
``perf_counter`` of its push.

- throughput: ticks pushed as fast as the readers take them, at most two frames of 500 in flight (so
  nothing conflates); the figure is microseconds per tick fanned out to all 20, and the ratio
  (baseline / ours) is the hub's throughput over the baseline's. Goal: ratio >= 0.7.
- latency at 20k ticks/s: from the push to a consumer's read, over every read. Goal: p99 <= 2 ms. CPU
  seconds (``process_time``) per second of feed, per 10k ticks/s.
- a slow consumer at 5k ticks/s: one consumer never reads; its buffer stays bounded (capacity + one tick
  per symbol), and the 19 others' p99 beside it is reported next to theirs in the same run without it
  (rounds alternate between the two). Goal: within the bound, and p99 <= 2 ms beside it too.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from _harness import Latencies, arguments, judge, report
from brokerplex.capabilities import Capabilities
from brokerplex.hub import Consumer, Hub
from brokerplex.hub.buffer import DEFAULT_CAPACITY
from brokerplex.models import Tick, TickMode
from brokerplex.streaming import FeedState, Stream

ACCOUNT = "bench"
SYMBOLS = [f"NSE:SCRIP{n:03d}" for n in range(500)]
READERS = 20
RATE, SECONDS = 20_000, 3.0  # the paced run: ticks a second, for how long
SLOW_RATE, SLOW_SECONDS = 5_000, 2.0
FRAME = len(SYMBOLS)  # the throughput run pushes a frame of one tick per symbol at a time
FRAMES = 20  # per throughput sample
ROUNDS = 3  # paced runs alternate between the two sides in this many rounds
CAPABILITIES = Capabilities(streaming=("ltp", "quote", "full"))


def terms(account: str) -> tuple[str, Capabilities]:
    """Every account of the benchmark: a synthetic broker streaming every mode."""
    return "synthetic", CAPABILITIES


Record = Callable[[int], bool]  # a reader's bookkeeping for the tick of one sequence number: True = the last


def ticks(count: int) -> list[Tick]:
    """Quote ticks round the symbols, numbered in ``exchange_time``."""
    return [Tick(SYMBOLS[seq % FRAME], "quote", 100, 100_000 + seq % 977, last_quantity=1, average=100_050,
                 volume=10_000 + seq, buy_quantity=500, sell_quantity=700, ohlc=(99_000, 101_000, 98_000, 99_500),
                 last_traded=1_764_000_000, exchange_time=seq) for seq in range(count)]


class SyntheticFeed(Stream):
    """A broker stream that is only a pipe: the benchmark hands it prebuilt ticks (it measures the hub,
    not a broker)."""

    def __init__(self) -> None:
        super().__init__()
        self.subscribed: dict[str, TickMode] = {}
        self._set_state(FeedState("live"))

    async def subscribe(self, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        self.subscribed.update(dict.fromkeys(symbols, mode))

    async def unsubscribe(self, symbols: Sequence[str]) -> None:
        for symbol in symbols:
            self.subscribed.pop(symbol, None)

    async def close(self) -> None:
        self._finish()

    def push(self, tick: Tick) -> None:
        self._put_tick(tick)


# -- the two producers ---------------------------------------------------------------------------------------
async def paced(feed: list[Tick], rate: float, put: Callable[[Tick], None], sent: list[float]) -> None:
    """Push ``feed`` at ``rate`` ticks a second: every half millisecond, what is due by then."""
    start, pushed = time.perf_counter(), 0
    while pushed < len(feed):
        now = time.perf_counter()
        due = min(len(feed), int((now - start) * rate) + 1)
        while pushed < due:
            sent[pushed] = now
            put(feed[pushed])
            pushed += 1
        await asyncio.sleep(0.0005)


class Frames:
    """Flow control of the throughput run: a frame may be pushed once every reader read the one before
    last, so at most two frames wait in any buffer."""

    def __init__(self, readers: int) -> None:
        self.readers = readers
        self.read: dict[int, int] = {}
        self.done: dict[int, asyncio.Event] = {}

    def finished(self, frame: int) -> None:
        self.read[frame] = self.read.get(frame, 0) + 1
        if self.read[frame] == self.readers:
            self._event(frame).set()

    def _event(self, frame: int) -> asyncio.Event:
        return self.done.setdefault(frame, asyncio.Event())

    async def flood(self, feed: list[Tick], put: Callable[[Tick], None]) -> None:
        for frame in range(len(feed) // FRAME):
            if frame >= 2:
                await self._event(frame - 2).wait()
            for tick in feed[frame * FRAME:(frame + 1) * FRAME]:
                put(tick)
            await asyncio.sleep(0)


# -- the two sides -------------------------------------------------------------------------------------------
async def hub_reader(consumer: Consumer, record: Record) -> None:
    async for event in consumer:
        if record(event.data.exchange_time):  # type: ignore[union-attr,arg-type]  # ticks only, states drained
            return


async def queue_reader(queue: asyncio.Queue[Tick], record: Record) -> None:
    while True:
        tick = await queue.get()
        if record(tick.exchange_time):  # type: ignore[arg-type]  # every tick is numbered
            return


class HubSide:
    """The hub, one synthetic stream under it, and ``consumers`` subscribed to every symbol."""

    def __init__(self) -> None:
        self.streams: list[SyntheticFeed] = []
        self.hub = Hub(self._open, terms)
        self.consumers: list[Consumer] = []

    async def _open(self, account: str) -> Stream:
        self.streams.append(SyntheticFeed())
        return self.streams[-1]

    async def start(self, consumers: int) -> HubSide:
        self.consumers = [self.hub.consumer() for _ in range(consumers)]
        for consumer in self.consumers:
            await consumer.subscribe(ACCOUNT, SYMBOLS, "quote")
        (stream,) = self.streams
        assert len(stream.subscribed) == len(SYMBOLS)
        while stream.pending:  # the hub's pump passes the feed states on ...
            await asyncio.sleep(0)
        for consumer in self.consumers:  # ... which the readers need not see
            for _ in range(consumer.pending):
                await anext(consumer)
        return self

    @property
    def put(self) -> Callable[[Tick], None]:
        return self.streams[0].push

    def readers(self, records: list[Record]) -> list[Awaitable[None]]:
        return [hub_reader(consumer, record) for consumer, record in zip(self.consumers, records, strict=False)]

    @property
    def dropped(self) -> int:
        return self.streams[0].dropped + sum(consumer.dropped for consumer in self.consumers)


class QueueSide:
    """The baseline: a queue per reader, the producer putting every tick into each."""

    def __init__(self, consumers: int) -> None:
        self.queues: list[asyncio.Queue[Tick]] = [asyncio.Queue() for _ in range(consumers)]

    def put(self, tick: Tick) -> None:
        for queue in self.queues:
            queue.put_nowait(tick)

    def readers(self, records: list[Record]) -> list[Awaitable[None]]:
        return [queue_reader(queue, record) for queue, record in zip(self.queues, records, strict=False)]


Side = HubSide | QueueSide


async def throughput(side: Side, feed: list[Tick]) -> float:
    """Microseconds per tick fanned out to every reader, pushed as fast as they read."""
    frames, last = Frames(READERS), len(feed) - 1

    def record(seq: int) -> bool:
        if seq % FRAME == FRAME - 1:
            frames.finished(seq // FRAME)
        return seq == last

    start = time.perf_counter()
    await asyncio.gather(frames.flood(feed, side.put), *side.readers([record] * READERS))
    return (time.perf_counter() - start) / len(feed) * 1e6


@dataclass
class Paced(Latencies):
    """What paced runs of one side measured, pooled over its rounds."""

    latencies: list[float] = field(default_factory=list)  # seconds from push to read, every read of every reader
    cpu: float = 0.0  # process seconds
    wall: float = 0.0

    def cpu_per_10k(self, rate: float) -> float:
        """CPU seconds per second of a feed of ``rate`` ticks a second, scaled to 10k ticks/s."""
        return self.cpu / self.wall * 10_000 / rate


async def paced_round(side: Side, feed: list[Tick], rate: float, readers: int, into: Paced) -> None:
    """Push ``feed`` at ``rate``; the first ``readers`` consumers read (the rest, if any, never do)."""
    sent, last = [0.0] * len(feed), len(feed) - 1
    seen: list[list[float]] = [[] for _ in range(readers)]

    def recorder(latencies: list[float]) -> Record:
        clock, note = time.perf_counter, latencies.append

        def record(seq: int) -> bool:
            note(clock() - sent[seq])
            return seq == last

        return record

    cpu, start = time.process_time(), time.perf_counter()
    await asyncio.gather(paced(feed, rate, side.put, sent), *side.readers([recorder(mine) for mine in seen]))
    into.wall += time.perf_counter() - start
    into.cpu += time.process_time() - cpu
    into.latencies.extend(value for mine in seen for value in mine)


async def alternated(sides: tuple[Side, Side], feed: list[Tick], rate: float, readers: int) -> tuple[Paced, Paced]:
    """Rounds of ``ROUNDS`` alternating between the two sides, so that a noisy neighbour slows both alike."""
    pooled = Paced(), Paced()
    share = len(feed) // ROUNDS
    for _ in range(ROUNDS):
        for side, into in zip(sides, pooled, strict=True):
            await paced_round(side, feed[:share], rate, readers, into)
    return pooled


@dataclass
class Figures:
    ours: float  # us per tick fanned out, pushed as fast as the readers take them
    theirs: float
    hub: Paced  # at RATE
    queues: Paced
    alone: Paced  # at SLOW_RATE, READERS - 1 readers and no idle consumer
    beside_idle: Paced  # the same readers beside a consumer that never reads
    idle_pending: int
    idle_dropped: int


async def measure(runs: int) -> Figures:
    feed = ticks(max(FRAMES * FRAME, int(RATE * SECONDS)))
    hub_side, queue_side = await HubSide().start(READERS), QueueSide(READERS)
    gc.freeze()  # as `brokerplex watch` does before its long read: full collections need not walk the start-up
    flood = feed[:FRAMES * FRAME]
    await throughput(hub_side, flood)  # warm both
    await throughput(queue_side, flood)
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(await throughput(hub_side, flood))
        theirs.append(await throughput(queue_side, flood))
    assert hub_side.dropped == 0, "the throughput run must not conflate"
    hub_paced, queue_paced = await alternated((hub_side, queue_side), feed[:int(RATE * SECONDS)], RATE, READERS)
    await hub_side.hub.close()

    alone, beside = await HubSide().start(READERS - 1), await HubSide().start(READERS)
    beside.consumers.append(beside.consumers.pop(0))  # the first is the idle one: it gets no reader
    without_idle, with_idle = await alternated((alone, beside), feed[:int(SLOW_RATE * SLOW_SECONDS)], SLOW_RATE,
                                               READERS - 1)
    idle = beside.consumers[-1]
    figures = Figures(statistics.median(ours), statistics.median(theirs), hub_paced, queue_paced, without_idle,
                      with_idle, idle.pending, idle.dropped)
    await alone.hub.close()
    await beside.hub.close()
    return figures


def main() -> None:
    args = arguments(__doc__ or "", runs=9)
    got = asyncio.run(measure(args.runs))
    hub, queues, bound = got.hub, got.queues, DEFAULT_CAPACITY + len(SYMBOLS)
    if not args.json:
        print(f"hub_fanout: {len(SYMBOLS)} symbols, {READERS} consumers, at {RATE // 1000}k ticks/s for "
              f"{SECONDS:.0f} s each: push-to-read p50/p99 hub {hub.p50_ms:.3f}/{hub.p99_ms:.3f} ms, baseline "
              f"{queues.p50_ms:.3f}/{queues.p99_ms:.3f} ms; CPU s per 10k ticks/s: hub {hub.cpu_per_10k(RATE):.3f}, "
              f"baseline {queues.cpu_per_10k(RATE):.3f}")
        print(f"hub_fanout: at {SLOW_RATE // 1000}k ticks/s a consumer that never reads holds {got.idle_pending} "
              f"events (bound {bound}; {got.idle_dropped} ticks conflated); the {READERS - 1} others' p99 "
              f"{got.beside_idle.p99_ms:.3f} ms beside it, {got.alone.p99_ms:.3f} ms without it")
    report("hub_fanout", got.ours, got.theirs, "us/tick to 20 consumers", args.json,
           f"goal: ratio >= 0.7; p99 {hub.p99_ms:.2f} ms, goal <= 2 ms")
    ratio, missed = got.theirs / got.ours, []
    if ratio < 0.7:
        missed.append(f"throughput ratio {ratio:.2f} < 0.7")
    if hub.p99_ms > 2:
        missed.append(f"p99 {hub.p99_ms:.2f} ms > 2 ms (the baseline's: {queues.p99_ms:.2f} ms)")
    if got.idle_pending > bound:
        missed.append(f"the idle consumer holds {got.idle_pending} events, past its bound {bound}")
    if got.beside_idle.p99_ms > 2:
        missed.append(f"p99 beside the idle consumer {got.beside_idle.p99_ms:.2f} ms > 2 ms")
    judge("hub_fanout", missed, args.json)


if __name__ == "__main__":
    main()
