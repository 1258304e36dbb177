import { Table, Text } from "@mantine/core";
import type { DepthLevel, Instrument } from "../../api/types";
import { formatAmount, formatQuantity } from "../../lib/format";
import { useQuote } from "../../stream/StreamContext";

const LEVELS = 5;

/** Five levels each side, from the symbol's full-mode ticks. */
export function DepthView({ account, instrument }: { account: string; instrument: Instrument }) {
  const quote = useQuote(account, instrument.symbol);
  const bids = quote?.depth?.bids ?? [];
  const asks = quote?.depth?.asks ?? [];
  const rows = Array.from({ length: LEVELS }, (_, index) => [bids[index], asks[index]] as const);
  const cell = (level: DepthLevel | undefined, key: "price" | "quantity" | "orders") =>
    level === undefined ? "—" : key === "price" ? formatAmount(level.price) : formatQuantity(level[key]);
  return (
    <div className="depth-box">
      <Table className="watch depth" striped withTableBorder aria-label={`Market depth of ${instrument.symbol}`} fz="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th className="num wide-only">Orders</Table.Th><Table.Th className="num">Bid qty</Table.Th><Table.Th className="num">Bid</Table.Th>
            <Table.Th className="num">Ask</Table.Th><Table.Th className="num">Ask qty</Table.Th><Table.Th className="num wide-only">Orders</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(([bid, ask], index) => (
            <Table.Tr key={index}>
              <Table.Td className="num wide-only">{cell(bid, "orders")}</Table.Td>
              <Table.Td className="num">{cell(bid, "quantity")}</Table.Td>
              <Table.Td className="num up">{cell(bid, "price")}</Table.Td>
              <Table.Td className="num down">{cell(ask, "price")}</Table.Td>
              <Table.Td className="num">{cell(ask, "quantity")}</Table.Td>
              <Table.Td className="num wide-only">{cell(ask, "orders")}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {!quote?.depth && <Text size="xs" c="dimmed">Depth comes with the next full tick.</Text>}
    </div>
  );
}
