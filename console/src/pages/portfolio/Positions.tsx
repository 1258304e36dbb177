import { Button, Group, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { asApiError, type ApiError } from "../../api/errors";
import type { LegResult, Position, Product } from "../../api/types";
import { Amount } from "../../components/Amount";
import { ErrorNote } from "../../components/ErrorNote";
import { clientLabel } from "../../lib/clients";
import { formatQuantity } from "../../lib/format";
import { productsFor } from "../../lib/orderRules";
import { livePnl, sumPnl, type LivePnl, type PnlLine } from "../../lib/pnl";
import { useLoad } from "../../lib/useLoad";
import { useStream, useQuote, useQuotesVersion, useSubscription } from "../../stream/StreamContext";

export type Totals = Omit<LivePnl, "lastPrice">;

interface Props {
  account: string;
  client: string | null;
  canTrade: boolean;
  /** Told this view's totals, by "account|client" (a dealer's clients each have their own). */
  onTotals: (key: string, totals: Totals | null) => void;
}

const lineKey = (line: Pick<PnlLine, "symbol" | "product" | "client_code">) => `${line.symbol}|${line.product}|${line.client_code ?? ""}`;

/** One account's positions, their P&L moving with live prices, with exit and convert. */
export function AccountPositions({ account, client, canTrade, onTotals }: Props) {
  const query = client ? { client } : {};
  const pnl = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/pnl", { params: { path: { account }, query } })), `pnl|${account}|${client}`);
  const positions = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/positions", { params: { path: { account }, query } })), `pos|${account}|${client}`);
  const [result, setResult] = useState<{ legs?: LegResult[]; error?: ApiError } | null>(null);
  const lines = pnl.data?.lines ?? [];
  const symbols = useMemo(() => [...new Set(lines.map((line) => line.symbol))], [lines]);
  useSubscription(account, symbols, "ltp");
  const multipliers = useMemo(() => new Map((positions.data ?? []).map((p) => [lineKey(p), Number(p.multiplier) || 1])), [positions.data]);
  const byKey = useMemo(() => new Map((positions.data ?? []).map((p) => [lineKey(p), p])), [positions.data]);

  const version = useQuotesVersion(account, symbols);
  const { quotes } = useStream();
  const totals = useMemo(() => {
    void version; // recomputed when a symbol ticks
    return lines.length ? sumPnl(lines.map((line) => livePnl(line, quotes.quote(account, line.symbol)?.last_price, multipliers.get(lineKey(line))))) : null;
  }, [lines, version, quotes, account, multipliers]);
  useEffect(() => onTotals(`${account}|${client ?? ""}`, totals), [account, client, totals, onTotals]);

  const reload = () => { pnl.reload(); positions.reload(); };
  async function exit(body: { symbols?: string[]; all?: boolean; product?: Product }) {
    setResult(null);
    try {
      const legs = await unwrap(api.POST("/api/v1/accounts/{account}/exit", { params: { path: { account }, query }, body: { all: false, keep_orders: false, ...body } }));
      setResult({ legs });
      reload();
    } catch (thrown) {
      setResult({ error: asApiError(thrown) });
    }
  }

  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={3} size="h5">{account}{client ? ` · ${clientLabel(client)}` : ""}</Title>
        <Group gap="xs">
          <Button size="compact-sm" variant="default" onClick={reload}>Refresh {account}</Button>
          {canTrade && lines.some((line) => line.quantity !== 0) && (
            <Button size="compact-sm" color="red.9" onClick={() => void exit({ all: true })}>Exit all positions of {account}</Button>
          )}
        </Group>
      </Group>
      <ErrorNote error={pnl.error} />
      {result?.legs && <Text size="sm" role="status">Exit: {result.legs.map((leg) => `${leg.symbol} ${leg.outcome}${leg.message ? ` (${leg.message})` : ""}`).join(", ") || "nothing to exit"}</Text>}
      <ErrorNote error={result?.error} />
      {lines.length === 0 ? <Text size="sm" c="dimmed">{pnl.loading ? "Loading…" : "No positions."}</Text> : (
        <div className="scroll-x">
          <Table aria-label={`Positions of ${account}${client ? ` for ${client}` : ""}`} fz="sm" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Symbol</Table.Th><Table.Th>Product</Table.Th><Table.Th className="num">Qty</Table.Th><Table.Th className="num">Avg</Table.Th>
                <Table.Th className="num">LTP</Table.Th><Table.Th className="num">Realised</Table.Th><Table.Th className="num">Unrealised</Table.Th>
                <Table.Th className="num">Day</Table.Th><Table.Th className="num">Net</Table.Th><Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((line) => (
                <PositionRow key={lineKey(line)} account={account} client={client} line={line} position={byKey.get(lineKey(line))}
                  multiplier={multipliers.get(lineKey(line)) ?? 1} canTrade={canTrade}
                  onExit={() => void exit({ symbols: [line.symbol], product: line.product })} onChanged={reload} />
              ))}
              {totals && (
                <Table.Tr fw={600}>
                  <Table.Td colSpan={5}>Total</Table.Td>
                  <Table.Td><Amount value={totals.realised} signed label={`Realised P&L of ${account}`} /></Table.Td>
                  <Table.Td><Amount value={totals.unrealised} signed label={`Unrealised P&L of ${account}`} /></Table.Td>
                  <Table.Td><Amount value={totals.day} signed label={`Day P&L of ${account}`} /></Table.Td>
                  <Table.Td><Amount value={totals.net} signed label={`Net P&L of ${account}`} /></Table.Td>
                  <Table.Td />
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Stack>
  );
}

function PositionRow({ account, client, line, position, multiplier, canTrade, onExit, onChanged }: {
  account: string; client: string | null; line: PnlLine; position: Position | undefined; multiplier: number; canTrade: boolean;
  onExit: () => void; onChanged: () => void;
}) {
  const quote = useQuote(account, line.symbol);
  const live = livePnl(line, quote?.last_price, multiplier);
  const [converting, setConverting] = useState(false);
  return (
    <>
      <Table.Tr>
        <Table.Td>{line.symbol}{line.client_code ? ` · ${line.client_code}` : ""}</Table.Td>
        <Table.Td>{line.product}</Table.Td>
        <Table.Td className="num">{formatQuantity(line.quantity)}</Table.Td>
        <Table.Td><Amount value={line.average_price} /></Table.Td>
        <Table.Td><Amount value={live.lastPrice} label={`${line.symbol} last price`} /></Table.Td>
        <Table.Td><Amount value={live.realised} signed /></Table.Td>
        <Table.Td><Amount value={live.unrealised} signed label={`${line.symbol} unrealised P&L`} /></Table.Td>
        <Table.Td><Amount value={live.day} signed /></Table.Td>
        <Table.Td><Amount value={live.net} signed label={`${line.symbol} net P&L`} /></Table.Td>
        <Table.Td>
          {canTrade && line.quantity !== 0 && (
            <Group gap={4} wrap="nowrap">
              <Button size="compact-xs" color="red.9" aria-label={`Exit ${line.symbol} ${line.product}`} onClick={onExit}>Exit</Button>
              <Button size="compact-xs" variant="light" aria-label={`Convert ${line.symbol} ${line.product}`} onClick={() => setConverting((on) => !on)}>Convert</Button>
            </Group>
          )}
        </Table.Td>
      </Table.Tr>
      {converting && position && (
        <Table.Tr>
          <Table.Td colSpan={10}>
            <ConvertForm account={account} client={client} position={position} onDone={() => { setConverting(false); onChanged(); }} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function ConvertForm({ account, client, position, onDone }: { account: string; client: string | null; position: Position; onDone: () => void }) {
  const others = productsFor(position.symbol).filter((product) => product !== position.product);
  const [to, setTo] = useState<Product>(others[0] ?? "MIS");
  const [quantity, setQuantity] = useState(String(Math.abs(position.quantity)));
  const [error, setError] = useState<ApiError | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await unwrap(api.POST("/api/v1/accounts/{account}/convert", {
        params: { path: { account }, query: client ? { client } : {} },
        body: { symbol: position.symbol, quantity: Number(quantity), from_product: position.product, to_product: to },
      }));
      onDone();
    } catch (thrown) {
      setError(asApiError(thrown));
    }
  }
  return (
    <form onSubmit={submit} aria-label={`Convert ${position.symbol}`}>
      <Group gap="xs" align="flex-end">
        <TextInput size="xs" label="Quantity to convert" value={quantity} onChange={(event) => setQuantity(event.currentTarget.value)} w={140} />
        <Select size="xs" label="To product" data={others} value={to} allowDeselect={false} onChange={(value) => value && setTo(value as Product)} w={120} />
        <Button size="xs" type="submit">Convert</Button>
        <Button size="xs" variant="default" onClick={onDone}>Discard</Button>
      </Group>
      <ErrorNote error={error} />
    </form>
  );
}
