import { Text } from "@mantine/core";

export function AdminPage() {
  return <Text>Coming next.</Text>;
}
