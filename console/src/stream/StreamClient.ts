// One WebSocket to /api/v1/stream for the whole console.
// - Subscriptions are counted per (account, symbol): many views may want a symbol; the server hears one
//   subscribe, at the strongest mode asked, and one unsubscribe when the last view lets go.
// - Ticks are conflated to the display's pace: the latest tick of each symbol waits for the next animation
//   frame, then all are handed over at once (one render per frame however many ticks came).
// - Order, trade and state events are never conflated and are handed over in order, at once.
// - On a drop it reconnects with backoff, resuming order events `after=` the last id seen, and says again
//   everything it had subscribed and followed.
import { parseFrame, tickKey, type StreamEvent, type TickEvent, type TickMode } from "./events";

const MODE_RANK: Record<TickMode, number> = { ltp: 0, quote: 1, full: 2 };

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export interface StreamClientOptions {
  url: string;
  makeSocket?: (url: string) => WebSocket;
  /** Schedules the tick flush; the browser's requestAnimationFrame by default. */
  scheduleFrame?: (flush: () => void) => void;
  /** Reconnect delay for the nth attempt (from 1), in milliseconds. */
  backoff?: (attempt: number) => number;
  setTimer?: (run: () => void, ms: number) => unknown;
}

type Listener<T> = (value: T) => void;

interface Wanted {
  modes: Map<TickMode, number>; // mode → how many views want it
}

export class StreamClient {
  private socket: WebSocket | null = null;
  private readonly wanted = new Map<string, Map<string, Wanted>>(); // account → symbol → modes
  private readonly followed = new Map<string, number>(); // account → how many views follow it
  private lastOrderEventId: string | null = null;
  private pendingTicks = new Map<string, TickEvent>();
  private frameScheduled = false;
  private attempt = 0;
  private stopped = true;
  private state: ConnectionState = "closed";
  private readonly tickListeners = new Set<Listener<TickEvent[]>>();
  private readonly eventListeners = new Set<Listener<StreamEvent>>();
  private readonly stateListeners = new Set<Listener<ConnectionState>>();
  private readonly options: Required<StreamClientOptions>;

  constructor(options: StreamClientOptions) {
    this.options = {
      makeSocket: (url) => new WebSocket(url),
      scheduleFrame: (flush) => requestAnimationFrame(flush),
      backoff: (attempt) => Math.min(10_000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2),
      setTimer: (run, ms) => setTimeout(run, ms),
      ...options,
    };
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The id after which order events resume on the next connection. */
  get resumeAfter(): string | null {
    return this.lastOrderEventId;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
    this.setState("closed");
  }

  onTicks(listener: Listener<TickEvent[]>): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  /** Order, trade, state and error events, one at a time, in the order they came. */
  onEvent(listener: Listener<StreamEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onConnectionState(listener: Listener<ConnectionState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Ticks of `symbols` at `mode` (at least); returns the function that lets go of them. */
  subscribe(account: string, symbols: string[], mode: TickMode = "quote"): () => void {
    const bySymbol = this.wanted.get(account) ?? new Map<string, Wanted>();
    this.wanted.set(account, bySymbol);
    const raised: string[] = [];
    for (const symbol of symbols) {
      const entry = bySymbol.get(symbol) ?? { modes: new Map() };
      const before = strongest(entry.modes);
      entry.modes.set(mode, (entry.modes.get(mode) ?? 0) + 1);
      bySymbol.set(symbol, entry);
      if (before === null || MODE_RANK[mode] > MODE_RANK[before]) raised.push(symbol);
    }
    if (raised.length) this.send({ type: "subscribe", account, symbols: raised, mode: this.modeOf(account, raised) });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(account, symbols, mode);
    };
  }

  /** The account's order updates, trades and feed states; returns the function that stops following. */
  follow(account: string): () => void {
    const count = this.followed.get(account) ?? 0;
    this.followed.set(account, count + 1);
    if (count === 0) this.send({ type: "follow", account });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.followed.get(account) ?? 1) - 1;
      if (left > 0) this.followed.set(account, left);
      else this.followed.delete(account); // the server has no unfollow: the next connection leaves it out
    };
  }

