import { Text } from "@mantine/core";

export function BrokersPage() {
  return <Text>Coming next.</Text>;
}
