import { Button, Group, Select, TextInput } from "@mantine/core";
import { memo, useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { asApiError, type ApiError } from "../../api/errors";
import type { Order, OrderModify, OrderType } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import { formatAmount, formatIstTime, formatQuantity } from "../../lib/format";
import { isOpen } from "../../lib/orderBook";
import { needsPrice, needsTrigger, ORDER_TYPES } from "../../lib/orderRules";


const STATUS_COLORS: Record<string, string> = {
  OPEN: "blue", "TRIGGER PENDING": "violet", PENDING: "gray", COMPLETE: "teal", CANCELLED: "gray", REJECTED: "red",
};

interface Props {
  account: string;
  order: Order;
  /** The journal does not know this order's outcome yet (reconcile settles it). */
  unknown: boolean;
  canTrade: boolean;
  onHistory: (order: Order) => void;
}

export const OrderRow = memo(function OrderRow({ account, order, unknown, canTrade, onHistory }: Props) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const open = isOpen(order);
  const label = `order ${order.order_id}`;
  const client = order.client_code ? { client: order.client_code } : {};

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.DELETE("/api/v1/accounts/{account}/orders/{order_id}", {
        params: { path: { account, order_id: order.order_id }, query: client } }));
    } catch (thrown) {
      setError(asApiError(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div role="rowgroup">
      <div role="row" className="order-row" aria-label={`${order.side} ${order.symbol} ${order.status}`}>
        <span role="cell" className="num wide-only">{formatIstTime(order.placed_at)}</span>
        <span role="cell" title={order.symbol}>{order.symbol}{order.client_code ? ` · ${order.client_code}` : ""}</span>
        <span role="cell" className={order.side === "BUY" ? "buy" : "sell"}>{order.side}</span>
        <span role="cell" className="wide-only">{order.order_type}</span>
        <span role="cell" className="wide-only">{order.product}</span>
        <span role="cell" className="num">{formatQuantity(order.filled_quantity)}/{formatQuantity(order.quantity)}</span>
        <span role="cell" className="num">{order.price ? formatAmount(order.price) : order.trigger_price ? `trg ${formatAmount(order.trigger_price)}` : "MKT"}</span>
        <span role="cell" className="num wide-only">{formatAmount(order.average_price)}</span>
        <span role="cell" title={order.status_message ?? undefined}>
          <span className={`status ${STATUS_COLORS[order.status] ?? "gray"}`}>{order.status}</span>
          {unknown && <span className="status yellow" title="outcome unknown: reconcile">UNKNOWN</span>}
        </span>
        <span role="cell">
          <span className="row-actions" style={{ justifyContent: "flex-start" }}>
            {canTrade && open && (
              <>
                <button type="button" className="row-action" aria-label={`Modify ${label}`} onClick={() => setEditing((on) => !on)}>Modify</button>
                <button type="button" className="row-action danger" aria-label={`Cancel ${label}`} disabled={busy} onClick={() => void cancel()}>Cancel</button>
              </>
            )}
            <button type="button" className="row-action plain" aria-label={`History of ${label}`} onClick={() => onHistory(order)}>History</button>
          </span>
        </span>
      </div>
      {editing && open && <ModifyForm account={account} order={order} onDone={() => setEditing(false)} />}
      {error && <div style={{ padding: "4px 8px" }}><ErrorNote error={error} /></div>}
    </div>
  );
});

function ModifyForm({ account, order, onDone }: { account: string; order: Order; onDone: () => void }) {
  const [quantity, setQuantity] = useState(String(order.quantity));
  const [price, setPrice] = useState(order.price ?? "");
  const [trigger, setTrigger] = useState(order.trigger_price ?? "");
  const [type, setType] = useState<OrderType>(order.order_type);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const label = `order ${order.order_id}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    // Only what changed is sent: the server changes exactly what the body sets.
    const changes: OrderModify = {};
    if (Number(quantity) !== order.quantity) changes.quantity = Number(quantity);
    if (type !== order.order_type) changes.order_type = type;
    if (needsPrice(type) && price !== (order.price ?? "")) changes.price = price;
    if (needsTrigger(type) && trigger !== (order.trigger_price ?? "")) changes.trigger_price = trigger;
    if (!Object.keys(changes).length) return onDone();
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.PATCH("/api/v1/accounts/{account}/orders/{order_id}", {
        params: { path: { account, order_id: order.order_id }, query: order.client_code ? { client: order.client_code } : {} },
        body: changes,
      }));
      onDone();
    } catch (thrown) {
      setError(asApiError(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label={`Modify ${label}`} style={{ padding: "6px 8px" }}>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <Select size="xs" label="Type" data={ORDER_TYPES} value={type} allowDeselect={false} w={100}
          onChange={(value) => value && setType(value as OrderType)} />
        <TextInput size="xs" label="New quantity" value={quantity} onChange={(event) => setQuantity(event.currentTarget.value)} w={100} />
        {needsPrice(type) && <TextInput size="xs" label="New price" value={price} onChange={(event) => setPrice(event.currentTarget.value)} w={110} />}
        {needsTrigger(type) && <TextInput size="xs" label="New trigger price" value={trigger} onChange={(event) => setTrigger(event.currentTarget.value)} w={120} />}
        <Button size="xs" type="submit" loading={busy}>Save changes</Button>
        <Button size="xs" variant="default" onClick={onDone}>Discard</Button>
      </Group>
      <ErrorNote error={error} />
    </form>
  );
}
