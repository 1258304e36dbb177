import { Badge, Button, Card, CopyButton, Group, MultiSelect, PasswordInput, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { asApiError, type ApiError } from "../../api/errors";
import type { Role, UserView } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import { formatIstDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useUser } from "../../session/SessionContext";
import { useAccounts } from "../../shell/AccountsContext";

const ROLES: Role[] = ["admin", "trader", "viewer"];

export function Users() {
  const users = useLoad(() => unwrap(api.GET("/api/v1/users")), "users");
  const me = useUser();
  const [error, setError] = useState<ApiError | null>(null);
  const [madeKey, setMadeKey] = useState<{ user: string; key: string; prefix: string } | null>(null);

  async function act(work: () => Promise<void>) {
    setError(null);
    try {
      await work();
      users.reload();
    } catch (thrown) {
      setError(asApiError(thrown));
    }
  }

  return (
    <Stack>
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">Users and API keys</Title>
        <ErrorNote error={error ?? users.error} />
        {madeKey && (
          <Card withBorder bg="var(--mantine-color-yellow-light)" mb="xs" role="region" aria-label="New API key">
            <Text size="sm">New key for {madeKey.user} (prefix {madeKey.prefix}): copy it now, it is shown this once.</Text>
            <Group gap="xs" mt={4}>
              <PasswordInput aria-label="New API key" value={madeKey.key} readOnly w={360} maw="100%" />
              <CopyButton value={madeKey.key}>{({ copied, copy }) => <Button size="xs" onClick={copy}>{copied ? "Copied" : "Copy key"}</Button>}</CopyButton>
              <Button size="xs" variant="default" onClick={() => setMadeKey(null)}>Done</Button>
            </Group>
          </Card>
        )}
        <div className="scroll-x">
          <Table aria-label="Users" fz="sm">
            <Table.Thead><Table.Tr><Table.Th>User</Table.Th><Table.Th>Role</Table.Th><Table.Th>Accounts</Table.Th><Table.Th>API keys</Table.Th><Table.Th>Actions</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {(users.data ?? []).map((user: UserView) => (
                <Table.Tr key={user.name}>
                  <Table.Td fw={600}>{user.name}</Table.Td>
                  <Table.Td>
                    <Badge variant="filled" color="indigo.8">{user.role}</Badge>
                    {user.totp && <Badge variant="outline" size="xs" ml={4} aria-label={`${user.name} signs in with TOTP`}>TOTP</Badge>}
                  </Table.Td>
                  <Table.Td>{user.role === "admin" ? "all" : user.accounts.join(", ") || "none"}</Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {user.keys.map((key) => (
                        <Group key={key.prefix} gap={4} wrap="nowrap">
                          <Text size="xs" ff="monospace">{key.prefix}…</Text>
                          <Text size="xs" c="dimmed">{key.scope}{key.revoked_at ? ", revoked" : key.last_used_at ? `, used ${formatIstDateTime(key.last_used_at)}` : ", unused"}</Text>
                          {!key.revoked_at && (
                            <Button size="compact-xs" variant="subtle" color="red" aria-label={`Revoke key ${key.prefix} of ${user.name}`}
                              onClick={() => void act(async () => { await unwrap(api.DELETE("/api/v1/users/{name}/keys/{prefix}", { params: { path: { name: user.name, prefix: key.prefix } } })); })}>
                              Revoke
                            </Button>
                          )}
                        </Group>
                      ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-xs" variant="light" aria-label={`New key for ${user.name}`}
                        onClick={() => void act(async () => {
                          const made = await unwrap(api.POST("/api/v1/users/{name}/keys", { params: { path: { name: user.name } }, body: { scope: "trade" } }));
                          setMadeKey({ user: user.name, key: made.key, prefix: made.prefix });
                        })}>New key</Button>
                      {user.name !== me.user && (
                        <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove user ${user.name}`}
                          onClick={() => void act(async () => {
                            if (!window.confirm(`Remove ${user.name}, their keys and sessions?`)) return;
                            await unwrap(api.DELETE("/api/v1/users/{name}", { params: { path: { name: user.name } } }));
                          })}>Remove</Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </Card>
      <Card withBorder><AddUser onAdded={users.reload} /></Card>
    </Stack>
  );
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const { list } = useAccounts();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("trader");
  const [accounts, setAccounts] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await unwrap(api.POST("/api/v1/users", { body: { name: name.trim(), password, role, accounts: role === "admin" ? [] : accounts } }));
      setName("");
      setPassword("");
      setAccounts([]);
      onAdded();
    } catch (thrown) {
      setError(asApiError(thrown));
    }
  }
  return (
    <form onSubmit={submit} aria-label="Add a user">
      <Stack gap="xs" maw={520}>
        <Title order={3} size="h5">Add a user</Title>
        <Group grow>
          <TextInput label="New user name" value={name} onChange={(event) => setName(event.currentTarget.value)} required />
          <PasswordInput label="New user's password" value={password} onChange={(event) => setPassword(event.currentTarget.value)} required autoComplete="new-password" />
        </Group>
        <Group grow>
          <Select label="Role" data={ROLES} value={role} allowDeselect={false} onChange={(value) => value && setRole(value as Role)} />
          {role !== "admin" && (
            <MultiSelect label="Accounts granted" data={(list.data ?? []).map((row) => row.account)} value={accounts} onChange={setAccounts} />
          )}
        </Group>
        <ErrorNote error={error} />
        <Button type="submit" w="fit-content">Add user</Button>
      </Stack>
    </form>
  );
}
