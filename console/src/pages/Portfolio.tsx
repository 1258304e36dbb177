import { Card, Group, Select, SimpleGrid, Stack, Tabs, Text, Title } from "@mantine/core";
import { useCallback, useState } from "react";
import { api, unwrap } from "../api/client";
import { Amount } from "../components/Amount";
import { Choice } from "../components/Choice";
import { useBrokers } from "../lib/brokers";
import { clientOptions } from "../lib/clients";
import { useLoad } from "../lib/useLoad";
import { canTrade, useUser } from "../session/SessionContext";
import { useAccounts } from "../shell/AccountsContext";
import { AccountFunds } from "./portfolio/Funds";
import { AccountHoldings } from "./portfolio/Holdings";
import { AccountPositions, type Totals } from "./portfolio/Positions";

type Scope = "account" | "all";
const ALL_CLIENTS = "*all clients*";

interface Target {
  account: string;
  client: string | null;
}

export function PortfolioPage() {
  const user = useUser();
  const { current, list } = useAccounts();
  const [scope, setScope] = useState<Scope>("account");
  const [client, setClient] = useState<string | null>(null);
  const [totals, setTotals] = useState<Record<string, Totals | null>>({});
  const brokers = useBrokers();
  const broker = list.data?.find((row) => row.account === current)?.broker;
  const dealer = scope === "account" && !!brokers.data?.find((known) => known.name === broker)?.capabilities.dealer;
  const clients = useLoad(dealer && current ? () => unwrap(api.GET("/api/v1/accounts/{account}/clients", { params: { path: { account: current } } })) : null,
    `clients|${current}|${dealer}`);
  const accounts = scope === "all" ? (list.data ?? []).map((row) => row.account) : current ? [current] : [];
  // What is shown: each account (at the chosen client), or a dealer account once per client code.
  const targets: Target[] = dealer && client === ALL_CLIENTS && current
    ? (clients.data ?? []).map((code) => ({ account: current, client: code }))
    : accounts.map((account) => ({ account, client: dealer ? client : null }));
  const keyOf = (target: Target) => `${target.account}|${target.client ?? ""}`;
  const onTotals = useCallback((key: string, value: Totals | null) => setTotals((known) => ({ ...known, [key]: value })), []);
  const grand = targets.map((target) => totals[keyOf(target)]).filter((value): value is Totals => !!value)
    .reduce((sum, value) => ({ realised: sum.realised + value.realised, unrealised: sum.unrealised + value.unrealised,
      day: sum.day + value.day, net: sum.net + value.net }), { realised: 0, unrealised: 0, day: 0, net: 0 });

  if (!targets.length && !accounts.length) return <Text>No account.</Text>;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2} size="h3">Portfolio</Title>
        <Group align="flex-end">
          {(list.data?.length ?? 0) > 1 && (
            <Choice label="Show" value={scope} options={["account", "all"] as const} onChange={setScope}
              labels={{ account: `Account ${current}`, all: "All accounts" }} />
          )}
          {dealer && (
            <Select label="Client" placeholder="default client" clearable w={170} value={client} onChange={setClient}
              data={[{ value: ALL_CLIENTS, label: "All clients" }, ...clientOptions(clients.data ?? [])]} />
          )}
        </Group>
      </Group>
      <Card withBorder role="region" aria-label="P&L total">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          {(["realised", "unrealised", "day", "net"] as const).map((name) => (
            <div key={name}>
              <Text size="xs" c="dimmed">{name === "day" ? "Day" : name[0]!.toUpperCase() + name.slice(1)} P&L{targets.length > 1 ? " (all)" : ""}</Text>
              <Text size="lg"><Amount value={grand[name]} signed label={`Total ${name} P&L`} /></Text>
            </div>
          ))}
        </SimpleGrid>
      </Card>
      <Tabs defaultValue="positions" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="positions">Positions</Tabs.Tab>
          <Tabs.Tab value="holdings">Holdings</Tabs.Tab>
          <Tabs.Tab value="funds">Funds</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="positions" pt="xs">
          <Stack>{targets.map((target) => <AccountPositions key={keyOf(target)} {...target} canTrade={canTrade(user)} onTotals={onTotals} />)}</Stack>
        </Tabs.Panel>
        <Tabs.Panel value="holdings" pt="xs">
          <Stack>{targets.map((target) => <AccountHoldings key={keyOf(target)} {...target} />)}</Stack>
        </Tabs.Panel>
        <Tabs.Panel value="funds" pt="xs">
          <Stack>{targets.map((target) => <AccountFunds key={keyOf(target)} {...target} />)}</Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
