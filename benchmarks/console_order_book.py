"""The console's order book with 2,000 orders: from opening the Orders page to the book painted, in headless
Chromium on loopback.

``brokerplex serve`` (a child process, the console's build) has two paper accounts: p1 with 2,000 resting
LIMIT buys (placed through the API first, concurrently, 3% under the market over the NSE equities, inside
the price band, so that they rest) and p2 with none. Each sample is a fresh browser context signed in by
cookie: the market watch loads, and the console reads the account's book (it keeps it above the pages,
live from the stream); once it is in memory (the console's ``console:orders-data`` mark) the page clicks
the "Orders" link and times, with the Performance API, from the click to the frame that paints the order
book (the table's ``aria-rowcount`` counts every order and its first rows are in the page). The book is
virtualised, so the 2,000th row is painted only when scrolled to: the page then scrolls the book to its end
and times the frame that paints that row.

The breakdown: when the start's ``GET /orders`` was asked and answered (the server's share; the same
request from httpx alone beside it) and the book was in memory, the console's ``console:orders-painted``
mark, and the longest animation frame of the opening (Long Animation Frames API: its style-and-layout and
rendering shares, and the scripts that ran in it).

Goal: the book of 2,000 painted <= 150 ms from the click (median of the samples). The baseline is the same
page empty (p2, "No orders today."), in the samples alternating with p1's; the ratio is its median over ours.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser

from _console import (
    WAIT_MS,
    ApiServer,
    chromium,
    copy_build,
    fresh_context,
    require_build,
    signed_in,
    start_server,
    wait_for,
)
from _harness import arguments, judge, report
from brokerplex.manager import BrokerManager
from brokerplex.models import InstrumentType, OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor

FULL, EMPTY = "p1", "p2"
ORDERS, SENDERS = 2_000, 8
SMOKE_ORDERS = 100
GOAL_MS = 150.0
CASH = Decimal(10**10)  # room for every order's blocked cash

# The watch is on screen; click "Orders" and time the frame that paints the book (or its empty text).
OPEN_ORDERS = """async (expected) => {
  const table = () => document.querySelector('[role="table"][aria-label="Order book"]');
  const shown = expected
    ? window.__bench.shown(() => table() && table().getAttribute("aria-rowcount") === String(expected + 1)
        && table().querySelector("[data-index]"))
    : window.__bench.shown(() => document.querySelector("main")?.textContent.includes("No orders today."));
  const link = [...document.querySelectorAll("nav a")].find((element) => element.textContent.trim() === "Orders");
  const frames = [];
  const observer = new PerformanceObserver((list) => frames.push(...list.getEntries()));
  observer.observe({ type: "long-animation-frame" });
  const start = performance.now();
  link.click();
  const end = await shown;
  frames.push(...observer.takeRecords());
  observer.disconnect();
  const longest = [...frames].sort((a, b) => b.duration - a.duration)[0];
  const fetched = performance.getEntriesByType("resource").find((entry) =>
    new URL(entry.name).pathname.endsWith("/orders"));
  const data = performance.getEntriesByName("console:orders-data")[0];
  const painted = performance.getEntriesByName("console:orders-painted").find((entry) => entry.startTime >= start);
  return {
    shown: end - start,
    asked: fetched ? fetched.requestStart : null,
    answered: fetched ? fetched.responseEnd : null,
    data: data ? data.startTime : null,
    painted: painted ? painted.startTime - start : null,
    rows: table() ? table().querySelectorAll("[data-index]").length : 0,
    longest: longest ? {
      duration: longest.duration,
      layout: longest.startTime + longest.duration - longest.styleAndLayoutStart,
      render: longest.startTime + longest.duration - longest.renderStart,
      scripts: [...longest.scripts].sort((a, b) => b.duration - a.duration).slice(0, 3).map((script) =>
        `${script.invoker} (${script.sourceFunctionName || "anonymous"} in `
        + `${script.sourceURL.split("/").pop()}:${script.sourceCharPosition}) ${Math.round(script.duration)} ms`),
    } : null,
  };
}"""

# Scroll the book to its end; the time to the frame that paints its last row.
SCROLL_TO_END = """async (expected) => {
  const table = document.querySelector('[role="table"][aria-label="Order book"]');
  const scroller = table.querySelector("[data-index]").parentElement.parentElement;
  const start = performance.now();
  const shown = window.__bench.shown(() => table.querySelector(`[data-index="${expected - 1}"]`));
  scroller.scrollTop = scroller.scrollHeight;
  return (await shown) - start;
}"""


def place_orders(server: ApiServer, manager: BrokerManager, orders: int) -> float:
    """``orders`` resting LIMIT buys on ``FULL`` through the API, ``SENDERS`` at a time: the seconds it took."""
    equities = [instrument for instrument in manager.instruments(FULL)
                if instrument.instrument_type is InstrumentType.EQ and instrument.exchange.value == "NSE"]
    quotes = manager.quotes(FULL, [instrument.symbol for instrument in equities])
    bodies = []
    for number in range(orders):
        instrument = equities[number % len(equities)]
        price = tick_floor(quotes[instrument.symbol].last_price * Decimal("0.97"), instrument)
        request = OrderRequest(symbol=instrument.symbol, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT,
                               price=price)
        bodies.append(request.model_dump(mode="json", exclude_none=True))
    client = server.client(server.key("placer"))

    def place(body: dict[str, Any]) -> None:
        answer = client.post(f"/accounts/{FULL}/orders", json=body)
        assert answer.is_success, answer.text
        assert answer.json()["status"] == "OPEN", answer.text

    start = time.perf_counter()
    with ThreadPoolExecutor(SENDERS) as senders:
        list(senders.map(place, bodies))
    return time.perf_counter() - start


def fetch_orders(server: ApiServer, orders: int) -> float:
    """Milliseconds of ``GET /accounts/FULL/orders`` from httpx alone (a new connection, as the page's)."""
    with httpx.Client(base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {server.key('reader')}"},
                      timeout=WAIT_MS / 1000) as client:
        start = time.perf_counter()
        answer = client.get(f"/accounts/{FULL}/orders")
        elapsed = time.perf_counter() - start
    assert len(answer.json()) == orders, answer.text[:300]
    return elapsed * 1e3


def open_orders(browser: Browser, server: ApiServer, state: dict[str, Any], account: str,
                expected: int) -> dict[str, Any]:
    """One sample: a fresh context on ``account``'s market watch, then the Orders page opened on its
    ``expected`` orders."""
    context = fresh_context(browser, server, state, {"brokerplex.account": account})
    try:
        page = context.new_page()
        page.goto("/")
        wait_for(page, "() => window.__bench.control('Add symbol')")
        wait_for(page, "() => performance.getEntriesByName('console:orders-data').length")  # the book in memory
        timings: dict[str, Any] = page.evaluate(OPEN_ORDERS, expected)
        if expected:
            timings["scrolled"] = page.evaluate(SCROLL_TO_END, expected)
        return timings
    finally:
        context.close()


def main() -> None:
    args = arguments(__doc__ or "", runs=7)
    orders = SMOKE_ORDERS if args.smoke else ORDERS  # the paper exchange's cost of an order grows with the book
    require_build()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        with BrokerManager(home) as manager:
            for account in (FULL, EMPTY):
                manager.activate("paper", account, {"opening_cash": str(CASH)})
            server = start_server(home, copy_build(Path(folder)))
            try:
                placing = place_orders(server, manager, orders)
                with chromium() as browser:
                    state = signed_in(browser, server)
                    open_orders(browser, server, state, FULL, orders), open_orders(browser, server, state, EMPTY, 0)
                    full, empty, fetched = [], [], []
                    for _ in range(args.runs):
                        full.append(open_orders(browser, server, state, FULL, orders))
                        empty.append(open_orders(browser, server, state, EMPTY, 0))
                        fetched.append(fetch_orders(server, orders))
            finally:
                assert server.stop() == 0, server.child.stderr.rest()

    def median(samples: list[dict[str, Any]], key: str) -> float | None:
        values = [sample[key] for sample in samples if sample.get(key) is not None]
        return float(statistics.median(values)) if values else None

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    ours, baseline = median(full, "shown"), median(empty, "shown")
    assert ours is not None, full
    assert baseline is not None, empty
    if not args.json:
        spread = sorted(sample["shown"] for sample in full)
        print(f"console_order_book: {orders} resting orders placed through the API in {placing:.1f} s; the "
              f"console reads the book at its start (GET /orders asked {shown(median(full, 'asked'))}, answered "
              f"{shown(median(full, 'answered'))} ms after navigation, httpx alone {statistics.median(fetched):.0f} "
              f"ms; in the console's memory at {shown(median(full, 'data'))} ms); Orders opened on it, median of "
              f"{args.runs}: the book painted {ours:.0f} ms after the click (min {spread[0]:.0f}, max "
              f"{spread[-1]:.0f}; the console's mark {shown(median(full, 'painted'))} ms; {full[-1]['rows']} of "
              f"{orders} rows in the page, virtualised); scrolled to the {orders:,}th row: painted in "
              f"{shown(median(full, 'scrolled'))} ms; the page empty: {baseline:.0f} ms (goal: <= {GOAL_MS:.0f} ms)")
        longest = max((sample["longest"] for sample in full if sample["longest"]), key=lambda frame: frame["duration"],
                      default=None)
        if longest:
            print(f"console_order_book: the longest animation frame of an opening: {longest['duration']:.0f} ms, of "
                  f"which style and layout {longest['layout']:.0f} ms, rendering {longest['render']:.0f} ms; "
                  f"its longest scripts: {'; '.join(longest['scripts'])}")
    report("console_order_book", ours, baseline, "ms from click to painted", args.json,
           f"goal: <= {GOAL_MS:.0f} ms")
    judge("console_order_book", [f"{orders} orders painted in {ours:.0f} ms > {GOAL_MS:.0f} ms"]
          if ours > GOAL_MS else [], args.json)


if __name__ == "__main__":
    main()