  private release(account: string, symbols: string[], mode: TickMode): void {
    const bySymbol = this.wanted.get(account);
    if (!bySymbol) return;
    const dropped: string[] = [];
    for (const symbol of symbols) {
      const entry = bySymbol.get(symbol);
      if (!entry) continue;
      const left = (entry.modes.get(mode) ?? 1) - 1;
      if (left > 0) entry.modes.set(mode, left);
      else entry.modes.delete(mode);
      if (entry.modes.size === 0) {
        bySymbol.delete(symbol);
        dropped.push(symbol);
      }
    }
    if (bySymbol.size === 0) this.wanted.delete(account);
    if (dropped.length) this.send({ type: "unsubscribe", account, symbols: dropped });
  }

  private modeOf(account: string, symbols: string[]): TickMode {
    // One subscribe message has one mode: the strongest any of these symbols is wanted at.
    let mode: TickMode = "ltp";
    for (const symbol of symbols) {
      const found = strongest(this.wanted.get(account)?.get(symbol)?.modes ?? new Map());
      if (found && MODE_RANK[found] > MODE_RANK[mode]) mode = found;
    }
    return mode;
  }

  private send(message: object): void {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(message));
  }

  private open(): void {
    const after = this.lastOrderEventId;
    const url = after ? `${this.options.url}?after=${encodeURIComponent(after)}` : this.options.url;
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = this.options.makeSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.setState("open");
      this.sayEverything();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (socket === this.socket && typeof message.data === "string") this.take(message.data);
    };
    socket.onclose = () => {
      if (socket !== this.socket || this.stopped) return;
      this.socket = null;
      this.attempt += 1;
      this.setState("reconnecting");
      this.options.setTimer(() => {
        if (!this.stopped && this.socket === null) this.open();
      }, this.options.backoff(this.attempt));
    };
  }

  /** After (re)connecting: every follow and subscription again. */
  private sayEverything(): void {
    for (const account of this.followed.keys()) this.send({ type: "follow", account });
    for (const [account, bySymbol] of this.wanted) {
      const byMode = new Map<TickMode, string[]>();
      for (const [symbol, entry] of bySymbol) {
        const mode = strongest(entry.modes);
        if (mode) byMode.set(mode, [...(byMode.get(mode) ?? []), symbol]);
      }
      for (const [mode, symbols] of byMode) this.send({ type: "subscribe", account, symbols, mode });
    }
  }

  /** One frame from the server. */
  take(text: string): void {
    for (const event of parseFrame(text)) {
      if (event.type === "tick") {
        this.pendingTicks.set(tickKey(event.account, event.symbol), event);
        continue;
      }
      if ((event.type === "order" || event.type === "trade") && event.id) this.lastOrderEventId = event.id;
      this.eventListeners.forEach((listener) => listener(event));
    }
    if (this.pendingTicks.size && !this.frameScheduled) {
      this.frameScheduled = true;
      this.options.scheduleFrame(() => this.flushTicks());
    }
  }

  private flushTicks(): void {
    this.frameScheduled = false;
    if (!this.pendingTicks.size) return;
    const ticks = [...this.pendingTicks.values()];
    this.pendingTicks = new Map();
    this.tickListeners.forEach((listener) => listener(ticks));
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.stateListeners.forEach((listener) => listener(state));
  }
}

function strongest(modes: Map<TickMode, number>): TickMode | null {
  let found: TickMode | null = null;
  for (const mode of modes.keys()) if (found === null || MODE_RANK[mode] > MODE_RANK[found]) found = mode;
  return found;
}

/** The stream's URL on this page's server (ws: beside http:, wss: beside https:). */
export function streamUrl(location: Pick<Location, "protocol" | "host"> = window.location): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/v1/stream`;
}
