// What the stream tells, kept for the views: the latest quote of each symbol, each account's feed state,
// and the connection. Each value has its own listeners, so a tick re-renders only the rows of its symbol.
import type { StateEvent, TickEvent } from "./events";
import { tickKey } from "./events";

type Listener = () => void;

/** A map whose every key can be watched on its own (for useSyncExternalStore). */
export class KeyedStore<V> {
  private readonly values = new Map<string, V>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly anyListeners = new Set<Listener>();

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  entries(): IterableIterator<[string, V]> {
    return this.values.entries();
  }

  set(key: string, value: V): void {
    this.values.set(key, value);
    this.listeners.get(key)?.forEach((listener) => listener());
    this.anyListeners.forEach((listener) => listener());
  }

  watch(key: string, listener: Listener): () => void {
    const set = this.listeners.get(key) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  watchAll(listener: Listener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }
}

/** The latest tick of a symbol, with what earlier ticks said that this one leaves out (a quote-mode tick
 * carries no depth; an ltp tick no volume). */
export function mergeTick(previous: TickEvent | undefined, tick: TickEvent): TickEvent {
  return previous ? { ...previous, ...tick } : tick;
}

export class QuoteStore extends KeyedStore<TickEvent> {
  apply(ticks: TickEvent[]): void {
    for (const tick of ticks) {
      const key = tickKey(tick.account, tick.symbol);
      this.set(key, mergeTick(this.get(key), tick));
    }
  }

  quote(account: string, symbol: string): TickEvent | undefined {
    return this.get(tickKey(account, symbol));
  }
}

export class FeedStateStore extends KeyedStore<StateEvent> {}
