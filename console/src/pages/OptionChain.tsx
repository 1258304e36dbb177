import { Text } from "@mantine/core";

export function OptionChainPage() {
  return <Text>Coming next.</Text>;
}
