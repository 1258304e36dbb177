import { Stack, Tabs, Title } from "@mantine/core";
import { Audit } from "./admin/Audit";
import { Users } from "./admin/Users";

export function AdminPage() {
  return (
    <Stack>
      <Title order={2} size="h3">Admin</Title>
      <Tabs defaultValue="users">
        <Tabs.List>
          <Tabs.Tab value="users">Users and keys</Tabs.Tab>
          <Tabs.Tab value="audit">Audit log</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="xs"><Users /></Tabs.Panel>
        <Tabs.Panel value="audit" pt="xs"><Audit /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
