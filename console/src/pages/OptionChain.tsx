import { Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import type { Side } from "../api/types";
import { ErrorNote } from "../components/ErrorNote";
import { formatAmount, formatQuantity } from "../lib/format";
import { findInstrument } from "../lib/instruments";
import { useLoad } from "../lib/useLoad";
import { useAccounts } from "../shell/AccountsContext";
import { useTicket } from "../ticket/TicketContext";

type OptionQuote = components["schemas"]["OptionQuote"];

const greek = (value: string | null | undefined, places = 2) => (value == null ? "—" : formatAmount(value, places));

export function OptionChainPage() {
  const { current: account } = useAccounts();
  const [text, setText] = useState("NIFTY");
  const [underlying, setUnderlying] = useState("NIFTY");
  const [expiry, setExpiry] = useState<string | null>(null);
  const [strikes, setStrikes] = useState("10");
  const expiries = useLoad(account ? () => unwrap(api.GET("/api/v1/accounts/{account}/expiries", { params: { path: { account }, query: { underlying } } })) : null,
    `exp|${account}|${underlying}`);
  const chain = useLoad(account ? () => unwrap(api.GET("/api/v1/accounts/{account}/chain", {
    params: { path: { account }, query: { underlying, strikes: Number(strikes) || 10, ...(expiry ? { expiry } : {}) } } })) : null,
  `chain|${account}|${underlying}|${expiry}|${strikes}`);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setExpiry(null);
    setUnderlying(text.trim().toUpperCase());
  };
  if (!account) return <Text>No account.</Text>;
  const spot = chain.data?.spot ? Number(chain.data.spot) : null;
  // the at-the-money distance, found once (not once a row)
  const nearest = spot === null || !chain.data ? null
    : Math.min(...chain.data.rows.map((row) => Math.abs(Number(row.strike) - spot)));
  return (
    <Stack>
      <Title order={2} size="h3">Option chain</Title>
      <form onSubmit={submit} aria-label="Choose the chain">
        <Group align="flex-end" gap="xs">
          <TextInput label="Underlying" value={text} onChange={(event) => setText(event.currentTarget.value)} w={160} />
          <Button type="submit">Show chain</Button>
          <Select label="Expiry" data={expiries.data ?? []} value={expiry ?? chain.data?.expiry ?? null} onChange={setExpiry} w={160} allowDeselect={false} />
          <Select label="Strikes each side" data={["5", "10", "20"]} value={strikes} onChange={(value) => value && setStrikes(value)} w={140} allowDeselect={false} />
        </Group>
      </form>
      <ErrorNote error={chain.error ?? expiries.error} />
      {chain.data && (
        <Card withBorder p={0}>
          <Text p="xs" size="sm">{chain.data.underlying} spot {formatAmount(chain.data.spot)} · expiry {chain.data.expiry}</Text>
          <div className="scroll-x">
            <Table aria-label={`Option chain of ${chain.data.underlying}`} fz="xs" striped highlightOnHover className="watch">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th className="num">OI</Table.Th><Table.Th className="num">IV</Table.Th><Table.Th className="num">Delta</Table.Th>
                  <Table.Th className="num wide-only">Gamma</Table.Th><Table.Th className="num wide-only">Theta</Table.Th><Table.Th className="num wide-only">Vega</Table.Th>
                  <Table.Th className="num">Call LTP</Table.Th><Table.Th className="num">Strike</Table.Th><Table.Th className="num">Put LTP</Table.Th>
                  <Table.Th className="num wide-only">Vega</Table.Th><Table.Th className="num wide-only">Theta</Table.Th><Table.Th className="num wide-only">Gamma</Table.Th>
                  <Table.Th className="num">Delta</Table.Th><Table.Th className="num">IV</Table.Th><Table.Th className="num">OI</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {chain.data.rows.map((row) => {
                  const atm = spot !== null && Math.abs(Number(row.strike) - spot) === nearest;
                  return (
                    <Table.Tr key={row.strike} className={atm ? "row-selected" : undefined}>
                      <Table.Td className="num">{formatQuantity(row.call?.open_interest)}</Table.Td>
                      <Table.Td className="num">{greek(row.call?.iv)}</Table.Td>
                      <Table.Td className="num">{greek(row.call?.delta, 3)}</Table.Td>
                      <Table.Td className="num wide-only">{greek(row.call?.gamma, 4)}</Table.Td>
                      <Table.Td className="num wide-only">{greek(row.call?.theta)}</Table.Td>
                      <Table.Td className="num wide-only">{greek(row.call?.vega)}</Table.Td>
                      <Table.Td className="num"><OptionCell account={account} option={row.call} /></Table.Td>
                      <Table.Td className="num" fw={700}>{formatAmount(row.strike)}</Table.Td>
                      <Table.Td className="num"><OptionCell account={account} option={row.put} /></Table.Td>
                      <Table.Td className="num wide-only">{greek(row.put?.vega)}</Table.Td>
                      <Table.Td className="num wide-only">{greek(row.put?.theta)}</Table.Td>
                      <Table.Td className="num wide-only">{greek(row.put?.gamma, 4)}</Table.Td>
                      <Table.Td className="num">{greek(row.put?.delta, 3)}</Table.Td>
                      <Table.Td className="num">{greek(row.put?.iv)}</Table.Td>
                      <Table.Td className="num">{formatQuantity(row.put?.open_interest)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
        </Card>
      )}
    </Stack>
  );
}

/** An option's last price; a trader can open the ticket on it. */
function OptionCell({ account, option }: { account: string; option: OptionQuote | null | undefined }) {
  const ticket = useTicket();
  if (!option) return <>—</>;
  const open = async (side: Side) => {
    const instrument = await findInstrument(account, option.symbol);
    if (instrument) ticket.open({ instrument, side, ...(option.last_price ? { price: option.last_price } : {}) });
  };
  return (
    <Group gap={2} justify="flex-end" wrap="nowrap">
      <span>{formatAmount(option.last_price)}</span>
      {ticket.enabled && (
        <>
          <Button size="compact-xs" variant="subtle" aria-label={`Buy ${option.symbol}`} onClick={() => void open("BUY")}>B</Button>
          <Button size="compact-xs" variant="subtle" color="orange" aria-label={`Sell ${option.symbol}`} onClick={() => void open("SELL")}>S</Button>
        </>
      )}
    </Group>
  );
}
