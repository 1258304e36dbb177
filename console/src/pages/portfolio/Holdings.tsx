import { Table, Text } from "@mantine/core";
import { api, unwrap } from "../../api/client";
import { Amount } from "../../components/Amount";
import { ErrorNote } from "../../components/ErrorNote";
import { toNumber } from "../../lib/decimal";
import { formatQuantity } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useQuote, useSubscription } from "../../stream/StreamContext";
import type { Holding } from "../../api/types";

export function AccountHoldings({ account, client }: { account: string; client: string | null }) {
  const holdings = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/holdings", {
    params: { path: { account }, query: client ? { client } : {} } })), `holdings|${account}|${client}`);
  const list = holdings.data ?? [];
  useSubscription(account, list.map((holding) => holding.symbol), "ltp");
  return (
    <div className="scroll-x">
      <Text fw={600} size="sm">{account}{client ? ` · ${client}` : ""}</Text>
      <ErrorNote error={holdings.error} />
      {list.length === 0 ? <Text size="sm" c="dimmed">{holdings.loading ? "Loading…" : "No holdings."}</Text> : (
        <Table aria-label={`Holdings of ${account}`} fz="sm" striped>
          <Table.Thead><Table.Tr><Table.Th>Symbol</Table.Th><Table.Th className="num">Qty</Table.Th><Table.Th className="num">Avg</Table.Th>
            <Table.Th className="num">LTP</Table.Th><Table.Th className="num">Value</Table.Th><Table.Th className="num">P&L</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {list.map((holding) => <HoldingRow key={`${holding.symbol}|${holding.client_code ?? ""}`} account={account} holding={holding} />)}
          </Table.Tbody>
        </Table>
      )}
    </div>
  );
}

function HoldingRow({ account, holding }: { account: string; holding: Holding }) {
  const quote = useQuote(account, holding.symbol);
  const last = toNumber(quote?.last_price) ?? toNumber(holding.last_price) ?? 0;
  const average = toNumber(holding.average_price) ?? 0;
  return (
    <Table.Tr>
      <Table.Td>{holding.symbol}</Table.Td>
      <Table.Td className="num">{formatQuantity(holding.quantity)}</Table.Td>
      <Table.Td><Amount value={holding.average_price} /></Table.Td>
      <Table.Td><Amount value={last} /></Table.Td>
      <Table.Td><Amount value={last * holding.quantity} /></Table.Td>
      <Table.Td><Amount value={(last - average) * holding.quantity} signed /></Table.Td>
    </Table.Tr>
  );
}
