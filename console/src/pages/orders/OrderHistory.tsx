import { Modal, Table } from "@mantine/core";
import { api, unwrap } from "../../api/client";
import type { Order } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import { formatAmount, formatIstTime, formatQuantity } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";

export function OrderHistory({ account, order, onClose }: { account: string; order: Order | null; onClose: () => void }) {
  const history = useLoad(order ? () => unwrap(api.GET("/api/v1/accounts/{account}/orders/{order_id}/history", {
    params: { path: { account, order_id: order.order_id }, query: order.client_code ? { client: order.client_code } : {} },
  })) : null, order?.order_id ?? "");
  return (
    <Modal opened={order !== null} onClose={onClose} title={order ? `History of order ${order.order_id}` : ""} size="lg">
      <ErrorNote error={history.error} />
      <Table aria-label="Order history" fz="sm">
        <Table.Thead><Table.Tr><Table.Th>Time</Table.Th><Table.Th>Status</Table.Th><Table.Th className="num">Filled/Qty</Table.Th>
          <Table.Th className="num">Price</Table.Th><Table.Th className="num">Avg</Table.Th><Table.Th>Message</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {(history.data ?? []).map((state, index) => (
            <Table.Tr key={index}>
              <Table.Td className="num">{formatIstTime(state.updated_at)}</Table.Td>
              <Table.Td>{state.status}</Table.Td>
              <Table.Td className="num">{formatQuantity(state.filled_quantity)}/{formatQuantity(state.quantity)}</Table.Td>
              <Table.Td className="num">{formatAmount(state.price)}</Table.Td>
              <Table.Td className="num">{formatAmount(state.average_price)}</Table.Td>
              <Table.Td>{state.status_message ?? ""}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
