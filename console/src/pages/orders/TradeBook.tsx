import { Table, Text } from "@mantine/core";
import type { Trade } from "../../api/types";
import { formatAmount, formatIstTime, formatQuantity } from "../../lib/format";

export function TradeBook({ trades }: { trades: Trade[] }) {
  if (!trades.length) return <Text c="dimmed" p="md">No trades today.</Text>;
  return (
    <div className="scroll-x">
      <Table aria-label="Trade book" fz="sm" striped>
        <Table.Thead><Table.Tr><Table.Th>Time</Table.Th><Table.Th>Symbol</Table.Th><Table.Th>Side</Table.Th><Table.Th>Product</Table.Th>
          <Table.Th className="num">Qty</Table.Th><Table.Th className="num">Price</Table.Th><Table.Th>Order</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {trades.map((trade) => (
            <Table.Tr key={trade.trade_id}>
              <Table.Td className="num">{formatIstTime(trade.filled_at)}</Table.Td>
              <Table.Td>{trade.symbol}{trade.client_code ? ` · ${trade.client_code}` : ""}</Table.Td>
              <Table.Td className={trade.side === "BUY" ? "buy" : "sell"}>{trade.side}</Table.Td>
              <Table.Td>{trade.product}</Table.Td>
              <Table.Td className="num">{formatQuantity(trade.quantity)}</Table.Td>
              <Table.Td className="num">{formatAmount(trade.price)}</Table.Td>
              <Table.Td>{trade.order_id}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
