import { Text } from "@mantine/core";

export function PortfolioPage() {
  return <Text>Coming next.</Text>;
}
