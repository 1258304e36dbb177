import { describe, expect, it } from "vitest";
import { parseFrame, type StreamEvent, type TickEvent } from "./events";
import { StreamClient } from "./StreamClient";
import { QuoteStore } from "./stores";

/** A socket the test drives: what the client sent, and the server's side (open, frames, close). */
class FakeSocket {
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {}
  send(text: string) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  serverOpens() { this.readyState = 1; this.onopen?.(); }
  serverSends(...records: object[]) { this.onmessage?.({ data: records.map((r) => JSON.stringify(r)).join("\n") }); }
  serverCloses() { this.readyState = 3; this.onclose?.(); }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const frames: (() => void)[] = [];
  const timers: (() => void)[] = [];
  const client = new StreamClient({
    url: "ws://console.test/api/v1/stream",
    makeSocket: (url) => { const socket = new FakeSocket(url); sockets.push(socket); return socket as unknown as WebSocket; },
    scheduleFrame: (flush) => { frames.push(flush); },
    setTimer: (run) => { timers.push(run); },
    backoff: () => 0,
  });
  const last = () => sockets[sockets.length - 1]!;
  return { client, sockets, frames, timers, last };
}

const tick = (symbol: string, last_price: string): TickEvent =>
  ({ type: "tick", account: "p1", symbol, mode: "quote", last_price });

describe("frames", () => {
  it("splits a frame into its events, one JSON a line, skipping what is not one", () => {
    const bad: string[] = [];
    const events = parseFrame('{"type":"tick","account":"p1","symbol":"NSE:INFY","mode":"ltp","last_price":"1.00"}\n'
      + '{"type":"state","account":"p1","state":"live"}\nnot json\n{"x":1}\n', (line) => bad.push(line));
    expect(events.map((event) => event.type)).toEqual(["tick", "state"]);
    expect(bad).toEqual(["not json", '{"x":1}']);
  });
});

describe("StreamClient", () => {
  it("says subscriptions once per symbol and the strongest mode, and unsubscribes with the last view", () => {
    const { client, last } = harness();
    client.start();
    last().serverOpens();
    const first = client.subscribe("p1", ["NSE:INFY", "NSE:TCS"], "quote");
    const second = client.subscribe("p1", ["NSE:INFY"], "full");
    const third = client.subscribe("p1", ["NSE:INFY"], "ltp");
    expect(last().sent).toEqual([
      { type: "subscribe", account: "p1", symbols: ["NSE:INFY", "NSE:TCS"], mode: "quote" },
      { type: "subscribe", account: "p1", symbols: ["NSE:INFY"], mode: "full" },
    ]);
    first();
    second();
    expect(last().sent).toHaveLength(3);
    expect(last().sent[2]).toEqual({ type: "unsubscribe", account: "p1", symbols: ["NSE:TCS"] });
    third();
    expect(last().sent[3]).toEqual({ type: "unsubscribe", account: "p1", symbols: ["NSE:INFY"] });
  });

  it("conflates ticks to one hand-over per frame, latest of each symbol", () => {
    const { client, last, frames } = harness();
    const batches: TickEvent[][] = [];
    client.onTicks((ticks) => batches.push(ticks));
    client.start();
    last().serverOpens();
    last().serverSends(tick("NSE:INFY", "1.00"), tick("NSE:TCS", "2.00"));
    last().serverSends(tick("NSE:INFY", "1.05"));
    expect(frames).toHaveLength(1);
    expect(batches).toEqual([]);
    frames[0]!();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((t) => [t.symbol, t.last_price])).toEqual([["NSE:INFY", "1.05"], ["NSE:TCS", "2.00"]]);
  });

  it("hands order events over at once, in order, and resumes after the last id on reconnect", () => {
    const { client, last, sockets, timers } = harness();
    const events: StreamEvent[] = [];
    client.onEvent((event) => events.push(event));
    client.start();
    last().serverOpens();
    client.follow("p1");
    client.subscribe("p1", ["NSE:INFY"], "full");
    last().serverSends({ type: "order", account: "p1", id: "7-0", order_id: "A", status: "OPEN" },
      { type: "order", account: "p1", id: "8-0", order_id: "A", status: "COMPLETE" });
    expect(events.map((e) => (e.type === "order" ? e.status : e.type))).toEqual(["OPEN", "COMPLETE"]);
    last().serverCloses();
    expect(client.connectionState).toBe("reconnecting");
    timers[0]!();
    expect(sockets).toHaveLength(2);
    expect(last().url).toBe("ws://console.test/api/v1/stream?after=8-0");
    last().serverOpens();
    expect(last().sent).toEqual([
      { type: "follow", account: "p1" },
      { type: "subscribe", account: "p1", symbols: ["NSE:INFY"], mode: "full" },
    ]);
    expect(client.connectionState).toBe("open");
  });

  it("stops for good when told", () => {
    const { client, last, timers } = harness();
    client.start();
    last().serverOpens();
    client.stop();
    last().serverCloses();
    expect(timers).toHaveLength(0);
    expect(client.connectionState).toBe("closed");
  });
});

describe("QuoteStore", () => {
  it("keeps what a lighter tick leaves out and tells only that symbol's watchers", () => {
    const store = new QuoteStore();
    let infyChanges = 0;
    store.watch("p1\u0000NSE:INFY", () => infyChanges++);
    const depth = { bids: [{ price: "1.00", quantity: 5, orders: 1 }], asks: [] };
    store.apply([{ ...tick("NSE:INFY", "1.00"), mode: "full", depth }]);
    store.apply([tick("NSE:INFY", "1.05"), tick("NSE:TCS", "2.00")]);
    expect(store.quote("p1", "NSE:INFY")).toMatchObject({ last_price: "1.05", depth });
    expect(infyChanges).toBe(2);
  });
});
