"""The console's market watch under load: 200 symbols ticking 5 times a second each (1,000 ticks a second
into the page), frame times in headless Chromium.

The tick source is ``ws_fanout``'s: ``brokerplex serve --bus`` (a child process with the console's build)
takes its streams from the Redis bus, served by a ``HubServer`` in this process (in a thread with its own
event loop) over a synthetic broker stream (``hub_fanout``'s ``SyntheticFeed``) the benchmark pushes
prebuilt full ticks into (last price, volume, OHLC, five levels of depth), paced. The account is a paper
account of the server's store (its instruments and terms); the watch list holds its first 200 listed
instruments (the currency contracts left out), put in the browser's storage as the console keeps it
(``brokerplex.watch.ACCOUNT``), so the page subscribes to all 200 in full mode.

Frame times are recorded in the page with ``requestAnimationFrame`` over ``--runs`` rounds of 5 s, a silent
round (the same page and watch list, no ticks: the baseline) alternating with a ticking one. A frame's time
is its main-thread work: from the frame's start (the rAF timestamp) to the end of its rendering (a message
posted from the rAF callback runs once style, layout and paint are done). The text run shows it also from
the frame's first rAF callback (which leaves out the wait for the main thread: socket messages, another
process on the CPU) and the interval between frames (a 60 Hz display gives 16.7 ms; a dropped frame,
33 ms). Long animation frames (> 50 ms) are collected with a PerformanceObserver, and the scripts that took
their time are named. The ticks the page received are counted from its WebSocket frames.

Goal: p95 frame time <= 16 ms while ticking. The ratio is the silent page's p95 over the ticking one's.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Page, WebSocket

from _console import (
    WAIT_MS,
    chromium,
    copy_build,
    fresh_context,
    require_build,
    signed_in,
    start_server,
    wait_for,
)
from _harness import arguments, judge, percentile, report
from brokerplex.hub import Hub
from brokerplex.hub.bus import Bus
from brokerplex.manager import BrokerManager
from brokerplex.models import Exchange, Instrument, Tick
from brokerplex.streaming import Stream
from hub_fanout import SyntheticFeed, paced, terms
from servers import redis_server  # type: ignore[import-not-found]  # the tests' (_console puts tests/ on the path)

ACCOUNT = "bench"
SYMBOLS, PER_SYMBOL = 200, 5  # ticks a second each
RATE = SYMBOLS * PER_SYMBOL
ROUND_SECONDS = 5.0
GOAL_MS = 16.0
UNITS = 100  # paise
T = TypeVar("T")

# Every frame of ``ms`` milliseconds: [interval since the frame before, its time from its start, from its rAF
# callback]; and the long animation frames.
RECORD = """async (ms) => {
  const frames = [], long = [];
  const observer = new PerformanceObserver((list) => long.push(...list.getEntries()));
  observer.observe({ type: "long-animation-frame" });
  const end = performance.now() + ms;
  let last = null;
  await new Promise((resolve) => {
    const frame = (now) => {
      const interval = last === null ? null : now - last, called = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        if (interval !== null) frames.push([interval, performance.now() - now, performance.now() - called]);
      };
      channel.port2.postMessage(null);
      last = now;
      if (now < end) requestAnimationFrame(frame); else setTimeout(resolve, 50);
    };
    requestAnimationFrame(frame);
  });
  long.push(...observer.takeRecords());
  observer.disconnect();
  return {
    frames,
    long: long.map((entry) => ({
      duration: entry.duration,
      blocking: entry.blockingDuration,
      layout: entry.startTime + entry.duration - entry.styleAndLayoutStart,
      scripts: entry.scripts.map((script) => [
        `${script.invoker} (${script.sourceFunctionName || "anonymous"} in ${script.sourceURL.split("/").pop()})`,
        script.duration]),
    })),
  };
}"""
TICK_LINE = re.compile(r'"type":\s*"tick"')


def watch_list(manager: BrokerManager) -> list[Instrument]:
    listed = [instrument for instrument in manager.instruments(ACCOUNT) if instrument.exchange is not Exchange.CDS]
    return listed[:SYMBOLS]


def full_ticks(manager: BrokerManager, instruments: list[Instrument], seconds: float) -> list[Tick]:
    """``seconds`` of full ticks round the symbols: each a step of a tick size or three from the one before,
    with five levels of depth either side."""
    quotes = manager.quotes(ACCOUNT, [instrument.symbol for instrument in instruments])
    randoms = random.Random(15)
    steps = {instrument.symbol: int(instrument.tick_size * UNITS) or 1 for instrument in instruments}
    prices = {symbol: int(quote.last_price * UNITS) for symbol, quote in quotes.items()}
    now, ticks = int(time.time()), []
    for number in range(int(RATE * seconds)):
        symbol = instruments[number % len(instruments)].symbol
        step = steps[symbol]
        price = prices[symbol] = max(step, prices[symbol] + step * randoms.choice((-3, -2, -1, 1, 2, 3)))
        close = int((quotes[symbol].close or quotes[symbol].last_price) * UNITS)
        ticks.append(Tick(symbol, "full", UNITS, price, last_quantity=randoms.randint(1, 50), average=price,
                          volume=10_000 + number, buy_quantity=5_000, sell_quantity=6_000,
                          ohlc=(close, max(price, close), min(price, close), close), last_traded=now,
                          exchange_time=now, bids=tuple((price - level * step, 100 * level, level)
                                                        for level in range(1, 6)),
                          asks=tuple((price + level * step, 100 * level, level) for level in range(1, 6))))
    return ticks


class TickSource:
    """The hub and its bus server in a thread with its own event loop (the browser is driven from this one):
    the synthetic stream of ``ACCOUNT``, pushed at a pace."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.feeds: dict[str, SyntheticFeed] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.stop = asyncio.Event()
        self.call(self._start())

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(WAIT_MS / 1000)

    async def _open(self, account: str) -> Stream:
        self.feeds[account] = SyntheticFeed()
        return self.feeds[account]

    async def _start(self) -> None:
        from brokerplex.hub.bus.server import HubServer

        self.hub, self.bus = Hub(self._open, terms), Bus(self.url)
        self.server = HubServer(self.hub, terms, self.bus, [ACCOUNT])
        await self.server.start()
        self.serving = asyncio.get_running_loop().create_task(self.server.serve(self.stop))

    async def _subscribed(self, count: int) -> None:
        while len(self.feeds[ACCOUNT].subscribed) < count:
            await asyncio.sleep(0.01)

    def subscribed(self, count: int) -> None:
        """Once the page's subscriptions of ``count`` symbols reached the feed."""
        self.call(self._subscribed(count))

    async def _push(self, ticks: list[Tick]) -> float:
        start = time.perf_counter()
        await paced(ticks, RATE, self.feeds[ACCOUNT].push, [0.0] * len(ticks))
        return time.perf_counter() - start

    def push(self, ticks: list[Tick]) -> Future[float]:
        """``ticks`` at ``RATE`` a second, begun now: the future of the seconds they took."""
        return asyncio.run_coroutine_threadsafe(self._push(ticks), self.loop)

    async def _close(self) -> None:
        self.stop.set()
        await self.serving
        await self.server.close()
        await self.hub.close()
        await self.bus.close()

    def close(self) -> None:
        self.call(self._close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


class Received:
    """The ticks a page's WebSocket frames carried."""

    def __init__(self, page: Page) -> None:
        self.ticks = 0
        page.on("websocket", self._socket)

    def _socket(self, socket: WebSocket) -> None:
        socket.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        self.ticks += len(TICK_LINE.findall(payload if isinstance(payload, str) else payload.decode()))


@dataclass
class Rounds:
    """What the rounds of one side recorded."""

    frames: list[list[float]] = field(default_factory=list)  # [interval, work from the frame's start, from its rAF]
    long: list[dict[str, Any]] = field(default_factory=list)  # long animation frames
    pushed: int = 0  # ticks, and the seconds it took
    pushing: float = 0.0
    received: int = 0  # ticks in the page's socket frames while recording, and the seconds recorded
    recording: float = 0.0

    def column(self, index: int) -> list[float]:
        return [frame[index] for frame in self.frames]

    def record(self, page: Page, source: TickSource, ticks: list[Tick], counted: Received) -> None:
        """One round: ``ticks`` pushed while the page records its frames."""
        pushing = source.push(ticks)
        before, start = counted.ticks, time.perf_counter()
        got = page.evaluate(RECORD, ROUND_SECONDS * 1000)
        self.recording += time.perf_counter() - start
        self.received += counted.ticks - before
        self.pushing += pushing.result(WAIT_MS / 1000)
        self.pushed += len(ticks)
        self.frames += got["frames"]
        self.long += got["long"]


def main() -> None:
    args = arguments(__doc__ or "", runs=2)
    require_build()
    quiet, busy = Rounds(), Rounds()
    with tempfile.TemporaryDirectory() as folder, redis_server(Path(folder)) as url:
        home = Path(folder) / "home"
        with BrokerManager(home) as manager:
            manager.activate("paper", ACCOUNT, {})
            instruments = watch_list(manager)
            feed = full_ticks(manager, instruments, ROUND_SECONDS + 1)
        storage = {"brokerplex.account": ACCOUNT,
                   f"brokerplex.watch.{ACCOUNT}": json.dumps(
                       [instrument.model_dump(mode="json") for instrument in instruments])}
        server = start_server(home, copy_build(Path(folder)), "--bus", url)
        source = TickSource(url)
        try:
            with chromium() as browser:
                context = fresh_context(browser, server, signed_in(browser, server), storage)
                page = context.new_page()
                counted = Received(page)
                page.goto("/")
                wait_for(page, "(count) => document.querySelector('[role=table][aria-label=\"Watch list\"]')"
                               "?.getAttribute('aria-rowcount') === String(count + 1)", len(instruments))
                source.subscribed(len(instruments))
                source.push(feed).result(WAIT_MS / 1000)  # warm: the rows in view have their prices
                wait_for(page, "(symbol) => /[0-9]/.test(document.querySelector(`[aria-label=\"${symbol} last "
                               "price\"]`)?.textContent)", instruments[0].symbol)
                for _ in range(args.runs):
                    quiet.record(page, source, [], counted)
                    busy.record(page, source, feed, counted)
                context.close()
        finally:
            source.close()
            assert server.stop() == 0, server.child.stderr.rest()
    summarise(args.json, quiet, busy)


def summarise(as_json: bool, quiet: Rounds, busy: Rounds) -> None:
    work, quiet_work, from_callback = busy.column(1), quiet.column(1), busy.column(2)
    intervals, vsync = busy.column(0), statistics.median(quiet.column(0))
    late = sum(interval > 1.5 * vsync for interval in intervals) / len(intervals)
    ours, baseline = percentile(work, 0.95), percentile(quiet_work, 0.95)
    if not as_json:
        print(f"console_market_watch: {SYMBOLS} symbols x {PER_SYMBOL} ticks/s: {busy.pushed / busy.pushing:.0f} "
              f"ticks/s pushed, {busy.received / busy.recording:.0f} ticks/s into the page; {len(work)} frames in "
              f"{busy.recording:.0f} s: frame time p50/p95/max {percentile(work, 0.5):.1f}/{ours:.1f}/{max(work):.1f}"
              f" ms (from the first rAF callback: p95 {percentile(from_callback, 0.95):.1f} ms), interval p50/p95 "
              f"{percentile(intervals, 0.5):.1f}/{percentile(intervals, 0.95):.1f} ms ({late:.1%} late by a vsync or "
              f"more); silent: frame time p50/p95 {percentile(quiet_work, 0.5):.1f}/{baseline:.1f} ms, interval "
              f"p50 {vsync:.1f} ms (goal: p95 frame time <= {GOAL_MS:.0f} ms)")
        if busy.long:
            blame: Counter[str] = Counter()
            for entry in busy.long:
                for name, duration in entry["scripts"]:
                    blame[name] += duration
            longest = max(busy.long, key=lambda entry: entry["duration"])
            print(f"console_market_watch: {len(busy.long)} long animation frames (> 50 ms) while ticking "
                  f"({len(quiet.long)} silent); the longest {longest['duration']:.0f} ms (style and layout "
                  f"{longest['layout']:.0f} ms); script time in them by entry point: "
                  + ("; ".join(f"{name} {total:.0f} ms" for name, total in blame.most_common(4)) or "none over 5 ms"))
    report("console_market_watch", ours, baseline, "ms p95 frame time", as_json, f"goal: p95 <= {GOAL_MS:.0f} ms")
    judge("console_market_watch", [f"p95 frame time {ours:.1f} ms > {GOAL_MS:.0f} ms"] if ours > GOAL_MS else [],
          as_json)


if __name__ == "__main__":
    main()
