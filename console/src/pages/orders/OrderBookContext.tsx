// The current account's order book and trade book, kept live above the pages: loaded once when the account
// is chosen and updated by the stream from then on, so the Orders page opens on a book already in memory
// (a desk moves between pages all day) and never misses an update while another page is shown.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, unwrap } from "../../api/client";
import type { ApiError } from "../../api/errors";
import type { Order, Trade } from "../../api/types";
import { applyOrders, sortedOrders, type Book } from "../../lib/orderBook";
import { useLoad } from "../../lib/useLoad";
import type { StreamEvent } from "../../stream/events";
import { useStreamEvents } from "../../stream/StreamContext";

interface Books {
  account: string;
  /** Newest first; null until the first answer. */
  orders: Order[] | null;
  trades: Trade[];
  error: ApiError | null;
  loading: boolean;
  reload(): void;
}

const BooksContext = createContext<Books | null>(null);

export function OrderBookProvider({ account, children }: { account: string | null; children: ReactNode }) {
  return account ? <AccountBooks key={account} account={account}>{children}</AccountBooks> : <>{children}</>;
}

function AccountBooks({ account, children }: { account: string; children: ReactNode }) {
  const [book, setBook] = useState<Book | null>(null);
  const [trades, setTrades] = useState<Trade[]>([]);
  const path = { params: { path: { account } } };
  const loaded = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/orders", path)), `orders|${account}`);
  const loadedTrades = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/trades", path)), `trades|${account}`);

  useEffect(() => {
    if (!loaded.data) return;
    performance.mark("console:orders-data", { detail: loaded.data.length });
    setBook((known) => applyOrders(known ?? new Map(), loaded.data!));
  }, [loaded.data]);
  useEffect(() => {
    if (!loadedTrades.data) return;
    setTrades((known) => {
      const ids = new Set(loadedTrades.data!.map((trade) => trade.trade_id));
      return [...loadedTrades.data!, ...known.filter((trade) => !ids.has(trade.trade_id))];
    });
  }, [loadedTrades.data]);

  const onEvent = useCallback((event: StreamEvent) => {
    if (event.type === "order" && event.account === account) {
      const { type: _type, account: _account, id: _id, ...order } = event;
      setBook((known) => applyOrders(known ?? new Map(), [order as Order]));
    } else if (event.type === "trade" && event.account === account) {
      const { type: _type, account: _account, id: _id, ...trade } = event;
      setTrades((known) => known.some((t) => t.trade_id === trade.trade_id) ? known : [...known, trade as Trade]);
    }
  }, [account]);
  useStreamEvents(onEvent);

  const { reload: reloadOrders } = loaded;
  const { reload: reloadTrades } = loadedTrades;
  const reload = useCallback(() => { reloadOrders(); reloadTrades(); }, [reloadOrders, reloadTrades]);
  const answered = loaded.data !== undefined; // events before the first answer wait in the book, unshown
  const orders = useMemo(() => (book && answered ? sortedOrders(book) : null), [book, answered]);
  const value = useMemo<Books>(() => ({
    account, orders, trades, error: loaded.error, loading: loaded.loading, reload,
  }), [account, orders, trades, loaded.error, loaded.loading, reload]);
  return <BooksContext.Provider value={value}>{children}</BooksContext.Provider>;
}

export function useBooks(): Books | null {
  return useContext(BooksContext);
}
