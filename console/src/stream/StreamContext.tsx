// The one stream of the console and its stores, for every view.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from "react";
import type { StreamEvent, TickEvent, TickMode, StateEvent } from "./events";
import { tickKey } from "./events";
import { StreamClient, streamUrl, type ConnectionState } from "./StreamClient";
import { FeedStateStore, QuoteStore } from "./stores";

interface Stream {
  client: StreamClient;
  quotes: QuoteStore;
  feeds: FeedStateStore;
}

const StreamContext = createContext<Stream | null>(null);

export function StreamProvider({ children, client }: { children: ReactNode; client?: StreamClient }) {
  const stream = useMemo<Stream>(() => ({
    client: client ?? new StreamClient({ url: streamUrl() }),
    quotes: new QuoteStore(),
    feeds: new FeedStateStore(),
  }), [client]);
  useEffect(() => {
    const { client: live, quotes, feeds } = stream;
    const offTicks = live.onTicks((ticks) => quotes.apply(ticks));
    const offEvents = live.onEvent((event) => {
      if (event.type === "state") feeds.set(event.account, event);
    });
    live.start();
    return () => {
      offTicks();
      offEvents();
      live.stop();
    };
  }, [stream]);
  return <StreamContext.Provider value={stream}>{children}</StreamContext.Provider>;
}

export function useStream(): Stream {
  const stream = useContext(StreamContext);
  if (!stream) throw new Error("useStream outside StreamProvider");
  return stream;
}

/** Ticks of these symbols while the calling view is shown. */
export function useSubscription(account: string | null, symbols: string[], mode: TickMode = "quote"): void {
  const { client } = useStream();
  const key = symbols.join(",");
  useEffect(() => {
    if (!account || !key) return;
    return client.subscribe(account, key.split(","), mode);
  }, [client, account, key, mode]);
}

/** The account's order updates, trades and feed states while the calling view is shown. */
export function useFollow(account: string | null): void {
  const { client } = useStream();
  useEffect(() => (account ? client.follow(account) : undefined), [client, account]);
}

export function useQuote(account: string | null, symbol: string): TickEvent | undefined {
  const { quotes } = useStream();
  const key = account ? tickKey(account, symbol) : "";
  return useSyncExternalStore((listener) => quotes.watch(key, listener), () => quotes.get(key));
}

export function useFeedState(account: string | null): StateEvent | undefined {
  const { feeds } = useStream();
  const key = account ?? "";
  return useSyncExternalStore((listener) => feeds.watch(key, listener), () => feeds.get(key));
}

export function useConnectionState(): ConnectionState {
  const { client } = useStream();
  return useSyncExternalStore((listener) => client.onConnectionState(listener), () => client.connectionState);
}

/** Calls `listener` with every order, trade, state and error event while the calling view is shown. */
export function useStreamEvents(listener: (event: StreamEvent) => void): void {
  const { client } = useStream();
  useEffect(() => client.onEvent(listener), [client, listener]);
}

/** A number that changes whenever any of these symbols ticks (at most once a frame): for views that
 * sum over many symbols, such as P&L totals. */
export function useQuotesVersion(account: string | null, symbols: string[]): number {
  const { quotes } = useStream();
  const version = useRef(0);
  const key = symbols.join(",");
  const subscribe = useCallback((listener: () => void) => {
    if (!account || !key) return () => undefined;
    const offs = key.split(",").map((symbol) => quotes.watch(tickKey(account, symbol), () => {
      version.current += 1;
      listener();
    }));
    return () => offs.forEach((off) => off());
  }, [quotes, account, key]);
  return useSyncExternalStore(subscribe, () => version.current);
}
