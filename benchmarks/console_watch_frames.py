"""The market watch under load: 200 symbols at 5 ticks/s each (1,000 ticks a second, full mode: price,
change, bid, ask, volume and depth), in headless Chromium against ``brokerplex serve``.

The ticks are the page's own: the paper exchange cannot step 200 symbols five times a second on a small
machine (it gives about 250 ticks/s), so the page's stream socket is replaced, before the console loads, by
one that answers the console's subscribe with synthetic ticks of the subscribed symbols, in the server's
line format, 5 a second each, sent in 20 frames a second. Everything else (session, accounts, instruments)
is the real server's. What is measured is the console: its conflation, stores and rendering.

Each animation frame's work is timed with the Performance API: from the frame's start (the first callback
of the frame, before the console applies its conflated ticks in its own) to a message posted from it, which
runs after the frame's style, layout and paint.

Goal: p95 frame work <= 16 ms. The baseline is the goal.
"""

from __future__ import annotations

import json

from _console import chromium, console_server, signed_in_page
from _harness import arguments, judge, percentile, report

SYMBOLS, TICKS_PER_SECOND, SENDS_PER_SECOND, GOAL_MS = 200, 5, 20, 16.0

# The stream socket replaced by a synthetic feed (installed before the console loads): subscribed symbols
# tick RATE times a second each, in SENDS frames a second, as the server writes them (one JSON a line).
SYNTHETIC_FEED = """
(([rate, sends]) => {
  window.__ticks = 0;
  const Real = window.WebSocket;
  class SyntheticStream extends EventTarget {
    constructor(url) {
      super();
      this.url = url; this.readyState = 0; this.symbols = new Map();
      this.onopen = this.onmessage = this.onclose = null;
      setTimeout(() => { this.readyState = 1; this.onopen && this.onopen(new Event("open")); }, 0);
      this.timer = setInterval(() => this.send_ticks(), 1000 / sends);
    }
    send(text) {
      const message = JSON.parse(text);
      if (message.type === "subscribe") {
        for (const s of message.symbols) this.symbols.set(s, 1000 + Math.random() * 1000);
      }
      if (message.type === "unsubscribe") for (const s of message.symbols) this.symbols.delete(s);
      this.pool = null;
    }
    close() { clearInterval(this.timer); this.readyState = 3; }
    // Frames made ahead (POOL of them, sent in turn), so that making them costs no frame of the page.
    frames() {
      if (this.pool) return this.pool;
      this.pool = [];
      const share = rate / sends;  // each symbol ticks in this share of the sends
      for (let n = 0; n < 40; n++) {
        const lines = [];
        for (const [symbol, price] of this.symbols) {
          if (Math.random() >= share) continue;
          const next = Math.max(1, price + (Math.random() - 0.5) * 2);
          this.symbols.set(symbol, next);
          const level = (offset, i) => ({
            price: (next + offset * (i + 1) * 0.05).toFixed(2), quantity: 10 + i, orders: 1 + i });
          lines.push(JSON.stringify({
            type: "tick", account: "p1", symbol, mode: "full", last_price: next.toFixed(2),
            volume: Math.floor(Math.random() * 1e6), open: "1000.00", high: "2100.00", low: "900.00", close: "1500.00",
            depth: { bids: [0, 1, 2, 3, 4].map((i) => level(-1, i)),
                     asks: [0, 1, 2, 3, 4].map((i) => level(1, i)) } }));
        }
        this.pool.push({ text: lines.join("\\n"), count: lines.length });
      }
      this.sent = 0;
      return this.pool;
    }
    send_ticks() {
      if (!this.symbols.size || !this.onmessage) return;
      const pool = this.frames();
      const frame = pool[this.sent++ % pool.length];
      window.__ticks += frame.count;
      this.onmessage(new MessageEvent("message", { data: frame.text }));
    }
  }
  window.WebSocket = function (url, ...rest) {
    return String(url).includes("/api/v1/stream") ? new SyntheticStream(url) : new Real(url, ...rest);
  };
})
"""

# Frame work for `seconds`: registered first in each frame, then a message that runs after the frame's paint.
MEASURE = """
(seconds) => new Promise((resolve) => {
  const work = [];
  const ticksBefore = window.__ticks;
  const started = performance.now();
  const channel = new MessageChannel();
  let frameStart = 0;
  channel.port1.onmessage = () => { work.push(performance.now() - frameStart); };
  const frame = () => {
    frameStart = performance.now();
    channel.port2.postMessage(null);
    if (performance.now() - started < seconds * 1000) requestAnimationFrame(frame);
    else setTimeout(() => resolve({
      work, ticks: window.__ticks - ticksBefore, elapsed: performance.now() - started }), 50);
  };
  requestAnimationFrame(frame);
})
"""


def main() -> None:
    args = arguments(__doc__ or "", runs=5)  # seconds measured
    with console_server() as server, chromium() as browser:
        admin = server.client(server.key("bench-setup"))
        search = [{"q": "a", "exchange": "NSE", "type": "EQ", "limit": 500},
                  {"q": "nifty", "exchange": "NFO", "limit": 500}]
        found = [row for params in search for row in admin.get("/accounts/p1/instruments", params=params).json()]
        watched = found[:SYMBOLS]
        assert len(watched) == SYMBOLS, f"the paper exchange lists only {len(watched)} such symbols"
        with signed_in_page(browser, server) as page:
            page.add_init_script(f"{SYNTHETIC_FEED}({json.dumps([TICKS_PER_SECOND, SENDS_PER_SECOND])})")
            watch_list = json.dumps(json.dumps(watched))
            page.add_init_script(f"localStorage.setItem('brokerplex.watch.p1', {watch_list})")
            page.goto("/")
            first = watched[0]["symbol"]
            page.get_by_label(f"{first} last price").filter(has_not_text="—").wait_for()  # the ticks flow
            result = page.evaluate(MEASURE, args.runs)
    frames, ticks, seconds = result["work"], result["ticks"], result["elapsed"] / 1000
    ours = percentile(frames, 0.95)
    report("console_watch_frames", ours, GOAL_MS, "ms", args.json,
           f"goal p95 <= {GOAL_MS:.0f} ms; {len(frames)} frames, p50 {percentile(frames, 0.5):.1f} ms, max "
           f"{max(frames):.1f} ms; {ticks / seconds:.0f} ticks/s over {SYMBOLS} symbols")
    judge("console_watch_frames", [f"p95 frame {ours:.1f} ms > {GOAL_MS:.0f} ms"] if ours > GOAL_MS else [], args.json)


if __name__ == "__main__":
    main()
