import { Button, Card, Group, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { ErrorNote } from "../../components/ErrorNote";
import { formatIstDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";

export function Audit() {
  const [action, setAction] = useState("");
  const [user, setUser] = useState("");
  const [account, setAccount] = useState("");
  const [filters] = useDebouncedValue({ action, user, account }, 300);
  const query = Object.fromEntries(Object.entries(filters).filter(([, value]) => value.trim()).map(([key, value]) => [key, value.trim()]));
  const entries = useLoad(() => unwrap(api.GET("/api/v1/audit", { params: { query: { ...query, limit: 200 } } })), JSON.stringify(query));
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">Audit log</Title>
        <Button size="xs" variant="default" onClick={entries.reload}>Refresh audit log</Button>
      </Group>
      <Group gap="xs" mb="xs">
        <TextInput size="xs" label="Action" placeholder="order.place" value={action} onChange={(event) => setAction(event.currentTarget.value)} />
        <TextInput size="xs" label="User" value={user} onChange={(event) => setUser(event.currentTarget.value)} />
        <TextInput size="xs" label="Account" value={account} onChange={(event) => setAccount(event.currentTarget.value)} />
      </Group>
      <ErrorNote error={entries.error} />
      <div className="scroll-x">
        <Table aria-label="Audit log" fz="xs" striped>
          <Table.Thead><Table.Tr><Table.Th>Time</Table.Th><Table.Th>User</Table.Th><Table.Th>Action</Table.Th><Table.Th>Account</Table.Th>
            <Table.Th>Target</Table.Th><Table.Th>Outcome</Table.Th><Table.Th>From</Table.Th><Table.Th>Detail</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {(entries.data ?? []).map((entry) => (
              <Table.Tr key={entry.id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatIstDateTime(entry.at)}</Table.Td>
                <Table.Td>{entry.user ?? "—"}</Table.Td>
                <Table.Td>{entry.action}</Table.Td>
                <Table.Td>{entry.account ?? ""}</Table.Td>
                <Table.Td>{entry.target ?? ""}</Table.Td>
                <Table.Td>{entry.outcome}</Table.Td>
                <Table.Td>{entry.source ?? ""}</Table.Td>
                <Table.Td><Text size="xs" lineClamp={2} maw={420}>{entry.detail ? JSON.stringify(entry.detail) : ""}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </Card>
  );
}
