import { Card, SimpleGrid, Text } from "@mantine/core";
import { api, unwrap } from "../../api/client";
import { Amount } from "../../components/Amount";
import { ErrorNote } from "../../components/ErrorNote";
import { useLoad } from "../../lib/useLoad";

export function AccountFunds({ account, client }: { account: string; client: string | null }) {
  const funds = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/funds", {
    params: { path: { account }, query: client ? { client } : {} } })), `funds|${account}|${client}`);
  const figures: [string, string | undefined, boolean][] = [
    ["Available margin", funds.data?.available_margin, false], ["Used margin", funds.data?.used_margin, false],
    ["Cash", funds.data?.cash, false], ["Realised P&L", funds.data?.realised_pnl, true], ["Unrealised P&L", funds.data?.unrealised_pnl, true],
  ];
  return (
    <Card withBorder aria-label={`Funds of ${account}`} role="region">
      <Text fw={600} size="sm" mb="xs">{account}{client ? ` · ${client}` : ""}</Text>
      <ErrorNote error={funds.error} />
      <SimpleGrid cols={{ base: 2, sm: 5 }}>
        {figures.map(([label, value, signed]) => (
          <div key={label}>
            <Text size="xs" c="dimmed">{label}</Text>
            <Amount value={value} signed={signed} label={`${label} of ${account}`} />
          </div>
        ))}
      </SimpleGrid>
    </Card>
  );
}
