import { Button, Group, Stack, Tabs, Text, TextInput, Title } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";
import { api, unwrap } from "../api/client";
import { asApiError, type ApiError } from "../api/errors";
import type { LegResult, Order } from "../api/types";
import { Choice } from "../components/Choice";
import { ErrorNote } from "../components/ErrorNote";
import { filterOrders, isOpen, type StatusFilter } from "../lib/orderBook";
import { markPainted } from "../lib/perf";
import { useLoad } from "../lib/useLoad";
import { canTrade as mayTrade, useUser } from "../session/SessionContext";
import { useAccounts } from "../shell/AccountsContext";
import { OrderBook } from "./orders/OrderBook";
import { useBooks } from "./orders/OrderBookContext";
import { KillSwitch } from "./orders/KillSwitch";
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
  const books = useBooks();
  const [history, setHistory] = useState<Order | null>(null);
  const [cancelAll, setCancelAll] = useState<{ busy: boolean; legs?: LegResult[]; error?: ApiError }>({ busy: false });

  const path = { params: { path: { account } } };
  const unresolved = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/unresolved-orders", path)), `unresolved|${account}`);
  const orders = useMemo(() => books?.orders ?? [], [books?.orders]);
  const trades = books?.trades ?? [];
  const loaded = books?.orders != null;
  const [status, setStatus] = useState<StatusFilter>("all");
  const [text, setText] = useState("");
  const shown = useMemo(() => filterOrders(orders, status, text), [orders, status, text]);
  const unknownIds = useMemo(() => new Set((unresolved.data ?? []).map((entry) => entry.client_order_id)), [unresolved.data]);
  const openCount = orders.filter(isOpen).length;
  useEffect(() => {
    if (loaded) markPainted("console:orders-painted", orders.length);
  }, [loaded, orders.length]);

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
          <Button variant="default" size="xs" onClick={() => { books?.reload(); unresolved.reload(); }}>Refresh</Button>
          {canTrade && (
            <Button color="red.9" size="xs" disabled={!openCount} loading={cancelAll.busy} onClick={() => void cancelEverything()}>
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
      <ErrorNote error={cancelAll.error ?? books?.error} />
      <KillSwitch account={account} canTrade={canTrade} />
      <Unresolved account={account} orders={unresolved.data ?? []} canTrade={canTrade} onReconciled={() => { unresolved.reload(); books?.reload(); }} />
      <Tabs defaultValue="orders" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="orders">Orders ({orders.length}, {openCount} open)</Tabs.Tab>
          <Tabs.Tab value="trades">Trades ({trades.length})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="orders" pt="xs">
          <Group gap="md" align="flex-end" mb="xs">
            <Choice label="Show" value={status} onChange={setStatus} options={["all", "open", "complete", "rejected", "cancelled"] as const}
              labels={{ all: "All", open: "Open", complete: "Complete", rejected: "Rejected", cancelled: "Cancelled" }} />
            <TextInput size="xs" label="Filter by symbol" placeholder="e.g. infy" value={text} onChange={(event) => setText(event.currentTarget.value)} w={180} />
          </Group>
          {orders.length ? <OrderBook account={account} orders={shown} unknown={unknownIds} canTrade={canTrade} onHistory={setHistory} />
            : <Text c="dimmed" p="md">{!books ? "The account must log in before its books can be read." : loaded ? "No orders today." : "Loading…"}</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="trades" pt="xs"><TradeBook trades={trades} /></Tabs.Panel>
      </Tabs>
      <OrderHistory account={account} order={history} onClose={() => setHistory(null)} />
    </Stack>
  );
}
