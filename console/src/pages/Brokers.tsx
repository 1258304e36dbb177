import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { useSearch } from "wouter";
import { api, unwrap } from "../api/client";
import { asApiError, type ApiError } from "../api/errors";
import type { Account } from "../api/types";
import { ErrorNote } from "../components/ErrorNote";
import { useBrokers } from "../lib/brokers";
import { formatIstDateTime } from "../lib/format";
import { canTrade, isAdmin, useUser } from "../session/SessionContext";
import { useAccounts, useReadable } from "../shell/AccountsContext";
import { FeedBadge } from "../shell/FeedBadge";
import { useFollow } from "../stream/StreamContext";
import { AddAccount } from "./brokers/AddAccount";

const RETURN_TO = "/brokers"; // where a redirect login (Kite) comes back to
const SESSION_COLORS: Record<string, string> = { live: "teal.9", expired: "red.9", none: "gray.7" };

export function BrokersPage() {
  const user = useUser();
  const brokers = useBrokers();
  const { list } = useAccounts();
  // Back from a broker's login page: the server's callback sends the browser here with how it went.
  const search = new URLSearchParams(useSearch());
  const returned = search.get("login") ? search.get("account") : null;
  const returnedError = search.get("login") === "failed" ? search.get("error") ?? "the login failed" : null;
  const reloadAccounts = list.reload;
  useEffect(() => { if (returned) reloadAccounts(); }, [returned, reloadAccounts]);

  return (
    <Stack>
      <Title order={2} size="h3">Broker connections</Title>
      {returned && (returnedError
        ? <Alert color="red" role="alert" title={`Login of ${returned} failed`}>{returnedError}: log in again.</Alert>
        : <Alert color="teal" role="status" title={`${returned} logged in`}>The broker sent you back; the session is stored.</Alert>)}
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">Accounts</Title>
        <ErrorNote error={list.error} />
        <div className="scroll-x">
          <Table aria-label="Accounts" fz="sm">
            <Table.Thead><Table.Tr><Table.Th>Account</Table.Th><Table.Th>Broker</Table.Th><Table.Th>Session</Table.Th><Table.Th style={{ minWidth: 120 }}>Feed</Table.Th>
              <Table.Th>Settings</Table.Th><Table.Th>Actions</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {(list.data ?? []).map((account) => (
                <AccountRow key={account.account} account={account} canLogin={canTrade(user)} admin={isAdmin(user)}
                  dealer={!!brokers.data?.find((b) => b.name === account.broker)?.capabilities.dealer} onChanged={list.reload} />
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </Card>
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">Installed brokers</Title>
        <ErrorNote error={brokers.error} />
        <div className="scroll-x">
          <Table aria-label="Installed brokers" fz="sm">
            <Table.Thead><Table.Tr><Table.Th>Broker</Table.Th><Table.Th>Version</Table.Th><Table.Th>Exchanges</Table.Th>
              <Table.Th>Orders</Table.Th><Table.Th>Streaming</Table.Th><Table.Th>Native operations</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {(brokers.data ?? []).map((broker) => (
                <Table.Tr key={broker.name}>
                  <Table.Td><Text size="sm" fw={600}>{broker.title}</Text><Text size="xs" c="dimmed">{broker.name}</Text></Table.Td>
                  <Table.Td>{broker.version}</Table.Td>
                  <Table.Td>{broker.capabilities.exchanges.join(", ")}</Table.Td>
                  <Table.Td>{broker.capabilities.order_types.join(", ")}; {broker.capabilities.varieties.join(", ")}</Table.Td>
                  <Table.Td>{broker.capabilities.streaming.join(", ") || "none"}</Table.Td>
                  <Table.Td>
                    {broker.capabilities.operations.join(", ") || "none"}
                    {broker.capabilities.dealer && <Badge ml={4} size="xs" color="indigo.8">dealer</Badge>}
                    {broker.capabilities.interactive_login && <Badge ml={4} size="xs" color="grape.9">browser login</Badge>}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </Card>
      {isAdmin(user) && brokers.data && (
        <Card withBorder><AddAccount brokers={brokers.data} onAdded={() => list.reload()} /></Card>
      )}
    </Stack>
  );
}

/** The account's feed state, heard while this page is open (every account's, not only the current one). */
function AccountFeed({ account }: { account: string }) {
  useFollow(useReadable(account) ? account : null);
  return <FeedBadge account={account} />;
}

function AccountRow({ account, canLogin, admin, dealer, onChanged }: { account: Account; canLogin: boolean; admin: boolean; dealer: boolean; onChanged: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [clients, setClients] = useState<string[] | null>(null);
  const session = account.session;
  const name = account.account;

  async function act(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      await work();
    } catch (thrown) {
      setError(asApiError(thrown));
    } finally {
      setBusy(false);
    }
  }

  const login = () => act(async () => {
    const answer = await unwrap(api.POST("/api/v1/accounts/{account}/login", { params: { path: { account: name } }, body: { params: {}, return_to: RETURN_TO } }));
    if ("login_url" in answer) {
      window.location.assign(answer.login_url); // the broker sends the browser back through the server's callback
      return;
    }
    setNote(`Logged in as ${answer.user_id}${answer.name ? ` (${answer.name})` : ""}`);
    onChanged();
  });
  const showClients = () => act(async () => {
    setClients(await unwrap(api.GET("/api/v1/accounts/{account}/clients", { params: { path: { account: name } } })));
  });
  const remove = () => act(async () => {
    if (!window.confirm(`Deactivate ${name}? Its stored session is forgotten.`)) return;
    await unwrap(api.DELETE("/api/v1/accounts/{account}", { params: { path: { account: name } } }));
    onChanged();
  });

  const state = session?.state;
  return (
    <Table.Tr>
      <Table.Td fw={600}>{name}</Table.Td>
      <Table.Td>{account.broker}</Table.Td>
      <Table.Td>
        {account.problem ? <Text size="sm" c="red">{account.problem}</Text> : (
          <Stack gap={2}>
            <Badge color={SESSION_COLORS[state ?? "none"] ?? "gray.7"} variant="filled" aria-label={`Session of ${name}: ${state ?? "unknown"}`}>
              {state === "none" ? "not logged in" : state ?? "unknown"}
            </Badge>
            {session?.expires_at && <Text size="xs" c="dimmed">until {formatIstDateTime(session.expires_at)}</Text>}
            {(state === "expired" || state === "none") && <Text size="xs" c="red">Log in again to trade.</Text>}
          </Stack>
        )}
      </Table.Td>
      <Table.Td>{account.problem ? null : <AccountFeed account={name} />}</Table.Td>
      <Table.Td>
        <Text size="xs" style={{ wordBreak: "break-all" }}>
          {Object.entries(account.settings ?? {}).map(([key, value]) => `${key}=${String(value)}`).join(" · ")}
        </Text>
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Group gap={4}>
            {canLogin && <Button size="compact-xs" onClick={() => void login()} loading={busy} aria-label={`Log in ${name}`}>Log in</Button>}
            {dealer && <Button size="compact-xs" variant="light" onClick={() => void showClients()} aria-label={`Clients of ${name}`}>Clients</Button>}
            {admin && <Button size="compact-xs" variant="subtle" color="red" onClick={() => void remove()} aria-label={`Deactivate ${name}`}>Deactivate</Button>}
          </Group>
          {note && <Text size="xs" role="status">{note}</Text>}
          {clients && <Text size="xs" aria-label={`Client codes of ${name}`}>{clients.join(", ") || "no client codes"}</Text>}
          <ErrorNote error={error} />
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}
