import { Alert, Badge, Button, Group, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { asApiError, type ApiError } from "../../api/errors";
import type { UnresolvedOrder } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import { formatIstTime, formatQuantity } from "../../lib/format";

/** Orders whose outcome is not known (the broker never answered): marked, with the one safe action. */
export function Unresolved({ account, orders, canTrade, onReconciled }: { account: string; orders: UnresolvedOrder[]; canTrade: boolean; onReconciled: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<string | null>(null);
  if (!orders.length && !result) return null;

  async function reconcile() {
    setBusy(true);
    setError(null);
    try {
      const settled = await unwrap(api.POST("/api/v1/accounts/{account}/reconcile", { params: { path: { account } } }));
      setResult(settled.map((entry) => `${entry.client_order_id}: ${entry.was} → ${entry.now}`).join("; ") || "nothing to settle");
      onReconciled();
    } catch (thrown) {
      setError(asApiError(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Alert color="yellow" title="Orders with an unknown outcome" role="region">
      <Stack gap={4}>
        {orders.map((order) => (
          <Group key={order.client_order_id} gap="xs">
            <Badge color="yellow" variant="filled">UNKNOWN</Badge>
            <Text size="sm">{formatIstTime(order.created_at)} {order.request.side} {formatQuantity(order.request.quantity)} {order.request.symbol}
              {" "}({order.client_order_id}){order.message ? `: ${order.message}` : ""}</Text>
          </Group>
        ))}
        <Text size="xs">Never send these again by hand: reconcile asks the broker what became of them.</Text>
        {canTrade && orders.length > 0 && <Button size="xs" w="fit-content" onClick={() => void reconcile()} loading={busy}>Reconcile</Button>}
        {result && <Text size="sm" role="status">{result}</Text>}
        <ErrorNote error={error} />
      </Stack>
    </Alert>
  );
}
