import { Button, Group, Stack, Tabs, Text, Title } from "@mantine/core";
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, unwrap } from "../api/client";
import { asApiError, type ApiError } from "../api/errors";
import type { LegResult, Order, Trade } from "../api/types";
import { ErrorNote } from "../components/ErrorNote";
import { applyOrders, isOpen, sortedOrders, type Book } from "../lib/orderBook";
import { markPainted } from "../lib/perf";
import { useLoad } from "../lib/useLoad";
import { canTrade as mayTrade, useUser } from "../session/SessionContext";
import { useAccounts } from "../shell/AccountsContext";
import type { StreamEvent } from "../stream/events";
import { useFollow, useStreamEvents } from "../stream/StreamContext";
import { OrderBook } from "./orders/OrderBook";
import { OrderHistory } from "./orders/OrderHistory";
import { TradeBook } from "./orders/TradeBook";
import { Unresolved } from "./orders/Unresolved";

export function OrdersPage() {
  const { current: account } = useAccounts();
  if (!account) return <Text>No account.</Text>;
  return <AccountOrders key={account} account={account} />;
}

function AccountOrders({ account }: { account: string }) {
  const user = useUser();
  const canTrade = mayTrade(user);
  const [book, setBook] = useState<Book>(new Map());
  const [trades, setTrades] = useState<Trade[]>([]);
  const [history, setHistory] = useState<Order | null>(null);
  const [cancelAll, setCancelAll] = useState<{ busy: boolean; legs?: LegResult[]; error?: ApiError }>({ busy: false });
  useFollow(account);

  const path = { params: { path: { account } } };
  const loaded = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/orders", path)), `orders|${account}`);
  const loadedTrades = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/trades", path)), `trades|${account}`);
  const unresolved = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/unresolved-orders", path)), `unresolved|${account}`);
  useEffect(() => {
    if (!loaded.data) return;
    performance.mark("console:orders-data", { detail: loaded.data.length });
    setBook((known) => applyOrders(known, loaded.data!));
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
      setBook((known) => applyOrders(known, [order as Order]));
    } else if (event.type === "trade" && event.account === account) {
      const { type: _type, account: _account, id: _id, ...trade } = event;
      setTrades((known) => known.some((t) => t.trade_id === trade.trade_id) ? known : [...known, trade as Trade]);
    }
  }, [account]);
  useStreamEvents(onEvent);

  const orders = useMemo(() => sortedOrders(book), [book]);
  const unknownIds = useMemo(() => new Set((unresolved.data ?? []).map((entry) => entry.client_order_id)), [unresolved.data]);
  const openCount = orders.filter(isOpen).length;
  useEffect(() => {
    if (loaded.data) markPainted("console:orders-painted", orders.length);
  }, [loaded.data, orders.length]);

  async function cancelEverything() {
    setCancelAll({ busy: true });
    try {
      const legs = await unwrap(api.POST("/api/v1/accounts/{account}/cancel-all", path));
      setCancelAll({ busy: false, legs });
    } catch (thrown) {
      setCancelAll({ busy: false, error: asApiError(thrown) });
    }
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">Orders and trades</Title>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => { loaded.reload(); loadedTrades.reload(); unresolved.reload(); }}>Refresh</Button>
          {canTrade && (
            <Button color="red" variant="light" size="xs" disabled={!openCount} loading={cancelAll.busy} onClick={() => void cancelEverything()}>
              Cancel all open orders
            </Button>
          )}
        </Group>
      </Group>
      {cancelAll.legs && (
        <Text size="sm" role="status">
          Cancel all: {cancelAll.legs.length ? cancelAll.legs.map((leg) => `${leg.symbol} ${leg.outcome}`).join(", ") : "no open orders"}
        </Text>
      )}
      <ErrorNote error={cancelAll.error ?? loaded.error} />
      <Unresolved account={account} orders={unresolved.data ?? []} canTrade={canTrade} onReconciled={() => { unresolved.reload(); loaded.reload(); }} />
      <Tabs defaultValue="orders" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="orders">Orders ({orders.length}, {openCount} open)</Tabs.Tab>
          <Tabs.Tab value="trades">Trades ({trades.length})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="orders" pt="xs">
          {orders.length ? <OrderBook account={account} orders={orders} unknown={unknownIds} canTrade={canTrade} onHistory={setHistory} />
            : <Text c="dimmed" p="md">{loaded.loading ? "Loading…" : "No orders today."}</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="trades" pt="xs"><TradeBook trades={trades} /></Tabs.Panel>
      </Tabs>
      <OrderHistory account={account} order={history} onClose={() => setHistory(null)} />
    </Stack>
  );
}
